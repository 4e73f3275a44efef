/**
 * Unmasked predictions (issue 11, exBERT's view): what the masked-LM head reconstructs at every position of
 * the text as it is, nothing masked. One forward per window of the analysis, the narrowed head asked for
 * every text token the window speaks for: a different quantity from the masked guesses (one forward per
 * token), and far cheaper for long texts.
 */
import { throwIfAborted } from '../errors';
import { floatData, hasPredictionOutputs, runRows } from '../forward';
import { guessVocabulary, topKFromLogits, topKFromProbabilities } from '../maskedGuesses';
import type { LoadedModel } from '../modelStore';
import type { Analysis } from '../types';
import { PROBABILITIES_OUTPUT } from '../onnx';
import type { TokenGuesses } from '../workerProtocol';
import { askedRows } from './logitRows';

/** The top-k the head gives at every non-special token of `analysis`, in token order. */
export async function unmaskedGuesses(lm: LoadedModel, analysis: Analysis, topK: number, signal?: AbortSignal): Promise<TokenGuesses[]> {
  const vocab = lm.info.vocabSize;
  const vocabulary = guessVocabulary(lm);
  const { idToText, exclude } = vocabulary;
  // Every position's softmax: onnxruntime's where the graph has it (a row of exponentials per token in
  // JavaScript would cost half a forward for a long text), else from the logits.
  const softmaxInGraph = hasPredictionOutputs(lm);
  const out: TokenGuesses[] = [];
  for (const window of analysis.windows) {
    throwIfAborted(signal);
    const [from, to] = window.keptTokens;
    const positions: number[] = [];
    window.tokenIndices.forEach((g, pos) => {
      if (g >= from && g < to && !analysis.tokens[g].special) positions.push(pos);
    });
    if (!positions.length) continue;
    const ids = window.tokenIndices.map((g) => analysis.tokens[g].id);
    if (softmaxInGraph) {
      const probabilities = floatData((await runRows(lm, [ids], [PROBABILITIES_OUTPUT], positions))[PROBABILITIES_OUTPUT]);
      positions.forEach((pos, i) => out.push({ tokenIndex: window.tokenIndices[pos], guesses: topKFromProbabilities(probabilities, i * vocab, vocab, topK, vocabulary) }));
      continue;
    }
    const { logits } = await runRows(lm, [ids], ['logits'], positions);
    const rows = askedRows(lm, logits, positions);
    positions.forEach((pos, i) => out.push({ tokenIndex: window.tokenIndices[pos], guesses: topKFromLogits(rows.data, rows.offsetOf(i), vocab, topK, idToText, exclude) }));
  }
  return out;
}
