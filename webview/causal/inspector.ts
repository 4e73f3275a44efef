/**
 * The Tokens tab's inspector for a causal model (issue 13): the token in its sentence, what the model
 * expected here before seeing it (its next-token guesses at the token before, the token marked when among
 * them), the token's probability, rank and surprisal, and what it expects next; then the logit lens.
 * Token text is data: text nodes only.
 */
import type { SnippetView, TokenView } from '../../src/protocol';
import { formatProbability } from '../../src/shared/format';
import { el } from '../dom';
import { guessList } from '../guessList';
import { t } from '../strings';
import { tokenContext } from '../tokenText';
import { causalFacts, displayGuessToken, tokenName } from './causalFacts';
import { formatBits } from './surprisal';

export function causalInspector(snippet: SnippetView, token: TokenView, lensPart: HTMLElement | null): HTMLElement {
  const facts = causalFacts(token);
  const shown = tokenName(token);
  const ctx = tokenContext(snippet, token, 30);
  const root = el(
    'div',
    { class: 'causal-inspector', 'data-testid': 'causal-inspector' },
    el('h2', { class: 'side-title' }, t('causalInspectorTitle', { token: shown })),
    el('p', { class: 'context' }, ctx.before, el('mark', {}, ctx.token), ctx.after),
    el('p', { class: 'hint' }, snippet.label, token.piece !== shown ? ` · ${displayGuessToken(token.piece)}` : ''),
  );
  if (token.special) {
    root.appendChild(el('p', { class: 'hint' }, t('guessesNone')));
    return root;
  }
  root.appendChild(el('h3', {}, t('causalExpected')));
  if (facts.probability === undefined && !facts.expected.length) {
    root.appendChild(el('p', { class: 'hint', 'data-testid': 'causal-expected-none' }, t('causalExpectedNone')));
  } else {
    root.appendChild(guessList(facts.expected, { 'data-testid': 'causal-expected', 'data-mode': 'causal' }, (_, i) => i === facts.hit, displayGuessToken));
    const line = el('p', { class: 'causal-token-line', 'data-testid': 'causal-token-line' });
    if (facts.probability !== undefined) {
      line.append(t('causalTokenLine', { token: shown, p: formatProbability(facts.probability), rank: facts.rank ?? '–', bits: formatBits(facts.bits ?? NaN) }));
      line.dataset.bits = formatBits(facts.bits ?? NaN);
    }
    if (facts.hit < 0 && facts.expected.length) line.append(el('span', { class: 'not-in-top' }, t('causalNotInTop', { token: shown })));
    root.appendChild(line);
  }
  root.appendChild(el('h3', {}, t('causalNext')));
  root.appendChild(facts.next.length ? guessList(facts.next, { 'data-testid': 'causal-next', 'data-mode': 'causal' }, () => false, displayGuessToken) : el('p', { class: 'hint' }, t('noGuesses')));
  if (lensPart) root.appendChild(lensPart);
  return root;
}
