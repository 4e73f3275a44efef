/**
 * Guesses at every layer (issue 11): the token under an offset masked alone, and the masked-LM head applied
 * to that position's hidden state at every hidden layer, in the one forward the hover's guess needs. The
 * edited graph carries a copy of the head over every hidden state (LAYER_LOGITS_OUTPUT, onnx/head.ts), so
 * this costs one masked forward plus L + 1 rows of the head. The last layer's row is read from the ordinary
 * head's `logits` of the same forward, so it is the hover's guess exactly.
 */
import { DEFAULT_MAX_CHARS, windowAround } from '../analyze';
import { ContextLensError, throwIfAborted } from '../errors';
import { floatData, hasLayerHead, runRows } from '../forward';
import { checkInputText } from '../inputCheck';
import { guessVocabulary, topKFromLogits } from '../maskedGuesses';
import type { LoadedModel } from '../modelStore';
import { LAYER_LOGITS_OUTPUT } from '../onnx';
import { tokenIndexAtOffset, tokenizeWithOffsets } from '../tokenOffsets';
import { askedRows, idInRow } from './logitRows';
import type { LayerGuessesResult, LayerGuessRow } from './types';
import type { Guess } from '../types';

export async function layerGuessesAt(lm: LoadedModel, text: string, offset: number, topK: number, signal?: AbortSignal): Promise<LayerGuessesResult | null> {
  throwIfAborted(signal);
  if (!text.trim()) return null;
  checkInputText(text, DEFAULT_MAX_CHARS);
  const tokens = tokenizeWithOffsets(lm.tokenizer, text);
  const index = tokenIndexAtOffset(tokens, offset);
  if (index < 0) return null;
  if (!hasLayerHead(lm)) {
    throw new ContextLensError(
      'NOT_A_MASKED_LM',
      `Guesses at every layer need the masked-LM head right after the last layer, and the graph of ${lm.info.model} has another shape there. The final guesses (hover, Tokens tab) still work.`,
    );
  }
  const { windowIds, positionOf } = windowAround(lm, tokens, index, index);
  const p = positionOf(index);
  const row = windowIds.map((id, i) => (i === p ? lm.specialIds.mask : id));
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
    const [data, at] = rowOf(layer);
    const guesses: Guess[] = layer === numLayers ? finalGuesses.slice(0, topK) : topKFromLogits(data, at, vocab, topK, idToText, exclude);
    const { probability, rank } = idInRow(data, at, vocab, finalId, exclude);
    layers.push({ layer, guesses, finalRank: rank, finalProbability: probability });
  }
  return { token: tokens[index], layers, firstLayer: firstSettledLayer(layers) };
}

/** The first layer from which on the top guess is the last layer's (rank 1 at it and every layer above). */
export function firstSettledLayer(layers: readonly Pick<LayerGuessRow, 'finalRank'>[]): number {
  let first = layers.length - 1;
  while (first > 0 && layers[first - 1].finalRank === 1) first--;
  return first;
}
