import type { SnippetView } from '../../src/protocol';
import { displayPiece } from '../tokenText';

const MAX_LABEL = 14;

/** A token's label on the head view and the heat map axes: its text, cut to MAX_LABEL characters. */
export function tokenLabel(snippet: SnippetView, tokenIndex: number): string {
  const token = snippet.tokens[tokenIndex];
  const s = token ? displayPiece(token) : String(tokenIndex);
  return s.length > MAX_LABEL ? `${s.slice(0, MAX_LABEL - 1)}…` : s;
}
