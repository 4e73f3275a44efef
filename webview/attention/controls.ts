/** The Attention tab's toolbar: snippet, layer and head. */
import { emit } from '../bus';
import { clear, el } from '../dom';
import { persist, state } from '../state';
import { t } from '../strings';
import { headCount, headCountKnown, layerCount, shownLayer, shownSnippet } from './shown';

export interface AttentionControls {
  root: HTMLElement;
  render(): void;
}

/** `onChange`: the user picked another layer or head (a snippet change is a 'selection' for every view). */
export function createAttentionControls(onChange: () => void): AttentionControls {
  const snippetSelect = el('select', { 'data-testid': 'attention-snippet', id: 'att-snippet' });
  const layerSelect = el('select', { 'data-testid': 'attention-layer', id: 'att-layer' });
  const headSelect = el('select', { 'data-testid': 'attention-head', id: 'att-head' });
  const snippetLabel = el('label', { for: 'att-snippet' });
  const layerLabel = el('label', { for: 'att-layer' });
  const headLabel = el('label', { for: 'att-head' });
  const root = el('div', { class: 'toolbar' }, snippetLabel, snippetSelect, layerLabel, layerSelect, headLabel, headSelect);

  /** Rebuilds the options only when they changed, so an open or focused select is left alone. */
  function fillSelect(select: HTMLSelectElement, options: [string, string][], value: string): void {
    const same = select.options.length === options.length && options.every(([v, l], i) => select.options[i].value === v && select.options[i].text === l);
    if (!same) {
      clear(select);
      for (const [v, l] of options) select.appendChild(el('option', { value: v }, l));
    }
    select.value = value;
  }

  function render(): void {
    snippetLabel.textContent = t('snippet');
    layerLabel.textContent = t('layer');
    headLabel.textContent = t('head');
    const s = shownSnippet();
    fillSelect(snippetSelect, state.snippets.map((x) => [x.id, x.label]), s?.id ?? '');
    fillSelect(layerSelect, Array.from({ length: layerCount() }, (_, i) => [String(i + 1), t('layerN', { n: i + 1 })]), String(shownLayer()));
    const heads = headCount(s?.id);
    // A head the model does not have (restored from another model) falls back to the mean.
    if (headCountKnown(s?.id) && state.persisted.head >= heads) state.persisted.head = -1;
    fillSelect(headSelect, [['-1', t('allHeads')], ...Array.from({ length: Math.max(heads, state.persisted.head + 1) }, (_, i): [string, string] => [String(i), t('headN', { n: i + 1 })])], String(state.persisted.head));
  }

  snippetSelect.addEventListener('change', () => {
    if (state.persisted.selectedSnippetId !== snippetSelect.value) {
      state.persisted.selectedSnippetId = snippetSelect.value;
      state.persisted.selectedTokens = [];
      persist();
      emit('selection');
    }
  });
  layerSelect.addEventListener('change', () => {
    state.persisted.attentionLayer = Number(layerSelect.value);
    persist();
    onChange();
  });
  headSelect.addEventListener('change', () => {
    state.persisted.head = Number(headSelect.value);
    persist();
    onChange();
  });

  return { root, render };
}
