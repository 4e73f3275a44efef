/**
 * The attention tab's data: one layer's heads (over pieces or pooled into words), every layer × head pooled
 * small, summaries over heads and layers, and every head's statistics, as the webview shows them.
 */
import { ATTENTION_SUMMARY_KINDS } from '../../engine/attentionSummary/types';
import { ContextLensError } from '../../engine/errors';
import type { AttentionGridView, AttentionLayerView, AttentionSummaryKind, AttentionSummaryView, HeadStatsView } from '../../protocol';
import type { Ctx } from '../context';
import type { AnalyzedSnippet } from '../mapState';

/** Side of the pooled matrices in the layers × heads grid. */
const ATTENTION_GRID_MAX = 48;

function clampedLayer(s: AnalyzedSnippet, attentionLayer: number): number {
  return Math.max(1, Math.min(s.analysis.numLayers, Math.round(attentionLayer)));
}

/**
 * `attentionLayer` (1 … numLayers) is clamped to the model's layers; the view names the layer it holds.
 * `words`: every head pooled into words (rows: mean over a word's pieces, columns: sum), with wordIndices.
 */
export async function attentionLayerView(ctx: Ctx, s: AnalyzedSnippet, attentionLayer: number, words = false): Promise<AttentionLayerView> {
  const clamped = clampedLayer(s, attentionLayer);
  const request = words ? { words: true, language: ctx.config.wordsLanguage } : {};
  const slice = await ctx.engine.call('attention', { analysisId: s.analysis.analysisId, attentionLayer: clamped, ...request });
  const view: AttentionLayerView = { snippetId: s.id, attentionLayer: clamped, numHeads: slice.numHeads, tokenIndices: slice.tokenIndices, weights: slice.weights };
  if (slice.wordIndices) view.wordIndices = slice.wordIndices;
  return view;
}

export async function attentionGridView(ctx: Ctx, s: AnalyzedSnippet): Promise<AttentionGridView> {
  const g = await ctx.engine.call('attentionGrid', { analysisId: s.analysis.analysisId, maxSize: ATTENTION_GRID_MAX });
  return { snippetId: s.id, numLayers: g.numLayers, numHeads: g.numHeads, tokenIndices: g.tokenIndices, size: g.size, weights: g.weights };
}

/** Rollout, mean of layers, or one layer's mean of heads (`attentionLayer`), over pieces or words. */
export async function attentionSummaryView(ctx: Ctx, s: AnalyzedSnippet, kind: AttentionSummaryKind, attentionLayer: number | undefined, words: boolean): Promise<AttentionSummaryView> {
  if (!(ATTENTION_SUMMARY_KINDS as readonly string[]).includes(kind)) {
    throw new ContextLensError('BAD_ARGUMENTS', `Unknown attention summary "${String(kind)}"; use ${ATTENTION_SUMMARY_KINDS.join(', ')}.`);
  }
  const layer = kind === 'mean-heads' && typeof attentionLayer === 'number' && Number.isFinite(attentionLayer) ? clampedLayer(s, attentionLayer) : undefined;
  const slice = await ctx.engine.call('attentionSummary', {
    analysisId: s.analysis.analysisId,
    kind,
    ...(layer === undefined ? {} : { attentionLayer: layer }),
    words: words === true,
    ...(words === true ? { language: ctx.config.wordsLanguage } : {}),
  });
  const view: AttentionSummaryView = { snippetId: s.id, kind: slice.kind, size: slice.size, tokenIndices: slice.tokenIndices, weights: slice.weights };
  if (slice.layer !== undefined) view.layer = slice.layer;
  if (slice.wordIndices) view.wordIndices = slice.wordIndices;
  return view;
}

export async function headStatsView(ctx: Ctx, s: AnalyzedSnippet): Promise<HeadStatsView> {
  return { snippetId: s.id, stats: await ctx.engine.call('headStats', { analysisId: s.analysis.analysisId }) };
}
