/**
 * Context Lens — Embedding Map webview. Builds the whole UI into #app, talks to the host only through
 * the messages of src/protocol.ts, and keeps WebviewPersistedState with setState/getState.
 */
import type { HostToWebview, ProjectionMethod, WebviewPersistedState } from '../src/protocol';
import css from './styles.css';
import { createAttentionView } from './attentionView';
import { clamp, el, rovingIndex } from './dom';
import { createMapView } from './mapView';
import { emit, loadPersisted, numLayers, on, persist, post, setProjectionMethod, snippetById, state, type Tab } from './state';
import { setStrings, t, type StringKey } from './strings';
import { createTokensView } from './tokensView';
import { watchTheme } from './theme';

const TABS: Tab[] = ['map', 'tokens', 'attention'];

function boot(): void {
  const style = document.createElement('style');
  style.textContent = css;
  document.head.appendChild(style);

  loadPersisted();
  const app = document.getElementById('app') ?? document.body.appendChild(el('div', { id: 'app' }));
  // The host puts the UI strings in the page (a data attribute, no script): the first paint is already in
  // the user's language instead of waiting for the 'init' message.
  try {
    if (app.dataset.strings) setStrings(JSON.parse(app.dataset.strings) as Record<string, unknown>);
  } catch {
    // malformed: the English defaults stay until 'init'
  }
  app.classList.add('cl-app');

  // ---- top bar -------------------------------------------------------------------------------------
  const modelDot = el('span', { class: 'model-dot', 'aria-hidden': 'true' });
  const modelName = el('span', { class: 'model-name', 'data-testid': 'model-label' });
  const modelState = el('span', { class: 'model-state', 'data-testid': 'model-state' });
  const modelBox = el('div', { class: 'model', role: 'status' }, modelDot, modelName, modelState);

  const layerLabel = el('label', { for: 'cl-layer' });
  const layerInput = el('input', { type: 'range', id: 'cl-layer', 'data-testid': 'layer', min: 0, max: 1, step: 1, value: 0 });
  const layerValue = el('output', { for: 'cl-layer', class: 'layer-value', 'data-testid': 'layer-value' });
  const layerBox = el('div', { class: 'ctl' }, layerLabel, layerInput, layerValue);

  const projLabel = el('label', { for: 'cl-projection' });
  const projSelect = el('select', { id: 'cl-projection', 'data-testid': 'projection' }, el('option', { value: 'umap' }), el('option', { value: 'pca' }));
  const projBox = el('div', { class: 'ctl' }, projLabel, projSelect);

  const hideInput = el('input', { type: 'checkbox', id: 'cl-hide-special', 'data-testid': 'hide-special' });
  const hideLabel = el('label', { for: 'cl-hide-special' });
  const hideBox = el('div', { class: 'ctl check' }, hideInput, hideLabel);

  const btn = (testid: string): HTMLButtonElement => el('button', { type: 'button', class: 'btn', 'data-testid': testid });
  const pngBtn = btn('export-png');
  const svgBtn = btn('export-svg');
  const jsonBtn = btn('export-json');
  const tsvBtn = btn('export-projector');
  const clearBtn = btn('clear');
  clearBtn.classList.add('secondary');
  const actions = el('div', { class: 'actions', role: 'group' }, pngBtn, svgBtn, jsonBtn, tsvBtn, el('span', { class: 'sep', 'aria-hidden': 'true' }), clearBtn);

  const guessStatus = el('span', { class: 'guess-progress', 'data-testid': 'guess-progress', role: 'status', 'aria-live': 'polite', hidden: true });
  const topbar = el('header', { class: 'topbar' }, modelBox, guessStatus, layerBox, projBox, hideBox, actions);

  const progressMsg = el('span', { class: 'progress-msg' });
  const progressFill = el('div', { class: 'progress-fill' });
  const progressBar = el('div', { class: 'progress-bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100 }, progressFill);
  const progress = el('div', { class: 'progress', 'data-testid': 'progress', role: 'status', 'aria-live': 'polite', hidden: true }, progressBar, progressMsg);

  const errorText = el('span', { class: 'error-text' });
  const errorClose = el('button', { type: 'button', class: 'btn secondary' });
  const errorBanner = el('div', { class: 'error-banner', role: 'alert', 'data-testid': 'error', hidden: true }, el('span', { class: 'codicon-error', 'aria-hidden': 'true' }, '⚠'), errorText, errorClose);

  // ---- tabs -----------------------------------------------------------------------------------------
  const tablist = el('div', { class: 'tabs', role: 'tablist' });
  const tabButtons = new Map<Tab, HTMLButtonElement>();
  const panels = new Map<Tab, HTMLElement>();
  const mapView = createMapView();
  const tokensView = createTokensView();
  const attentionView = createAttentionView();
  const content: Record<Tab, HTMLElement> = { map: mapView.root, tokens: tokensView.root, attention: attentionView.root };
  const mainEl = el('main', { class: 'panels' });
  for (const tab of TABS) {
    const b = el('button', { type: 'button', role: 'tab', id: `cl-tab-${tab}`, 'aria-controls': `cl-panel-${tab}`, 'data-testid': `tab-${tab}`, class: 'tab' });
    b.addEventListener('click', () => selectTab(tab, true));
    tabButtons.set(tab, b);
    tablist.appendChild(b);
    const panel = el('section', { role: 'tabpanel', id: `cl-panel-${tab}`, 'aria-labelledby': `cl-tab-${tab}`, class: `panel panel-${tab}`, 'data-testid': `panel-${tab}`, tabindex: -1 }, content[tab]);
    panels.set(tab, panel);
    mainEl.appendChild(panel);
  }
  tablist.addEventListener('keydown', (e) => {
    const i = TABS.indexOf(state.persisted.tab);
    const next = rovingIndex(e.key, i, TABS.length);
    if (next === null) return;
    e.preventDefault();
    selectTab(TABS[next], true);
    tabButtons.get(TABS[next])!.focus();
  });

  app.append(topbar, progress, errorBanner, tablist, mainEl);

  function selectTab(tab: Tab, user: boolean): void {
    state.persisted.tab = tab;
    if (user) persist();
    for (const x of TABS) {
      const active = x === tab;
      const b = tabButtons.get(x)!;
      b.setAttribute('aria-selected', String(active));
      b.tabIndex = active ? 0 : -1;
      panels.get(x)!.hidden = !active;
    }
    if (tab === 'map') mapView.show();
    else mapView.hide();
    if (tab === 'attention') attentionView.show();
    else attentionView.hide();
    app.dataset.tab = tab;
    emit('tab');
  }

  // ---- labels (re-applied when the host overrides strings) -------------------------------------------
  function applyStrings(): void {
    document.title = t('appTitle');
    layerLabel.textContent = t('layer');
    projLabel.textContent = t('projection');
    projSelect.options[0].text = t('projection.umap');
    projSelect.options[1].text = t('projection.pca');
    hideLabel.textContent = t('hideSpecial');
    const set = (b: HTMLButtonElement, label: StringKey, title: StringKey): void => {
      b.textContent = t(label);
      b.title = t(title);
    };
    set(pngBtn, 'exportPng', 'exportPngTitle');
    set(svgBtn, 'exportSvg', 'exportSvgTitle');
    set(jsonBtn, 'exportJson', 'exportJsonTitle');
    set(tsvBtn, 'exportProjector', 'exportProjectorTitle');
    set(clearBtn, 'clear', 'clearTitle');
    errorClose.textContent = t('dismiss');
    for (const tab of TABS) tabButtons.get(tab)!.textContent = t(`tab.${tab}` as StringKey);
    tablist.setAttribute('aria-label', t('appTitle'));
    renderModel();
    renderLayer();
  }

  function renderModel(): void {
    const m = state.model;
    modelName.textContent = m ? m.label : t('noModel');
    modelState.textContent = m ? t(`modelState.${m.state}` as StringKey) : '';
    modelBox.dataset.state = m?.state ?? 'idle';
  }

  function renderLayer(): void {
    const max = numLayers();
    layerInput.max = String(max);
    const shown = state.pendingLayer ?? state.persisted.layer;
    layerInput.value = String(clamp(shown, 0, max));
    const v = Number(layerInput.value);
    layerValue.textContent = v === 0 ? `0 · ${t('layerEmbeddings')}` : t('layerValue', { layer: v, max });
    layerInput.setAttribute('aria-valuetext', layerValue.textContent);
    layerInput.title = t('layerHint', { max });
    projSelect.value = state.persisted.projection;
    hideInput.checked = state.persisted.hideSpecial;
    const has = state.snippets.length > 0;
    for (const b of [pngBtn, svgBtn, jsonBtn, tsvBtn, clearBtn]) b.disabled = !has;
  }

  // ---- controls -----------------------------------------------------------------------------------
  let layerTimer: ReturnType<typeof setTimeout> | undefined;
  let lastPostedLayer: number | null = null;
  function commitLayer(): void {
    clearTimeout(layerTimer);
    const layer = Number(layerInput.value);
    if (layer === lastPostedLayer && state.pendingLayer === layer) return;
    if (state.pendingLayer === null && state.projection?.layer === layer) return;
    lastPostedLayer = layer;
    state.pendingLayer = layer;
    state.persisted.layer = layer;
    persist();
    post({ type: 'setLayer', layer });
    emit('layer');
  }
  layerInput.addEventListener('input', () => {
    state.pendingLayer = Number(layerInput.value);
    renderLayer();
    clearTimeout(layerTimer);
    layerTimer = setTimeout(commitLayer, 250);
  });
  layerInput.addEventListener('change', commitLayer);

  projSelect.addEventListener('change', () => {
    const method = projSelect.value as ProjectionMethod;
    setProjectionMethod(method);
    post({ type: 'setProjection', method });
  });
  hideInput.addEventListener('change', () => {
    state.persisted.hideSpecial = hideInput.checked;
    persist();
    emit('hideSpecial');
  });
  pngBtn.addEventListener('click', () => void mapView.exportImage('png'));
  svgBtn.addEventListener('click', () => void mapView.exportImage('svg'));
  jsonBtn.addEventListener('click', () => post({ type: 'exportAnalysis', format: 'json' }));
  tsvBtn.addEventListener('click', () => post({ type: 'exportAnalysis', format: 'projector' }));
  clearBtn.addEventListener('click', () => post({ type: 'clear' }));
  errorClose.addEventListener('click', () => {
    state.error = null;
    emit('error');
  });

  on('error', () => {
    errorBanner.hidden = !state.error;
    errorText.textContent = state.error ? `${t('errorPrefix')}: ${state.error}` : '';
  });
  on('progress', () => {
    const p = state.progress;
    progress.hidden = !p;
    progressMsg.textContent = p?.message ?? '';
    const known = typeof p?.fraction === 'number' && Number.isFinite(p.fraction);
    progressBar.classList.toggle('indeterminate', !known);
    if (known) {
      const pct = Math.round(clamp(p!.fraction!, 0, 1) * 100);
      progressFill.style.width = `${pct}%`;
      progressBar.setAttribute('aria-valuenow', String(pct));
    } else {
      progressFill.style.width = '';
      progressBar.removeAttribute('aria-valuenow');
    }
  });
  function renderGuessProgress(): void {
    const g = state.guessProgress;
    guessStatus.hidden = !g;
    guessStatus.textContent = g ? t('guessProgress', { done: g.done, total: g.total }) : '';
    guessStatus.title = t('guessProgressTitle');
    if (g) {
      guessStatus.dataset.done = String(g.done);
      guessStatus.dataset.total = String(g.total);
    }
  }
  on('guessProgress', renderGuessProgress);
  on('strings', renderGuessProgress);
  on('model', () => {
    renderModel();
    renderLayer();
  });
  on('layer', renderLayer);
  on('snippets', renderLayer);
  on('strings', applyStrings);

  // ---- host messages ---------------------------------------------------------------------------------
  window.addEventListener('message', (event: MessageEvent) => {
    const msg = event.data as HostToWebview;
    if (!msg || typeof msg !== 'object' || typeof msg.type !== 'string') return;
    handle(msg);
  });

  function handle(msg: HostToWebview): void {
    switch (msg.type) {
      case 'init':
        setStrings(msg.strings);
        if (Number.isInteger(msg.layer)) state.persisted.layer = msg.layer;
        if (msg.projection === 'umap' || msg.projection === 'pca') state.persisted.projection = msg.projection;
        persist();
        emit('strings');
        break;
      case 'model':
        state.model = msg.model;
        emit('model');
        break;
      case 'snippets': {
        state.snippets = Array.isArray(msg.snippets) ? msg.snippets : [];
        state.attention.clear();
        state.attentionRequested.clear();
        state.grids.clear();
        state.gridRequested.clear();
        const p = state.persisted;
        if (!snippetById(p.selectedSnippetId)) {
          p.selectedSnippetId = state.snippets[0]?.id;
          p.selectedTokens = [];
        } else {
          const n = snippetById(p.selectedSnippetId)!.tokens.length;
          p.selectedTokens = p.selectedTokens.filter((i) => i >= 0 && i < n);
        }
        p.snippets = state.snippets.map((s) => ({ uri: s.uri ?? '', label: s.label, text: s.text, startOffset: s.startOffset ?? 0 }));
        if (!state.snippets.length) state.projection = null;
        persist();
        emit('snippets');
        break;
      }
      case 'projection':
        state.projection = msg.projection;
        if (state.pendingLayer === null || state.pendingLayer === msg.projection.layer) {
          state.pendingLayer = null;
          state.persisted.layer = msg.projection.layer;
        }
        state.persisted.projection = msg.projection.method;
        persist();
        emit('projection');
        emit('layer');
        break;
      case 'progress':
        state.progress = msg.message ? { message: msg.message, fraction: msg.fraction } : null;
        emit('progress');
        break;
      case 'attention': {
        const a = msg.attention;
        const key = `${a.snippetId}\u0000${a.layer}`;
        state.attention.set(key, a);
        state.attentionRequested.delete(key);
        emit('attention');
        break;
      }
      case 'attentionGrid':
        state.grids.set(msg.grid.snippetId, msg.grid);
        state.gridRequested.delete(msg.grid.snippetId);
        emit('grid');
        break;
      case 'guesses': {
        const snippet = snippetById(msg.snippetId);
        if (!snippet || !Array.isArray(msg.tokens)) break;
        for (const g of msg.tokens) {
          const token = snippet.tokens[g.tokenIndex];
          if (!token || !Array.isArray(g.guesses)) continue;
          token.guesses = g.guesses;
          token.guessesPending = false;
        }
        emit('guesses');
        break;
      }
      case 'guessProgress':
        state.guessProgress = msg.total > 0 ? { done: msg.done, total: msg.total } : null;
        emit('guessProgress');
        break;
      case 'error':
        state.error = String(msg.message ?? '');
        state.pendingLayer = null;
        state.attentionRequested.clear();
        state.gridRequested.clear();
        emit('error');
        emit('layer');
        break;
    }
  }

  watchTheme(() => emit('theme'));

  applyStrings();
  selectTab(state.persisted.tab, false);
  emit('progress');
  emit('error');
  post({ type: 'ready' });
}

export type { WebviewPersistedState };

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot, { once: true });
else boot();
