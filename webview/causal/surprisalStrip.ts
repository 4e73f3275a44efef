/**
 * The Tokens tab's strip for a causal model (issue 13): each chip coloured by its surprisal (bins of
 * surprisal.ts) while "Colour by surprisal" is on, with the value in the chip's title and accessible name
 * (never colour alone), a legend of the scale, and byte tokens of one character marked as its parts.
 */
import type { SnippetView, TokenView } from '../../src/protocol';
import { formatProbability } from '../../src/shared/format';
import { el } from '../dom';
import { persist, state } from '../state';
import { t } from '../strings';
import { bytePart, causalFacts, characterProbability, isCausalView, tokenName } from './causalFacts';
import { installCausalStyles } from './styles';
import { formatBits, SURPRISAL_BINS, surprisalBinLabel, surprisalBits } from './surprisal';

const BIN_CLASSES = [...Array.from({ length: SURPRISAL_BINS }, (_, i) => `surprisal-${i}`), 'surprisal-none'];

export function surprisalColourOn(): boolean {
  return state.persisted.surprisalColour !== false;
}

export interface SurprisalControls {
  root: HTMLElement;
  /** Shown for a causal model only; re-reads the strings and the toggle. */
  update(): void;
}

/** The labelled toggle and the legend; `onChange` re-colours the strip. */
export function createSurprisalControls(onChange: () => void): SurprisalControls {
  installCausalStyles();
  const box = el('input', { type: 'checkbox', 'data-testid': 'surprisal-toggle' });
  const label = el('span');
  const toggle = el('label', { class: 'surprisal-toggle' }, box, label);
  const legend = el('ul', { class: 'surprisal-legend', 'data-testid': 'surprisal-legend' });
  const root = el('div', { class: 'surprisal-controls', 'data-testid': 'surprisal-controls' }, toggle, legend);
  box.addEventListener('change', () => {
    state.persisted.surprisalColour = box.checked;
    persist();
    update();
    onChange();
  });

  function update(): void {
    root.hidden = !isCausalView(state.model, state.snippets[0]) || state.snippets.length === 0;
    box.checked = surprisalColourOn();
    label.textContent = t('surprisalToggle');
    toggle.title = t('surprisalToggleTitle');
    legend.replaceChildren(el('li', { class: 'legend-title' }, t('surprisalLegend')));
    for (let bin = 0; bin < SURPRISAL_BINS; bin++) legend.appendChild(el('li', { class: `sp-swatch surprisal-${bin}`, 'data-bin': bin }, surprisalBinLabel(bin)));
    legend.appendChild(el('li', { class: 'sp-swatch none' }, t('surprisalLegendNone')));
    legend.hidden = !box.checked;
  }

  update();
  return { root, update };
}

/** Colours, names and marks one chip of a causal model's strip. */
export function decorateCausalChip(chip: HTMLElement, snippet: SnippetView, token: TokenView): void {
  chip.classList.remove(...BIN_CLASSES, 'byte-part');
  if (token.special) return;
  const facts = causalFacts(token);
  const shown = tokenName(token);
  const part = bytePart(snippet.tokens, token.index);
  const whole = characterProbability(snippet.tokens, token.index);
  const wholeText = whole ? ` · ${t('byteCharacterTitle', { char: shown, p: formatProbability(whole.probability), bits: formatBits(surprisalBits(whole.probability)) })}` : '';
  const partText = part ? ` · ${t('bytePartTitle', { part: part.part, of: part.of, char: shown })}${wholeText}` : '';
  const title =
    facts.probability === undefined
      ? t('surprisalChipFirst', { token: shown })
      : t('surprisalChipTitle', { token: shown, p: formatProbability(facts.probability), rank: facts.rank ?? '–', bits: formatBits(facts.bits ?? NaN) });
  chip.title = title + partText;
  chip.setAttribute('aria-label', title + partText);
  if (facts.bin >= 0) chip.dataset.surprisal = formatBits(facts.bits ?? NaN);
  if (part && part.part > 1) {
    // Later bytes of a character: joined to the first chip, which shows the character.
    chip.classList.add('byte-part', 'cont');
    chip.previousElementSibling?.classList.add('joined');
    chip.textContent = '·';
  }
  if (surprisalColourOn()) chip.classList.add(facts.bin >= 0 ? `surprisal-${facts.bin}` : 'surprisal-none');
}
