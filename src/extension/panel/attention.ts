/** The attention tab's data: one layer's heads, or every layer × head pooled small, as the webview shows them. */
import type { AttentionGridView, AttentionLayerView } from '../../protocol';
import type { Ctx } from '../context';
import type { AnalyzedSnippet } from '../mapState';

/** Side of the pooled matrices in the layers × heads grid. */
const ATTENTION_GRID_MAX = 48;

/** `attentionLayer` (1 … numLayers) is clamped to the model's layers; the view names the layer it holds. */
export async function attentionLayerView(ctx: Ctx, s: AnalyzedSnippet, attentionLayer: number): Promise<AttentionLayerView> {
  const clamped = Math.max(1, Math.min(s.analysis.numLayers, Math.round(attentionLayer)));
  const slice = await ctx.engine.call('attention', { analysisId: s.analysis.analysisId, attentionLayer: clamped });
  return { snippetId: s.id, attentionLayer: clamped, numHeads: slice.numHeads, tokenIndices: slice.tokenIndices, weights: slice.weights };
}

export async function attentionGridView(ctx: Ctx, s: AnalyzedSnippet): Promise<AttentionGridView> {
  const g = await ctx.engine.call('attentionGrid', { analysisId: s.analysis.analysisId, maxSize: ATTENTION_GRID_MAX });
  return { snippetId: s.id, numLayers: g.numLayers, numHeads: g.numHeads, tokenIndices: g.tokenIndices, size: g.size, weights: g.weights };
}
