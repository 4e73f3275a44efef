/**
 * Finding a word in many files (in the engine worker: reading files is not the extension host's job).
 *
 * - Space-delimited scripts: whole words. A match may not continue a letter, digit or mark on either side
 *   ("bank" is not found in "banks" or "embankment"), checked with Unicode property escapes, one regular
 *   expression per word run once over each text (linear; no per-match segmentation).
 * - A word holding a Han, Kana or Hangul character is found as a substring: those scripts do not put
 *   spaces between words, and 果 in 苹果 is the case the product exists for.
 * - Case: exact, unless the model's tokenizer lowercases (then "Bank" and "bank" are the same tokens to the
 *   model, and the caller passes `ignoreCase`).
 * Files larger than `maxFileBytes`, unreadable, or binary by the engine's one rule (inputCheck.ts) are
 * skipped and counted. When more occurrences are found than `maxOccurrences`, an even sample is kept:
 * deterministic (every (found / max)-th, from the middle of each stride), so no seed is needed.
 */
import { stat, readFile } from 'node:fs/promises';
import { ContextLensError, isContextLensError, throwIfAborted } from '../errors';
import { checkInputText } from '../inputCheck';
import type { SensesSource } from './types';

export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024;
export const DEFAULT_MAX_OCCURRENCES = 200;
/** Files read at once: enough to overlap disk waits, few enough that 2 MiB files do not pile up in memory. */
const READ_CONCURRENCY = 8;

const NO_SPACE_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;

/** One place a word was found. */
export interface FoundOccurrence {
  /** Index into the sources searched. */
  source: number;
  /** Which of the words searched (index into `words`). */
  word: number;
  start: number;
  end: number;
}

export interface SearchProgress {
  filesDone: number;
  filesTotal: number;
  found: number;
}

export interface SearchOptions {
  maxFileBytes?: number;
  maxOccurrences?: number;
  ignoreCase?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: SearchProgress) => void;
}

export interface SearchOutcome {
  filesSearched: number;
  skippedBinary: number;
  skippedTooLarge: number;
  skippedUnreadable: number;
  /** Occurrences found of each word (before sampling). */
  found: number[];
  /** The even sample of each word's occurrences, in file order then text order. */
  sampled: FoundOccurrence[][];
  /** The text of every source that holds a sampled occurrence (others are not kept). */
  texts: Map<number, string>;
}

/** The word trimmed; EMPTY_INPUT when it is empty or only whitespace / zero-width characters (`what` names it in the message). */
export function checkWord(word: unknown, what: string): string {
  const w = typeof word === 'string' ? word.trim() : '';
  if (!/[^\s\u200B-\u200D\u2060\uFEFF]/u.test(w)) {
    throw new ContextLensError('EMPTY_INPUT', `Type a word to look for: ${what} is empty or only whitespace.`);
  }
  return w;
}

/** Whether the word is searched as a substring (CJK) rather than as a whole word. */
export function isSubstringWord(word: string): boolean {
  return NO_SPACE_SCRIPT.test(word);
}

/** A global regular expression finding `word` as the rules above say. Whitespace inside a phrase matches any whitespace run. */
export function wordPattern(word: string, ignoreCase = false): RegExp {
  const w = checkWord(word, 'the word');
  const body = w
    .split(/\s+/u)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'))
    .join('\\s+');
  const chars = [...w];
  // A boundary is checked only where the word itself ends in a letter or digit: "C++" may be followed by anything.
  const before = !isSubstringWord(w) && WORD_CHAR.test(chars[0]) ? '(?<![\\p{L}\\p{N}\\p{M}])' : '';
  const after = !isSubstringWord(w) && WORD_CHAR.test(chars[chars.length - 1]) ? '(?![\\p{L}\\p{N}\\p{M}])' : '';
  return new RegExp(before + body + after, ignoreCase ? 'giu' : 'gu');
}

