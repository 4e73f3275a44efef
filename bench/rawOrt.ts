/**
 * The floor: raw onnxruntime-node on the unedited model file, fed the same ids the engine runs. The
 * feeds come from the engine's own forwardFeeds (src/engine/forward.ts), built as this session's tensors.
 */
import { join } from 'node:path';
import { forwardFeeds } from '../src/engine/forward';
import { onnxFileFor, type LoadedModel } from '../src/engine/modelStore';
import { MASKED_POSITIONS_INPUT } from '../src/engine/onnx';
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

/** The engine's feeds for `rows`, as tensors of onnxruntime-node; the edited graph's narrowed head gets one position, as analyze asks. */
export function feedsFor(session: OrtSession, rows: number[][]): Record<string, unknown> {
  const { Tensor } = ort();
  return forwardFeeds(session.inputNames, rows, (data, dims) => new Tensor('int64', data, dims), MASKED_POSITIONS_INPUT);
}

/** The unedited ONNX file of `dtype` in a model folder (the Hub layout the model store reads). */
export const onnxFile = (modelDir: string, dtype: Dtype): string => join(modelDir, onnxFileFor(dtype));

export const idsOf = (lm: LoadedModel, text: string): number[] => tokenizeWithOffsets(lm.tokenizer, text).map((t) => t.id);
