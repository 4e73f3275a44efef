/** Reading rows of logits: where a position's row starts, and how one id fares in a row. */
import type { OrtTensor } from '../hfInternals';
import { floatData } from '../forward';
import type { LoadedModel } from '../modelStore';

/**
 * The `logits` output and, for the i-th position asked (`asked[i]`, a flat row × n + position index), the
 * offset of its row: a narrowed head returns only the asked rows, a full head every position's.
 */
export function askedRows(lm: LoadedModel, logits: OrtTensor, asked: number[]): { data: Float32Array; offsetOf: (i: number) => number } {
  const vocab = lm.info.vocabSize;
  const narrow = !!lm.maskedPositionsInput;
  return { data: floatData(logits), offsetOf: (i) => (narrow ? i : asked[i]) * vocab };
}

/**
 * The softmax probability of `id` in the row at `offset` and its 1-based rank among the ids that may be
 * proposed (`exclude`d ones never are, as in topKFromLogits): one pass, no sort.
 */
export function idInRow(logits: Float32Array, offset: number, vocabSize: number, id: number, exclude: ReadonlySet<number>): { probability: number; rank: number } {
  const x = logits[offset + id];
  let max = -Infinity;
  for (let v = 0; v < vocabSize; v++) if (logits[offset + v] > max) max = logits[offset + v];
  let sum = 0;
  let above = 0;
  for (let v = 0; v < vocabSize; v++) {
    const y = logits[offset + v];
    sum += Math.exp(y - max);
    if (y > x && !exclude.has(v)) above++;
  }
  return { probability: Math.exp(x - max) / sum, rank: above + 1 };
}
