/**
 * One forward of the loaded model, straight on the onnxruntime session transformers.js created, so that
 * only the outputs asked for are fetched (an unneeded attention or hidden-state output is never copied).
 */
import { ContextLensError } from './errors';
import { boolTensor, float32Tensor, int64Tensor, ortSession, type OrtTensor } from './hfInternals';
import type { LoadedModel } from './modelStore';
import { LAYER_POSITIONS_INPUT, NEXT_IDS_INPUT, NEXT_TOP_K_INPUT } from './onnx/head';

/**
 * One forward over rows of equal length, fetching only the named outputs.
 * `logitsAt`: flat indices (row × n + position) whose logits the narrowed head computes; the default
 * asks for one position only, for callers that fetch no logits. `layerLogitsAt`: the same for the head's
 * copy over every hidden layer (LAYER_LOGITS_OUTPUT); none by default, so that it costs nothing.
 */
export async function runRows(
  lm: LoadedModel,
  rows: number[][],
  fetches: string[],
  logitsAt: number[] = [0],
  layerLogitsAt: number[] = [],
  next?: NextTokenReads,
): Promise<Record<string, OrtTensor>> {
  const session = ortSession(lm.model);
  const decoder = lm.decoder && { shape: lm.decoder, float32: float32Tensor, bool: boolTensor, next };
  return session.run(forwardFeeds(session.inputNames, rows, int64Tensor, lm.maskedPositionsInput, logitsAt, layerLogitsAt, decoder), fetches);
}

/**
 * Whether the loaded graph has the prediction outputs (onnx/head.ts): the head's copy over every hidden layer
 * (LAYER_LOGITS_OUTPUT, read at LAYER_POSITIONS_INPUT) and the head's softmax (PROBABILITIES_OUTPUT). The edit
 * writes them together with the narrowed head; a head it does not recognise gets neither.
 */
export function hasPredictionOutputs(lm: LoadedModel): boolean {
  return ortSession(lm.model).inputNames.includes(LAYER_POSITIONS_INPUT);
}

/** A decoder's cache inputs (optimum's `past_key_values.{i}.key|value`): [batch, pastHeads, past, headDim]. */
export interface DecoderShape {
  pastHeads: number;
  headDim: number;
}

/** The decoder edit's next-token reads (onnx/head.ts NEXT_TOP_K_INPUT, NEXT_IDS_INPUT): k, and per asked row the id to score. */
export interface NextTokenReads {
  topK: number;
  ids: number[];
}

/** What a decoder's extra feeds are made with (tensors of the session's onnxruntime, as `int64`). */
export interface DecoderFeeds<T> {
  shape: DecoderShape;
  /** Default: k = 1, id 0 for every row (for forwards that fetch none of the reads). */
  next?: NextTokenReads;
  float32: (data: Float32Array, dims: number[]) => T;
  bool: (data: Uint8Array, dims: number[]) => T;
}

const PAST_INPUT = /^past_key_values\.\d+\.(?:key|value)$/;

/**
 * The feeds of one forward: ids, a full attention mask, token types where the graph has them, and the
 * narrowed head's positions where it was edited in. Generic over the tensor class because the bench feeds
 * the same rows to a raw onnxruntime-node session of its own (its floor), whose Tensor is not the one
 * transformers.js bundles.
 */
export function forwardFeeds<T>(
  inputNames: readonly string[],
  rows: number[][],
  int64: (data: BigInt64Array, dims: number[]) => T,
  maskedPositionsInput?: string,
  logitsAt: number[] = [0],
  layerLogitsAt: number[] = [],
  decoder?: DecoderFeeds<T>,
): Record<string, T> {
  const batch = rows.length;
  const n = rows[0].length;
  const ids = new BigInt64Array(batch * n);
  rows.forEach((row, r) => row.forEach((id, i) => (ids[r * n + i] = BigInt(id))));
  const feeds: Record<string, T> = {
    input_ids: int64(ids, [batch, n]),
    attention_mask: int64(new BigInt64Array(batch * n).fill(1n), [batch, n]),
  };
  if (maskedPositionsInput && inputNames.includes(maskedPositionsInput)) feeds[maskedPositionsInput] = int64(BigInt64Array.from(logitsAt, BigInt), [logitsAt.length]);
  if (inputNames.includes(LAYER_POSITIONS_INPUT)) feeds[LAYER_POSITIONS_INPUT] = int64(BigInt64Array.from(layerLogitsAt, BigInt), [layerLogitsAt.length]);
  if (inputNames.includes('token_type_ids')) feeds.token_type_ids = int64(new BigInt64Array(batch * n), [batch, n]);
  if (decoder) addDecoderFeeds(feeds, inputNames, batch, n, int64, decoder, logitsAt.length);
  return feeds;
}

/**
 * A decoder run from scratch: positions 0 … n − 1, an empty cache (past length 0) for every layer, and a
 * merged decoder's `use_cache_branch` false (no cache to use).
 */
function addDecoderFeeds<T>(
  feeds: Record<string, T>,
  inputNames: readonly string[],
  batch: number,
  n: number,
  int64: (data: BigInt64Array, dims: number[]) => T,
  decoder: DecoderFeeds<T>,
  rowsAsked: number,
): void {
  if (inputNames.includes('position_ids')) {
    const positions = new BigInt64Array(batch * n);
    for (let r = 0; r < batch; r++) for (let i = 0; i < n; i++) positions[r * n + i] = BigInt(i);
    feeds.position_ids = int64(positions, [batch, n]);
  }
  const { pastHeads, headDim } = decoder.shape;
  for (const name of inputNames) if (PAST_INPUT.test(name)) feeds[name] = decoder.float32(new Float32Array(0), [batch, pastHeads, 0, headDim]);
  if (inputNames.includes('use_cache_branch')) feeds.use_cache_branch = decoder.bool(new Uint8Array(1), [1]);
  if (inputNames.includes(NEXT_TOP_K_INPUT)) feeds[NEXT_TOP_K_INPUT] = int64(BigInt64Array.of(BigInt(decoder.next?.topK ?? 1)), [1]);
  if (inputNames.includes(NEXT_IDS_INPUT)) {
    const ids = decoder.next?.ids ?? new Array<number>(rowsAsked).fill(0);
    feeds[NEXT_IDS_INPUT] = int64(BigInt64Array.from(ids, BigInt), [ids.length, 1]);
  }
}

/** The float32 data of an output; anything else means the graph is not the one we edited. */
export function floatData(t: OrtTensor): Float32Array {
  if (!(t.data instanceof Float32Array)) throw new ContextLensError('CORRUPT_MODEL', 'The model returned a non-float output.');
  return t.data;
}
