/**
 * Reading a causal model's next-token rows: the row at position p is the distribution of the token at
 * p + 1 given tokens 0 … p. The edited graph's softmax (PROBABILITIES_OUTPUT, onnx/head.ts) is read where
 * the head was narrowed; otherwise the full `logits` [batch, seq, vocab] and a softmax here.
 */
import { floatData, hasPredictionOutputs } from '../forward';
import type { OrtTensor } from '../hfInternals';
import { guessVocabulary, topKFromLogits, topKFromProbabilities, type GuessVocabulary } from '../maskedGuesses';
import type { LoadedModel } from '../modelStore';
import { PROBABILITIES_OUTPUT } from '../onnx';
import type { Guess, TokenProbability } from '../types';
import { idInRow } from './logitRows';

/** The output a forward fetches for next-token rows. */
export function nextTokenOutput(lm: LoadedModel): string {
  return hasPredictionOutputs(lm) ? PROBABILITIES_OUTPUT : 'logits';
}

export interface NextTokenRows {
  /** Top-k for the token after the i-th position asked. */
  topK(i: number, k: number): Guess[];
  /** Probability and 1-based rank of `id` as the token after the i-th position asked. */
  probabilityOf(i: number, id: number): TokenProbability;
}

/**
 * The rows of `out` (a forward that fetched nextTokenOutput(lm)) for the positions asked, `asked[i]` a flat
 * row × n + position index, in the order the forward's `logitsAt` listed them.
 */
export function nextTokenRows(lm: LoadedModel, out: Record<string, OrtTensor>, asked: number[]): NextTokenRows {
  const vocab = lm.info.vocabSize;
  const vocabulary: GuessVocabulary = guessVocabulary(lm);
  const probabilities = out[PROBABILITIES_OUTPUT];
  if (probabilities) {
    const data = floatData(probabilities);
    return {
      topK: (i, k) => topKFromProbabilities(data, i * vocab, vocab, k, vocabulary),
      probabilityOf: (i, id) => probabilityRank(data, i * vocab, vocab, id, vocabulary.exclude),
    };
  }
  // A head the edit did not narrow: every position's logits.
  const data = floatData(out.logits);
  return {
    topK: (i, k) => topKFromLogits(data, asked[i] * vocab, vocab, k, vocabulary.idToText, vocabulary.exclude),
    probabilityOf: (i, id) => idInRow(data, asked[i] * vocab, vocab, id, vocabulary.exclude),
  };
}

/** A softmax row's value at `id` and its rank among the ids that may be proposed: one pass, no sort. */
function probabilityRank(row: Float32Array, offset: number, vocabSize: number, id: number, exclude: ReadonlySet<number>): TokenProbability {
  const p = row[offset + id];
  let above = 0;
  for (let v = 0; v < vocabSize; v++) if (row[offset + v] > p && !exclude.has(v)) above++;
  return { probability: p, rank: above + 1 };
}
