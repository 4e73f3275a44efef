/**
 * The Compare table: a row per aligned span, each model's tokens there, its guess and the probability of
 * the tokens there. All token text is data (textContent). ↑ / ↓ move between rows; a row focused or hovered
 * is marked in both maps.
 */
import type { CompareRow, CompareSide, CompareView } from '../../src/protocol';
import { formatProbability } from '../../src/shared/format';
import { el } from '../dom';
import { t } from '../strings';
import { visibleText } from './model';

export interface CompareTable {
  root: HTMLElement;
  render(view: CompareView): void;
  focusRow(row: number): void;
  clear(): void;
}

export function createCompareTable(onHighlight: (row: number | null) => void): CompareTable {
  const table = el('table', { class: 'compare-table', 'data-testid': 'compare-table', 'aria-describedby': 'compare-table-caption' });
  // Above the table, not its <caption>: a caption as long as this one would set the table's width.
  const caption = el('p', { class: 'compare-table-caption', id: 'compare-table-caption' });
  const root = el('div', { class: 'compare-table-box' }, caption, table);
  let rowsShown: HTMLTableRowElement[] = [];

  function sideCells(side: CompareSide | null, kind: string, which: 'a' | 'b'): HTMLTableCellElement[] {
    if (!side) return [el('td', { class: `${which} token none`, colspan: 3, title: t('compareNoToken') }, '—')];
    const hit = side.guessIsToken;
    const unknown = kind === 'causal' ? t('compareUnknownCausal') : t('compareUnknownMasked');
    return [
      el('td', { class: `${which} token` }, side.token),
      el('td', { class: `${which} guess${hit ? ' hit' : ''}`, title: hit ? t('compareHit') : null }, side.guess ?? '—'),
      el('td', { class: `${which} p`, title: side.probability === null ? unknown : null }, side.probability === null ? '—' : formatProbability(side.probability)),
    ];
  }

  /** One header row (sticky): A's three columns, then B's, each naming its model's letter; the title says which model is which. */
  function header(view: CompareView): HTMLTableSectionElement {
    const cols = (which: 'a' | 'b') => {
      const kind = view.models[which === 'a' ? 0 : 1].kind;
      const letter = which.toUpperCase();
      return [
        el('th', { scope: 'col', class: `${which} token` }, `${letter} ${t('compareToken')}`),
        el('th', { scope: 'col', class: which, title: t(kind === 'causal' ? 'compareGuessCausalTitle' : 'compareGuessMaskedTitle') }, `${letter} ${t('compareGuess')}`),
        el('th', { scope: 'col', class: `${which} p`, title: t(kind === 'causal' ? 'compareProbabilityCausalTitle' : 'compareProbabilityMaskedTitle') }, `${letter} ${t('compareProbability')}`),
      ];
    };
    return el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('compareText')), ...cols('a'), ...cols('b')));
  }

  function rowElement(view: CompareView, row: CompareRow, i: number): HTMLTableRowElement {
    const tr = el(
      'tr',
      { 'data-row': i, 'data-testid': 'compare-row', tabindex: i === 0 ? 0 : -1 },
      el('th', { scope: 'row', class: 'text', title: `[${row.start}, ${row.end})` }, visibleText(row.text)),
      ...sideCells(row.a, view.models[0].kind, 'a'),
      ...sideCells(row.b, view.models[1].kind, 'b'),
    );
    tr.addEventListener('mouseenter', () => onHighlight(i));
    tr.addEventListener('focus', () => onHighlight(i));
    return tr;
  }

  function focusRow(i: number): void {
    const tr = rowsShown[Math.max(0, Math.min(rowsShown.length - 1, i))];
    if (!tr) return;
    for (const r of rowsShown) r.tabIndex = r === tr ? 0 : -1;
    tr.focus();
    tr.scrollIntoView({ block: 'nearest' });
  }

  table.addEventListener('keydown', (e) => {
    const current = rowsShown.indexOf(document.activeElement as HTMLTableRowElement);
    if (current < 0) return;
    const next = e.key === 'ArrowDown' ? current + 1 : e.key === 'ArrowUp' ? current - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? rowsShown.length - 1 : null;
    if (next === null) return;
    e.preventDefault();
    focusRow(next);
  });
  table.addEventListener('mouseleave', () => onHighlight(null));

  return {
    root,
    render(view) {
      rowsShown = view.rows.map((r, i) => rowElement(view, r, i));
      caption.textContent = t('compareTableCaption');
      table.replaceChildren(header(view), el('tbody', {}, ...rowsShown));
      table.dataset.rows = String(view.rows.length);
    },
    focusRow,
    clear() {
      rowsShown = [];
      table.replaceChildren();
      table.dataset.rows = '0';
    },
  };
}
