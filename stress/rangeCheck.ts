/**
 * The rules every token range must keep, checked from the outside: ordered, non-overlapping, inside the
 * text, and each piece's range text normalising to the piece. Written against the real tokenizer (its
 * normalizer, its vocabulary) rather than the engine's offset code, so a bug there cannot hide itself.
 * Used by the property family (generated strings) and the hostile-text family (the engine's analyses).
 *
 * Two kinds of tokenizer, one per model kind the engine supports:
 * - WordPiece (BERT, masked): the range's text, normalised as the tokenizer normalises (lower case,
 *   accents, …) and without whitespace, is the piece without `##`; `[UNK]` covers something visible;
 *   a special token typed in the text covers exactly its characters. A character the normaliser
 *   decomposes into several pieces (a Hangul syllable into jamo) is covered by all of them: they share
 *   its range, and together spell its normalised text.
 * - byte-level BPE (GPT-2, causal): the range's UTF-8 bytes hold the piece's bytes (leading spaces
 *   trimmed, as the ranges leave them out); a token that is part of a split character covers that
 *   whole character, so tokens of one character share one range; a token that ends in a character's
 *   first bytes covers that character too, and the next token (its last bytes) covers it alone: only then
 *   may ranges meet, and on that one character.
 */
import { tokenizerInfo } from '../src/engine/tokenOffsets/tokenizerInfo';
import type { TokenizerLike } from '../src/engine/hfInternals';

/** What the rules read of a token (an engine AnalyzedToken, a CLI token, a webview TokenView all have it). */
export interface RangedToken {
  id: number;
  piece: string;
  start: number;
  end: number;
  special: boolean;
}

export interface RangeRules {
  kind: 'wordpiece' | 'byte-level';
  check(text: string, tokens: readonly RangedToken[]): string[];
}

/** GPT-2's `bytes_to_unicode`, inverted (the character that stands for a byte → the byte). */
function byteTable(): Map<string, number> {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const table = new Map<string, number>();
  for (const b of printable) table.set(String.fromCharCode(b), b);
  let extra = 0;
  for (let b = 0; b < 256; b++) if (!printable.includes(b)) table.set(String.fromCharCode(256 + extra++), b);
  return table;
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Whether UTF-8 `bytes` end inside a character (its lead byte there, not all of its continuation bytes). */
function endsUnfinished(bytes: readonly number[]): boolean {
  for (let back = 1; back <= Math.min(4, bytes.length); back++) {
    const b = bytes[bytes.length - back];
    if ((b & 0xc0) === 0x80) continue;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return back < need;
  }
  return false;
}
const show = (s: string): string => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);

