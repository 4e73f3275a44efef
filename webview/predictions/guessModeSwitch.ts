/**
 * The Tokens tab's "Masked / Unmasked" switch: two toggle buttons (aria-pressed) in a labelled group, one
 * tab stop, arrow keys move and choose. Kept in state.persisted.guessMode.
 */
import type { WebviewPersistedState } from '../../src/protocol';
import { el } from '../dom';
import { moveFocus, rovingIndex } from '../keyboard';
import { persist, state } from '../state';
import { t } from '../strings';

export type GuessMode = NonNullable<WebviewPersistedState['guessMode']>;
const MODES: readonly GuessMode[] = ['masked', 'unmasked'];

export function guessMode(): GuessMode {
  return state.persisted.guessMode === 'unmasked' ? 'unmasked' : 'masked';
}

export interface GuessModeSwitch {
  root: HTMLElement;
  /** Re-reads the strings and the mode. */
  update(): void;
}

export function createGuessModeSwitch(onChange: () => void): GuessModeSwitch {
  const label = el('span', { class: 'gm-label', id: 'cl-guess-mode-label' });
  const buttons = MODES.map((mode) => {
    const b = el('button', { type: 'button', class: 'gm-button', 'data-testid': `guess-mode-${mode}`, 'data-mode': mode });
    b.addEventListener('click', () => choose(mode));
    return b;
  });
  const group = el('div', { class: 'gm-group', role: 'group', 'aria-labelledby': 'cl-guess-mode-label', 'aria-describedby': 'cl-guess-mode-hint' }, ...buttons);
  const hint = el('p', { class: 'hint gm-hint', id: 'cl-guess-mode-hint', 'data-testid': 'guess-mode-hint' });
  group.addEventListener('keydown', (e) => {
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0) return;
    const next = rovingIndex(e.key, i, buttons.length);
    if (next === null) return;
    e.preventDefault();
    moveFocus(buttons, i, next);
    choose(MODES[next]);
  });

  function choose(mode: GuessMode): void {
    if (guessMode() === mode) return;
    state.persisted.guessMode = mode;
    persist();
    update();
    onChange();
  }

  function update(): void {
    label.textContent = t('guessMode');
    hint.textContent = t('guessModeHint');
    const current = guessMode();
    buttons.forEach((b, i) => {
      b.textContent = t(`guessMode.${MODES[i]}`);
      b.setAttribute('aria-pressed', String(MODES[i] === current));
      b.tabIndex = MODES[i] === current ? 0 : -1;
    });
  }

  update();
  return { root: el('div', { class: 'guess-mode' }, label, group, hint), update };
}
