/**
 * Offsets for byte-level BPE (GPT-2 and the models that reuse its tokenizer): every token is a run of the
 * text's UTF-8 bytes, written with GPT-2's byte-to-character table (a space is `Ġ`, a newline `Ċ`). So the
 * ranges need no replay of the pipeline: the tokens' bytes, laid end to end, are the text's bytes, and each
 * token's byte range maps back to characters. A character split into several byte tokens (most CJK
 * characters, emoji) gives each of its tokens the whole character's range, so tokens that share a
 * character share its [start, end). Leading spaces a token carries (`Ġworld`) are left out of its range,
 * as the tokenizers library's `trim_offsets` does, except in a token of only spaces, which keeps them (it
 * is what is there). Only used when the bytes add up exactly (no normalizer, no prefix space added);
 * anything else goes to the general path.
 */
import type { TokenizerJson } from './tokenizerJson';
import type { Span } from './tokenizerInfo';

const SPACE = 0x20;

/** GPT-2's `bytes_to_unicode`, inverted: the character that stands for a byte → the byte. */
function byteDecoder(): Map<string, number> {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const decoder = new Map<string, number>();
  for (const b of printable) decoder.set(String.fromCharCode(b), b);
  let extra = 0;
  for (let b = 0; b < 256; b++) if (!printable.includes(b)) decoder.set(String.fromCharCode(256 + extra++), b);
  return decoder;
}
let decoderTable: Map<string, number> | undefined;

/** Whether tokenizer.json describes a byte-level BPE this path can place: ByteLevel pre-tokenizing, no normalizer, no prefix space. */
export function isByteLevel(json: TokenizerJson): boolean {
  const pre = json.pre_tokenizer as { type?: string; add_prefix_space?: boolean; pretokenizers?: { type?: string; add_prefix_space?: boolean }[] } | null | undefined;
  const stages = pre?.type === 'Sequence' ? (pre.pretokenizers ?? []) : pre ? [pre] : [];
  const byteLevel = stages.find((s) => s.type === 'ByteLevel');
  return json.model?.type === 'BPE' && !json.normalizer && !!byteLevel && byteLevel.add_prefix_space !== true;
}

/**
 * The text's tokens (`ids`, template tokens already removed) with their ranges, or null when their bytes
 * do not spell the text's bytes exactly. `pieceOf` gives an id's vocabulary piece; `added` the content of
 * added tokens (typed literally in the text, not byte-mapped).
 */
export function byteLevelSpans(text: string, ids: number[], pieceOf: (id: number) => string | undefined, added: ReadonlyMap<number, string>): Span[] | null {
  decoderTable ??= byteDecoder();
  const encoder = new TextEncoder();
  // For every byte of the text: the [start, end) in UTF-16 units of the character it belongs to.
  const charStart: number[] = [];
  const charEnd: number[] = [];
  const textBytes: number[] = [];
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const units = cp > 0xffff ? 2 : 1;
    for (const b of encoder.encode(String.fromCodePoint(cp))) {
      textBytes.push(b);
      charStart.push(i);
      charEnd.push(i + units);
    }
    i += units;
  }
  const spans: Span[] = [];
  let at = 0;
  for (const id of ids) {
    const piece = pieceOf(id);
    if (piece === undefined) return null;
    const content = added.get(id);
    let bytes: number[];
    if (content !== undefined) bytes = Array.from(encoder.encode(content));
    else {
      bytes = [];
      for (const ch of piece) {
        const b = decoderTable.get(ch);
        if (b === undefined) return null;
        bytes.push(b);
      }
    }
    if (bytes.length === 0 || at + bytes.length > textBytes.length || bytes.some((b, k) => textBytes[at + k] !== b)) return null;
    let first = at;
    const last = at + bytes.length - 1;
    while (first < last && textBytes[first] === SPACE) first++;
    if (textBytes[first] === SPACE && first === last) first = at; // only spaces: keep them
    spans.push({ id, token: piece, start: charStart[first], end: charEnd[last] });
    at += bytes.length;
  }
  return at === textBytes.length ? spans : null;
}

/**
 * The text a byte-level piece spells (`Ġbank` → " bank", `æĪij` → "我"), or null when it is no byte-level
 * piece or its bytes are not whole UTF-8 characters (one byte token of a split character).
 */
export function byteLevelPieceText(piece: string): string | null {
  decoderTable ??= byteDecoder();
  const bytes: number[] = [];
  for (const ch of piece) {
    const b = decoderTable.get(ch);
    if (b === undefined) return null;
    bytes.push(b);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    return null;
  }
}
