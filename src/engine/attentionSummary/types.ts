/** Attention summarised over heads and layers, and per-head statistics (issue 12). */

export const ATTENTION_SUMMARY_KINDS = ['rollout', 'mean-heads', 'mean-layers'] as const;
export type AttentionSummaryKind = (typeof ATTENTION_SUMMARY_KINDS)[number];

export interface AttentionSummarySlice {
  kind: AttentionSummaryKind;
  /** mean-heads: the attention layer averaged (1 … numLayers); absent for the others. */
  layer?: number;
  /** Rows and columns: `size` tokens of the analysis's widest window, or `size` words with `words`. */
  size: number;
  /** Token indices of the rows/columns (over words: each word's first piece in the window). */
  tokenIndices: number[];
  /** Over words: the indices (in the analysis's words) of the rows/columns. */
  wordIndices?: number[];
  /** [from][to], size × size, row-major; every row sums to 1. */
  weights: Float32Array;
}

/**
 * One head's habits (Clark et al. 2019), each a mean over the rows of its attention matrix in the analysis's
 * widest window. Every row counts, [CLS] and [SEP] included (as in Clark et al.'s code); `toPrev` averages
 * the rows that have a previous position, `toNext` those that have a next one.
 */
export interface HeadStat {
  /** Attention layer, 1 … numLayers. */
  layer: number;
  /** 0 … numHeads - 1. */
  head: number;
  /** −Σ_j a_ij ln a_ij (nats; 0 ln 0 = 0). */
  entropy: number;
  /** Σ_j a_ij |i − j| (positions). */
  distance: number;
  /** Σ over [CLS] columns (tokens with the tokenizer's [CLS] id). */
  toCls: number;
  /** Σ over [SEP] columns. */
  toSep: number;
  /** a_i,i−1. */
  toPrev: number;
  /** a_i,i+1. */
  toNext: number;
  /** Σ over the columns of punctuation pieces (every character Unicode \p{P}, "##" aside; special tokens never). */
  toPunct: number;
}
