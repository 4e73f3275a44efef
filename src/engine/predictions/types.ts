/**
 * What the masked-LM head predicts beyond the hover's final-layer guess (issue 11): at every layer, at
 * every position of the unmasked text, and for a masked span. The field names are the CLI's `--json`
 * contract (`layerGuesses`, `unmasked`, `span`): never rename one.
 */
import type { AnalyzedToken, Guess } from '../types';

/** The head applied to the masked position's hidden state at one hidden layer (0 = embeddings … numLayers). */
export interface LayerGuessRow {
  layer: number;
  guesses: Guess[];
  /** 1-based rank, at this layer, of the last layer's top guess. */
  finalRank: number;
  /** Probability, at this layer, of the last layer's top guess. */
  finalProbability: number;
}

/**
 * Masked models: the token under the offset masked alone, the head at every layer. Causal models: the logit
 * lens at that token, nothing masked: each row's guesses are for the token AFTER it (what the model would
 * predict next if it stopped at that layer), the last row is the model's next-token prediction.
 */
export interface LayerGuessesResult {
  /** The token covering the offset asked: masked alone (masked models), or the one after which the next token is predicted (causal). */
  token: AnalyzedToken;
  /** One row per hidden layer, 0 … numLayers; the last row equals the ordinary masked guesses. */
  layers: LayerGuessRow[];
  /** The first layer whose top guess is the last layer's top guess and stays so above it. */
  firstLayer: number;
}

export interface SpanFill {
  /** The filled span as text (pieces joined as the tokenizer decodes them). */
  text: string;
  tokens: string[];
  /** Product of the conditional probabilities of the fills, in the order they were chosen. */
  score: number;
}

export interface SpanGuessesResult {
  /** [start, end) asked, UTF-16 code units of the text. */
  start: number;
  end: number;
  /** Indices (into the text's tokens, [CLS] = 0) masked together. */
  tokenIndices: number[];
  tokens: AnalyzedToken[];
  /** Top-k at each masked position, every span token masked at once. */
  positions: Guess[][];
  /** Up to 5 joint fills, best first (beam width 5, most confident position first). */
  fills: SpanFill[];
}

/** A span may hold at most this many tokens. */
export const MAX_SPAN_TOKENS = 8;
