/**
 * The top bar's Pieces / Words switch (issue 12): a labelled radio group of two buttons, one tab stop,
 * arrow keys (or Space / Enter / a click) choose. Kept in state.persisted.unit; the host re-projects the
 * map in that unit (setUnit) and the Tokens tab groups its chips by word.
 */
import type { MapUnit } from '../src/protocol';
import { emit, on } from './bus';
import { el } from './dom';
import { rovingIndex } from './keyboard';
import { sendRequest } from './requests';
import { persist, shownUnit, state } from './state';
import { t } from './strings';
import { requestAllWords } from './words/words';

const UNITS: readonly MapUnit[] = ['pieces', 'words'];
const ARROW_AS_HORIZONTAL: Record<string, string> = { ArrowUp: 'ArrowLeft', ArrowDown: 'ArrowRight' };

export function createUnitSwitch(): HTMLElement {
  const label = el('span', { class: 'unit-label', id: 'cl-unit-label' });
  const hint = el('span', { class: 'visually-hidden', id: 'cl-unit-hint' });
  const radios = UNITS.map((unit, i) => {
    const b = el('button', { type: 'button', role: 'radio', class: 'unit-option', 'data-testid': `unit-${unit}`, 'data-unit': unit });
    b.addEventListener('click', () => choose(unit));
    b.addEventListener('keydown', (e) => onArrow(e, i));
    return b;
  });
  const group = el('div', { class: 'unit-group', role: 'radiogroup', 'aria-labelledby': 'cl-unit-label', 'aria-describedby': 'cl-unit-hint', 'data-testid': 'unit-switch' }, ...radios);
  /** A radio group's arrows (all four) wrap and choose as they move (WAI-ARIA radio group pattern). */
  function onArrow(e: KeyboardEvent, from: number): void {
    const to = rovingIndex(ARROW_AS_HORIZONTAL[e.key] ?? e.key, from, radios.length);
    if (to === null) return;
    e.preventDefault();
    // Choosing moves the one tab stop to the chosen radio (render), then focus follows it.
    radios[to].click();
    radios[to].focus();
  }

  function choose(unit: MapUnit): void {
    if (shownUnit() === unit) return;
    state.persisted.unit = unit;
    persist();
    if (unit === 'words') requestAllWords();
    sendRequest({ type: 'setUnit', unit }, { kind: 'projection' });
    render();
    emit('unit');
  }

  function render(): void {
    label.textContent = t('unit');
    hint.textContent = t('unitHint');
    group.title = t('unitHint');
    group.dataset.unit = shownUnit();
    radios.forEach((b, i) => {
      const checked = UNITS[i] === shownUnit();
      b.textContent = t(`unit.${UNITS[i]}`);
      b.setAttribute('aria-checked', String(checked));
      b.tabIndex = checked ? 0 : -1;
    });
  }

  on('strings', render);
  render();
  return el('div', { class: 'ctl unit-switch' }, label, group, hint);
}
