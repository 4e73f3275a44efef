/** Which snippet, attention layer and head the Attention tab shows, from the state. */
import type { SnippetView } from '../../src/protocol';
import { attentionKey } from '../keys';
import { snippetById, state } from '../state';

/** The selected snippet (applyHostMessage keeps the selection on a snippet whenever there is one). */
export function shownSnippet(): SnippetView | undefined {
  return snippetById(state.persisted.selectedSnippetId);
}

export function layerCount(): number {
  return Math.max(1, state.model?.numLayers ?? Math.max(state.persisted.attentionLayer ?? 0, state.persisted.hiddenLayer));
}

/** The attention layer (1 … layerCount()): the user's pick, else the one whose output the map shows (1 for the embeddings). */
export function shownLayer(): number {
  const p = state.persisted;
  const l = p.attentionLayer ?? p.hiddenLayer;
  return Math.min(Math.max(1, l), layerCount());
}

export function headCount(snippetId?: string): number {
  const fromData = snippetId ? state.attention.get(attentionKey(snippetId, shownLayer()))?.numHeads : undefined;
  return Math.max(1, state.model?.numHeads ?? fromData ?? 1);
}

/** Whether the number of heads is known yet (from the model, or from this snippet's attention). */
export function headCountKnown(snippetId?: string): boolean {
  return !!state.model || (snippetId ? state.attention.has(attentionKey(snippetId, shownLayer())) : false);
}
