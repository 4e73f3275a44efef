import type { SnippetView } from '../../src/protocol';
import { displayPiece } from '../tokenText';

const MAX_LABEL = 14;

function cut(s: string): string {
  return s.length > MAX_LABEL ? `${s.slice(0, MAX_LABEL - 1)}…` : s;
}

/** A token's label on the head view and the heat map axes: its text, cut to MAX_LABEL characters. */
export function tokenLabel(snippet: SnippetView, tokenIndex: number): string {
  const token = snippet.tokens[tokenIndex];
  return cut(token ? displayPiece(token) : String(tokenIndex));
}

/**
 * The labels of a words-mode matrix's rows, by each word's first piece (`firstPieces`, in order, as the
 * engine sends them): word k covers its first piece up to the piece before word k + 1's (words are
 * consecutive runs of pieces); the last ends before the next special token or at the snippet's end. A word
 * reads as the text its pieces cover; a special token as its piece.
 */
export function wordLabels(snippet: SnippetView, firstPieces: readonly number[]): Map<number, string> {
  const labels = new Map<number, string>();
  const tokens = snippet.tokens;
  firstPieces.forEach((first, k) => {
    const token = tokens[first];
    if (!token) return;
    if (token.special) {
      labels.set(first, cut(token.piece));
      return;
    }
    let last = first;
    const end = k + 1 < firstPieces.length ? firstPieces[k + 1] : tokens.length;
    while (last + 1 < end && tokens[last + 1] && !tokens[last + 1].special) last++;
    labels.set(first, cut(snippet.text.slice(token.start, tokens[last].end) || displayPiece(token)));
  });
  return labels;
}

/** The labeller the views use: by word when the matrix is over words, else by token. */
export function labeller(snippet: SnippetView, wordFirstPieces: readonly number[] | undefined): (tokenIndex: number) => string {
  if (!wordFirstPieces) return (ti) => tokenLabel(snippet, ti);
  const words = wordLabels(snippet, wordFirstPieces);
  return (ti) => words.get(ti) ?? tokenLabel(snippet, ti);
}

/** The first piece of the word holding `tokenIndex` (the last first piece at or before it), or `tokenIndex` itself before the first. */
export function wordOfPiece(firstPieces: readonly number[], tokenIndex: number): number {
  let found = tokenIndex;
  for (const first of firstPieces) {
    if (first > tokenIndex) break;
    found = first;
  }
  return found;
}
