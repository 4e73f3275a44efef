/**
 * One forward of the loaded model, straight on the onnxruntime session transformers.js created, so that
 * only the outputs asked for are fetched (an unneeded attention or hidden-state output is never copied).
 */
import { ContextLensError } from './errors';
import { int64Tensor, ortSession, type OrtTensor } from './hfInternals';
import type { LoadedModel } from './modelStore';

/**
 * One forward over rows of equal length, fetching only the named outputs.
 * `logitsAt`: flat indices (row × n + position) whose logits the narrowed head computes; the default
 * asks for one position only, for callers that fetch no logits.
 */
export async function runRows(lm: LoadedModel, rows: number[][], fetches: string[], logitsAt: number[] = [0]): Promise<Record<string, OrtTensor>> {
  const session = ortSession(lm.model);
  const batch = rows.length;
  const n = rows[0].length;
  const ids = new BigInt64Array(batch * n);
  rows.forEach((row, r) => row.forEach((id, i) => (ids[r * n + i] = BigInt(id))));
  const feeds: Record<string, OrtTensor> = {
    input_ids: int64Tensor(ids, [batch, n]),
    attention_mask: int64Tensor(new BigInt64Array(batch * n).fill(1n), [batch, n]),
  };
  if (lm.maskedPositionsInput) feeds[lm.maskedPositionsInput] = int64Tensor(BigInt64Array.from(logitsAt, BigInt), [logitsAt.length]);
  if (session.inputNames.includes('token_type_ids')) feeds.token_type_ids = int64Tensor(new BigInt64Array(batch * n), [batch, n]);
  return session.run(feeds, fetches);
}

/** The float32 data of an output; anything else means the graph is not the one we edited. */
export function floatData(t: OrtTensor): Float32Array {
  if (!(t.data instanceof Float32Array)) throw new ContextLensError('CORRUPT_MODEL', 'The model returned a non-float output.');
  return t.data;
}
