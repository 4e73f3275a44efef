/** The Guess Masked Span result as hover Markdown: the peek on the highlighted span. */
import * as vscode from 'vscode';
import type { SpanGuessesResult } from '../../engine/predictions/types';
import { formatProbability } from '../../shared/format';

/** How many guesses per masked position the peek lists (the Tokens tab shows them all). */
const PEEK_TOP = 3;

export function spanMarkdown(result: SpanGuessesResult, spanText: string, modelName: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown('**Context Lens** · ');
  md.appendText(vscode.l10n.t('BERT fills the masked span “{0}” ({1} tokens masked at once):', spanText, result.tokenIndices.length));
  md.appendMarkdown('\n\n');
  if (result.fills.length === 0) md.appendText(vscode.l10n.t('No fills.'));
  result.fills.forEach((f, i) => {
    md.appendMarkdown(`${i + 1}. `);
    md.appendText(f.text);
    md.appendMarkdown(` — ${formatProbability(f.score)}`);
    if (f.text === spanText) md.appendMarkdown(' ✓');
    md.appendMarkdown('\n');
  });
  md.appendMarkdown('\n');
  md.appendText(vscode.l10n.t('Each position, all masked together:'));
  md.appendMarkdown('\n\n');
  result.positions.forEach((guesses, i) => {
    md.appendMarkdown('- ');
    md.appendText(`${result.tokens[i]?.piece ?? '?'} → ${guesses.slice(0, PEEK_TOP).map((g) => `${g.token} ${formatProbability(g.probability)}`).join(', ')}`);
    md.appendMarkdown('\n');
  });
  md.appendMarkdown('\n');
  md.appendText(vscode.l10n.t('Score: the product of the probabilities of the fills, most confident position first. Model: {0}', modelName));
  return md;
}
