/** Replays of the @huggingface/tokenizers (JS) normalizers on mapped strings, quirks included. */
import { mapCodePoints, type Mapped } from './mapped';
import type { NormalizerJson } from './tokenizerJson';

const RE_SINGLE_WS = /^\s$/; // no `u` flag, as in BertNormalizer.clean_text: a surrogate pair is never whitespace
const RE_CONTROL = /^\p{Cc}|\p{Cf}|\p{Co}|\p{Cs}$/u;
const RE_MN = /\p{Mn}/gu;
/** Combining marks, as the tokenizer's `do_lowercase_and_remove_accent` removes them. */
export const RE_M = /\p{M}/gu;

export function isControl(ch: string): boolean {
  if (ch === '\t' || ch === '\n' || ch === '\r') return false;
  return RE_CONTROL.test(ch);
}

function isChineseChar(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

const stripAccentsNFD = (s: string) => s.normalize('NFD').replace(RE_MN, '');
/** Per code point: ASCII needs no decomposition. */
const stripAccentsChar = (ch: string) => (ch.charCodeAt(0) < 0x80 ? ch : stripAccentsNFD(ch));

/** BertNormalizer, as @huggingface/tokenizers implements it. */
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
    // The JS implementation tests UTF-16 code units, so astral ideographs are not padded.
    m = mapCodePoints(m, (ch) => (ch.length === 1 && isChineseChar(ch.charCodeAt(0)) ? ` ${ch} ` : ch));
  }
  if (cfg.lowercase) {
    m = mapCodePoints(m, (ch) => ch.toLowerCase(), (s) => s.toLowerCase());
    if (cfg.strip_accents !== false) m = mapCodePoints(m, stripAccentsChar, stripAccentsNFD);
  } else if (cfg.strip_accents) {
    m = mapCodePoints(m, stripAccentsChar, stripAccentsNFD);
  }
  return m;
}

/** Any normalizer: the real one applied per code point, checked against the whole string. */
export function genericNormalize(m: Mapped, normalizer: (s: string) => string): Mapped {
  const out = mapCodePoints(m, normalizer, normalizer);
  if (out.text !== normalizer(m.text)) throw new Error('normalizer is context-sensitive');
  return out;
}
