/** The attention tab's data: one layer's heads, or every layer × head pooled small, as the webview's messages. */
import type { HostToWebview } from '../../protocol';
import type { Ctx } from '../context';
import type { AnalyzedSnippet } from '../mapState';

/** Side of the pooled matrices in the layers × heads grid. */
const ATTENTION_GRID_MAX = 48;

/** `layer` counts attention layers from 0; clamped to the model's. */
export async function attentionMessage(ctx: Ctx, s: AnalyzedSnippet, layer: number): Promise<HostToWebview> {
  const L = Math.max(0, Math.min(s.analysis.numLayers - 1, Math.round(layer)));
  const slice = await ctx.engine.call('attention', { analysisId: s.analysis.analysisId, layer: L });
  return {
    type: 'attention',
    attention: { snippetId: s.id, layer: L, numHeads: slice.numHeads, tokenIndices: slice.tokenIndices, weights: Array.from(slice.weights) },
  };
}

export async function attentionGridMessage(ctx: Ctx, s: AnalyzedSnippet): Promise<HostToWebview> {
  const g = await ctx.engine.call('attentionGrid', { analysisId: s.analysis.analysisId, maxSize: ATTENTION_GRID_MAX });
  return {
    type: 'attentionGrid',
    grid: { snippetId: s.id, numLayers: g.numLayers, numHeads: g.numHeads, tokenIndices: g.tokenIndices, size: g.size, weights: Array.from(g.weights) },
  };
}
