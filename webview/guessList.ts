/** A ranked list of guesses with probability bars: the Tokens tab's masked, unmasked and next-token guesses. Token text is data: text nodes only. */
import type { GuessView } from '../src/protocol';
import { formatProbability } from '../src/shared/format';
import { el } from './dom';

/** `hit(g)`: the guess is the token that is there (marked); `label`: how a guess's token reads. */
export function guessList(guesses: readonly GuessView[], attrs: Record<string, string>, hit: (g: GuessView, i: number) => boolean, label: (token: string) => string = (s) => s): HTMLElement {
  const max = Math.max(...guesses.map((g) => g.probability), 1e-9);
  const list = el('ol', { class: 'guesses', ...attrs });
  guesses.forEach((g, i) => {
    const fill = el('span', { class: 'fill' });
    fill.style.width = `${((g.probability / max) * 100).toFixed(1)}%`;
    list.appendChild(
      el(
        'li',
        { class: hit(g, i) ? 'guess hit' : 'guess' },
        el('span', { class: 'guess-token' }, label(g.token)),
        el('span', { class: 'bar', 'aria-hidden': 'true' }, fill),
        el('span', { class: 'prob' }, formatProbability(g.probability)),
      ),
    );
  });
  return list;
}
