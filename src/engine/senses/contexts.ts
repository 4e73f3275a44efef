/**
 * Each occurrence's context: the text the model reads around it.
 *
 * The occurrence's sentence (Intl.Segmenter, sentence granularity), then:
 * - widened with whole neighbouring sentences (the following one, then the preceding one, in turn) while
 *   the text stays within `contextTokens` tokens and within its paragraph: a blank line ends a topic, and
 *   a sentence of another topic would blur the very sense being measured;
 * - or, when the sentence alone is longer, cut to at most `contextTokens` tokens around the word (the
 *   model's tokenizer with offsets), half on each side where the text allows, never inside a word.
 * A single line break inside a paragraph does not end a sentence (hard-wrapped prose); a blank line does.
 * Identical contexts (same text, the word at the same place in it) are merged, with their `count`.
 */
import { throwIfAborted } from '../errors';
import type { OffsetTokenizer } from '../tokenOffsets';
import { tokenizeWithOffsets } from '../tokenOffsets';
import type { AnalyzedToken } from '../types';
import type { FoundOccurrence, SearchOutcome } from './search';
import type { SenseOccurrence } from './types';

export const DEFAULT_CONTEXT_TOKENS = 64;
/** Characters looked at on each side of an occurrence per context token: sentences are found in that window only. */
const CHARS_PER_CONTEXT_TOKEN = 16;

/** An occurrence's context as planned: where the first occurrence with it is (SenseOccurrence's fields), and its tokens. */
export interface PlannedContext extends Pick<SenseOccurrence, 'start' | 'end' | 'line' | 'column' | 'context' | 'contextStart' | 'count'> {
  /** Index of the word (0 = `word`, 1 = `also`). */
  word: number;
  source: number;
  /** The context's tokens with [CLS] and [SEP] (offsets into `context`). */
  tokens: AnalyzedToken[];
  /** Indices into `tokens` of the word's pieces (at least one). */
  pieces: number[];
}

const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;
/** A paragraph break: widening stops there. */
const BLANK_LINE = /\r?\n[^\S\r\n]*\r?\n/;
const NO_SPACE_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const segmenter = new Intl.Segmenter(undefined, { granularity: 'sentence' });

/** True where cutting at `pos` would split a word of a space-delimited script. */
function insideWord(text: string, pos: number): boolean {
  if (pos <= 0 || pos >= text.length) return false;
  const a = text[pos - 1];
  const b = text[pos];
  return WORD_CHAR.test(a) && WORD_CHAR.test(b) && !NO_SPACE_CHAR.test(a) && !NO_SPACE_CHAR.test(b);
}

/** Sentences [start, end) of text[from, to), absolute offsets. Lone line breaks are read as spaces (same length). */
export function sentencesIn(text: string, from: number, to: number): [number, number][] {
  const slice = text.slice(from, to).replace(/(?<![\r\n])(\r\n|\r|\n)(?![\r\n])/g, (m) => ' '.repeat(m.length));
  const out: [number, number][] = [];
  for (const s of segmenter.segment(slice)) out.push([from + s.index, from + s.index + s.segment.length]);
  return out;
}

function trimSpan(text: string, s: number, e: number): [number, number] {
  while (s < e && /\s/u.test(text[s])) s++;
  while (e > s && /\s/u.test(text[e - 1])) e--;
  return [s, e];
}

/** Line starts of a text (after \n, \r\n, or a lone \r, as an editor counts lines). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return starts;
}

/** 1-based line and column (UTF-16 code units) of `offset`. */
export function lineColumn(starts: readonly number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo] + 1 };
}

const textTokenCount = (tokenizer: OffsetTokenizer, text: string): number => Math.max(0, tokenizeWithOffsets(tokenizer, text).filter((t) => !t.special).length);

