/**
 * Compare Models (issue 13): one text through two models, row by row. The shapes the CLI prints with
 * `compare --json` and the host sends to the Compare tab; the field names are a contract (keep them stable).
 */
import type { ModelKind } from '../types';

/** One model's part of a row: the tokens of that model that lie in the row's span, read together. */
export interface CompareSide {
  /** The model's vocabulary pieces in the span, joined by a space (`play ##ing`, `Ġbank`). Data, never HTML. */
  token: string;
  /**
   * The model's top guess at each of these tokens, joined by a space: a masked model's guess with the token
   * alone masked; a causal model's next-token guess at the position before. null where it has none (a causal
   * model's first token, a masked token whose guesses were not computed).
   */
  guess: string | null;
  /**
   * The probability of the tokens that are there (the product over the span's tokens): a causal model's
   * P(span | the text before), exact by the chain rule; a masked model's product of P(token | the rest, it
   * alone masked), a pseudo-likelihood (Salazar et al. 2020), read from its top-k guesses. null where unknown:
   * a masked token that is not among its top-k guesses, or a causal model's first token.
   */
  probability: number | null;
  /** True when the model's top guess is the token there, at each of these tokens (compared by vocabulary id). */
  guessIsToken: boolean;
  /** Indices of the tokens in the model's analysis (`tokens[i].index`), in order. */
  tokens: number[];
}

export interface CompareRow {
  /** [start, end) of the span in the text, UTF-16 code units. */
  start: number;
  end: number;
  /** `text.slice(start, end)`. */
  text: string;
  /** null: the model has no token in this span (a character one tokenizer drops, such as a line break for BERT). */
  a: CompareSide | null;
  b: CompareSide | null;
}

export interface CompareModelSummary {
  /** The Hub id or folder as given. */
  model: string;
  kind: ModelKind;
  /** The hidden layer its map shows: round(depth × numLayers) (0 = the embeddings). */
  layer: number;
  numLayers: number;
}

/** What `context-lens compare --json` prints (the Compare tab's JSON export is the same object). */
export interface CompareResult {
  text: string;
  /** The relative depth, 0 (embeddings) … 1 (last layer). */
  depth: number;
  models: [CompareModelSummary, CompareModelSummary];
  rows: CompareRow[];
}
