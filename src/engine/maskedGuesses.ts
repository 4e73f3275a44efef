/** Turning a row of logits into the top-k guesses, without sorting the whole vocabulary. */
import type { LoadedModel } from './modelStore';
import type { Guess } from './types';

/**
 * How a model's guesses are read: an id's text is what the tokenizer decodes it to (as transformers.js's
 * fill-mask pipeline shows it), and special tokens are never proposed.
 */
export function guessVocabulary(lm: LoadedModel): { idToText: (id: number) => string; exclude: ReadonlySet<number> } {
  const { cls, sep, pad, mask, unk } = lm.specialIds;
  return { idToText: (id) => lm.tokenizer.decode([id]), exclude: new Set([cls, sep, pad, mask, unk].filter((x) => x >= 0)) };
}

/**
 * Softmax over `logits[offset, offset + vocabSize)` and the k most probable ids, most probable first.
 * `excludeIds` (special tokens) are never proposed but still count in the softmax.
 */
export function topKFromLogits(
  logits: Float32Array,
  offset: number,
  vocabSize: number,
  k: number,
  idToPiece: (id: number) => string,
  excludeIds: ReadonlySet<number> = new Set(),
): Guess[] {
  let max = -Infinity;
  for (let v = 0; v < vocabSize; v++) if (logits[offset + v] > max) max = logits[offset + v];
  let sum = 0;
  for (let v = 0; v < vocabSize; v++) sum += Math.exp(logits[offset + v] - max);
  // A small sorted buffer: k is tiny (≤ 20) next to the vocabulary (~20k–120k).
  const bestIds: number[] = [];
  const bestLogits: number[] = [];
  for (let v = 0; v < vocabSize; v++) {
    const x = logits[offset + v];
    if (bestIds.length === k && x <= bestLogits[k - 1]) continue;
    if (excludeIds.has(v)) continue;
    let i = bestIds.length < k ? bestIds.length : k - 1;
    while (i > 0 && bestLogits[i - 1] < x) {
      if (i < k) {
        bestIds[i] = bestIds[i - 1];
        bestLogits[i] = bestLogits[i - 1];
      }
      i--;
    }
    bestIds[i] = v;
    bestLogits[i] = x;
    if (bestIds.length > k) {
      bestIds.length = k;
      bestLogits.length = k;
    }
  }
  return bestIds.map((id, i) => ({ id, token: idToPiece(id), probability: Math.exp(bestLogits[i] - max) / sum }));
}
