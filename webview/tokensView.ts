/**
 * Tab "Tokens": each snippet as a strip of token chips; on hover/focus the token's guesses, masked (with
 * the guesses at every layer) or unmasked as the switch says; the last masked span; selection.
 */
import type { GuessView, SnippetView, TokenView } from '../src/protocol';
import { formatProbability } from '../src/shared/format';
import { emit, on } from './bus';
import { clear, el } from './dom';
import { pointKey } from './keys';
import { moveFocus, rovingIndex } from './keyboard';
import { wantGuesses } from './requests';
import { isVisibleToken, persist, shownUnit, state, tokenOf } from './state';
import { t } from './strings';
import { displayPiece, isContinuation, tokenContext } from './tokenText';
import { pageNonce } from './pageNonce';
import { guessList } from './guessList';
import { createGuessModeSwitch, guessMode } from './predictions/guessModeSwitch';
import { layerGuessesSection } from './predictions/layerGuessesView';
import predictionsCss from './predictions/predictions.css';
import { requestLayerGuesses, requestUnmaskedAll } from './predictions/requests';
import { spanSection } from './predictions/spanSection';
import { groupChipsByWord, wordsNote } from './wordGroups';
import { requestAllWords } from './words/words';
import { isCausalView } from './causal/causalFacts';
import { causalInspector } from './causal/inspector';
import { createSurprisalControls, decorateCausalChip } from './causal/surprisalStrip';

/** The pointer rests this long on a chip before its guesses at every layer are asked for (not every chip it crosses). */
const LAYER_GUESSES_DELAY_MS = 150;

export interface TokensView {
  root: HTMLElement;
}

