/** How a token reads on screen: its text, whether it joins the previous chip, and the sentence around it. */
import type { SnippetView, TokenView } from '../src/protocol';

/** The text a token shows: its surface text, or the piece without `##` (special tokens keep `[CLS]`). */
export function displayPiece(token: Pick<TokenView, 'piece' | 'surface' | 'special'>): string {
  if (token.special) return token.piece;
  if (token.surface) return token.surface;
  return token.piece.startsWith('##') ? token.piece.slice(2) : token.piece;
}

/** True for a WordPiece continuation (`##ing`): it is drawn joined to the previous chip. */
export function isContinuation(token: Pick<TokenView, 'piece' | 'special'>): boolean {
  return !token.special && token.piece.startsWith('##');
}

export interface TokenContext {
  before: string;
  token: string;
  after: string;
}

/** A sentence ends after 。！？!?; or a newline, or after `.` followed by whitespace or the end. */
function isSentenceEnd(text: string, i: number): boolean {
  const c = text[i];
  if (/[。！？；!?;\n]/.test(c)) return true;
  return c === '.' && (i + 1 >= text.length || /\s/.test(text[i + 1]));
}

/** Collapse whitespace runs (newlines included) to one space. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ');
}

/**
 * The token inside its sentence: up to `radius` characters either side (cut at the ends with `…`),
 * whitespace collapsed. Special tokens get the snippet's start ([CLS]) or end ([SEP]) as context.
 */
export function tokenContext(snippet: Pick<SnippetView, 'text'>, token: TokenView, radius = 24): TokenContext {
  const text = snippet.text;
  let start = token.start;
  let end = token.end;
  const special = token.special || end <= start;
  if (special) {
    const atEnd = token.piece === '[SEP]' || token.index > 0;
    start = end = atEnd ? text.length : 0;
  }
  start = Math.max(0, Math.min(start, text.length));
  end = Math.max(start, Math.min(end, text.length));
  // Stay inside the token's own sentence (special tokens see the whole text).
  let lo = 0;
  let hi = text.length;
  if (!special) {
    for (let i = start - 1; i >= 0; i--) if (isSentenceEnd(text, i)) { lo = i + 1; break; }
    for (let i = end; i < text.length; i++) if (isSentenceEnd(text, i)) { hi = i + 1; break; }
  }
  const from = Math.max(lo, start - radius);
  const to = Math.min(hi, end + radius);
  const before = (from > lo ? '…' : '') + oneLine(text.slice(from, start)).trimStart();
  const after = oneLine(text.slice(end, to)).trimEnd() + (to < hi ? '…' : '');
  const surface = token.special ? token.piece : oneLine(text.slice(start, end)) || displayPiece(token);
  return { before, token: surface, after };
}
