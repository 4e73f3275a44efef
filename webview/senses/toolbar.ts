/** The Senses tab's controls: its layer slider, the scatter's method, "Standardize dimensions", CSV / JSON export. */
import type { ProjectionMethod } from '../../src/protocol';
import { el } from '../dom';
import { t } from '../strings';

/** The slider selects its layer this long after the last move (or at once on `change`). */
const LAYER_DEBOUNCE_MS = 200;

export interface SensesToolbarActions {
  selectLayer(layer: number): void;
  selectMethod(method: ProjectionMethod): void;
  setStandardize(on: boolean): void;
  exportAs(format: 'csv' | 'json'): void;
}

export interface SensesToolbar {
  root: HTMLElement;
  render(view: { layer: number; numLayers: number; method: ProjectionMethod; standardize: boolean; hasResult: boolean }): void;
}

export function createSensesToolbar(actions: SensesToolbarActions): SensesToolbar {
  const layerLabel = el('label', { for: 'senses-layer' });
  const layerInput = el('input', { type: 'range', id: 'senses-layer', 'data-testid': 'senses-layer', min: 0, max: 1, step: 1, value: 0 });
  const layerValue = el('output', { for: 'senses-layer', class: 'layer-value', 'data-testid': 'senses-layer-value' });
  const methodLabel = el('label', { for: 'senses-method' });
  const methodSelect = el('select', { id: 'senses-method', 'data-testid': 'senses-method' }, el('option', { value: 'umap' }), el('option', { value: 'pca' }));
  // A real checkbox: its state is what it shows (role switch: on / off, read by screen readers as such).
  const standardizeInput = el('input', { type: 'checkbox', role: 'switch', id: 'senses-standardize', 'data-testid': 'senses-standardize' });
  const standardizeLabel = el('label', { for: 'senses-standardize' });
  const csvBtn = el('button', { type: 'button', class: 'btn', 'data-testid': 'senses-export-csv' });
  const jsonBtn = el('button', { type: 'button', class: 'btn', 'data-testid': 'senses-export-json' });
  const root = el(
    'div',
    { class: 'senses-toolbar', role: 'toolbar' },
    el('div', { class: 'ctl' }, layerLabel, layerInput, layerValue),
    el('div', { class: 'ctl' }, methodLabel, methodSelect),
    el('div', { class: 'ctl check' }, standardizeInput, standardizeLabel),
    el('div', { class: 'actions', role: 'group' }, csvBtn, jsonBtn),
  );

  let layerTimer: ReturnType<typeof setTimeout> | undefined;
  function showLayer(layer: number, max: number): void {
    layerValue.textContent = layer === 0 ? `0 · ${t('layerEmbeddings')}` : t('layerValue', { layer, max });
    layerInput.setAttribute('aria-valuetext', layerValue.textContent);
  }
  const commitLayer = (): void => {
    clearTimeout(layerTimer);
    layerTimer = undefined;
    actions.selectLayer(Number(layerInput.value));
  };
  layerInput.addEventListener('input', () => {
    showLayer(Number(layerInput.value), Number(layerInput.max));
    clearTimeout(layerTimer);
    layerTimer = setTimeout(commitLayer, LAYER_DEBOUNCE_MS);
  });
  layerInput.addEventListener('change', commitLayer);
  methodSelect.addEventListener('change', () => actions.selectMethod(methodSelect.value as ProjectionMethod));
  standardizeInput.addEventListener('change', () => actions.setStandardize(standardizeInput.checked));
  csvBtn.addEventListener('click', () => actions.exportAs('csv'));
  jsonBtn.addEventListener('click', () => actions.exportAs('json'));

  return {
    root,
    render(view) {
      layerLabel.textContent = t('layer');
      methodLabel.textContent = t('projection');
      methodSelect.options[0].text = t('projection.umap');
      methodSelect.options[1].text = t('projection.pca');
      standardizeLabel.textContent = t('sensesStandardize');
      standardizeInput.title = standardizeLabel.title = t('sensesStandardizeTitle');
      csvBtn.textContent = t('sensesExportCsv');
      csvBtn.title = t('sensesExportCsvTitle', { layer: view.layer });
      jsonBtn.textContent = t('exportJson');
      jsonBtn.title = t('sensesExportJsonTitle');
      layerInput.max = String(view.numLayers);
      // A move still debouncing stays where the user put it.
      if (layerTimer === undefined) layerInput.value = String(view.layer);
      showLayer(Number(layerInput.value), view.numLayers);
      methodSelect.value = view.method;
      standardizeInput.checked = view.standardize;
      standardizeInput.setAttribute('aria-checked', String(view.standardize));
      for (const b of [csvBtn, jsonBtn, layerInput, methodSelect]) b.disabled = !view.hasResult;
    },
  };
}
