/**
 * Normalizers on mapped strings. BertNormalizer is the reference implementation's (the Rust `tokenizers`
 * library's), which BERT vocabularies were built with; where the JS port (@huggingface/tokenizers, inside
 * transformers.js) differs, the tokenizer's own normalizer is replaced by this one (`conformTokenizer`), so
 * that the ids the model reads and the replayed ranges come from one implementation. Other normalizers are
 * the JS port's, run per code point.
 */
import { mapCodePoints, mappedFrom, type Mapped } from './mapped';
import { KEPT_FORMAT, KEPT_MARKS, NOT_DECOMPOSED, STRIPPED_MARKS } from './referenceUnicode';
import type { NormalizerJson } from './tokenizerJson';

const RE_SINGLE_WS = /^\s$/; // no `u` flag, as in BertNormalizer.clean_text: a surrogate pair is never whitespace
const RE_CONTROL = /^\p{Cc}|\p{Cf}|\p{Co}|\p{Cs}$/u;
/** Format characters the reference's (older) Unicode tables do not know as such: clean_text keeps them. */
const RE_KEPT_FORMAT = new RegExp(`^[${KEPT_FORMAT}]$`, 'u');
/** Non-spacing marks as the reference's tables have them (referenceUnicode.ts). */
const RE_MN = new RegExp(`[[\\p{Mn}--[${KEPT_MARKS}]][${STRIPPED_MARKS}]]`, 'gv');
/** Characters the reference's NFD does not decompose. */
const RE_NOT_DECOMPOSED = new RegExp(`[${NOT_DECOMPOSED}]`, 'u');
/** Combining marks, as the tokenizer's `do_lowercase_and_remove_accent` removes them. */
export const RE_M = /\p{M}/gu;

export function isControl(ch: string): boolean {
  if (ch === '\t' || ch === '\n' || ch === '\r') return false;
  return RE_CONTROL.test(ch) && !RE_KEPT_FORMAT.test(ch);
}

/** The CJK ideograph blocks the reference splits into words of their own (its `is_chinese_char`). */
function isChineseChar(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b920 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** Per code point: ASCII needs no decomposition; what the reference cannot decompose stays whole. */
const stripAccentsChar = (ch: string) => (ch.charCodeAt(0) < 0x80 || RE_NOT_DECOMPOSED.test(ch) ? ch : ch.normalize('NFD').replace(RE_MN, ''));
/** The whole string at once (canonical reordering of marks across code points), as the reference does it. */
const stripAccentsNFD = (s: string) => (RE_NOT_DECOMPOSED.test(s) ? Array.from(s, stripAccentsChar).join('') : s.normalize('NFD').replace(RE_MN, ''));

/**
 * BertNormalizer as the reference implements it: clean the text (drop NUL, U+FFFD and control / format
 * characters; whitespace to a space), put spaces around every CJK ideograph of every plane (the JS port tests
 * UTF-16 code units, so it never splits a surrogate pair off its neighbours), strip accents (NFD, then drop
 * non-spacing marks) before lowercasing, and lowercase code point by code point (no final-sigma rule: "ΣΑΣ"
 * is "σασ", as the vocabulary was built).
 */
export function bertNormalize(m: Mapped, cfg: NormalizerJson): Mapped {
  if (cfg.clean_text) {
    m = mapCodePoints(m, (ch) => {
      const c = ch.charCodeAt(0);
      if (c > 0x20 && c < 0x7f) return ch;
      if (c === 0 || c === 0xfffd || isControl(ch)) return '';
      return RE_SINGLE_WS.test(ch) ? ' ' : ch;
    });
  }
  if (cfg.handle_chinese_chars) {
    m = mapCodePoints(m, (ch) => (isChineseChar(ch.codePointAt(0)!) ? ` ${ch} ` : ch));
  }
  const lowercase = cfg.lowercase === true;
  if (cfg.strip_accents ?? lowercase) m = mapCodePoints(m, stripAccentsChar, stripAccentsNFD);
  if (lowercase) m = mapCodePoints(m, (ch) => ch.toLowerCase());
  return m;
}

/** `bertNormalize` on a plain string: the normalizer `conformTokenizer` gives the tokenizer. */
export function bertNormalizeText(text: string, cfg: NormalizerJson): string {
  return bertNormalize(mappedFrom(text, 0, text.length), cfg).text;
}

/** Any normalizer: the real one applied per code point, checked against the whole string. */
export function genericNormalize(m: Mapped, normalizer: (s: string) => string): Mapped {
  const out = mapCodePoints(m, normalizer, normalizer);
  if (out.text !== normalizer(m.text)) throw new Error('normalizer is context-sensitive');
  return out;
}
