export { attentionRollout, meanOverHeads, meanOverLayers, residualAttention } from './summaries';
export { headStatistics, isPunctuationPiece, type ColumnKinds } from './headStats';
export { ATTENTION_SUMMARY_KINDS, type AttentionSummaryKind, type AttentionSummarySlice, type HeadStat } from './types';