function indexOfBytes(hay: Uint8Array, needle: readonly number[]): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let k = 0; k < needle.length; k++) if (hay[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

/**
 * The shape every tokenizer's ranges share: order, bounds, zero-width template tokens. `mayOverlap(prev, t)`:
 * whether t may start before prev ends (pieces of one character; each kind says when).
 */
function shapeProblems(text: string, tokens: readonly RangedToken[], mayOverlap: (prev: RangedToken, t: RangedToken) => boolean): string[] {
  const problems: string[] = [];
  let prev: RangedToken | undefined;
  for (const [i, t] of tokens.entries()) {
    if (!(Number.isInteger(t.start) && Number.isInteger(t.end) && t.start >= 0 && t.start <= t.end && t.end <= text.length)) {
      problems.push(`token ${i} ${show(t.piece)}: range [${t.start}, ${t.end}) is not inside the text (length ${text.length})`);
      continue;
    }
    if (t.special) {
      if (t.start !== t.end) problems.push(`template token ${i} ${show(t.piece)} covers [${t.start}, ${t.end}); it must be zero-width`);
      continue;
    }
    if (t.end === t.start) problems.push(`token ${i} ${show(t.piece)} covers nothing`);
    if (prev && t.start < prev.end && !(t.start >= prev.start && t.end >= prev.end && mayOverlap(prev, t))) {
      problems.push(`token ${i} ${show(t.piece)} [${t.start}, ${t.end}) overlaps or precedes token ${i - 1} ${show(prev.piece)} [${prev.start}, ${prev.end})`);
    }
    prev = t;
  }
  return problems;
}

export function rangeRules(tokenizer: TokenizerLike): RangeRules {
  const info = tokenizerInfo(tokenizer);
  const real = tokenizer as unknown as { all_special_ids?: number[]; _tokenizer?: { normalizer?: ((s: string) => string) | null } };
  const specialIds = new Set<number>(real.all_special_ids ?? []);
  if (info.byteLevelAdded) return byteLevelRules(info.byteLevelAdded);
  const normalizer = real._tokenizer?.normalizer;
  const normalize = (s: string): string => (normalizer ? normalizer(s) : s).replace(/\s+/g, '');
  const prefix = info.continuingPrefix || '##';
  return {
    kind: 'wordpiece',
    check(text, tokens) {
      const ordinary = (t: RangedToken): boolean => !t.special && t.id !== info.unkId && !specialIds.has(t.id);
      // One character the normalizer turns into several (a Hangul syllable into its jamo: 사 → ᄉ ##ᅡ) is
      // pieces of that character, which share its range as byte-level tokens of one character do.
      const problems = shapeProblems(text, tokens, (a, b) => a.start === b.start && a.end === b.end && ordinary(a) && ordinary(b));
      const bare = (t: RangedToken): string => (t.piece.startsWith(prefix) ? t.piece.slice(prefix.length) : t.piece);
      for (let i = 0; i < tokens.length; i++) {
        const t = tokens[i];
        if (t.special || t.end > text.length) continue;
        const slice = text.slice(t.start, t.end);
        if (t.id === info.unkId) {
          if (!slice.trim()) problems.push(`[UNK] ${i} covers only ${show(slice)}`);
        } else if (specialIds.has(t.id)) {
          if (slice !== t.piece) problems.push(`typed special token ${i} ${show(t.piece)} covers ${show(slice)}`);
        } else {
          // The run of tokens sharing this range: together they spell the range's normalised text.
          let last = i;
          while (last + 1 < tokens.length && ordinary(tokens[last + 1]) && tokens[last + 1].start === t.start && tokens[last + 1].end === t.end) last++;
          const pieces = tokens.slice(i, last + 1).map(bare).join('');
          const what = last > i ? `tokens ${i}–${last} ${show(tokens.slice(i, last + 1).map((k) => k.piece).join(' '))}` : `token ${i} ${show(t.piece)}`;
          if (normalize(slice) !== pieces) problems.push(`${what} cover ${show(slice)}, which normalises to ${show(normalize(slice))}`);
          i = last;
        }
      }
      return problems;
    },
  };
}

function byteLevelRules(added: ReadonlyMap<number, string>): RangeRules {
  const table = byteTable();
  const pieceBytes = (piece: string): number[] | undefined => {
    const out: number[] = [];
    for (const ch of piece) {
      const b = table.get(ch);
      if (b === undefined) return undefined;
      out.push(b);
    }
    return out;
  };
  // Tokens of one split character share its range; a whole-character token never shares.
  const partial = (t: RangedToken): boolean => {
    const b = pieceBytes(t.piece);
    if (!b) return false;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(b));
      return false;
    } catch {
      return true;
    }
  };
  // A token that ends in the first bytes of a character (GPT-2 merges "ת" + the lead byte of the next Hebrew
  // letter into one token): its range ends after that character, and the next token, the character's last
  // bytes, covers that character alone. The two ranges meet on exactly that one character, as the Hugging
  // Face tokenizers library's offsets do ([4, 6) and [5, 6) for "יתר" split ×Ļ× ª).
  const splitAcross = (prev: RangedToken, t: RangedToken, text: string): boolean => {
    const a = pieceBytes(prev.piece);
    const b = pieceBytes(t.piece);
    if (!a || !b || !endsUnfinished(a) || (b[0] & 0xc0) !== 0x80) return false;
    const cp = text.codePointAt(t.start);
    return cp !== undefined && prev.end - t.start === String.fromCodePoint(cp).length;
  };
  return {
    kind: 'byte-level',
    check(text, tokens) {
      const problems = shapeProblems(text, tokens, (a, b) => (a.start === b.start && a.end === b.end && partial(a) && partial(b)) || splitAcross(a, b, text));
      for (const [i, t] of tokens.entries()) {
        if (t.special || t.end > text.length) continue;
        const slice = text.slice(t.start, t.end);
        const content = added.get(t.id);
        if (content !== undefined) {
          if (slice !== content) problems.push(`typed added token ${i} ${show(content)} covers ${show(slice)}`);
          continue;
        }
        const bytes = pieceBytes(t.piece);
        if (!bytes) {
          problems.push(`token ${i} ${show(t.piece)} is no byte-level piece`);
          continue;
        }
        let first = 0;
        while (first < bytes.length - 1 && bytes[first] === 0x20) first++;
        if (bytes.every((b) => b === 0x20)) first = 0; // a token of only spaces keeps them
        const want = bytes.slice(first);
        const have = utf8(slice);
        const at = indexOfBytes(have, want);
        // The range is the smallest run of whole characters that holds the bytes: what is left over on
        // either side is less than one character.
        const firstChar = utf8(String.fromCodePoint(slice.codePointAt(0) ?? 0x20)).length;
        const lastCp = slice.length ? slice.codePointAt(slice.length - (slice.length > 1 && /[\udc00-\udfff]/.test(slice[slice.length - 1]) ? 2 : 1)) ?? 0x20 : 0x20;
        const lastChar = utf8(String.fromCodePoint(lastCp)).length;
        if (at < 0) problems.push(`token ${i} ${show(t.piece)} covers ${show(slice)}, whose bytes do not hold the piece's`);
        else if (at >= firstChar || have.length - (at + want.length) >= lastChar) problems.push(`token ${i} ${show(t.piece)} covers ${show(slice)}, more than the characters its bytes belong to`);
      }
      return problems;
    },
  };
}
