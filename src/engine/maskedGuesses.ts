/** Turning a row of logits into the top-k guesses, without sorting the whole vocabulary. */
import type { LoadedModel } from './modelStore';
import type { Guess } from './types';

/**
 * How a model's guesses are read: an id's text is what the tokenizer decodes it to (as transformers.js's
 * fill-mask pipeline shows it), and special tokens are never proposed.
 */
export interface GuessVocabulary {
  idToText: (id: number) => string;
  exclude: ReadonlySet<number>;
}

export function guessVocabulary(lm: LoadedModel): GuessVocabulary {
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
  const { ids, values } = largest(logits, offset, vocabSize, k, excludeIds);
  return ids.map((id, i) => ({ id, token: idToPiece(id), probability: Math.exp(values[i] - max) / sum }));
}

/**
 * The k most probable ids of a row that is already a softmax (the graph's PROBABILITIES_OUTPUT, where
 * onnxruntime's vectorised exponentials beat one Math.exp per vocabulary entry), most probable first.
 */
export function topKFromProbabilities(probabilities: Float32Array, offset: number, vocabSize: number, k: number, vocabulary: GuessVocabulary): Guess[] {
  const { ids, values } = largest(probabilities, offset, vocabSize, k, vocabulary.exclude);
  return ids.map((id, i) => ({ id, token: vocabulary.idToText(id), probability: values[i] }));
}

/** The k largest values of a row and their ids, largest first, `excludeIds` skipped. */
function largest(row: Float32Array, offset: number, vocabSize: number, k: number, excludeIds: ReadonlySet<number>): { ids: number[]; values: number[] } {
  // A small sorted buffer: k is tiny (≤ 20) next to the vocabulary (~20k–120k).
  const ids: number[] = [];
  const values: number[] = [];
  for (let v = 0; v < vocabSize; v++) {
    const x = row[offset + v];
    if (ids.length === k && x <= values[k - 1]) continue;
    if (excludeIds.has(v)) continue;
    let i = ids.length < k ? ids.length : k - 1;
    while (i > 0 && values[i - 1] < x) {
      if (i < k) {
        ids[i] = ids[i - 1];
        values[i] = values[i - 1];
      }
      i--;
    }
    ids[i] = v;
    values[i] = x;
    if (ids.length > k) {
      ids.length = k;
      values.length = k;
    }
  }
  return { ids, values };
}
