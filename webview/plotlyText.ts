/**
 * Text for Plotly, which renders labels, hover text, legend names and tick labels as a small HTML
 * dialect. Token text is DATA from the user's files: it reaches Plotly only through `escapePlotly`.
 */
import { formatProbability } from '../src/shared/format';
import type { TokenContext } from './tokenText';

const PLOTLY_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&#34;',
  "'": '&#39;',
  // `$…$` would be handed to MathJax when a page has it; `%{…}` is template syntax. Neutralise both.
  $: '&#36;',
  '%': '&#37;',
};

/** Escape text for Plotly's pseudo-HTML (text labels, hover text, legend names, tick labels). */
export function escapePlotly(text: string): string {
  return String(text).replace(/[&<>"'$%]/g, (c) => PLOTLY_ESCAPES[c]).replace(/\r\n?|\n/g, ' ');
}

/** Plotly hover HTML: the token bold and bracketed inside its context, then its guesses. All data escaped. */
export function hoverHtml(
  label: string,
  ctx: TokenContext,
  guesses: { token: string; probability: number }[],
  guessesTitle: string,
  maxGuesses = 5,
  /** Shown instead of the guesses while they are being computed. */
  pendingNote?: string,
): string {
  const lines = [
    `<b>${escapePlotly(ctx.token)}</b>  <i>${escapePlotly(label)}</i>`,
    `${escapePlotly(ctx.before)}<b>[${escapePlotly(ctx.token)}]</b>${escapePlotly(ctx.after)}`,
  ];
  if (!guesses.length && pendingNote) lines.push(`<i>${escapePlotly(pendingNote)}</i>`);
  if (guesses.length) {
    lines.push(escapePlotly(guessesTitle));
    for (const g of guesses.slice(0, maxGuesses)) lines.push(`  ${escapePlotly(g.token)}  ${formatProbability(g.probability)}`);
  }
  return lines.join('<br>');
}
