/**
 * Loads a language model of a family the engine knows (families/: today the BERT-family masked language
 * models) from a folder in the Hub layout or a Hub id downloaded with transformers.js, with its graph
 * edited to also output attentions and hidden states.
 *
 * Every model is run from a "prepared" folder we own under `spec.cacheDir`:
 *   <cacheDir>/hub/…                          transformers.js's download cache (Hub ids only)
 *   <cacheDir>/prepared/<key>/                config.json, tokenizer files, onnx/model_attn[_quantized].onnx
 *   <cacheDir>/edits/<sha256>.json            which edited file came from which source content
 * so the user's model folder and node_modules are never written to.
 *
 * Hub errors: a model that is not cached and a Hub that cannot be reached at all (no connection, refused,
 * unknown host) is OFFLINE_NOT_CACHED, whether or not `offline` is set — the user's remedy is the same:
 * get online or use a cached model. DOWNLOAD_FAILED is for a download that started and broke (connection
 * cut mid-file, HTTP errors, missing files on the Hub). transformers.js writes downloads to a temporary
 * file and renames it when complete, so a broken download leaves nothing behind and a retry starts clean.
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PreTrainedModel, PreTrainedTokenizer } from '@huggingface/transformers';
import { cancelledError, ContextLensError, throwIfAborted } from './errors';
import { configNumber, familyFor, type ModelConfig, type ModelFamily } from './families';
import { loadRuntime, type Runtime } from './modelRuntime';
import { DEFAULT_MODEL_ID, expandFolderSpec, isFolderSpec } from './modelSpec';
import { writeFileAtomic } from './fsUtil';
import type { DecoderShape } from './forward';
import type { Dtype, ModelInfo, ModelSpec, ProgressEvent } from './types';

export interface SpecialTokenIds {
  cls: number;
  sep: number;
  mask: number;
  pad: number;
  /** -1 when the tokenizer has no such token. */
  unk: number;
  /** Causal models: the tokens that begin and end a text (GPT-2's are both <|endoftext|>); -1 when none. */
  bos?: number;
  eos?: number;
}

export interface LoadedModel {
  info: ModelInfo;
  /** What kind of language model it is: how its guesses are made, which special tokens matter. */
  family: ModelFamily;
  tokenizer: PreTrainedTokenizer;
  /**
   * `model.forward(inputs)` returns `logits`, `attentions.<layer>` and `hidden_states.<i>`. With
   * `maskedPositionsInput`, inputs must include it (int64 [K], indices into batch × seq) and `logits` is
   * [K, vocab]; without it, `logits` is [batch, seq, vocab].
   */
  model: PreTrainedModel;
  maskedPositionsInput?: string;
  /** `attentions.0` … in layer order: [batch, heads, seq, seq]. */
  attentionOutputs: string[];
  /** `hidden_states.0` (embeddings) … `hidden_states.<numLayers>`: [batch, seq, hidden]. */
  hiddenStateOutputs: string[];
  /** Causal models: the shape of the (empty) cache their forwards are fed (forward.ts). */
  decoder?: DecoderShape;
  specialIds: SpecialTokenIds;
  dispose(): Promise<void>;
}

export interface LoadModelOptions {
  onProgress?: (e: ProgressEvent) => void;
  signal?: AbortSignal;
}

export const DEFAULT_REMOTE_HOST = 'https://huggingface.co/';
const REMOTE_PATH_TEMPLATE = '{model}/resolve/{revision}/';
const EDITED_MODEL_NAME = 'model_attn';

const REQUIRED_JSON_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];
const OPTIONAL_JSON_FILES = ['special_tokens_map.json'];

/** The ONNX file of `dtype` in a model folder in the Hub layout. */
export const onnxFileFor = (dtype: Dtype): string => (dtype === 'q8' ? 'onnx/model_quantized.onnx' : 'onnx/model.onnx');
const editedFileFor = (dtype: Dtype): string => (dtype === 'q8' ? `onnx/${EDITED_MODEL_NAME}_quantized.onnx` : `onnx/${EDITED_MODEL_NAME}.onnx`);

// transformers.js keeps its settings in one process-wide `env`; loads take turns so that one load's
// cacheDir / allowRemoteModels cannot leak into another's.
let loadQueue: Promise<unknown> = Promise.resolve();

export function loadModel(spec: ModelSpec, opts: LoadModelOptions = {}): Promise<LoadedModel> {
  const run = loadQueue.then(() => loadModelNow(spec, opts));
  loadQueue = run.catch(() => undefined);
  return run;
}

const shortHash = (parts: unknown[]): string => createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 24);