/** Every [start, end) of `pattern` in `text` (UTF-16 code units). */
export function findInText(text: string, pattern: RegExp): [number, number][] {
  const out: [number, number][] = [];
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    out.push([m.index, m.index + m[0].length]);
    if (m[0].length === 0) pattern.lastIndex++;
  }
  return out;
}

/** `max` items spread evenly over `items` (all of them when there are no more than `max`). */
export function sampleEvenly<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return items.slice();
  const stride = items.length / max;
  return Array.from({ length: max }, (_, i) => items[Math.floor((i + 0.5) * stride)]);
}

type ReadOutcome = { text: string } | { skipped: 'binary' | 'tooLarge' | 'unreadable' };

async function readSource(source: SensesSource, maxFileBytes: number): Promise<ReadOutcome> {
  let text = source.text;
  if (text === undefined) {
    if (!source.path) return { skipped: 'unreadable' };
    try {
      if ((await stat(source.path)).size > maxFileBytes) return { skipped: 'tooLarge' };
      text = await readFile(source.path, 'utf8');
    } catch {
      return { skipped: 'unreadable' };
    }
  } else if (text.length > maxFileBytes) {
    return { skipped: 'tooLarge' };
  }
  try {
    checkInputText(text, Infinity);
  } catch (e) {
    if (isContextLensError(e, 'BINARY_INPUT')) return { skipped: 'binary' };
    // An empty or whitespace-only file is searched and holds nothing.
    if (isContextLensError(e, 'EMPTY_INPUT')) return { text: '' };
    throw e;
  }
  return { text };
}

/**
 * Searches every source for every word. Memory: the positions found (a few numbers each) and the texts of
 * the files with occurrences, until the sample is drawn; then only the files the sample needs.
 */
export async function searchSources(sources: readonly SensesSource[], words: readonly string[], opts: SearchOptions = {}): Promise<SearchOutcome> {
  const maxFileBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const maxOccurrences = Math.max(1, Math.floor(opts.maxOccurrences ?? DEFAULT_MAX_OCCURRENCES));
  const patterns = words.map((w) => wordPattern(w, opts.ignoreCase));
  const outcome: SearchOutcome = { filesSearched: 0, skippedBinary: 0, skippedTooLarge: 0, skippedUnreadable: 0, found: words.map(() => 0), sampled: [], texts: new Map() };
  const all: FoundOccurrence[][] = words.map(() => []);
  const perSource: FoundOccurrence[][][] = sources.map(() => []);
  let filesDone = 0;
  let next = 0;
  let lastReport = 0;
  const report = (force = false): void => {
    const now = performance.now();
    if (!force && now - lastReport < 100) return;
    lastReport = now;
    opts.onProgress?.({ filesDone, filesTotal: sources.length, found: outcome.found.reduce((a, b) => a + b, 0) });
  };
  const worker = async (): Promise<void> => {
    while (next < sources.length) {
      throwIfAborted(opts.signal);
      const i = next++;
      const read = await readSource(sources[i], maxFileBytes);
      filesDone++;
      if ('skipped' in read) {
        if (read.skipped === 'binary') outcome.skippedBinary++;
        else if (read.skipped === 'tooLarge') outcome.skippedTooLarge++;
        else outcome.skippedUnreadable++;
      } else {
        outcome.filesSearched++;
        perSource[i] = patterns.map((p, w) => findInText(read.text, p).map(([start, end]) => ({ source: i, word: w, start, end })));
        if (perSource[i].some((list) => list.length)) outcome.texts.set(i, read.text);
        perSource[i].forEach((list, w) => (outcome.found[w] += list.length));
      }
      report();
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, sources.length) }, worker));
  throwIfAborted(opts.signal);
  report(true);
  // File order then text order, whatever order the reads finished in.
  for (const lists of perSource) lists.forEach((list, w) => {
    for (const o of list) all[w].push(o);
  });
  outcome.sampled = all.map((list) => sampleEvenly(list, maxOccurrences));
  const needed = new Set(outcome.sampled.flat().map((o) => o.source));
  for (const i of [...outcome.texts.keys()]) if (!needed.has(i)) outcome.texts.delete(i);
  return outcome;
}
