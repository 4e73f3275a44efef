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
 * A Hub that sends nothing for `hubStallMs` (headers or body) is given up on: DOWNLOAD_FAILED saying so
 * (transformers.js sets no timeout, and Node's fetch waits 5 minutes).
 *
 * Cache errors: a cache that cannot be written (disk full, read-only, not writable, a file in its path) is
 * CACHE_WRITE_FAILED, found before anything is downloaded; every file is written whole or not at all
 * (fsUtil writeFileAtomic), so a failed write leaves the cache as it was.
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { PreTrainedModel, PreTrainedTokenizer } from '@huggingface/transformers';
import { cancelledError, ContextLensError, throwIfAborted } from './errors';
import { configNumber, familyFor, type ModelConfig, type ModelFamily } from './families';
import { loadRuntime, type Runtime } from './modelRuntime';
import { DEFAULT_MODEL_ID, expandFolderSpec, isFolderSpec } from './modelSpec';
import { isWriteFailure, writeFileAtomic } from './fsUtil';
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
  /** A download that receives nothing for this long fails (default HUB_STALL_MS). */
  hubStallMs?: number;
}

/** How long the Hub may send nothing (no headers, no byte of a body) before a download is given up. */
export const HUB_STALL_MS = 30_000;

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
      // transformers.js keeps going when it cannot cache a small file: find out before downloading anything.
      await cacheWrite(spec.cacheDir, () => probeWritable(hubDir));
      await downloadFromHub(runtime, spec, hubDir, report, signal, opts.hubStallMs ?? HUB_STALL_MS);
    }
  }
  const { config, family } = folderConfig ?? (await readModelConfig(join(sourceDir, 'config.json'), spec.model));
  throwIfAborted(signal);

  // The prepared folder: our own copy of the small files plus the edited graph.
  const preparedDir = join(spec.cacheDir, 'prepared', preparedKey);
  report({ phase: 'graph-edit', fraction: 0 });
  const copies: Array<[string, Buffer]> = [];
  for (const file of [...REQUIRED_JSON_FILES, ...OPTIONAL_JSON_FILES]) {
    const from = join(sourceDir, file);
    if (!existsSync(from)) continue;
    const bytes = await readFile(from);
    // A file cut short is refused here, before our copy of it lands in the cache.
    try {
      JSON.parse(bytes.toString('utf8'));
    } catch (e) {
      throw new ContextLensError(
        'CORRUPT_MODEL',
        `The ${file} of ${spec.model} cannot be read as JSON. Put back the ${file} of the model's export or download (or download the model again).`,
        errorText(e),
      );
    }
    copies.push([join(preparedDir, file), bytes]);
  }
  const edit = await cacheWrite(spec.cacheDir, async () => {
    await mkdir(join(preparedDir, 'onnx'), { recursive: true });
    for (const [to, bytes] of copies) await writeFileAtomic(to, bytes);
    return family.editGraph(join(sourceDir, onnxFileFor(spec.dtype)), join(preparedDir, editedFileFor(spec.dtype)), join(spec.cacheDir, 'edits'));
  });
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
    throw new ContextLensError(
      'CORRUPT_MODEL',
      `The tokenizer files of ${spec.model} could not be read. Put back the tokenizer.json and tokenizer_config.json of the model's export or download (or download the model again).`,
      errorText(e),
    );
  }
  checkTokenizerFits(tokenizer, config, spec.model);
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
    throw new ContextLensError(
      'MODEL_FOLDER_MISSING',
      `The model folder ${dir} has no ${missing.join(', ')}${dtypeHint}. It needs the Hugging Face layout of an ONNX export: copy the missing files from the model's export or download, or choose another folder.`,
    );
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
    throw new ContextLensError(
      'CORRUPT_MODEL',
      `The config.json of ${what} cannot be read as JSON. Put back the config.json of the model's export or download (or download the model again).`,
      errorText(e),
    );
  }
  return { config, family: familyFor(config, what) };
}

async function downloadFromHub(
  runtime: Runtime,
  spec: ModelSpec,
  hubDir: string,
  report: (e: ProgressEvent) => void,
  signal: AbortSignal | undefined,
  stallMs: number,
): Promise<void> {
  const { env, AutoConfig, AutoTokenizer } = runtime.transformers;
  env.allowRemoteModels = true;
  // A Hub id must never resolve to a stray folder under transformers.js's localModelPath.
  env.allowLocalModels = false;
  const originalFetch = env.fetch;
  // transformers.js takes no AbortSignal and sets no timeout; its fetch is where a download can be stopped.
  const watched = watchedFetch(originalFetch as typeof fetch, signal, stallMs);
  env.fetch = watched.fetch;
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
    throw hubError(e, spec, phase, signal, watched.state);
  } finally {
    env.fetch = originalFetch;
  }
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'ENETDOWN']);

function hubError(e: unknown, spec: ModelSpec, phase: string, signal: AbortSignal | undefined, fetched: FetchState): ContextLensError {
  const host = spec.remoteHost || DEFAULT_REMOTE_HOST;
  if (fetched.stalled) {
    return new ContextLensError(
      'DOWNLOAD_FAILED',
      `${host} sent nothing for ${Math.round(fetched.stallMs / 1000)} s while Context Lens was downloading ${phase} of ${spec.model}, so the download was stopped. The connection or the Hub is too slow right now: try again later, or set a Hub mirror that is closer. Nothing incomplete was kept.`,
      errorText(e),
    );
  }
  if (signal?.aborted || (e instanceof Error && e.name === 'AbortError')) return cancelledError();
  if (isWriteFailure(e)) return cacheWriteError(e, spec.cacheDir);
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
  if (fetched.lastStatus !== undefined && fetched.lastStatus >= 500) {
    return new ContextLensError(
      'DOWNLOAD_FAILED',
      `${host} answered HTTP ${fetched.lastStatus} (an error on the Hub's side) for ${phase} of ${spec.model}. Try again in a few minutes, or set a Hub mirror. Nothing incomplete was kept.`,
      errorText(e),
    );
  }
  return new ContextLensError(
    'DOWNLOAD_FAILED',
    `Downloading ${spec.model} (${phase}) from ${host} failed. Nothing incomplete was kept; try again.`,
    errorText(e),
  );
}