async function loadModelNow(spec: ModelSpec, opts: LoadModelOptions): Promise<LoadedModel> {
  const { signal } = opts;
  const report = (e: ProgressEvent): void => opts.onProgress?.(e);
  throwIfAborted(signal);
  const started = performance.now();
  const source: ModelInfo['source'] = isFolderSpec(spec.model) ? 'folder' : 'hub';

  // Validate what can be validated without transformers.js, so that mistakes are reported fast.
  let sourceDir: string;
  let preparedKey: string;
  let folderConfig: DescribedModel | undefined;
  if (source === 'folder') {
    sourceDir = expandFolderSpec(spec.model);
    checkModelFolder(sourceDir, spec.dtype);
    folderConfig = await readModelConfig(join(sourceDir, 'config.json'), sourceDir);
    preparedKey = shortHash(['folder', sourceDir, spec.dtype]);
  } else {
    checkHubId(spec.model);
    const revision = spec.revision ?? 'main';
    sourceDir = hubCacheDirFor(spec.cacheDir, spec.model, revision);
    preparedKey = shortHash(['hub', spec.model, revision, spec.dtype]);
  }

  const runtime = loadRuntime(spec.device);
  const { env } = runtime.transformers;
  const hubDir = join(spec.cacheDir, 'hub');
  env.cacheDir = hubDir;
  env.remoteHost = spec.remoteHost || DEFAULT_REMOTE_HOST;
  env.remotePathTemplate = REMOTE_PATH_TEMPLATE;

  if (source === 'hub') {
    const missing = [...REQUIRED_JSON_FILES, onnxFileFor(spec.dtype)].filter((f) => !existsSync(join(sourceDir, f)));
    if (missing.length) {
      if (spec.offline) {
        throw new ContextLensError(
          'OFFLINE_NOT_CACHED',
          `The model ${spec.model} has not been downloaded yet, and Context Lens is set to work offline. Turn the offline setting off to download it, or choose a model folder on this computer.`,
          `missing in ${sourceDir}: ${missing.join(', ')}`,
        );
      }
      await downloadFromHub(runtime, spec, hubDir, report, signal);
    }
  }
  const { config, family } = folderConfig ?? (await readModelConfig(join(sourceDir, 'config.json'), spec.model));
  throwIfAborted(signal);

  // The prepared folder: our own copy of the small files plus the edited graph.
  const preparedDir = join(spec.cacheDir, 'prepared', preparedKey);
  report({ phase: 'graph-edit', fraction: 0 });
  await mkdir(join(preparedDir, 'onnx'), { recursive: true });
  for (const file of [...REQUIRED_JSON_FILES, ...OPTIONAL_JSON_FILES]) {
    const from = join(sourceDir, file);
    if (existsSync(from)) await writeFileAtomic(join(preparedDir, file), await readFile(from));
  }
  const edit = await family.editGraph(join(sourceDir, onnxFileFor(spec.dtype)), join(preparedDir, editedFileFor(spec.dtype)), join(spec.cacheDir, 'edits'));
  report({ phase: 'graph-edit', fraction: 1 });
  throwIfAborted(signal);

  report({ phase: 'load', fraction: 0 });
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  const { AutoTokenizer } = runtime.transformers;
  let tokenizer: PreTrainedTokenizer;
  try {
    tokenizer = await AutoTokenizer.from_pretrained(preparedDir);
  } catch (e) {
    throw new ContextLensError('CORRUPT_MODEL', `The tokenizer files of ${spec.model} could not be read.`, errorText(e));
  }
  const { device, backend, sessionOptions } = sessionSettings(runtime, spec);
  let model: PreTrainedModel;
  try {
    model = await family.modelClass(runtime.transformers).from_pretrained(preparedDir, {
      dtype: spec.dtype,
      device,
      model_file_name: EDITED_MODEL_NAME,
      session_options: sessionOptions,
    });
  } catch (e) {
    if (spec.device === 'webgpu') {
      throw new ContextLensError('BACKEND_UNAVAILABLE', 'WebGPU is not available here. Choose the "auto" or "cpu" device.', errorText(e));
    }
    throw new ContextLensError(
      'CORRUPT_MODEL',
      `The ONNX runtime could not load ${spec.model} (${onnxFileFor(spec.dtype)}). The file may be corrupt or not a model this runtime supports; download or export it again.`,
      errorText(e),
    );
  }
  if (signal?.aborted) {
    await model.dispose();
    throw cancelledError();
  }
  report({ phase: 'load', fraction: 1 });

  const numLayers = configNumber(config, ['num_hidden_layers', 'n_layers', 'num_layers', 'n_layer']);
  // Hidden states are the embeddings and one per layer; attentions one per layer, or none where fused.
  const graphLayers = edit.hiddenStateOutputs.length - 1;
  const attentionAvailable = edit.attentionOutputs.length === graphLayers;
  if ((numLayers !== undefined && numLayers !== graphLayers) || (!attentionAvailable && family.kind === 'masked')) {
    await model.dispose();
    throw new ContextLensError(
      'NOT_A_MASKED_LM',
      `Context Lens found ${edit.attentionOutputs.length} attention layers in the ONNX graph of ${spec.model}, but its config.json says ${numLayers}. This model's layout is not supported.`,
    );
  }
  const info: ModelInfo = {
    model: spec.model,
    kind: family.kind,
    ...(attentionAvailable ? {} : { attentionAvailable: false }),
    source,
    dtype: spec.dtype,
    backend,
    ...(runtime.nativeFailure === undefined ? {} : { nativeFailure: runtime.nativeFailure }),
    numLayers: graphLayers,
    numHeads: configNumber(config, ['num_attention_heads', 'n_heads', 'n_head']) ?? 0,
    hiddenSize: configNumber(config, ['hidden_size', 'dim', 'd_model', 'n_embd']) ?? 0,
    vocabSize: configNumber(config, ['vocab_size']) ?? 0,
    maxTokens: family.maxTokens(config, tokenizer),
    loadMs: Math.round(performance.now() - started),
  };
  return {
    info,
    family,
    tokenizer,
    model,
    attentionOutputs: edit.attentionOutputs,
    hiddenStateOutputs: edit.hiddenStateOutputs,
    maskedPositionsInput: edit.maskedPositionsInput,
    ...(family.decoderShape ? { decoder: family.decoderShape(config) } : {}),
    specialIds: family.specialIds(tokenizer),
    dispose: async () => {
      await model.dispose();
    },
  };
}

