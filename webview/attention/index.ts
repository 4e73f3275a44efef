/** Tab "Attention": head view (SVG), heat map (Plotly heatmap), all layers × heads grid (canvas). */
import { attentionMatrix } from '../attentionMath';
import { on } from '../bus';
import { clear, el } from '../dom';
import { attentionKey } from '../keys';
import { isVisibleToken, persist, state } from '../state';
import { t } from '../strings';
import { sendRequest } from '../requests';
import { createAttentionControls } from './controls';
import { createCausalNote } from './causalNote';
import { createAttentionGrid } from './grid';
import { headViewSvg } from './headView';
import { createHeatmap } from './heatmap';
import { shownLayer, shownSnippet } from './shown';

export interface AttentionView {
  root: HTMLElement;
  show(): void;
  hide(): void;
}

export function createAttentionView(): AttentionView {
  let visible = false;
  const controls = createAttentionControls(() => render());
  const status = el('p', { class: 'hint status', 'aria-live': 'polite' });
  const headTitle = el('h2', { class: 'side-title' });
  const headHint = el('p', { class: 'hint' });
  const headBox = el('div', { class: 'head-view-box' });
  const heatTitle = el('h2', { class: 'side-title' });
  const heatmap = createHeatmap(() => visible);
  const gridTitle = el('h2', { class: 'side-title' });
  const gridHint = el('p', { class: 'hint' });
  const grid = createAttentionGrid((attentionLayer, head) => {
    state.persisted.attentionLayer = attentionLayer;
    state.persisted.head = head;
    persist();
    render();
  });
  const empty = el('div', { class: 'empty' });

  const root = el(
    'div',
    { class: 'attention-layout' },
    controls.root,
    createCausalNote(),
    status,
    empty,
    el(
      'div',
      { class: 'att-panels' },
      el('section', { class: 'att-panel head-panel' }, headTitle, headHint, headBox),
      el('section', { class: 'att-panel heat-panel' }, heatTitle, heatmap.root),
    ),
    el('section', { class: 'att-panel grid-panel' }, gridTitle, gridHint, grid.root),
  );

  /** Asks the host for what the shown snippet and layer still lack (once each until it answers). */
  function request(): void {
    const s = shownSnippet();
    if (!s || !visible) return;
    const attentionLayer = shownLayer();
    const key = attentionKey(s.id, attentionLayer);
    if (!state.attention.has(key) && !state.attentionRequested.has(key)) {
      state.attentionRequested.add(key);
      sendRequest({ type: 'requestAttention', snippetId: s.id, attentionLayer }, { kind: 'attention', key });
    }
    if (!state.grids.has(s.id) && !state.gridRequested.has(s.id)) {
      state.gridRequested.add(s.id);
      sendRequest({ type: 'requestAttentionGrid', snippetId: s.id }, { kind: 'grid', snippetId: s.id });
    }
  }

  function render(): void {
    controls.render();
    headTitle.textContent = t('headView');
    heatTitle.textContent = t('heatmap');
    gridTitle.textContent = t('grid');
    gridHint.textContent = t('gridHint');
    const s = shownSnippet();
    empty.hidden = !!s;
    root.classList.toggle('no-data', !s);
    if (!s) {
      clear(empty);
      empty.append(el('h2', {}, t('emptyTitle')), el('ol', {}, el('li', {}, t('emptyStep1')), el('li', {}, t('emptyStep2'))));
      clear(headBox);
      grid.clear();
      heatmap.clear();
      status.textContent = '';
      return;
    }
    request();
    const att = state.attention.get(attentionKey(s.id, shownLayer()));
    status.textContent = att ? '' : t('loading');
    if (att) {
      const matrix = attentionMatrix(att.weights, att.numHeads, att.tokenIndices, state.persisted.head, (i) => isVisibleToken(s.tokens[i]));
      const selected = state.persisted.selectedSnippetId === s.id ? state.persisted.selectedTokens.filter((i) => matrix.tokens.includes(i)) : [];
      headHint.textContent = selected.length ? t('headViewSelected', { n: selected.length }) : t('headViewHint');
      clear(headBox);
      headBox.appendChild(headViewSvg(s, matrix, selected, state.persisted.head));
      void heatmap.draw(s, matrix);
    } else {
      clear(headBox);
      headHint.textContent = t('headViewHint');
    }
    grid.draw(s, state.grids.get(s.id), shownLayer(), state.persisted.head);
  }

  const rerender = (): void => {
    if (visible) render();
  };
  on('snippets', rerender);
  on('attention', rerender);
  on('grid', rerender);
  on('selection', rerender);
  on('hideSpecial', rerender);
  on('theme', rerender);
  on('strings', rerender);
  on('model', rerender);

  return {
    root,
    show() {
      visible = true;
      render();
    },
    hide() {
      visible = false;
    },
  };
}
