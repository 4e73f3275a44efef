/** Edited files on disk, cached by the source's content, so that a model is edited once and not on every load. */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ContextLensError } from '../errors';
import { sha256OfFile, writeFileAtomic } from '../fsUtil';
import { exposeAttentionsAndHiddenStates, exposeDecoderOutputs } from './expose';

/** Bump when the edit changes, so that files edited by an older version are redone. */
const EDIT_VERSION = 4;
/** Bump when the decoder edit changes (its manifests carry it beside EDIT_VERSION; 2: next-token reads in the graph). */
const CAUSAL_EDIT_VERSION = 2;

/** Which edit a file gets: the encoder's (expose.ts exposeAttentionsAndHiddenStates) or the decoder's (exposeDecoderOutputs). */
export type EditKind = 'masked' | 'causal';

interface EditManifest {
  editVersion: number;
  /** Absent in manifests written before decoders were edited: those are 'masked'. */
  editKind?: EditKind;
  causalEditVersion?: number;
  sourceSha256: string;
  destPath: string;
  /** Size and mtime of the written file: if another edit overwrote it since, they no longer match. */
  destSize: number;
  destMtimeMs: number;
  attentionOutputs: string[];
  hiddenStateOutputs: string[];
  opset: number;
  maskedPositionsInput?: string;
  layerPositionsInput?: string;
}

export interface PreparedEdit {
  attentionOutputs: string[];
  hiddenStateOutputs: string[];
  opset: number;
  maskedPositionsInput?: string;
  /** LAYER_POSITIONS_INPUT when the edit added the head's copy over every hidden layer (onnx/head.ts). */
  layerPositionsInput?: string;
  /** True when an earlier edit of the same source content was reused. */
  cached: boolean;
  /** False when the source's size and times matched the last edit's, so its hash was not recomputed. */
  sourceHashed: boolean;
  sourceSha256: string;
}

/** What the source file looked like when it was last hashed (next to the edited file). */
interface SourceStamp {
  path: string;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  sha256: string;
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/**
 * Writes the edited copy of `sourceOnnxPath` to `destPath`, unless an earlier call already wrote the edit
 * of the same source content there. `cacheDir` holds one small manifest per source content hash.
 */
export async function prepareEditedModelFile(sourceOnnxPath: string, destPath: string, cacheDir: string, editKind: EditKind = 'masked'): Promise<PreparedEdit> {
  const dest = resolve(destPath);
  const stampPath = `${dest}.source.json`;
  let sourceSha256: string;
  let sourceHashed = false;
  let stamp: Omit<SourceStamp, 'sha256'>;
  try {
    const st = await stat(sourceOnnxPath);
    stamp = { path: resolve(sourceOnnxPath), size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
    // Hashing a Hub model reads hundreds of MB on every load: skip it while the file is untouched.
    const last = await readJson<SourceStamp>(stampPath);
    if (last && last.path === stamp.path && last.size === stamp.size && last.mtimeMs === stamp.mtimeMs && last.ctimeMs === stamp.ctimeMs && last.sha256) {
      sourceSha256 = last.sha256;
    } else {
      sourceSha256 = await sha256OfFile(sourceOnnxPath);
      sourceHashed = true;
    }
  } catch (e) {
    throw new ContextLensError('MODEL_FOLDER_MISSING', `The model file ${sourceOnnxPath} cannot be read.`, String(e));
  }
  const writeStamp = (sha256: string) => writeFileAtomic(stampPath, JSON.stringify({ ...stamp, sha256 } satisfies SourceStamp));
  const manifestPath = join(cacheDir, `${sourceSha256}.json`);
  const manifest = await readJson<EditManifest>(manifestPath);
  if (manifest && manifest.editVersion === EDIT_VERSION && (manifest.editKind ?? 'masked') === editKind && (editKind === 'masked' || manifest.causalEditVersion === CAUSAL_EDIT_VERSION) && manifest.sourceSha256 === sourceSha256 && manifest.destPath === dest) {
    const st = await stat(dest).catch(() => undefined);
    if (st && st.size === manifest.destSize && st.mtimeMs === manifest.destMtimeMs) {
      const { attentionOutputs, hiddenStateOutputs, opset, maskedPositionsInput, layerPositionsInput } = manifest;
      if (sourceHashed) await writeStamp(sourceSha256);
      return { attentionOutputs, hiddenStateOutputs, opset, maskedPositionsInput, layerPositionsInput, cached: true, sourceHashed, sourceSha256 };
    }
  }

  const source = await readFile(sourceOnnxPath);
  // The file may have changed since it was hashed: key the edit by the bytes actually edited.
  const editedSha256 = createHash('sha256').update(source).digest('hex');
  const edited = editKind === 'causal' ? exposeDecoderOutputs(source, sourceOnnxPath) : exposeAttentionsAndHiddenStates(source, sourceOnnxPath);
  await writeFileAtomic(dest, edited.bytes);
  const st = await stat(dest);
  const record: EditManifest = {
    editVersion: EDIT_VERSION,
    ...(editKind === 'masked' ? {} : { editKind, causalEditVersion: CAUSAL_EDIT_VERSION }),
    sourceSha256: editedSha256,
    destPath: dest,
    destSize: st.size,
    destMtimeMs: st.mtimeMs,
    attentionOutputs: edited.attentionOutputs,
    hiddenStateOutputs: edited.hiddenStateOutputs,
    opset: edited.opset,
    maskedPositionsInput: edited.maskedPositionsInput,
    layerPositionsInput: edited.layerPositionsInput,
  };
  await writeFileAtomic(join(cacheDir, `${editedSha256}.json`), JSON.stringify(record, null, 2));
  // The stamp describes the file as stat saw it before reading; if it changed in between, the next load
  // sees other times and hashes again.
  await writeStamp(editedSha256);
  return {
    attentionOutputs: edited.attentionOutputs,
    hiddenStateOutputs: edited.hiddenStateOutputs,
    opset: edited.opset,
    maskedPositionsInput: edited.maskedPositionsInput,
    layerPositionsInput: edited.layerPositionsInput,
    cached: false,
    sourceHashed: true,
    sourceSha256: editedSha256,
  };
}