/** [start, end) in `text` of the context of the occurrence [start, end), per the rules above. */
export function contextSpan(tokenizer: OffsetTokenizer, text: string, start: number, end: number, contextTokens: number): [number, number] {
  const reach = Math.max(512, contextTokens * CHARS_PER_CONTEXT_TOKEN);
  const from = Math.max(0, start - reach);
  const to = Math.min(text.length, end + reach);
  const sentences = sentencesIn(text, from, to);
  let first = sentences.findIndex(([s, e]) => s <= start && start < e);
  let last = sentences.findIndex(([s, e]) => s < end && end <= e);
  if (first < 0) first = 0;
  if (last < first) last = first;
  let [cs, ce] = trimSpan(text, sentences[first][0], sentences[last][1]);
  // Widen with the neighbours, following sentence first, within the paragraph and the limit.
  let count = textTokenCount(tokenizer, text.slice(cs, ce));
  let canNext = true;
  let canPrevious = true;
  let preferNext = true;
  while (count < contextTokens) {
    canNext &&= last < sentences.length - 1;
    canPrevious &&= first > 0;
    if (!canNext && !canPrevious) break;
    const takeNext = canNext && (preferNext || !canPrevious);
    preferNext = !preferNext;
    const [ws, we] = trimSpan(text, takeNext ? cs : sentences[first - 1][0], takeNext ? sentences[last + 1][1] : ce);
    const gap = takeNext ? text.slice(ce, we) : text.slice(ws, cs);
    const widened = BLANK_LINE.test(gap) ? Infinity : textTokenCount(tokenizer, text.slice(ws, we));
    if (widened > contextTokens) {
      if (takeNext) canNext = false;
      else canPrevious = false;
      continue;
    }
    if (takeNext) last++;
    else first--;
    [cs, ce, count] = [ws, we, widened];
  }
  return count <= contextTokens ? [cs, ce] : cutAround(tokenizer, text, cs, ce, start, end, contextTokens);
}

/** text[cs, ce) cut to at most `contextTokens` tokens around [start, end), at word boundaries. */
function cutAround(tokenizer: OffsetTokenizer, text: string, cs: number, ce: number, start: number, end: number, contextTokens: number): [number, number] {
  const tokens = tokenizeWithOffsets(tokenizer, text.slice(cs, ce)).filter((t) => !t.special && t.end > t.start);
  const ws = start - cs;
  const we = end - cs;
  let a = tokens.findIndex((t) => t.end > ws);
  let b = tokens.length - 1;
  while (b > 0 && tokens[b].start >= we) b--;
  if (a < 0) a = 0;
  if (b < a) b = a;
  let budget = contextTokens;
  for (let attempt = 0; attempt < 8; attempt++) {
    const room = Math.max(0, budget - (b - a + 1));
    let left = Math.min(a, Math.floor(room / 2));
    const right = Math.min(tokens.length - 1 - b, room - left);
    left = Math.min(a, room - right);
    let i0 = a - left;
    let i1 = b + right;
    while (i0 < a && insideWord(text, cs + tokens[i0].start)) i0++;
    while (i1 > b && insideWord(text, cs + tokens[i1].end)) i1--;
    const span: [number, number] = [cs + tokens[i0].start, cs + tokens[i1].end];
    // Tokenized on its own, the cut text may split differently at its edges: check, and narrow if it must.
    if (textTokenCount(tokenizer, text.slice(span[0], span[1])) <= contextTokens || budget <= b - a + 1) return span;
    budget--;
  }
  return [cs + tokens[a].start, cs + tokens[b].end];
}

/**
 * The contexts of the sampled occurrences (both words'), identical ones merged, in the sample's order.
 * Occurrences whose word the tokenizer reads as no token at all are dropped, and so are those whose context
 * is longer than `maxTokens` (template included): a context is never cut inside the word, so a word of more
 * tokens than the model reads at once (a 10,000-character run, a stack of combining marks read byte by
 * byte) would otherwise reach the model past its last position, which onnxruntime rejects with an error
 * that says nothing to the user.
 */
export function buildContexts(search: SearchOutcome, tokenizer: OffsetTokenizer, contextTokens: number, signal?: AbortSignal, maxTokens = Infinity): PlannedContext[] {
  const starts = new Map<number, number[]>();
  const byKey = new Map<string, PlannedContext>();
  const out: PlannedContext[] = [];
  const occurrences: FoundOccurrence[] = search.sampled.flat();
  for (const [n, o] of occurrences.entries()) {
    if (n % 32 === 0) throwIfAborted(signal);
    const text = search.texts.get(o.source);
    if (text === undefined) continue;
    const [cs, ce] = contextSpan(tokenizer, text, o.start, o.end, contextTokens);
    const context = text.slice(cs, ce);
    const key = `${o.word}\u0000${o.start - cs}\u0000${context}`;
    const same = byKey.get(key);
    if (same) {
      same.count++;
      continue;
    }
    const tokens = tokenizeWithOffsets(tokenizer, context);
    if (tokens.length > maxTokens) continue;
    const pieces = tokens.filter((t) => !t.special && t.end > o.start - cs && t.start < o.end - cs).map((t) => t.index);
    if (!pieces.length) continue;
    let fileStarts = starts.get(o.source);
    if (!fileStarts) starts.set(o.source, (fileStarts = lineStarts(text)));
    const planned: PlannedContext = { word: o.word, source: o.source, start: o.start, end: o.end, ...lineColumn(fileStarts, o.start), context, contextStart: cs, count: 1, tokens, pieces };
    byKey.set(key, planned);
    out.push(planned);
  }
  return out;
}
