/**
 * The concordance: every occurrence as keyword in context (left context right-aligned | word | right
 * context), grouped by sense cluster at the current layer, each group headed by its size, the
 * substitutes BERT proposes there and its characteristic context words. Lines are buttons (one tab stop,
 * ↑/↓/Home/End between them, Enter or a click reveals the occurrence).
 */
import type { SensesResult } from '../../src/protocol';
import { el } from '../dom';
import { moveFocus, rovingIndex } from '../keyboard';
import { t } from '../strings';
import { readTheme } from '../theme';
import { collocatesLabel, groupByCluster, substitutesLabel, type SenseGroup } from './kwic';
import { senseColor, senseName } from './look';

export interface Concordance {
  root: HTMLElement;
  /** Rebuilds the lines when the result, the layer or the look changed; keeps the scroll position and the focused line. */
  render(result: SensesResult, layer: number, force?: boolean): void;
  clear(): void;
}

export function createConcordance(onReveal: (index: number) => void): Concordance {
  const title = el('h2', { class: 'side-title' });
  const hint = el('p', { class: 'hint' });
  const list = el('div', { class: 'kwic', 'data-testid': 'senses-concordance', role: 'group' });
  const root = el('section', { class: 'senses-concordance-box' }, title, hint, list);
  let shown: { result: SensesResult; layer: number } | null = null;

  list.addEventListener('keydown', (e) => {
    const lines = Array.from(list.querySelectorAll<HTMLButtonElement>('.kwic-line'));
    const i = lines.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0) return;
    const next = rovingIndex(e.key, i, lines.length, 'vertical');
    if (next === null) return;
    e.preventDefault();
    moveFocus(lines, i, next);
  });

  function groupNodes(g: SenseGroup, result: SensesResult, color: string): Node[] {
    const c = g.cluster;
    const subs = substitutesLabel(c?.substitutes);
    const coll = collocatesLabel(c?.collocates);
    const swatch = el('span', { class: 'swatch', 'aria-hidden': 'true' });
    swatch.style.background = color;
    const headId = `kwic-head-${g.id}`;
    const head = el(
      'div',
      { class: 'kwic-head', 'data-testid': 'senses-group', 'data-cluster': g.id, id: headId },
      el('h3', {}, swatch, senseName(g.id)),
      el('span', { class: 'size' }, t('senseSize', { n: c?.size ?? g.size })),
      subs ? el('span', { class: 'label subs' }, `${t('senseSubstitutes')} `, el('b', {}, subs)) : null,
      coll ? el('span', { class: 'label colloc' }, `${t('senseCollocates')} `, el('b', {}, coll)) : null,
    );
    const lines = g.lines.map((line) => {
      const button = el(
        'button',
        {
          type: 'button',
          class: 'kwic-line',
          'data-testid': 'senses-line',
          'data-index': line.index,
          'data-cluster': g.id,
          'aria-describedby': headId,
          title: t('sensesRevealTitle', { where: line.where }),
          tabindex: -1,
        },
        el('span', { class: 'kwic-left' }, line.left),
        el('span', { class: 'kwic-word' }, line.keyword),
        el('span', { class: 'kwic-right' }, line.right),
        el('span', { class: 'kwic-count', title: line.count > 1 ? t('sensesCountTitle', { n: line.count }) : null }, line.count > 1 ? t('sensesCount', { n: line.count }) : ''),
        el('span', { class: 'kwic-where' }, line.where),
      );
      button.style.setProperty('--sense-color', color);
      if (result.also && line.word === result.also && line.word !== result.word) button.classList.add('also');
      button.addEventListener('click', () => onReveal(line.index));
      return button;
    });
    return [head, ...lines];
  }

  return {
    root,
    render(result, layer, force = false) {
      title.textContent = t('sensesConcordanceTitle', { layer });
      hint.textContent = t('sensesConcordanceHint');
      if (!force && shown && shown.result === result && shown.layer === layer) return;
      shown = { result, layer };
      const scrollTop = list.scrollTop;
      const focused = list.contains(document.activeElement) ? (document.activeElement as HTMLElement).dataset.index : undefined;
      const theme = readTheme();
      const nodes = groupByCluster(result, layer).flatMap((g) => groupNodes(g, result, senseColor(theme, g.id)));
      list.replaceChildren(...nodes);
      const lines = Array.from(list.querySelectorAll<HTMLButtonElement>('.kwic-line'));
      const again = focused === undefined ? undefined : lines.find((b) => b.dataset.index === focused);
      (again ?? lines[0])?.setAttribute('tabindex', '0');
      list.scrollTop = scrollTop;
      again?.focus({ preventScroll: true });
    },
    clear() {
      shown = null;
      list.replaceChildren();
    },
  };
}
