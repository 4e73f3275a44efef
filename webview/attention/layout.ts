/** Which head view to draw: two columns of tokens (vertical, BertViz's) or one line with arcs (horizontal). */
import type { HeadLayout } from '../../src/protocol';

/**
 * Rows from which the vertical view counts as long: at 20 px a row it is then taller than ~1000 px, a
 * scroll of its own, while the horizontal view keeps the whole line in one band that scrolls sideways.
 */
export const LONG_TEXT_ROWS = 48;

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const LETTER = /\p{L}/u;

/** The share of the text's letters (Unicode L) that are Han, kana or Hangul; 0 for a text without letters. */
export function cjkShare(text: string): number {
  let letters = 0;
  let cjk = 0;
  for (const ch of text) {
    if (!LETTER.test(ch)) continue;
    letters++;
    if (CJK.test(ch)) cjk++;
  }
  return letters ? cjk / letters : 0;
}

/**
 * The layout drawn for the user's choice. Auto picks horizontal when the text is mostly CJK (more than half
 * of its letters are Han, kana or Hangul: one piece per character, a line reads as the sentence does) or
 * long (more than LONG_TEXT_ROWS rows shown), and vertical otherwise.
 */
export function chooseHeadLayout(choice: HeadLayout | undefined, text: string, rows: number): 'vertical' | 'horizontal' {
  if (choice === 'vertical' || choice === 'horizontal') return choice;
  return autoLayoutReason(text, rows) ? 'horizontal' : 'vertical';
}

/** Why auto picks horizontal (what the hint says): a mostly-CJK text, a long one, or null (vertical). */
export function autoLayoutReason(text: string, rows: number): 'cjk' | 'long' | null {
  if (cjkShare(text) > 0.5) return 'cjk';
  return rows > LONG_TEXT_ROWS ? 'long' : null;
}
