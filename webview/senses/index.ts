/**
 * Tab "Senses": one word across many contexts (Explore Word Senses). The summary, the contextuality
 * chart over layers, the scatter of the occurrences at the current layer and the concordance grouped by
 * sense. Results stream in: each 'senses' message redraws what changed (Plotly diffs the figures, the
 * concordance keeps its scroll position and focused line).
 */
import type { ProjectionMethod } from '../../src/protocol';
import { emit, on } from '../bus';
import { el } from '../dom';
import { pageNonce } from '../pageNonce';
import { sendRequest } from '../requests';
import { persist, setProjectionMethod, state } from '../state';
import { t, type StringKey } from '../strings';
import { createSensesChart } from './chart';
import { createConcordance } from './concordance';
import { pendingSensesView, sensesLayer, shownStandardize } from './model';
import { createSensesScatter } from './scatter';
import css from './styles.css';
import { renderSummary } from './summary';
import { createSensesToolbar } from './toolbar';

/** After a batch, the host lays the scatter out by itself; only when it has not after this long does the tab ask. */
const ASK_AFTER_BATCH_MS = 400;

const HELP: StringKey[] = ['sensesDefVector', 'sensesDefSelf', 'sensesDefAnisotropy', 'sensesDefAdjusted', 'sensesDefSilhouette', 'sensesDefStandardized', 'sensesDefAlignment'];

export interface SensesView {
  root: HTMLElement;
  show(): void;
  hide(): void;
}

function installStyles(): void {
  const style = document.createElement('style');
  if (pageNonce) style.nonce = pageNonce;
  style.textContent = css;
  document.head.appendChild(style);
}

