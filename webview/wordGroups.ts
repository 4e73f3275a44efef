/**
 * The Tokens tab in words mode (issue 12): each word's chips drawn inside one box, so the strip reads as
 * words while keyboard focus and guesses stay per piece (the chips are the same buttons, only re-parented).
 */
import type { SnippetView } from '../src/protocol';
import { el } from './dom';
import { shownUnit } from './state';
import { t } from './strings';
import { wordsLanguage, wordsOf } from './words/words';

/**
 * Wraps the strip's chips (built for `snippet`, in token order, each with data-index) word by word; special
 * tokens stay bare. Does nothing in pieces mode or while the snippet's words are on their way.
 */
export function groupChipsByWord(strip: HTMLElement, snippet: SnippetView, chips: readonly HTMLElement[]): void {
  const words = shownUnit() === 'words' ? wordsOf(snippet.id) : undefined;
  if (!words) return;
  const chipOf = new Map(chips.map((c) => [Number(c.dataset.index), c]));
  for (const [wordIndex, word] of words.entries()) {
    if (word.special) continue;
    const own = word.tokenIndices.flatMap((i) => chipOf.get(i) ?? []);
    if (!own.length) continue;
    const box = el('span', {
      class: own.length > 1 ? 'word-group multi' : 'word-group',
      role: 'group',
      'aria-label': word.text,
      'data-testid': 'word-group',
      'data-word-index': wordIndex,
      'data-pieces': own.length,
    });
    // A space before the word stays a space before its box.
    if (own[0].classList.contains('gap')) box.classList.add('gap');
    strip.insertBefore(box, own[0]);
    box.append(...own);
  }
  strip.dataset.unit = 'words';
}

/** The strip header's note in words mode: how the boxes are made (null in pieces mode). */
export function wordsNote(snippet: SnippetView): HTMLElement | null {
  if (shownUnit() !== 'words') return null;
  if (!wordsOf(snippet.id)) return el('span', { class: 'hint words-note', 'data-testid': 'words-pending' }, t('wordsPending'));
  const language = wordsLanguage(snippet.id) || t('wordsLanguageDefault');
  return el('span', { class: 'hint words-note', 'data-testid': 'words-note', 'data-language': wordsLanguage(snippet.id) }, t('wordsHint', { language }));
}
