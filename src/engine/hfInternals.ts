/**
 * The one place that reads transformers.js and onnxruntime beyond their public call API.
 *
 * The engine needs a few things the public API does not give: the onnxruntime session under a model (to
 * fetch only the outputs a forward needs), the onnxruntime tensor inside a transformers.js Tensor (to feed
 * that session), and the tokenizer's JSON and components (to replay it for character offsets). These are
 * private fields, so an upgrade may move them without notice. Every such read is a function here that
 * checks the shape it relies on and, when it is not there, throws a LibraryShapeError naming the field
 * and the versions this module was written against; test/unit/hfInternals.test.ts checks every shape
 * against the installed packages. An upgrade therefore breaks here, in one place, with a clear message,
 * and not as a wrong offset or an `undefined` three files away.
 *
 * transformers.js is only required lazily (`int64Tensor`): modelRuntime chooses the onnxruntime before
 * its first import.
 */
import type { PreTrainedModel, PreTrainedTokenizer } from '@huggingface/transformers';
import { ContextLensError } from './errors';
import type { TokenizerConfigJson, TokenizerJson } from './tokenOffsets/tokenizerJson';

/** The versions whose internals this module reads; the adapter test fails when the installed ones differ. */
export const WRITTEN_AGAINST = { transformers: '4.3.1', onnxruntimeNode: '1.30.0' } as const;

/** A private field of transformers.js or onnxruntime is not what this adapter expects: the library changed. */
export class LibraryShapeError extends Error {
  override name = 'LibraryShapeError';
}

function shapeError(field: string, expected: string): LibraryShapeError {
  return new LibraryShapeError(
    `${field} is not ${expected} as in @huggingface/transformers ${WRITTEN_AGAINST.transformers} with onnxruntime-node ${WRITTEN_AGAINST.onnxruntimeNode}, which src/engine/hfInternals.ts was written against. The installed version changed it: update that adapter.`,
  );
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;
const isFunction = (x: unknown): x is (...args: never[]) => unknown => typeof x === 'function';

// ---------------------------------------------------------------------------------------------------
// Model and tensors (onnxruntime under transformers.js)
// ---------------------------------------------------------------------------------------------------

/** An onnxruntime tensor, as a session takes and returns it. */
export interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}

/** The part of an onnxruntime InferenceSession the engine uses. */
export interface OrtSession {
  readonly inputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>, fetches?: string[]): Promise<Record<string, OrtTensor>>;
}

/**
 * The onnxruntime session transformers.js opened for the model's graph (`PreTrainedModel.sessions`).
 * Running it directly lets a forward fetch only the outputs it needs: `model.forward` fetches them all.
 */
export function ortSession(model: PreTrainedModel): OrtSession {
  const sessions: unknown = model.sessions;
  if (!isRecord(sessions)) throw shapeError('PreTrainedModel.sessions', 'a record of onnxruntime sessions');
  const session = sessions.model ?? Object.values(sessions)[0];
  if (session === undefined) throw new ContextLensError('CORRUPT_MODEL', 'The model has no inference session.');
  if (!isRecord(session) || !Array.isArray(session.inputNames) || !isFunction(session.run)) {
    throw shapeError('PreTrainedModel.sessions.model', 'an onnxruntime InferenceSession (inputNames, run)');
  }
  return session as unknown as OrtSession;
}

/** A float32 tensor for `ortSession(…).run` (a decoder's empty cache), made as `int64Tensor` explains. */
export function float32Tensor(values: Float32Array, dims: readonly number[]): OrtTensor {
  return transformersTensor('float32', values, dims);
}

/** A bool tensor for `ortSession(…).run` (a merged decoder's `use_cache_branch`); `values` 0 or 1. */
export function boolTensor(values: Uint8Array, dims: readonly number[]): OrtTensor {
  return transformersTensor('bool', values, dims);
}