export function createSensesView(): SensesView {
  installStyles();
  const reveal = (index: number): void => void sendRequest({ type: 'revealOccurrence', index });

  const empty = el('div', { class: 'empty', 'data-testid': 'senses-empty' });
  const summary = el('div', { class: 'senses-summary', 'data-testid': 'senses-summary', 'aria-live': 'polite' });
  const toolbar = createSensesToolbar({
    selectLayer,
    selectMethod,
    setStandardize(on) {
      sendRequest({ type: 'setStandardize', standardize: on }, { kind: 'standardize', standardize: on });
      renderToolbar();
    },
    exportAs(format) {
      sendRequest({ type: 'exportSenses', format, hiddenLayer: sensesLayer(state) });
    },
  });
  const chart = createSensesChart(selectLayer);
  const chartTitle = el('h2', { class: 'side-title' });
  const chartHint = el('p', { class: 'hint' });
  const helpSummary = el('summary', {});
  const helpList = el('dl', {});
  const help = el('details', { class: 'senses-help', 'data-testid': 'senses-help' }, helpSummary, helpList);
  const scatter = createSensesScatter(reveal);
  const scatterCaption = el('div', { class: 'senses-caption', 'aria-live': 'polite' });
  const scatterHint = el('p', { class: 'hint' });
  const concordance = createConcordance(reveal);
  const content = el(
    'div',
    { class: 'senses-content' },
    summary,
    toolbar.root,
    el(
      'div',
      { class: 'senses-figures' },
      el('section', { class: 'senses-figure' }, chartTitle, chart.root, chartHint, help),
      el('section', { class: 'senses-figure' }, scatterCaption, scatter.root, scatterHint),
    ),
    concordance.root,
  );
  const root = el('div', { class: 'senses-layout' }, empty, content);

  let visible = false;
  let dirty = true;
  let seq = 0;
  /** The last view asked for by itself (not by the user): not asked again, so that a failing host is not asked in a loop. */
  let lastAutoAsk = '';
  let batchTimer: ReturnType<typeof setTimeout> | undefined;
  document.body.dataset.sensesReady = 'false';

  const ro = new ResizeObserver(() => {
    if (!visible) return;
    chart.resize();
    scatter.resize();
  });
  ro.observe(chart.root);
  ro.observe(scatter.root);

  /** The layout the scatter wants: this layer, this method, every occurrence, the setting the result used. */
  function projectionFits(hiddenLayer: number, method: ProjectionMethod): boolean {
    const r = state.senses.result;
    const p = state.senses.projection;
    return !!r && !!p && p.hiddenLayer === hiddenLayer && p.method === method && p.points.length >= r.occurrences.length && p.standardized === r.standardized;
  }

  /** Asks the host for the scatter at the current layer and method, unless it is here or on its way. */
  function requestView(byUser: boolean): void {
    const r = state.senses.result;
    if (!r) return;
    const hiddenLayer = sensesLayer(state);
    const method = state.persisted.projection;
    if (projectionFits(hiddenLayer, method)) return;
    const pending = pendingSensesView(state);
    if (pending && pending.hiddenLayer === hiddenLayer && pending.method === method) return;
    const key = `${r.word}|${r.also}|${hiddenLayer}|${method}|${r.occurrences.length}|${r.standardized}`;
    if (!byUser && key === lastAutoAsk) return;
    if (!byUser) lastAutoAsk = key;
    sendRequest({ type: 'setSensesView', hiddenLayer, method }, { kind: 'sensesProjection', hiddenLayer, method });
    renderCaption();
  }

  function selectLayer(layer: number): void {
    const r = state.senses.result;
    if (!r) return;
    const next = Math.max(0, Math.min(r.numLayers, Math.round(layer)));
    if (next === sensesLayer(state) && state.persisted.sensesLayer !== undefined) return;
    state.persisted.sensesLayer = next;
    persist();
    requestView(true);
    void render();
  }

  function selectMethod(method: ProjectionMethod): void {
    if (method === state.persisted.projection) return;
    // One setting for both scatters: the Map follows the choice made here.
    setProjectionMethod(method);
    if (state.snippets.length) sendRequest({ type: 'setProjection', method }, { kind: 'projection' });
    emit('layer');
    requestView(true);
    renderToolbar();
  }

  function renderToolbar(): void {
    const r = state.senses.result;
    toolbar.render({ layer: sensesLayer(state), numLayers: r?.numLayers ?? 0, method: state.persisted.projection, standardize: shownStandardize(state), hasResult: !!r });
  }

  function renderCaption(): void {
    const p = state.senses.projection;
    const layer = sensesLayer(state);
    const waiting = !projectionFits(layer, state.persisted.projection);
    const titleOf = (l: number, m: ProjectionMethod): string => {
      const method = t(m === 'pca' ? 'projection.pca' : 'projection.umap');
      return l === 0 ? t('sensesScatterTitleEmb', { method }) : t('sensesScatterTitle', { layer: l, method });
    };
    const parts = p ? [titleOf(p.hiddenLayer, p.method)] : [];
    if (waiting) parts.push(t('sensesScatterWaiting', { layer }));
    scatterCaption.textContent = parts.join(' · ');
    scatterCaption.classList.toggle('stale', waiting);
  }

  function renderStatic(): void {
    chartTitle.textContent = t('sensesChartTitle');
    chartHint.textContent = t('sensesChartHint');
    helpSummary.textContent = t('sensesHelpTitle');
    helpList.replaceChildren(...HELP.map((key) => el('dd', {}, t(key))));
    scatterHint.textContent = t('sensesScatterHint');
    empty.replaceChildren(
      el('h2', {}, t('sensesEmptyTitle')),
      el('ol', {}, el('li', {}, t('sensesEmptyStep1')), el('li', {}, t('sensesEmptyStep2')), el('li', {}, t('sensesEmptyStep3'))),
      el('p', { class: 'hint' }, t('sensesEmptyExample')),
    );
  }

  async function render(forceLines = false): Promise<void> {
    const my = ++seq;
    const r = state.senses.result;
    empty.hidden = !!r;
    content.hidden = !r;
    renderToolbar();
    if (!r) {
      summary.replaceChildren();
      concordance.clear();
      chart.clear();
      scatter.clear();
      dirty = false;
      document.body.dataset.sensesReady = 'true';
      return;
    }
    const layer = sensesLayer(state);
    root.dataset.layer = String(layer);
    renderSummary(summary, r);
    renderCaption();
    concordance.render(r, layer, forceLines);
    if (!visible) {
      dirty = true;
      return;
    }
    dirty = false;
    document.body.dataset.sensesReady = 'false';
    const p = state.senses.projection;
    // The scatter is coloured by the clusters of the layer it shows (its caption says when that is not the current one yet).
    await Promise.all([chart.render(r, layer), scatter.render(r, p, p ? Math.min(p.hiddenLayer, r.numLayers) : layer)]);
    if (my === seq) document.body.dataset.sensesReady = 'true';
  }

  on('senses', () => {
    void render();
    clearTimeout(batchTimer);
    const r = state.senses.result;
    if (r && (r.done || !state.senses.projection)) batchTimer = setTimeout(() => visible && requestView(false), ASK_AFTER_BATCH_MS);
  });
  on('sensesProjection', () => {
    void render();
    if (visible) requestView(false);
  });
  // The Map's projection reply may bring another method (the top bar's choice): the scatter follows.
  on('projection', () => {
    if (visible && state.senses.result) {
      renderToolbar();
      requestView(false);
    }
  });
  on('standardize', renderToolbar);
  on('error', () => {
    renderToolbar();
    renderCaption();
  });
  on('theme', () => void render(true));
  on('strings', () => {
    renderStatic();
    void render(true);
  });
  renderStatic();
  void render();

  return {
    root,
    show() {
      visible = true;
      if (dirty) void render();
      else {
        chart.resize();
        scatter.resize();
      }
      requestView(false);
    },
    hide() {
      visible = false;
    },
  };
}
