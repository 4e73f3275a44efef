/**
 * What the masked-LM head predicts beyond the hover's final-layer guess (issue 11): at every hidden layer
 * (`layerGuesses.ts`), at every position of the unmasked text (`unmasked.ts`), and for a masked span with
 * its joint fills (`span.ts`). The shapes are in `types.ts`.
 */
export { firstSettledLayer, layerGuessesAt } from './layerGuesses';
export { SPAN_BEAM_WIDTH, spanGuesses, spanTokens } from './span';
export { unmaskedGuesses } from './unmasked';
export * from './types';
