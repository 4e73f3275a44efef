/** The bar above the tabs: model status, guess counter, layer slider, projection, Pieces / Words, "hide special", exports, clear. */
import type { ProjectionMethod } from '../src/protocol';
import { emit, on } from './bus';
import { clamp } from './clamp';
import { el } from './dom';
import { numLayers, persist, setProjectionMethod, state } from './state';
import { t, type StringKey } from './strings';
import { sendRequest } from './requests';
import { createUnitSwitch } from './unitSwitch';

/** The slider posts `setLayer` this long after the last move (or at once on `change`). */
const LAYER_DEBOUNCE_MS = 250;

export interface TopBar {
  root: HTMLElement;
}

export function createTopBar(exportImage: (format: 'png' | 'svg') => Promise<void>): TopBar {
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
  const root = el('header', { class: 'topbar' }, modelBox, guessStatus, layerBox, projBox, createUnitSwitch(), hideBox, actions);

  function applyStrings(): void {
    layerLabel.textContent = t('layer');
    projLabel.textContent = t('projection');
    projSelect.options[0].text = t('projection.umap');
    projSelect.options[1].text = t('projection.pca');
    hideLabel.textContent = t('hideSpecial');
    hideBox.title = t('hideSpecialTitle');
    const set = (b: HTMLButtonElement, label: StringKey, title: StringKey): void => {
      b.textContent = t(label);
      b.title = t(title);
    };
    set(pngBtn, 'exportPng', 'exportPngTitle');
    set(svgBtn, 'exportSvg', 'exportSvgTitle');
    set(jsonBtn, 'exportJson', 'exportJsonTitle');
    set(tsvBtn, 'exportProjector', 'exportProjectorTitle');
    set(clearBtn, 'clear', 'clearTitle');
    renderModel();
    renderLayer();
    renderGuessProgress();
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
    const shown = state.pendingLayer ?? state.persisted.hiddenLayer;
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

  let layerTimer: ReturnType<typeof setTimeout> | undefined;
  let lastPostedLayer: number | null = null;
  function commitLayer(): void {
    clearTimeout(layerTimer);
    const hiddenLayer = Number(layerInput.value);
    if (hiddenLayer === lastPostedLayer && state.pendingLayer === hiddenLayer) return;
    if (state.pendingLayer === null && state.projection?.hiddenLayer === hiddenLayer) return;
    lastPostedLayer = hiddenLayer;
    state.pendingLayer = hiddenLayer;
    state.persisted.hiddenLayer = hiddenLayer;
    persist();
    sendRequest({ type: 'setLayer', hiddenLayer }, { kind: 'projection' });
    emit('layer');
  }
  layerInput.addEventListener('input', () => {
    state.pendingLayer = Number(layerInput.value);
    renderLayer();
    clearTimeout(layerTimer);
    layerTimer = setTimeout(commitLayer, LAYER_DEBOUNCE_MS);
  });
  layerInput.addEventListener('change', commitLayer);

  projSelect.addEventListener('change', () => {
    const method = projSelect.value as ProjectionMethod;
    setProjectionMethod(method);
    sendRequest({ type: 'setProjection', method }, { kind: 'projection' });
  });
  hideInput.addEventListener('change', () => {
    state.persisted.hideSpecial = hideInput.checked;
    persist();
    emit('hideSpecial');
  });
  pngBtn.addEventListener('click', () => void exportImage('png'));
  svgBtn.addEventListener('click', () => void exportImage('svg'));
  jsonBtn.addEventListener('click', () => sendRequest({ type: 'exportAnalysis', format: 'json' }));
  tsvBtn.addEventListener('click', () => sendRequest({ type: 'exportAnalysis', format: 'projector' }));
  clearBtn.addEventListener('click', () => sendRequest({ type: 'clear' }));

  on('guessProgress', renderGuessProgress);
  on('model', () => {
    renderModel();
    renderLayer();
  });
  on('layer', renderLayer);
  on('snippets', renderLayer);
  on('strings', applyStrings);
  applyStrings();
  return { root };
}
