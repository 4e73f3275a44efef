/** The Attention tab's toolbar: snippet, layer, head or summary, renormalised rows, and the head view's layout. */
import type { HeadLayout } from '../../src/protocol';
import { emit } from '../bus';
import { clear, el } from '../dom';
import { persist, state } from '../state';
import { t } from '../strings';
import { headCount, headCountKnown, layerCount, shownLayer, shownSnippet } from './shown';

export interface AttentionControls {
  root: HTMLElement;
  render(): void;
}

const SUMMARIES = ['mean-layers', 'rollout'] as const;
const LAYOUTS: readonly HeadLayout[] = ['auto', 'vertical', 'horizontal'];

/** Rebuilds the options only when they changed, so an open or focused select is left alone. */
export function fillSelect(select: HTMLSelectElement, options: [string, string][], value: string): void {
  const same = select.options.length === options.length && options.every(([v, l], i) => select.options[i].value === v && select.options[i].text === l);
  if (!same) {
    clear(select);
    for (const [v, l] of options) select.appendChild(el('option', { value: v }, l));
  }
  select.value = value;
}

/** `onChange`: the user picked another layer, head, summary or layout (a snippet change is a 'selection' for every view). */
export function createAttentionControls(onChange: () => void): AttentionControls {
  const snippetSelect = el('select', { 'data-testid': 'attention-snippet', id: 'att-snippet' });
  const layerSelect = el('select', { 'data-testid': 'attention-layer', id: 'att-layer' });
  const headSelect = el('select', { 'data-testid': 'attention-head', id: 'att-head' });
  const renormInput = el('input', { type: 'checkbox', 'data-testid': 'attention-renormalize', id: 'att-renorm' });
  const layoutSelect = el('select', { 'data-testid': 'attention-layout', id: 'att-layout' });
  const snippetLabel = el('label', { for: 'att-snippet' });
  const layerLabel = el('label', { for: 'att-layer' });
  const headLabel = el('label', { for: 'att-head' });
  const renormLabel = el('label', { for: 'att-renorm' });
  const layoutLabel = el('label', { for: 'att-layout' });
  // Each label stays with its control when the toolbar wraps.
  const root = el(
    'div',
    { class: 'toolbar' },
    el('span', { class: 'ctl' }, snippetLabel, snippetSelect),
    el('span', { class: 'ctl' }, layerLabel, layerSelect),
    el('span', { class: 'ctl' }, headLabel, headSelect),
    el('span', { class: 'ctl' }, renormInput, renormLabel),
    el('span', { class: 'ctl' }, layoutLabel, layoutSelect),
  );

  function render(): void {
    snippetLabel.textContent = t('snippet');
    layerLabel.textContent = t('layer');
    headLabel.textContent = t('head');
    renormLabel.textContent = t('renormalize');
    renormLabel.title = t('renormalizeTitle');
    renormInput.title = t('renormalizeTitle');
    layoutLabel.textContent = t('headLayout');
    const p = state.persisted;
    const s = shownSnippet();
    fillSelect(snippetSelect, state.snippets.map((x) => [x.id, x.label]), s?.id ?? '');
    fillSelect(layerSelect, Array.from({ length: layerCount() }, (_, i) => [String(i + 1), t('layerN', { n: i + 1 })]), String(shownLayer()));
    // A summary over every layer has no layer to pick.
    layerSelect.disabled = !!p.attentionSummary;
    const heads = headCount(s?.id);
    // A head the model does not have (restored from another model) falls back to the mean.
    if (headCountKnown(s?.id) && p.head >= heads) p.head = -1;
    fillSelect(
      headSelect,
      [
        ['-1', t('allHeads')],
        ['mean-layers', t('meanOfLayers')],
        ['rollout', t('rolloutOption')],
        ...Array.from({ length: Math.max(heads, p.head + 1) }, (_, i): [string, string] => [String(i), t('headN', { n: i + 1 })]),
      ],
      p.attentionSummary ?? String(p.head),
    );
    renormInput.checked = p.renormalizeHidden === true;
    fillSelect(layoutSelect, LAYOUTS.map((l) => [l, t(`headLayout.${l}`)]), p.headLayout ?? 'auto');
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
    const v = headSelect.value;
    const summary = SUMMARIES.find((x) => x === v);
    if (summary) state.persisted.attentionSummary = summary;
    else {
      delete state.persisted.attentionSummary;
      state.persisted.head = Number(v);
    }
    persist();
    onChange();
  });
  renormInput.addEventListener('change', () => {
    state.persisted.renormalizeHidden = renormInput.checked;
    persist();
    onChange();
  });
  layoutSelect.addEventListener('change', () => {
    const layout = LAYOUTS.find((l) => l === layoutSelect.value);
    if (layout) state.persisted.headLayout = layout;
    persist();
    onChange();
  });

  return { root, render };
}
