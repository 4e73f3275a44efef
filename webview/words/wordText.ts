/** How a word (issue 12) reads on screen: its label, its sentence around it, and the map's hover text. */
import type { SnippetView, TokenView, Word } from '../../src/protocol';
import { formatProbability } from '../../src/shared/format';
import { escapePlotly } from '../plotlyText';
import { displayPiece, tokenContext, type TokenContext } from '../tokenText';

/** A word's label: its text, or (a special token) its piece. */
export function wordLabel(word: Pick<Word, 'text' | 'special'>, first: TokenView): string {
  return word.special || !word.text ? displayPiece(first) : word.text;
}

/** The word inside its sentence, as tokenContext gives it for a token spanning the word's range. */
export function wordContext(snippet: Pick<SnippetView, 'text' | 'tokens'>, word: Word, radius?: number): TokenContext {
  const first = snippet.tokens[word.tokenIndices[0]];
  if (word.special) return tokenContext(snippet, first, radius);
  return tokenContext(snippet, { ...first, start: word.start, end: word.end, surface: word.text }, radius);
}

/**
 * Plotly hover HTML for a word-point: the word in its context, then its pieces, each with its own top
 * masked guess (guesses stay per piece: a word has none of its own). All data escaped.
 */
export function wordHoverHtml(snippet: SnippetView, word: Word, strings: { label: string; piecesTitle: string; pending: string }): string {
  const first = snippet.tokens[word.tokenIndices[0]];
  const ctx = wordContext(snippet, word);
  const label = wordLabel(word, first);
  const lines = [`<b>${escapePlotly(label)}</b>  <i>${escapePlotly(strings.label)}</i>`, `${escapePlotly(ctx.before)}<b>[${escapePlotly(ctx.token)}]</b>${escapePlotly(ctx.after)}`];
  lines.push(escapePlotly(strings.piecesTitle));
  for (const i of word.tokenIndices) {
    const token = snippet.tokens[i];
    if (!token) continue;
    const top = token.guesses[0];
    const guess = top ? `→ ${escapePlotly(top.token)}  ${formatProbability(top.probability)}` : token.guessesPending ? `<i>${escapePlotly(strings.pending)}</i>` : '';
    lines.push(`  ${escapePlotly(token.piece)}  ${guess}`);
  }
  return lines.join('<br>');
}
