/**
 * Tab "Attention": head view (SVG, vertical or horizontal), heat map (Plotly heatmap), all layers × heads grid
 * (canvas thumbnails or coloured by a head statistic). The head view and heat map show one head, the mean of
 * a layer's heads, or a summary over layers (mean, rollout), over pieces or words (the top bar's unit).
 */
import { GRID_COLOURINGS, type AttentionSummaryView, type GridColouring, type SnippetView } from '../../src/protocol';
import { attentionMatrix, renormalizeRows, rowSumRange, type Matrix } from '../attentionMath';
import { on } from '../bus';
import { clear, el } from '../dom';
import { persist, state } from '../state';
import { t } from '../strings';
import { sendRequest } from '../requests';
import { createAttentionControls, fillSelect } from './controls';
import { createCausalNote } from './causalNote';
import { createAttentionGrid, type GridPaint } from './grid';
import { headArcsSvg } from './headArcs';
import { headViewSvg } from './headView';
import { createHeatmap } from './heatmap';
import { labeller, wordOfPiece } from './labels';
import { LONG_TEXT_ROWS, autoLayoutReason, chooseHeadLayout } from './layout';
import { attentionUnitKey, summaryKey } from './model';
import { hidesSome, isShownInAttention, layerCount, shownLayer, shownSnippet } from './shown';

export interface AttentionView {
  root: HTMLElement;
  show(): void;
  hide(): void;
}

/** What the head view and heat map draw, with the caption that says what it is. */
interface Shown {
  matrix: Matrix;
  /** Each word's first piece, in words mode. */
  wordFirstPieces?: number[];
  caption: string;
  /** The head's colour in the head view (−1: the accent, for means and summaries). */
  head: number;
}

const wordsMode = (): boolean => state.persisted.unit === 'words';