/** What the watched fetch saw of the Hub during one download. */
interface FetchState {
  stallMs: number;
  /** A request was stopped because nothing came for stallMs. */
  stalled: boolean;
  /** The status of the last answer that was not a success. */
  lastStatus?: number;
}

/**
 * `fetch` with the caller's signal and a stall timer: the request is aborted when, while we wait for the
 * Hub (for the headers, then for each chunk of the body), nothing arrives for `stallMs`; a slow but moving
 * download goes on, and a body nobody is reading is never timed. The body is passed on chunk by chunk, so
 * transformers.js still streams it to its temporary file and reports progress.
 */
function watchedFetch(inner: typeof fetch, signal: AbortSignal | undefined, stallMs: number): { fetch: typeof fetch; state: FetchState } {
  const state: FetchState = { stallMs, stalled: false };
  const watched = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    /** Awaits `p`, giving up on the request when it takes longer than stallMs. */
    const waitFor = async <T>(p: Promise<T>): Promise<T> => {
      const timer = setTimeout(() => {
        state.stalled = true;
        controller.abort(new Error(`nothing received for ${stallMs} ms`));
      }, stallMs);
      try {
        return await p;
      } finally {
        clearTimeout(timer);
      }
    };
    const stop = (): void => signal?.removeEventListener('abort', onAbort);
    let response: Response;
    try {
      response = await waitFor(inner(input, { ...init, signal: controller.signal }));
    } catch (e) {
      stop();
      throw e;
    }
    if (!response.ok) state.lastStatus = response.status;
    if (!response.body) {
      stop();
      return response;
    }
    const reader = response.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(into) {
        try {
          const { done, value } = await waitFor(reader.read());
          if (done) {
            stop();
            into.close();
          } else {
            into.enqueue(value);
          }
        } catch (e) {
          stop();
          into.error(e);
        }
      },
      cancel(reason) {
        stop();
        return reader.cancel(reason);
      },
    });
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
  return { fetch: watched as typeof fetch, state };
}

/** Runs writes into the cache; a write the file system refuses becomes CACHE_WRITE_FAILED. */
async function cacheWrite<T>(cacheDir: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (isWriteFailure(e)) throw cacheWriteError(e, cacheDir);
    throw e;
  }
}

/** Creates `dir` and writes (then removes) a file in it. */
async function probeWritable(dir: string): Promise<void> {
  const probe = join(dir, `.write-probe-${process.pid}`);
  await writeFileAtomic(probe, 'probe');
  await rm(probe, { force: true });
}

/** The message of a write into the model cache that the file system refused, with what to do about it. */
export function cacheWriteError(e: NodeJS.ErrnoException, cacheDir: string): ContextLensError {
  const file = e.path ? ` (${e.path})` : '';
  if (e.code === 'ENOSPC' || e.code === 'EDQUOT') {
    return new ContextLensError(
      'CACHE_WRITE_FAILED',
      `The disk that holds the model cache ${cacheDir} is full: a file could not be written${file}. Free disk space (a model needs about twice its size there: the download and its edited copy) and try again. Nothing half-written was kept.`,
      errorText(e),
    );
  }
  const why =
    e.code === 'EROFS'
      ? 'it is on a read-only file system'
      : e.code === 'ENOTDIR' || e.code === 'EEXIST' || e.code === 'EISDIR'
        ? 'a part of its path is a file, not a folder'
        : 'permission denied';
  return new ContextLensError(
    'CACHE_WRITE_FAILED',
    `Context Lens cannot write its model cache ${cacheDir}: ${why}${file}. Make that folder writable (or, on the command line, choose another one with --cache-dir) and try again.`,
    errorText(e),
  );
}

/**
 * A tokenizer whose ids reach past the model's embedding (another model's tokenizer) would fail inside
 * onnxruntime at the first analysis with a Gather index error: refuse it at load, naming the files.
 * A tokenizer smaller than the embedding is normal (exports pad the vocabulary), so only this way is checked.
 */
function checkTokenizerFits(tokenizer: PreTrainedTokenizer, config: ModelConfig, model: string): void {
  const vocabSize = configNumber(config, ['vocab_size']);
  if (vocabSize === undefined) return;
  const vocab = (tokenizer as unknown as { get_vocab(): Map<string, number> | Record<string, number> }).get_vocab();
  let largest = -1;
  for (const id of vocab instanceof Map ? vocab.values() : Object.values(vocab)) if (id > largest) largest = id;
  if (largest >= vocabSize) {
    throw new ContextLensError(
      'CORRUPT_MODEL',
      `The tokenizer of ${model} does not belong to its model: it has token ids up to ${largest}, but the model knows ${vocabSize} tokens (vocab_size in config.json). Put the tokenizer.json, tokenizer_config.json and special_tokens_map.json of the same model beside its config.json, or download the model again.`,
      `tokenizer ids 0…${largest}, ${vocab instanceof Map ? vocab.size : Object.keys(vocab).length} entries; config vocab_size ${vocabSize}`,
    );
  }
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
