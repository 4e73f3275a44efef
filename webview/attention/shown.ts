/** Which snippet, attention layer and head the Attention tab shows, from the state. */
import { isPunctuationPiece } from '../../src/engine/attentionSummary/headStats';
import type { SnippetView, TokenView } from '../../src/protocol';
import { attentionKey } from '../keys';
import { isVisibleToken, snippetById, state } from '../state';

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

/**
 * What the Attention tab draws: the views' one rule (isVisibleToken: [CLS]/[SEP] while Hide is on), and
 * with Hide on punctuation too (issue 12: "Hide [CLS]/[SEP]/punctuation"; the headStats rule of what is
 * punctuation, isPunctuationPiece). The Map and Tokens tabs keep their punctuation.
 */
export function isShownInAttention(token: Pick<TokenView, 'special' | 'piece'> | undefined): boolean {
  if (!isVisibleToken(token)) return false;
  return !(state.persisted.hideSpecial && token && !token.special && isPunctuationPiece(token.piece));
}

/** Whether the Attention tab hides anything of this snippet (then its rows may sum to less than 1). */
export function hidesSome(snippet: SnippetView): boolean {
  return snippet.tokens.some((tok) => !isShownInAttention(tok));
}
