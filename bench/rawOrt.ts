/**
 * The floor: raw onnxruntime-node on the unedited model file, fed the same ids the engine runs. The
 * engine builds the same feeds inside runRows (src/engine/analyze.ts) for the session transformers.js
 * made; these are for a session of our own, which the engine never sees.
 */
import { join } from 'node:path';
import type { LoadedModel } from '../src/engine/modelStore';
import { MASKED_POSITIONS_INPUT } from '../src/engine/onnxGraphEdit';
import { tokenizeWithOffsets } from '../src/engine/tokenOffsets';
import type { Dtype } from '../src/engine/types';

interface OrtTensor {
  data: unknown;
  dims: readonly number[];
}
export interface OrtSession {
  inputNames: readonly string[];
  run(feeds: Record<string, unknown>, fetches?: string[]): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface Ort {
  InferenceSession: { create(path: string, options?: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: string, data: unknown, dims: number[]) => unknown;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const ort = (): Ort => require('onnxruntime-node') as Ort;

/** Rows of equal length as onnxruntime feeds: ids, a full attention mask, token types where the graph has them. */
export function feedsFor(session: OrtSession, rows: number[][]): Record<string, unknown> {
  const { Tensor } = ort();
  const b = rows.length;
  const n = rows[0].length;
  const ids = BigInt64Array.from(rows.flat(), (x) => BigInt(x));
  const feeds: Record<string, unknown> = {
    input_ids: new Tensor('int64', ids, [b, n]),
    attention_mask: new Tensor('int64', new BigInt64Array(b * n).fill(1n), [b, n]),
  };
  if (session.inputNames.includes('token_type_ids')) feeds.token_type_ids = new Tensor('int64', new BigInt64Array(b * n), [b, n]);
  // The edited graph's narrowed head: logits at one position, as analyze asks.
  if (session.inputNames.includes(MASKED_POSITIONS_INPUT)) feeds[MASKED_POSITIONS_INPUT] = new Tensor('int64', BigInt64Array.from([0n]), [1]);
  return feeds;
}

/** The unedited ONNX file of `dtype` in a model folder (the Hub layout the model store reads). */
export const onnxFile = (modelDir: string, dtype: Dtype): string => join(modelDir, dtype === 'q8' ? 'onnx/model_quantized.onnx' : 'onnx/model.onnx');

export const idsOf = (lm: LoadedModel, text: string): number[] => tokenizeWithOffsets(lm.tokenizer, text).map((t) => t.id);