// ---------------------------------------------------------------------------------------------------

function checkModelFolder(dir: string, dtype: Dtype): void {
  const isDir = (() => {
    try {
      return statSync(dir).isDirectory();
    } catch {
      return false;
    }
  })();
  if (!isDir) {
    throw new ContextLensError('MODEL_FOLDER_MISSING', `The model folder ${dir} does not exist. Choose a folder that contains config.json, tokenizer.json and onnx/model.onnx.`);
  }
  const missing = [...REQUIRED_JSON_FILES, onnxFileFor(dtype)].filter((f) => !existsSync(join(dir, f)));
  if (missing.length) {
    const dtypeHint = missing.includes(onnxFileFor(dtype))
      ? dtype === 'q8'
        ? ' (the q8 setting needs onnx/model_quantized.onnx; choose fp32 to use onnx/model.onnx)'
        : ' (the fp32 setting needs onnx/model.onnx; choose q8 to use onnx/model_quantized.onnx)'
      : '';
    throw new ContextLensError('MODEL_FOLDER_MISSING', `The model folder ${dir} has no ${missing.join(', ')}${dtypeHint}. It needs the Hugging Face layout of an ONNX export.`);
  }
}

function checkHubId(id: string): void {
  // transformers.js's own rule, stated here so that a typo is reported as such and not as a failed download.
  if (!/^[\w.-]+(\/[\w.-]+)?$/.test(id) || id.includes('..') || id.includes('--')) {
    throw new ContextLensError('MODEL_FOLDER_MISSING', `"${id}" is neither a Hugging Face model id (like ${DEFAULT_MODEL_ID}) nor an absolute folder path.`);
  }
}

/** Where transformers.js's file cache keeps a Hub file (its FileCache layout). */
export function hubCacheDirFor(cacheDir: string, id: string, revision: string): string {
  return revision === 'main' ? join(cacheDir, 'hub', id) : join(cacheDir, 'hub', id, revision);
}

interface DescribedModel {
  config: ModelConfig;
  family: ModelFamily;
}

/** config.json, and the family it describes (NOT_A_MASKED_LM when none). */
async function readModelConfig(path: string, what: string): Promise<DescribedModel> {
  let config: ModelConfig;
  try {
    config = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new ContextLensError('CORRUPT_MODEL', `The config.json of ${what} cannot be read as JSON.`, errorText(e));
  }
  return { config, family: familyFor(config, what) };
}