function transformersTensor(type: 'float32' | 'bool', values: Float32Array | Uint8Array, dims: readonly number[]): OrtTensor {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Tensor } = require('@huggingface/transformers') as typeof import('@huggingface/transformers');
  const ort: unknown = new Tensor(type, values, [...dims]).ort_tensor;
  if (!isRecord(ort) || ort.type !== type || !Array.isArray(ort.dims)) throw shapeError('Tensor.ort_tensor', 'the onnxruntime Tensor holding the data');
  return ort as unknown as OrtTensor;
}

/**
 * An int64 tensor for `ortSession(…).run`. It is made through transformers.js's Tensor (`Tensor.ort_tensor`)
 * because the session belongs to the onnxruntime transformers.js chose (native or WebAssembly, see
 * modelRuntime.ts), and a session refuses a Tensor of another onnxruntime copy.
 */
export function int64Tensor(values: BigInt64Array, dims: readonly number[]): OrtTensor {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Tensor } = require('@huggingface/transformers') as typeof import('@huggingface/transformers');
  const ort: unknown = new Tensor('int64', values, [...dims]).ort_tensor;
  if (!isRecord(ort) || ort.type !== 'int64' || !Array.isArray(ort.dims)) throw shapeError('Tensor.ort_tensor', 'the onnxruntime Tensor holding the data');
  return ort as unknown as OrtTensor;
}

// ---------------------------------------------------------------------------------------------------
// Tokenizer
// ---------------------------------------------------------------------------------------------------

/**
 * A tokenizer as the offset mapping sees it: the public `encode` and `get_vocab`, plus the private fields
 * read below. A transformers.js PreTrainedTokenizer satisfies it; tests build partial ones.
 */
export interface TokenizerLike {
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
  /** tokenizer.json, as transformers.js keeps it. */
  _tokenizerJSON?: unknown;
  /** tokenizer_config.json, as transformers.js keeps it. */
  _tokenizerConfig?: unknown;
  /** The @huggingface/tokenizers Tokenizer: normalizer / pre_tokenizer / model objects, id_to_token, token_to_id. */
  _tokenizer?: unknown;
  get_vocab?(): Map<string, number>;
}

/** The parsed tokenizer.json the tokenizer was built from. */
export function tokenizerJson(tokenizer: TokenizerLike): TokenizerJson {
  const json = tokenizer._tokenizerJSON;
  if (!isRecord(json)) throw shapeError('PreTrainedTokenizer._tokenizerJSON', 'the parsed tokenizer.json');
  return json as TokenizerJson;
}

/** The parsed tokenizer_config.json the tokenizer was built with. */
export function tokenizerConfigJson(tokenizer: TokenizerLike): TokenizerConfigJson {
  const config = tokenizer._tokenizerConfig;
  if (!isRecord(config)) throw shapeError('PreTrainedTokenizer._tokenizerConfig', 'the parsed tokenizer_config.json');
  return config as TokenizerConfigJson;
}

function innerTokenizer(tokenizer: TokenizerLike): Record<string, unknown> {
  const inner = tokenizer._tokenizer;
  if (!isRecord(inner)) throw shapeError('PreTrainedTokenizer._tokenizer', 'the @huggingface/tokenizers Tokenizer');
  return inner;
}

/** The tokenizer's own pipeline stages, each callable on its own; null where tokenizer.json has none. */
export interface TokenizerComponents {
  normalizer: ((text: string) => string) | null;
  preTokenizer: ((text: string, options: { section_index: number }) => string[]) | null;
  /** Splits words into tokens (strings, not ids). */
  model: ((words: string[]) => string[]) | null;
  unkTokenId: number | undefined;
}

export function tokenizerComponents(tokenizer: TokenizerLike): TokenizerComponents {
  const inner = innerTokenizer(tokenizer);
  const stage = <F>(name: string): F | null => {
    const value = inner[name];
    if (value === null || value === undefined) return null;
    if (!isFunction(value)) throw shapeError(`PreTrainedTokenizer._tokenizer.${name}`, 'a callable pipeline stage');
    return value as F;
  };
  const model = stage<TokenizerComponents['model'] & { unk_token_id?: unknown }>('model');
  return {
    normalizer: stage('normalizer'),
    preTokenizer: stage('pre_tokenizer'),
    model,
    unkTokenId: typeof model?.unk_token_id === 'number' ? model.unk_token_id : undefined,
  };
}

