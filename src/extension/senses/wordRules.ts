/**
 * Which word Explore Word Senses offers, and which words it accepts. No `vscode` import: unit-tested in
 * plain Node (test/unit/sensesHostWord.test.ts); command.ts feeds it what the editor knows.
 */

/** Scripts written without spaces between words: the engine looks for substrings there, not whole words. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

export function isUnspacedScript(ch: string): boolean {
  return UNSPACED.test(ch);
}

export interface CursorContext {
  /** The primary selection's text ('' when it is empty). */
  selection: string;
  /** The cursor's line and its column in UTF-16 code units. */
  lineText: string;
  character: number;
  /** The language's word at the cursor (TextDocument.getWordRangeAtPosition), if any. */
  languageWord?: string;
}

/**
 * The word to offer in the input box, or undefined when there is none under the cursor.
 * - A non-empty selection wins, trimmed: the user said exactly what they mean (果 inside 苹果).
 * - In Chinese, Japanese or Thai text the language's word pattern returns the whole run of characters
 *   between punctuation (我用苹果手机), which no reader calls a word. There the word is the segment of
 *   Intl.Segmenter (ICU's dictionary segmentation) that covers the cursor: 苹果 in 我用苹果手机. It is what a
 *   reader of the line points at; the input box then lets them narrow it to one character (果) or widen it.
 * - Elsewhere, the language's word at the cursor (so `bank` in `bank's`, the editor's double-click word).
 * The cursor may sit just after the word (the end of a double-click selection collapsed, or typing): the
 * character before it counts too.
 */
export function wordUnderCursor(c: CursorContext): string | undefined {
  const selected = c.selection.trim();
  if (selected) return selected;
  const at = unspacedIndexAt(c.lineText, c.character);
  if (at !== undefined) return segmentAt(c.lineText, at);
  const word = c.languageWord?.trim();
  return word ? word : undefined;
}

/** The index of the unspaced-script character at the cursor, or just before it; undefined when neither is one. */
function unspacedIndexAt(line: string, character: number): number | undefined {
  for (const i of [character, character - 1]) {
    if (i < 0 || i >= line.length) continue;
    const cp = line.codePointAt(i);
    if (cp !== undefined && isUnspacedScript(String.fromCodePoint(cp))) return i;
  }
  return undefined;
}

function segmentAt(line: string, index: number): string {
  for (const s of new Intl.Segmenter(undefined, { granularity: 'word' }).segment(line)) {
    if (index >= s.index && index < s.index + s.segment.length) return s.segment;
  }
  return line[index];
}

export type WordProblem = 'empty' | 'lineBreak' | 'spaces';

/**
 * What is wrong with a word the user typed (or passed to the command), or undefined when it is fine. The
 * engine finds one word: whole words in space-delimited scripts, substrings in unspaced ones; a phrase with
 * spaces inside would never match as a whole word.
 */
export function wordProblem(input: string): WordProblem | undefined {
  if (/[\r\n\u2028\u2029]/.test(input)) return 'lineBreak';
  const word = input.trim();
  if (word === '') return 'empty';
  if (/\s/u.test(word)) return 'spaces';
  return undefined;
}
