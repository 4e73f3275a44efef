/**
 * Reading a causal model's next-token rows: the row at position p is the distribution of the token at
 * p + 1 given tokens 0 … p. The decoder edit reads them in the graph (onnx/head.ts NEXT_TOP_K_INPUT …: the
 * top-k, and the probability and rank of the id fed per row); a graph without those reads gives its
 * softmax (PROBABILITIES_OUTPUT) or its full `logits` [batch, seq, vocab], read here.
 */
import { ContextLensError } from '../errors';
import { floatData, hasPredictionOutputs, type NextTokenReads } from '../forward';
import { ortSession, type OrtTensor } from '../hfInternals';
import { guessVocabulary, topKFromLogits, topKFromProbabilities } from '../maskedGuesses';
import type { LoadedModel } from '../modelStore';
import { NEXT_ID_ABOVE_OUTPUT, NEXT_ID_PROBABILITIES_OUTPUT, NEXT_TOP_IDS_OUTPUT, NEXT_TOP_K_INPUT, NEXT_TOP_PROBABILITIES_OUTPUT, PROBABILITIES_OUTPUT } from '../onnx';
import type { Guess, TokenProbability } from '../types';
import { idInRow } from './logitRows';

const GRAPH_READS = [NEXT_TOP_PROBABILITIES_OUTPUT, NEXT_TOP_IDS_OUTPUT, NEXT_ID_PROBABILITIES_OUTPUT, NEXT_ID_ABOVE_OUTPUT];

/** The outputs a forward fetches for next-token rows. */
export function nextTokenOutputs(lm: LoadedModel): string[] {
  if (ortSession(lm.model).inputNames.includes(NEXT_TOP_K_INPUT)) return GRAPH_READS;
  return [hasPredictionOutputs(lm) ? PROBABILITIES_OUTPUT : 'logits'];
}

export interface NextTokenRows {
  /** Top-k (k at most the `reads.topK` the forward was fed) for the token after the i-th position asked. */
  topK(i: number, k: number): Guess[];
  /** Probability and 1-based rank, as the token after the i-th position asked, of `reads.ids[i]`. */
  probabilityOf(i: number, id: number): TokenProbability;
}

/**
 * The rows of `out` (a forward that fetched nextTokenOutputs(lm), fed `reads`) for the positions asked,
 * `asked[i]` a flat row × n + position index, in the order the forward's `logitsAt` listed them.
 */
export function nextTokenRows(lm: LoadedModel, out: Record<string, OrtTensor>, asked: number[], reads: NextTokenReads): NextTokenRows {
  const vocab = lm.info.vocabSize;
  const vocabulary = guessVocabulary(lm);
  if (out[NEXT_TOP_IDS_OUTPUT]) {
    const probabilities = floatData(out[NEXT_TOP_PROBABILITIES_OUTPUT]);
    const ids = out[NEXT_TOP_IDS_OUTPUT].data as BigInt64Array;
    const idProbabilities = floatData(out[NEXT_ID_PROBABILITIES_OUTPUT]);
    const above = floatData(out[NEXT_ID_ABOVE_OUTPUT]);
    const k0 = reads.topK;
    return {
      topK: (i, k) =>
        Array.from({ length: Math.min(k, k0) }, (_, j) => {
          const id = Number(ids[i * k0 + j]);
          return { id, token: vocabulary.idToText(id), probability: probabilities[i * k0 + j] };
        }),
      probabilityOf: (i, id) => {
        if (reads.ids[i] !== id) throw new ContextLensError('CORRUPT_MODEL', `Internal: row ${i} was asked for id ${reads.ids[i]}, not ${id}.`);
        return { probability: idProbabilities[i], rank: above[i] + 1 };
      },
    };
  }
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
