/** Cheap checks of a selection before it is tokenized. Pure; no dependencies besides the error type. */
import { ContextLensError } from './errors';

/** Windows of `maxTokens` a selection may span before it is refused rather than analyzed in windows. */
export const MAX_WINDOWS = 20;
/** Characters per token assumed before tokenizing: generous (CJK is ~1, English ~4), so no text that fits is refused. */
export const CHARS_PER_TOKEN_BOUND = 4;

/**
 * The longest selection (UTF-16 code units) worth analyzing for a model read `maxTokens` at a time: about
 * MAX_WINDOWS windows. Beyond that the analysis takes minutes and its map holds thousands of points, so the
 * user is asked for a shorter passage instead. The limit follows `maxTokens` (a setting in the extension),
 * not a fixed count, so that a user who raises maxTokens may select more; callers with no such setting
 * (the hover's document text) use analyze.ts's DEFAULT_MAX_CHARS; the CLI applies maxCharsForTokens(512), the
 * extension's default (src/cli/limits.ts).
 */
export function maxCharsForTokens(maxTokens: number): number {
  return maxTokens * MAX_WINDOWS * CHARS_PER_TOKEN_BOUND;
}

/** Fraction of control / replacement characters above which a text is taken for binary data. */
export const BINARY_CONTROL_FRACTION = 0.1;
/**
 * Control / replacement characters a text may hold whatever its length. A short selection with one stray
 * U+FFFD (a mis-decoded quote, a pasted byte) is text; a share measured on a handful of characters says nothing
 * about the document. Binary data read as text has far more: random bytes decoded as Latin-1 are about a
 * quarter control characters, as UTF-8 about half replacement characters, and file headers carry NULs.
 */
export const STRAY_CONTROL_ALLOWANCE = 2;

/**
 * Throws a ContextLensError when `text` cannot usefully be analyzed:
 * - 'EMPTY_INPUT': empty, or only whitespace / zero-width characters;
 * - 'INPUT_TOO_LARGE': more than `maxChars` UTF-16 code units (VS Code's notion of characters);
 * - 'BINARY_INPUT': contains a NUL, or more than STRAY_CONTROL_ALLOWANCE and more than 10% control characters
 *   (other than tab, line feed, carriage return, form feed, vertical tab) and U+FFFD replacement characters.
 * Runs in one pass over the text, and not at all over a text that is too large.
 */
export function checkInputText(text: string, maxChars: number): void {
  if (typeof text !== 'string' || !/[^\s\u200B-\u200D\u2060\uFEFF]/.test(text)) {
    throw new ContextLensError('EMPTY_INPUT', 'Select some text first: the selection is empty or only whitespace.');
  }
  if (text.length > maxChars) {
    throw new ContextLensError(
      'INPUT_TOO_LARGE',
      `The selection has ${fmt(text.length)} characters; Context Lens analyzes at most ${fmt(maxChars)}. Select a shorter passage.`,
    );
  }
  let suspicious = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) {
      throw new ContextLensError('BINARY_INPUT', 'The selection looks like binary data (it contains NUL bytes). Select text.');
    }
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0b && c !== 0x0c && c !== 0x0d) || (c >= 0x7f && c <= 0x9f) || c === 0xfffd) {
      suspicious++;
    }
  }
  if (suspicious > STRAY_CONTROL_ALLOWANCE && suspicious > text.length * BINARY_CONTROL_FRACTION) {
    throw new ContextLensError(
      'BINARY_INPUT',
      `The selection looks like binary data (${fmt(suspicious)} of its ${fmt(text.length)} characters are control or replacement characters). Select text.`,
    );
  }
}

function fmt(n: number): string {
  return Number.isFinite(n) ? Math.floor(n).toLocaleString('en-US') : String(n);
}