async function downloadFromHub(
  runtime: Runtime,
  spec: ModelSpec,
  hubDir: string,
  report: (e: ProgressEvent) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  const { env, AutoConfig, AutoTokenizer } = runtime.transformers;
  env.allowRemoteModels = true;
  // A Hub id must never resolve to a stray folder under transformers.js's localModelPath.
  env.allowLocalModels = false;
  const originalFetch = env.fetch;
  // transformers.js takes no AbortSignal; its fetch is where a download can be stopped.
  env.fetch = (input: string | URL, init?: RequestInit) => (originalFetch as typeof fetch)(input, { ...init, signal });
  const progress_callback = (e: { status: string; file?: string; loaded?: number; total?: number }): void => {
    if (e.status !== 'progress' || !e.file) return;
    const total = e.total || undefined;
    report({ phase: 'download', file: e.file, loaded: e.loaded, total, fraction: total ? Math.min(1, (e.loaded ?? 0) / total) : undefined });
  };
  const options = { revision: spec.revision ?? 'main', cache_dir: hubDir, progress_callback };
  let phase = 'config.json';
  try {
    await AutoConfig.from_pretrained(spec.model, options);
    // Refuse a wrong model before downloading hundreds of MB of it.
    const { family } = await readModelConfig(join(hubCacheDirFor(spec.cacheDir, spec.model, options.revision), 'config.json'), spec.model);
    throwIfAborted(signal);
    phase = 'tokenizer';
    await AutoTokenizer.from_pretrained(spec.model, options);
    throwIfAborted(signal);
    phase = onnxFileFor(spec.dtype);
    // Downloading goes through from_pretrained, which also opens a session on the unedited graph; it is
    // released at once. Unoptimized, that costs a fraction of the download it follows.
    const downloaded = await family.modelClass(runtime.transformers).from_pretrained(spec.model, {
      ...options,
      dtype: spec.dtype,
      device: runtime.kind === 'wasm' ? 'auto' : 'cpu',
      session_options: { graphOptimizationLevel: 'disabled', ...(runtime.kind === 'wasm' ? { executionProviders: ['wasm'] } : {}) },
    });
    await downloaded.dispose();
  } catch (e) {
    if (e instanceof ContextLensError) throw e;
    throw hubError(e, spec, phase, signal);
  } finally {
    env.fetch = originalFetch;
  }
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'ENETDOWN']);

function hubError(e: unknown, spec: ModelSpec, phase: string, signal: AbortSignal | undefined): ContextLensError {
  if (signal?.aborted || (e instanceof Error && e.name === 'AbortError')) return cancelledError();
  const host = spec.remoteHost || DEFAULT_REMOTE_HOST;
  const cause = (e as { cause?: { code?: string } })?.cause;
  if (e instanceof TypeError && cause?.code && UNREACHABLE_CODES.has(cause.code)) {
    return new ContextLensError(
      'OFFLINE_NOT_CACHED',
      `The model ${spec.model} is not in the cache and ${host} cannot be reached. Connect to the internet (or check the Hub mirror setting) and try again, or choose a model folder on this computer.`,
      errorText(e),
    );
  }
  const status = (e as { status?: number })?.status;
  if (e instanceof Error && e.name === 'ModelFileNotFoundError' && status) {
    return new ContextLensError(
      'DOWNLOAD_FAILED',
      `${host} has no ${phase} for ${spec.model} (HTTP ${status}). Check the model id${status === 404 ? '' : '; the model may be private or gated'}, and that it provides ONNX files for transformers.js.`,
      errorText(e),
    );
  }
  return new ContextLensError(
    'DOWNLOAD_FAILED',
    `Downloading ${spec.model} (${phase}) from ${host} failed. Nothing incomplete was kept; try again.`,
    errorText(e),
  );
}

function sessionSettings(runtime: Runtime, spec: ModelSpec): { device: 'cpu' | 'auto' | 'webgpu'; backend: string; sessionOptions: Record<string, unknown> } {
  if (spec.device === 'webgpu') {
    if (runtime.kind !== 'native') {
      throw new ContextLensError('BACKEND_UNAVAILABLE', 'WebGPU is not available with the WebAssembly backend in use. Choose the "auto" or "cpu" device.');
    }
    return { device: 'webgpu', backend: 'webgpu', sessionOptions: {} };
  }
  if (runtime.kind === 'wasm') {
    // With a runtime installed through the global symbol, transformers.js knows no devices: name the provider.
    return { device: 'auto', backend: 'wasm', sessionOptions: { executionProviders: ['wasm'] } };
  }
  return { device: 'cpu', backend: 'cpu', sessionOptions: {} };
}

function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as { cause?: unknown }).cause;
  return cause ? `${e.message} (${cause instanceof Error ? cause.message : String(cause)})` : e.message;
}