export function createAttentionView(): AttentionView {
  let visible = false;
  const controls = createAttentionControls(() => render());
  const status = el('p', { class: 'hint status', 'aria-live': 'polite' });
  const caption = el('p', { class: 'att-caption', 'data-testid': 'attention-caption', 'aria-live': 'polite' });
  const rowsCaption = el('p', { class: 'hint', 'data-testid': 'attention-rows-caption' });
  const wordsCaption = el('p', { class: 'hint', 'data-testid': 'attention-words-caption' });
  const headTitle = el('h2', { class: 'side-title' });
  const headHint = el('p', { class: 'hint' });
  // Focusable: a horizontal view wider than the panel scrolls with the arrow keys.
  const headBox = el('div', { class: 'head-view-box', tabindex: 0, 'data-testid': 'head-view-box' });
  const heatTitle = el('h2', { class: 'side-title' });
  const heatmap = createHeatmap(() => visible);
  const gridTitle = el('h2', { class: 'side-title' });
  const gridHint = el('p', { class: 'hint' });
  const colouringLabel = el('label', { for: 'att-grid-colouring' });
  const colouringSelect = el('select', { id: 'att-grid-colouring', 'data-testid': 'grid-colouring' });
  const grid = createAttentionGrid((attentionLayer, head) => {
    state.persisted.attentionLayer = attentionLayer;
    state.persisted.head = head;
    // A head picked in the grid is shown as itself, not under a summary.
    delete state.persisted.attentionSummary;
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
    el('div', { class: 'att-captions' }, caption, rowsCaption, wordsCaption),
    el(
      'div',
      { class: 'att-panels' },
      el('section', { class: 'att-panel head-panel' }, headTitle, headHint, headBox),
      el('section', { class: 'att-panel heat-panel' }, heatTitle, heatmap.root),
    ),
    el('section', { class: 'att-panel grid-panel' }, gridTitle, el('div', { class: 'toolbar' }, colouringLabel, colouringSelect), gridHint, grid.legend, grid.root),
  );

  colouringSelect.addEventListener('change', () => {
    const colouring = GRID_COLOURINGS.find((c) => c === colouringSelect.value);
    if (colouring) state.persisted.gridColouring = colouring;
    persist();
    render();
  });

  /** Asks the host for what the shown snippet, layer, summary and colouring still lack (once each until it answers). */
  function request(s: SnippetView): void {
    const words = wordsMode();
    const p = state.persisted;
    if (p.attentionSummary) {
      const key = summaryKey(s.id, p.attentionSummary, undefined, words);
      if (!state.attentionSummaries.has(key) && !state.attentionSummaryRequested.has(key)) {
        state.attentionSummaryRequested.add(key);
        sendRequest({ type: 'requestAttentionSummary', snippetId: s.id, kind: p.attentionSummary, words }, { kind: 'attentionSummary', key });
      }
    } else {
      const attentionLayer = shownLayer();
      const key = attentionUnitKey(s.id, attentionLayer, words);
      if (!state.attention.has(key) && !state.attentionRequested.has(key)) {
        state.attentionRequested.add(key);
        sendRequest({ type: 'requestAttention', snippetId: s.id, attentionLayer, ...(words ? { words } : {}) }, { kind: 'attention', key });
      }
    }
    if (!state.grids.has(s.id) && !state.gridRequested.has(s.id)) {
      state.gridRequested.add(s.id);
      sendRequest({ type: 'requestAttentionGrid', snippetId: s.id }, { kind: 'grid', snippetId: s.id });
    }
    if ((p.gridColouring ?? 'attention') !== 'attention' && !state.headStats.has(s.id) && !state.headStatsRequested.has(s.id)) {
      state.headStatsRequested.add(s.id);
      sendRequest({ type: 'requestHeadStats', snippetId: s.id }, { kind: 'headStats', snippetId: s.id });
    }
  }

  /** The matrix to draw, when its data is here: a summary, or one head / the mean of the layer's heads. */
  function shownMatrix(s: SnippetView): Shown | undefined {
    const p = state.persisted;
    const words = wordsMode();
    const keep = (ti: number): boolean => isShownInAttention(s.tokens[ti]);
    const last = layerCount();
    if (p.attentionSummary) {
      const summary: AttentionSummaryView | undefined = state.attentionSummaries.get(summaryKey(s.id, p.attentionSummary, undefined, words));
      if (!summary) return undefined;
      const text = p.attentionSummary === 'rollout' ? t('captionRollout', { last }) : t('captionMeanLayers', { last });
      return { matrix: attentionMatrix(summary.weights, 1, summary.tokenIndices, 0, keep), wordFirstPieces: summary.wordIndices ? summary.tokenIndices : undefined, caption: text, head: -1 };
    }
    const layer = shownLayer();
    const att = state.attention.get(attentionUnitKey(s.id, layer, words));
    if (!att) return undefined;
    const text = p.head >= 0 ? t('captionHead', { head: p.head + 1, layer }) : t('captionMeanHeads', { n: att.numHeads, layer });
    return { matrix: attentionMatrix(att.weights, att.numHeads, att.tokenIndices, p.head, keep), wordFirstPieces: att.wordIndices ? att.tokenIndices : undefined, caption: text, head: p.head };
  }

  /** The rows as given (their sums when some tokens are hidden) or renormalised, and the caption that says which. */
  function rowsShown(s: SnippetView, matrix: Matrix): Matrix {
    if (!hidesSome(s)) {
      rowsCaption.textContent = t('rowsAsGiven');
      return matrix;
    }
    if (state.persisted.renormalizeHidden) {
      rowsCaption.textContent = t('rowsRenormalized');
      return renormalizeRows(matrix);
    }
    const range = rowSumRange(matrix);
    rowsCaption.textContent = range ? t('rowsAsGivenHidden', { min: range.min.toFixed(2), max: range.max.toFixed(2) }) : t('rowsAsGiven');
    return matrix;
  }

  function gridPaint(s: SnippetView): GridPaint {
    const colouring: GridColouring = state.persisted.gridColouring ?? 'attention';
    return colouring === 'attention' ? { kind: 'attention' } : { kind: 'stat', key: colouring, stats: state.headStats.get(s.id)?.stats };
  }

  function render(): void {
    controls.render();
    headTitle.textContent = t('headView');
    heatTitle.textContent = t('heatmap');
    gridTitle.textContent = t('grid');
    colouringLabel.textContent = t('gridColouring');
    const colouring = state.persisted.gridColouring ?? 'attention';
    fillSelect(colouringSelect, GRID_COLOURINGS.map((c) => [c, t(`gridColouring.${c}`)]), colouring);
    gridHint.textContent = colouring === 'attention' ? t('gridThumbsHint') : t('gridStatsHint');
    headBox.setAttribute('aria-label', t('headView'));
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
      caption.textContent = '';
      rowsCaption.textContent = '';
      wordsCaption.textContent = '';
      return;
    }
    // An export that fuses attention has none to send (the causal note says so): asking would only fail.
    if (state.model?.attentionAvailable !== false) request(s);
    const shown = shownMatrix(s);
    status.textContent = shown ? '' : t('loading');
    wordsCaption.textContent = wordsMode() ? t('wordsConvention') : '';
    wordsCaption.hidden = !wordsMode();
    clear(headBox);
    if (shown) {
      caption.textContent = shown.caption;
      const matrix = rowsShown(s, shown.matrix);
      const label = labeller(s, shown.wordFirstPieces);
      const picked = state.persisted.selectedSnippetId === s.id ? state.persisted.selectedTokens : [];
      // In words mode a selected piece selects its word (the row under the word's first piece).
      const selected = [...new Set(shown.wordFirstPieces ? picked.map((i) => wordOfPiece(shown.wordFirstPieces!, i)) : picked)].filter((i) => matrix.tokens.includes(i));
      const layout = chooseHeadLayout(state.persisted.headLayout, s.text, matrix.tokens.length);
      let hint = layout === 'horizontal' ? t('headViewArcsHint') : t('headViewHint');
      if ((state.persisted.headLayout ?? 'auto') === 'auto') {
        const why = autoLayoutReason(s.text, matrix.tokens.length);
        hint = `${why === 'cjk' ? t('autoLayoutCjk') : why === 'long' ? t('autoLayoutLong', { n: LONG_TEXT_ROWS }) : t('autoLayoutVertical')} ${hint}`;
      }
      headHint.textContent = selected.length ? `${t('headViewSelected', { n: selected.length })} ${hint}` : hint;
      headBox.classList.toggle('horizontal', layout === 'horizontal');
      headBox.appendChild((layout === 'horizontal' ? headArcsSvg : headViewSvg)(label, matrix, selected, shown.head));
      void heatmap.draw(label, matrix);
    } else {
      caption.textContent = '';
      rowsCaption.textContent = '';
      headHint.textContent = t('headViewHint');
    }
    // A summary over every layer marks no cell; the mean of a layer's heads marks its row.
    const summary = !!state.persisted.attentionSummary;
    grid.draw(s, state.grids.get(s.id), summary ? -1 : shownLayer(), summary ? -1 : state.persisted.head, gridPaint(s));
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
  // The top bar's Pieces / Words switch: here it asks for (or shows) the attention in that unit.
  on('unit', rerender);

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
