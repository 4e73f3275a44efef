/**
 * Guesses at every layer (issue 11): the token under an offset masked alone, and the masked-LM head applied
 * to that position's hidden state at every hidden layer, in the one forward the hover's guess needs.
 * For a causal model (issue 13) it is the logit lens (nostalgebraist; Ecco, tuned-lens): nothing masked,
 * ln_f + lm_head applied to the residual stream at the token's position in every layer, i.e. per layer the
 * top-k for the NEXT token; the last row is the model's own prediction, finalRank/finalProbability follow
 * that prediction's top token through the layers. The
 * edited graph carries a copy of the head over every hidden state (LAYER_LOGITS_OUTPUT, onnx/head.ts), so
 * this costs one masked forward plus L + 1 rows of the head. The last layer's row is read from the ordinary
 * head's `logits` of the same forward, so it is the hover's guess exactly.
 */
import { tokenInWindow } from '../analyze';
import { ContextLensError } from '../errors';
import { floatData, hasPredictionOutputs, runRows } from '../forward';
import { guessVocabulary, topKFromLogits } from '../maskedGuesses';
import type { LoadedModel } from '../modelStore';
import { LAYER_LOGITS_OUTPUT } from '../onnx';
import { askedRows, idInRow } from './logitRows';
import type { LayerGuessesResult, LayerGuessRow } from './types';
import type { Guess } from '../types';

export async function layerGuessesAt(lm: LoadedModel, text: string, offset: number, topK: number, signal?: AbortSignal): Promise<LayerGuessesResult | null> {
  const at = tokenInWindow(lm, text, offset, signal);
  if (!at) return null;
  if (!hasPredictionOutputs(lm)) {
    throw new ContextLensError(
      'NOT_A_MASKED_LM',
      `Guesses at every layer need the language-model head right after the last layer, and the graph of ${lm.info.model} has another shape there. The final guesses (hover, Tokens tab) still work.`,
    );
  }
  const p = at.position;
  const row = lm.family.kind === 'causal' ? at.windowIds : at.windowIds.map((id, i) => (i === p ? lm.specialIds.mask : id));
  const out = await runRows(lm, [row], ['logits', LAYER_LOGITS_OUTPUT], [p], [p]);
  const vocab = lm.info.vocabSize;
  const { numLayers } = lm.info;
  const { idToText, exclude } = guessVocabulary(lm);
  const last = askedRows(lm, out.logits, [p]);
  const layerData = floatData(out[LAYER_LOGITS_OUTPUT]);
  // Layer l's row; the last layer's is the ordinary head's, so that it equals the masked guess exactly.
  const rowOf = (layer: number): [Float32Array, number] => (layer === numLayers ? [last.data, last.offsetOf(0)] : [layerData, layer * vocab]);
  const finalGuesses = topKFromLogits(last.data, last.offsetOf(0), vocab, Math.max(1, topK), idToText, exclude);
  const finalId = finalGuesses[0].id;
  const layers: LayerGuessRow[] = [];
  for (let layer = 0; layer <= numLayers; layer++) {
    const [data, rowAt] = rowOf(layer);
    const guesses: Guess[] = layer === numLayers ? finalGuesses.slice(0, topK) : topKFromLogits(data, rowAt, vocab, topK, idToText, exclude);
    const { probability, rank } = idInRow(data, rowAt, vocab, finalId, exclude);
    layers.push({ layer, guesses, finalRank: rank, finalProbability: probability });
  }
  return { token: at.token, layers, firstLayer: firstSettledLayer(layers) };
}

/** The first layer from which on the top guess is the last layer's (rank 1 at it and every layer above). */
export function firstSettledLayer(layers: readonly Pick<LayerGuessRow, 'finalRank'>[]): number {
  let first = layers.length - 1;
  while (first > 0 && layers[first - 1].finalRank === 1) first--;
  return first;
}