export function createTokensView(): TokensView {
  installPredictionStyles();
  const hint = el('p', { class: 'hint' }, t('tokensHint'));
  const strips = el('div', { class: 'strips' });
  const guessPanel = el('aside', { class: 'guess-panel', 'data-testid': 'guess-panel', 'aria-live': 'polite' });
  const empty = el('div', { class: 'empty' });
  const spanBox = el('div', { class: 'span-box' });
  const modeSwitch = createGuessModeSwitch(() => {
    if (guessMode() === 'unmasked') requestUnmaskedAll();
    else if (state.inspected) inspect(state.inspected.snippetId, state.inspected.tokenIndex);
    rerender();
  });
  // Causal models (issue 13): the strip coloured by surprisal, its legend and toggle (webview/causal).
  const surprisal = createSurprisalControls(() => updateChipTitles());
  const causal = (): boolean => isCausalView(state.model, state.snippets[0]);
  const root = el('div', { class: 'tokens-layout' }, el('div', { class: 'tokens-main' }, spanBox, modeSwitch.root, surprisal.root, hint, empty, strips), guessPanel);
  let layerTimer: ReturnType<typeof setTimeout> | undefined;
  let spanShown: typeof state.span = null;

  function toggle(snippet: SnippetView, token: TokenView): void {
    const p = state.persisted;
    if (p.selectedSnippetId !== snippet.id) {
      p.selectedSnippetId = snippet.id;
      p.selectedTokens = [token.index];
    } else {
      const i = p.selectedTokens.indexOf(token.index);
      if (i >= 0) p.selectedTokens.splice(i, 1);
      else p.selectedTokens.push(token.index);
      p.selectedTokens.sort((a, b) => a - b);
    }
    persist();
    emit('selection');
  }

  function inspect(snippetId: string, tokenIndex: number): void {
    state.inspected = { snippetId, tokenIndex };
    // A causal model's guesses are all there (one forward): only its logit lens is asked for.
    if (guessMode() === 'masked' || causal()) {
      if (!causal()) wantGuesses(snippetId, tokenIndex);
      clearTimeout(layerTimer);
      layerTimer = setTimeout(() => {
        const now = state.inspected;
        if (now?.snippetId === snippetId && now.tokenIndex === tokenIndex && (guessMode() === 'masked' || causal())) requestLayerGuesses(snippetId, tokenIndex);
      }, LAYER_GUESSES_DELAY_MS);
    }
    renderGuesses();
  }

  /**
   * The guesses the switch shows for a token: unmasked (undefined until they come), or masked: the last
   * layer's row of its guesses at every layer once they are here (one forward for this token alone, the
   * hover's numbers), else the streamed ones. Both are the same masked guess; with q8 weights the streamed
   * ones, computed a few tokens per batch, can differ in the last digit (activations are quantized per batch).
   */
  function shownGuesses(snippet: SnippetView, token: TokenView): GuessView[] | undefined {
    if (guessMode() === 'unmasked') return state.unmasked.get(snippet.id)?.[token.index];
    const layers = state.layerGuesses.get(pointKey(snippet.id, token.index))?.layers;
    const last = layers?.[layers.length - 1];
    return last?.guesses.length ? last.guesses : token.guesses;
  }

  function renderSpan(): void {
    clear(spanBox);
    if (!state.span) return;
    const section = spanSection(state.span, () => {
      state.span = null;
      renderSpan();
    });
    spanBox.appendChild(section);
    // A new result (the command just ran) is brought into view: in a narrow panel it sits below the inspector.
    if (state.span !== spanShown) section.scrollIntoView({ block: 'nearest' });
    spanShown = state.span;
  }

  /** Chip tooltips: the shown guess mode's top guess. */
  function updateChipTitles(): void {
    for (const chip of Array.from(strips.querySelectorAll<HTMLButtonElement>('[data-testid="token-chip"]'))) {
      const found = tokenOf(chip.dataset.snippet ?? '', Number(chip.dataset.index));
      if (found && causal()) {
        decorateCausalChip(chip, found.snippet, found.token);
        continue;
      }
      const top = found && shownGuesses(found.snippet, found.token)?.[0];
      if (top) chip.title = `${top.token} ${formatProbability(top.probability)}`;
      else chip.removeAttribute('title');
    }
  }

  function renderGuesses(): void {
    clear(guessPanel);
    const found = state.inspected && tokenOf(state.inspected.snippetId, state.inspected.tokenIndex);
    if (!found) {
      guessPanel.appendChild(el('p', { class: 'hint' }, state.snippets.length ? t(causal() ? 'causalTokensHint' : 'tokensHint') : ''));
      return;
    }
    const { snippet, token } = found;
    if (causal()) {
      guessPanel.appendChild(causalInspector(snippet, token, token.special ? null : layerGuessesPart(snippet.id, token.index)));
      return;
    }
    const ctx = tokenContext(snippet, token, 30);
    const unmasked = guessMode() === 'unmasked';
    const guesses = shownGuesses(snippet, token);
    guessPanel.append(
      el('h2', { class: 'side-title' }, t(unmasked ? 'unmaskedFor' : 'guessesFor', { token: displayPiece(token) })),
      el('p', { class: 'context' }, ctx.before, el('mark', {}, ctx.token), ctx.after),
      el('p', { class: 'hint' }, snippet.label, token.piece !== displayPiece(token) ? ` · ${token.piece}` : ''),
    );
    if (unmasked && !guesses) {
      guessPanel.appendChild(el('p', { class: 'hint', 'data-testid': 'unmasked-pending' }, t('unmaskedPending')));
      return;
    }
    if (!guesses?.length) {
      const why = token.special ? t('guessesNone') : token.guessesPending && !unmasked ? t('guessesPending') : t('noGuesses');
      guessPanel.appendChild(el('p', { class: 'hint', 'data-testid': token.guessesPending && !unmasked ? 'guesses-pending' : 'guesses-none' }, why));
    } else guessPanel.appendChild(guessList(guesses, { 'data-mode': unmasked ? 'unmasked' : 'masked' }, (g) => g.token === token.piece || g.token === displayPiece(token)));
    if (!unmasked && !token.special) guessPanel.appendChild(layerGuessesPart(snippet.id, token.index));
  }

  /** The inspected token's guesses at every layer, or a note while they are computed. */
  function layerGuessesPart(snippetId: string, tokenIndex: number): HTMLElement {
    const key = pointKey(snippetId, tokenIndex);
    if (!state.layerGuesses.has(key)) return el('p', { class: 'hint', 'data-testid': 'layer-guesses-pending' }, t('layerGuessesPending'));
    const result = state.layerGuesses.get(key);
    const token = tokenOf(snippetId, tokenIndex)?.token;
    // A causal model's per-layer view is the logit lens: the next token after this one, by layer.
    return result ? layerGuessesSection(result, causal() && token ? { after: displayPiece(token) } : undefined) : el('p', { class: 'hint' }, t('layerGuessesNone'));
  }

  function render(): void {
    clear(strips);
    empty.hidden = state.snippets.length > 0;
    hint.hidden = state.snippets.length === 0;
    if (!state.snippets.length) {
      clear(empty);
      empty.append(el('h2', {}, t('emptyTitle')), el('ol', {}, el('li', {}, t('emptyStep1')), el('li', {}, t('emptyStep2'))));
    }
    const sel = state.persisted;
    for (const snippet of state.snippets) {
      const selectedHere = sel.selectedSnippetId === snippet.id ? sel.selectedTokens : [];
      const header = el('div', { class: 'strip-header' }, el('h3', {}, snippet.label));
      if (snippet.windowed) header.appendChild(el('span', { class: 'badge' }, t('windowed')));
      if (selectedHere.length) {
        const clearBtn = el('button', { type: 'button', class: 'link-button' }, t('clearSelection'));
        clearBtn.addEventListener('click', () => {
          state.persisted.selectedTokens = [];
          persist();
          emit('selection');
        });
        header.append(el('span', { class: 'badge' }, t('selectedCount', { n: selectedHere.length })), clearBtn);
      }
      const strip = el('div', { class: 'strip', role: 'group', 'aria-label': snippet.label });
      const chips: HTMLButtonElement[] = [];
      let prevEnd = -1;
      let prevChip: HTMLButtonElement | null = null;
      for (const token of snippet.tokens) {
        if (!isVisibleToken(token)) continue;
        const cont = isContinuation(token);
        const gap = !cont && prevEnd >= 0 && token.start > prevEnd && /\s/.test(snippet.text.slice(prevEnd, token.start));
        const selected = selectedHere.includes(token.index);
        const chip = el(
          'button',
          {
            type: 'button',
            class: ['chip', cont ? 'cont' : '', token.special ? 'special' : '', gap ? 'gap' : '', selected ? 'selected' : ''].filter(Boolean).join(' '),
            'data-testid': 'token-chip',
            'data-snippet': snippet.id,
            'data-index': token.index,
            'aria-pressed': selected ? 'true' : 'false',
            tabindex: -1,
          },
          displayPiece(token),
        );
        if (cont && prevChip) prevChip.classList.add('joined');
        chip.addEventListener('click', () => toggle(snippet, token));
        chip.addEventListener('mouseenter', () => inspect(snippet.id, token.index));
        chip.addEventListener('focus', () => inspect(snippet.id, token.index));
        chips.push(chip);
        strip.appendChild(chip);
        if (!token.special) prevEnd = token.end;
        prevChip = chip;
      }
      if (chips.length) chips[Math.max(0, chips.findIndex((c) => c.classList.contains('selected')))].tabIndex = 0;
      // Pieces / Words (issue 12).
      groupChipsByWord(strip, snippet, chips);
      const note = wordsNote(snippet);
      if (note) header.appendChild(note);
      strip.addEventListener('keydown', (e) => {
        const i = chips.indexOf(document.activeElement as HTMLButtonElement);
        if (i < 0) return;
        const next = rovingIndex(e.key, i, chips.length);
        if (next === null) return;
        e.preventDefault();
        moveFocus(chips, i, next);
      });
      strips.appendChild(el('section', { class: 'strip-section' }, header, strip));
    }
    if (state.inspected && !tokenOf(state.inspected.snippetId, state.inspected.tokenIndex)) state.inspected = null;
    // The masked / unmasked switch means nothing to a causal model (its guesses are next-token predictions).
    modeSwitch.root.hidden = state.snippets.length === 0 || causal();
    hint.textContent = t(causal() ? 'causalTokensHint' : 'tokensHint');
    surprisal.update();
    if (shownUnit() === 'words') requestAllWords();
    if (guessMode() === 'unmasked' && !causal()) requestUnmaskedAll();
    updateChipTitles();
    renderGuesses();
    renderSpan();
  }

  /** Re-render but keep keyboard focus on the same chip. */
  function rerender(): void {
    const active = document.activeElement as HTMLElement | null;
    const key = active?.dataset?.testid === 'token-chip' ? `${active.dataset.snippet}|${active.dataset.index}` : null;
    render();
    if (key) {
      const [sid, idx] = key.split('|');
      const chip = Array.from(strips.querySelectorAll<HTMLButtonElement>('[data-testid="token-chip"]')).find((c) => c.dataset.snippet === sid && c.dataset.index === idx);
      if (chip) {
        strips.querySelectorAll<HTMLButtonElement>(`[data-snippet]`).forEach((c) => {
          if (c.dataset.snippet === sid) c.tabIndex = -1;
        });
        chip.tabIndex = 0;
        chip.focus();
      }
    }
  }

  on('snippets', rerender);
  on('guesses', () => {
    renderGuesses();
    renderSpan();
    updateChipTitles();
  });
  on('selection', rerender);
  on('hideSpecial', rerender);
  on('unit', rerender);
  on('words', rerender);
  on('model', rerender);
  on('strings', () => {
    hint.textContent = t('tokensHint');
    modeSwitch.update();
    rerender();
  });
  render();
  return { root };
}

let stylesInstalled = false;
/** The predictions' stylesheet, under the page's nonce like styles.css (see pageStyles.ts). */
function installPredictionStyles(): void {
  if (stylesInstalled || typeof document === 'undefined') return;
  stylesInstalled = true;
  const style = document.createElement('style');
  if (pageNonce) style.nonce = pageNonce;
  style.textContent = predictionsCss;
  document.head.appendChild(style);
}