/**
 * Makes `normalize` the tokenizer's normalizer stage: every later `encode` (and so every id the model reads)
 * normalizes with it. For a stage the JS port implements differently from the reference (see
 * tokenOffsets/conform.ts). Throws a LibraryShapeError when the tokenizer has no normalizer stage to replace.
 */
export function replaceNormalizer(tokenizer: TokenizerLike, normalize: (text: string) => string): void {
  replaceStage(tokenizer, 'normalizer', normalize);
}

/** Makes `preTokenize` (text to words) the tokenizer's pre-tokenizer stage, as `replaceNormalizer` does. */
export function replacePreTokenizer(tokenizer: TokenizerLike, preTokenize: (text: string) => string[]): void {
  replaceStage(tokenizer, 'pre_tokenizer', preTokenize);
}

function replaceStage(tokenizer: TokenizerLike, name: 'normalizer' | 'pre_tokenizer', stage: (text: string) => unknown): void {
  const inner = innerTokenizer(tokenizer);
  if (!isFunction(inner[name])) throw shapeError(`PreTrainedTokenizer._tokenizer.${name}`, 'a callable pipeline stage');
  inner[name] = stage;
}

/** id -> vocabulary piece (`##ing`, `[CLS]`), undefined for an id the vocabulary does not have. */
export function idToPiece(tokenizer: TokenizerLike): (id: number) => string | undefined {
  const inner = innerTokenizer(tokenizer);
  const idToToken = inner.id_to_token;
  if (!isFunction(idToToken)) throw shapeError('PreTrainedTokenizer._tokenizer.id_to_token', 'a function');
  return (id) => {
    const piece: unknown = (idToToken as (id: number) => unknown).call(inner, id);
    return typeof piece === 'string' ? piece : undefined;
  };
}

export type SpecialTokenName = 'cls_token' | 'sep_token' | 'mask_token' | 'pad_token' | 'unk_token' | 'bos_token' | 'eos_token';

/**
 * The id of a special token, -1 when the tokenizer has none. transformers.js sets `<name>_id` for some
 * (mask, pad, sep, unk, bos, eos) but not all (cls): the others are looked up by the token the
 * tokenizer_config names.
 */
export function specialTokenId(tokenizer: PreTrainedTokenizer, name: SpecialTokenName): number {
  const t = tokenizer as unknown as Record<string, unknown> & { config?: Record<string, unknown> };
  const known = t[`${name}_id`];
  if (typeof known === 'number') return known;
  const item = t.config?.[name];
  const token = typeof item === 'string' ? item : isRecord(item) && typeof item.content === 'string' ? item.content : undefined;
  if (!token) return -1;
  const inner = isRecord(t._tokenizer) ? t._tokenizer : undefined;
  if (isFunction(inner?.token_to_id)) {
    const id: unknown = (inner.token_to_id as (token: string) => unknown).call(inner, token);
    return typeof id === 'number' ? id : -1;
  }
  if (isFunction(t.convert_tokens_to_ids)) {
    const ids: unknown = (t.convert_tokens_to_ids as (tokens: string[]) => unknown).call(tokenizer, [token]);
    return Array.isArray(ids) && typeof ids[0] === 'number' ? ids[0] : -1;
  }
  throw shapeError('PreTrainedTokenizer._tokenizer.token_to_id', 'a function');
}

/**
 * The tokenizer's `model_max_length`, undefined when it sets none. Tokenizers without a limit report a huge
 * sentinel (1e30) or Infinity: the caller compares it with the model's positions.
 */
export function maxLength(tokenizer: PreTrainedTokenizer): number | undefined {
  if (!('model_max_length' in tokenizer)) throw shapeError('PreTrainedTokenizer.model_max_length', 'a property');
  const max: unknown = tokenizer.model_max_length;
  return typeof max === 'number' ? max : undefined;
}
