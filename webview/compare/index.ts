/**
 * Tab "Compare" (Compare Models, issue 13): the selection through two models. The depth slider (0 = the
 * embeddings … 1 = the last layer; each model shows round(depth × its layers)), both maps side by side, and the
 * table of aligned rows with each model's guess and the probability of the token there.
 */
import type { CompareView } from '../../src/protocol';
import { on } from '../bus';
import { el } from '../dom';
import { installStyles } from '../pageStyles';
import { sendRequest } from '../requests';
import { persist, state } from '../state';
import { t } from '../strings';
import { compareDepth, layerAtDepth } from './model';
import { createCompareScatter } from './scatter';
import css from './styles.css';
import { createCompareTable } from './table';

/** The slider asks for its depth this long after the last move (or at once on `change`). */
const DEPTH_DEBOUNCE_MS = 200;
const DEPTH_STEP = 0.05;

export interface CompareTabView {
  root: HTMLElement;
  show(): void;
  hide(): void;
}

export function createCompareView(): CompareTabView {
  installStyles(css);
  const empty = el('div', { class: 'empty', 'data-testid': 'compare-empty' });
  const title = el('div', { class: 'compare-title', 'data-testid': 'compare-title' });
  const depthLabel = el('label', { for: 'compare-depth' });
  const depthInput = el('input', { type: 'range', id: 'compare-depth', 'data-testid': 'compare-depth', min: 0, max: 1, step: DEPTH_STEP, value: 1 });
  const depthValue = el('output', { for: 'compare-depth', class: 'layer-value', 'data-testid': 'compare-depth-value', 'aria-live': 'polite' });
  const csvBtn = el('button', { type: 'button', class: 'btn', 'data-testid': 'compare-export-csv' });
  const jsonBtn = el('button', { type: 'button', class: 'btn', 'data-testid': 'compare-export-json' });
  const clearBtn = el('button', { type: 'button', class: 'btn', 'data-testid': 'compare-clear' });
  const toolbar = el('div', { class: 'compare-toolbar', role: 'toolbar' }, el('div', { class: 'ctl' }, depthLabel, depthInput, depthValue), el('div', { class: 'actions', role: 'group' }, csvBtn, jsonBtn, clearBtn));
  const captions = [el('div', { class: 'compare-caption', 'data-testid': 'compare-caption-a' }), el('div', { class: 'compare-caption', 'data-testid': 'compare-caption-b' })];
  let highlighted: number | null = null;
  const table = createCompareTable((row) => {
    if (row === highlighted) return;
    highlighted = row;
    void drawMaps();
  });
  const scatters = (['a', 'b'] as const).map((side) => createCompareScatter(side, (row) => table.focusRow(row)));
  const hint = el('p', { class: 'hint' });
  const content = el(
    'div',
    { class: 'compare-content' },
    title,
    toolbar,
    el('div', { class: 'compare-figures' }, ...scatters.map((s, i) => el('section', { class: 'compare-figure' }, captions[i], s.root))),
    hint,
    table.root,
  );
  const root = el('div', { class: 'compare-layout' }, empty, content);

  let visible = false;
  let depthTimer: ReturnType<typeof setTimeout> | undefined;
  /** The depth asked of the host and not answered yet. */
  let pendingDepth: number | null = null;
  /** The comparison the maps were last asked to re-lay for by themselves (once per comparison: no loop on a failing host). */
  let autoAsked: CompareView | null = null;
  document.body.dataset.compareReady = 'false';

  const ro = new ResizeObserver(() => visible && scatters.forEach((s) => s.resize()));
  ro.observe(content);

  function layersText(depth: number, view: CompareView | null): string {
    const d = depth.toFixed(2);
    if (!view) return d;
    const [a, b] = view.models.map((m) => layerAtDepth(depth, m.numLayers));
    return t('compareDepthValue', { depth: d, a, maxA: view.models[0].numLayers, b, maxB: view.models[1].numLayers });
  }

  function askDepth(depth: number): void {
    const view = state.compare;
    if (!view) return;
    pendingDepth = depth;
    sendRequest({ type: 'setCompareDepth', depth });
    renderCaptions();
  }

  const commitDepth = (): void => {
    clearTimeout(depthTimer);
    depthTimer = undefined;
    const depth = Math.round(Number(depthInput.value) / DEPTH_STEP) * DEPTH_STEP;
    state.persisted.compareDepth = depth;
    persist();
    const view = state.compare;
    if (view && Math.abs(view.depth - depth) > 1e-9) askDepth(depth);
  };
  depthInput.addEventListener('input', () => {
    depthValue.textContent = layersText(Number(depthInput.value), state.compare);
    depthInput.setAttribute('aria-valuetext', depthValue.textContent);
    clearTimeout(depthTimer);
    depthTimer = setTimeout(commitDepth, DEPTH_DEBOUNCE_MS);
  });
  depthInput.addEventListener('change', commitDepth);
  csvBtn.addEventListener('click', () => void sendRequest({ type: 'exportCompare', format: 'csv' }));
  jsonBtn.addEventListener('click', () => void sendRequest({ type: 'exportCompare', format: 'json' }));
  clearBtn.addEventListener('click', () => void sendRequest({ type: 'clearCompare' }));

  function renderCaptions(): void {
    const view = state.compare;
    if (!view) return;
    view.models.forEach((m, i) => {
      const which = i === 0 ? 'A' : 'B';
      const layer = m.hiddenLayer === 0 ? t('compareLayerEmbeddings') : t('compareLayer', { layer: m.hiddenLayer, max: m.numLayers });
      const waiting = pendingDepth !== null && layerAtDepth(pendingDepth, m.numLayers) !== m.hiddenLayer;
      captions[i].textContent = `${which} · ${m.label} · ${layer}${waiting ? ` · ${t('compareLayingOut')}` : ''}`;
      captions[i].classList.toggle('stale', waiting);
    });
  }

  function renderStatic(): void {
    depthLabel.textContent = t('compareDepth');
    depthInput.title = t('compareDepthTitle');
    csvBtn.textContent = t('sensesExportCsv');
    csvBtn.title = t('compareExportCsvTitle');
    jsonBtn.textContent = t('exportJson');
    jsonBtn.title = t('compareExportJsonTitle');
    clearBtn.textContent = t('clear');
    clearBtn.title = t('compareClearTitle');
    hint.textContent = t('compareHint');
    empty.replaceChildren(
      el('h2', {}, t('compareEmptyTitle')),
      el('ol', {}, el('li', {}, t('compareEmptyStep1')), el('li', {}, t('compareEmptyStep2')), el('li', {}, t('compareEmptyStep3'))),
    );
  }

  async function drawMaps(): Promise<void> {
    const view = state.compare;
    if (!view || !visible) return;
    document.body.dataset.compareReady = 'false';
    await Promise.all(scatters.map((s, i) => s.render(view.models[i], view.rows, highlighted)));
    if (state.compare === view) document.body.dataset.compareReady = 'true';
  }

  function render(): void {
    const view = state.compare;
    empty.hidden = !!view;
    content.hidden = !view;
    for (const b of [depthInput, csvBtn, jsonBtn, clearBtn]) b.disabled = !view;
    if (!view) {
      table.clear();
      scatters.forEach((s) => s.clear());
      pendingDepth = null;
      document.body.dataset.compareReady = 'true';
      return;
    }
    const [a, b] = view.models;
    const kindOf = (kind: string): string => t(kind === 'causal' ? 'compareKindCausal' : 'compareKindMasked');
    title.replaceChildren(el('span', { class: 'label' }, view.label), el('span', { class: 'models' }, t('compareModels', { a: a.label, kindA: kindOf(a.kind), b: b.label, kindB: kindOf(b.kind) })));
    if (depthTimer === undefined) depthInput.value = String(pendingDepth ?? compareDepth(state));
    depthValue.textContent = layersText(Number(depthInput.value), view);
    depthInput.setAttribute('aria-valuetext', depthValue.textContent);
    root.dataset.depth = String(view.depth);
    renderCaptions();
    table.render(view);
    void drawMaps();
  }

  on('compare', () => {
    const view = state.compare;
    if (view && pendingDepth !== null && Math.abs(view.depth - pendingDepth) < 1e-9) pendingDepth = null;
    render();
    // The host laid the maps out at its own depth (a new comparison): this page's kept depth wins, asked once.
    const kept = compareDepth(state);
    if (view && pendingDepth === null && Math.abs(view.depth - kept) > 1e-9 && autoAsked !== view) {
      autoAsked = view;
      askDepth(kept);
    }
  });
  on('error', () => {
    pendingDepth = null;
    renderCaptions();
  });
  on('theme', () => void drawMaps());
  on('strings', () => {
    renderStatic();
    render();
  });
  renderStatic();
  render();

  return {
    root,
    show() {
      visible = true;
      void drawMaps();
    },
    hide() {
      visible = false;
    },
  };
}
