/**
 * analyze(), guessesForTokens() and guessesAt(): thin compositions, in the spirit of transformers.js
 * pipelines (`fill-mask.js`'s `_call`: tokenize, run the model, read the guesses): tokens with offsets
 * (tokenOffsets), windows over long texts (textWindows), one forward per window (forward.ts), and the
 * guesses of the model's family (families/). No library internals here: they are in hfInternals.ts.
 */
import { ContextLensError, throwIfAborted } from './errors';
import { floatData, runRows, type NextTokenReads } from './forward';
import type { LoadedModel } from './modelStore';
import { planCausalWindows, planWindows, type TextWindow } from './textWindows';
import { templateShape, tokenIndexAtOffset, tokenizeWithOffsets } from './tokenOffsets';
import { checkInputText } from './inputCheck';
import { nextTokenOutputs, nextTokenRows } from './predictions/nextToken';
import type { AnalyzedToken, Analysis, AnalysisWindow, AnalyzeOptions, Guess, TokenProbability } from './types';

/** Template tokens around a text ([CLS] … [SEP] for BERT, none for GPT-2), as the tokenizer adds them. */
interface Template {
  prefix: number;
  suffix: number;
}

/** The template of `tokens` (a tokenizeWithOffsets result): the measured shape, clamped to what is there. */
function templateOf(lm: LoadedModel, tokens: readonly AnalyzedToken[]): Template {
  const shape = templateShape(lm.tokenizer);
  const prefix = Math.min(shape.prefix, tokens.length);
  return { prefix, suffix: Math.min(shape.suffix, tokens.length - prefix) };
}

/** What a causal model's analysis forward adds (types.ts Analysis.next / tokenProbabilities). */
interface CausalRows {
  next: Guess[][];
  tokenProbabilities: (TokenProbability | null)[];
  /** expected[g]: the top-k of the row that scores token g (next[g − 1] as token g's window computed it). */
  expected: Guess[][];
}

/** Selections longer than this many characters are refused before tokenizing. */
export const DEFAULT_MAX_CHARS = 200_000;

export interface AnalyzeProgress {
  (done: number, total: number): void;
}

/** Tokens, hidden states of every layer, attention of every head, masked guesses for every token. */
export async function analyze(
  lm: LoadedModel,
  text: string,
  options: AnalyzeOptions & { maxChars?: number; maxTokens?: number; onProgress?: AnalyzeProgress } = {},
): Promise<Analysis> {
  const { topK = 5, guesses: wantGuesses = true, signal } = options;
  checkInputText(text, options.maxChars ?? DEFAULT_MAX_CHARS);
  const timings: Record<string, number> = {};
  let t = performance.now();
  const tokens = tokenizeWithOffsets(lm.tokenizer, text);
  timings.tokenizeMs = performance.now() - t;
  const template = templateOf(lm, tokens);
  const textTokens = tokens.slice(template.prefix, tokens.length - template.suffix);
  if (textTokens.length === 0) {
    throw new ContextLensError('EMPTY_INPUT', 'The selection has no tokens the model can read. Select some text first.');
  }
  const { numLayers, hiddenSize } = lm.info;
  // The user may ask for shorter windows than the model allows (memory, attention legibility).
  const causal = lm.family.kind === 'causal';
  const templateTokens = template.prefix + template.suffix;
  const maxTokens = Math.max(templateTokens + (causal ? 2 : 1), Math.min(lm.info.maxTokens, options.maxTokens ?? Infinity));
  const T = tokens.length;
  // A causal token sees only leftwards: it is kept from the window where it has the most left context.
  const plan = causal ? planCausalWindows(textTokens.length, maxTokens - templateTokens) : planWindows(textTokens.length, Math.max(3, maxTokens - templateTokens + 2));
  const causalRows: CausalRows | undefined = causal ? { next: tokens.map(() => []), tokenProbabilities: tokens.map(() => null), expected: tokens.map(() => []) } : undefined;
  const hiddenStates = Array.from({ length: numLayers + 1 }, () => new Float32Array(T * hiddenSize));
  const windows: AnalysisWindow[] = [];
  // A causal model's guesses come from the analysis forward itself: they are filled whether asked or not.
  const guesses: Guess[][] | null = wantGuesses || causal ? tokens.map(() => []) : null;
  const totalRows = wantGuesses || causal ? textTokens.length : 0;
  let rowsDone = 0;
  t = performance.now();
  let guessMs = 0;
  for (let w = 0; w < plan.length; w++) {
    throwIfAborted(signal);
    const { window, windowIds, guessPositions } = await forwardWindow(lm, tokens, template, plan, w, hiddenStates, causalRows, topK);
    windows.push(window);
    if (guesses && causalRows) {
      // What the model expected at a token before seeing it: the row that scores it, from the same forward.
      for (const pos of guessPositions) guesses[window.tokenIndices[pos]] = causalRows.expected[window.tokenIndices[pos]];
      rowsDone += guessPositions.length;
      options.onProgress?.(rowsDone, totalRows);
    } else if (guesses) {
      const g0 = performance.now();
      const found = await lm.family.guesses(lm, windowIds, guessPositions, topK, signal, (done) => options.onProgress?.(rowsDone + done, totalRows));
      guessPositions.forEach((pos, i) => (guesses[window.tokenIndices[pos]] = found[i]));
      rowsDone += guessPositions.length;
      guessMs += performance.now() - g0;
    }
  }
  timings.forwardMs = performance.now() - t - guessMs;
  timings.guessesMs = guessMs;
  const causalFields = causalRows ? { next: causalRows.next, tokenProbabilities: causalRows.tokenProbabilities } : {};
  return { text, model: lm.info, tokens, hiddenStates, windows, windowed: plan.length > 1, guesses, ...causalFields, timings };
}

/**
 * The forward of window `w` of the plan: copies the hidden states of the tokens it keeps into
 * `hiddenStates` and returns its attentions, its ids, and the positions of the text tokens it keeps.
 */
async function forwardWindow(
  lm: LoadedModel,
  tokens: AnalyzedToken[],
  template: Template,
  plan: TextWindow[],
  w: number,
  hiddenStates: Float32Array[],
  causalRows: CausalRows | undefined,
  topK: number,
): Promise<{ window: AnalysisWindow; windowIds: number[]; guessPositions: number[] }> {
  const { hiddenSize } = lm.info;
  const T = tokens.length;
  const { prefix, suffix } = template;
  const { start, end, keepStart, keepEnd } = plan[w];
  // Window positions: the template's prefix ([CLS]), the text tokens start..end-1, its suffix ([SEP]);
  // the global index of text token j is prefix + j.
  const tokenIndices = [
    ...Array.from({ length: prefix }, (_, i) => i),
    ...Array.from({ length: end - start }, (_, i) => start + i + prefix),
    ...Array.from({ length: suffix }, (_, i) => T - suffix + i),
  ];
  const windowIds = tokenIndices.map((g) => tokens[g].id);
  const n = windowIds.length;
  const keep = (pos: number): boolean => {
    if (pos < prefix) return w === 0;
    if (pos >= n - suffix) return w === plan.length - 1;
    const j = start + pos - prefix;
    return j >= keepStart && j < keepEnd;
  };
  const kept = Array.from({ length: n }, (_, pos) => pos).filter(keep);
  // A causal window also gives the next-token rows: at every kept position and the one before the first
  // (which scores the first kept token). Kept positions are contiguous.
  const asked = causalRows && kept.length ? Array.from({ length: kept[kept.length - 1] - Math.max(0, kept[0] - 1) + 1 }, (_, i) => Math.max(0, kept[0] - 1) + i) : [];
  const fetches = [...lm.attentionOutputs, ...lm.hiddenStateOutputs, ...(causalRows ? nextTokenOutputs(lm) : [])];
  // Each asked row scores the token that follows it (the last row's id is a stand-in: nothing follows).
  const reads = { topK: Math.max(1, topK), ids: asked.map((p) => windowIds[p + 1] ?? 0) };
  const out = causalRows ? await runRows(lm, [windowIds], fetches, asked, [], reads) : await runRows(lm, [windowIds], fetches);
  if (causalRows) readCausalRows(lm, out, asked, reads, kept, tokenIndices, windowIds, causalRows, topK);
  lm.hiddenStateOutputs.forEach((name, layer) => {
    const data = floatData(out[name]);
    for (let pos = 0; pos < n; pos++) {
      if (keep(pos)) hiddenStates[layer].set(data.subarray(pos * hiddenSize, (pos + 1) * hiddenSize), tokenIndices[pos] * hiddenSize);
    }
  });
  // Global indices kept: the prefix ([CLS]) in the first window, the suffix ([SEP]) in the last, text tokens keepStart..keepEnd-1.
  const keptTokens: [number, number] = [w === 0 ? 0 : keepStart + prefix, w === plan.length - 1 ? T : keepEnd + prefix];
  // Each output tensor owns its buffer (both runtimes copy out of native/WASM memory): keep it, no copy.
  const window = { tokenIndices, attentions: lm.attentionOutputs.map((name) => floatData(out[name])), keptTokens };
  const guessPositions: number[] = [];
  for (let pos = prefix; pos < n - suffix; pos++) if (keep(pos) && (!causalRows || pos > 0)) guessPositions.push(pos);
  return { window, windowIds, guessPositions };
}

/**
 * A causal window's next-token rows into `rows`: next[g] for every kept token g, and the probability and
 * rank of every kept token given the tokens before it (null for the window's first position, which
 * nothing precedes: only the text's first token or the template's first, both in the first window).
 */
function readCausalRows(
  lm: LoadedModel,
  out: Awaited<ReturnType<typeof runRows>>,
  asked: number[],
  reads: NextTokenReads,
  kept: number[],
  tokenIndices: number[],
  windowIds: number[],
  rows: CausalRows,
  topK: number,
): void {
  const read = nextTokenRows(lm, out, asked, reads);
  const first = asked[0];
  const topOf = asked.map((_, i) => read.topK(i, topK));
  for (const pos of kept) {
    const g = tokenIndices[pos];
    rows.next[g] = topOf[pos - first];
    if (pos === 0) continue;
    rows.expected[g] = topOf[pos - 1 - first];
    rows.tokenProbabilities[g] = read.probabilityOf(pos - 1 - first, windowIds[pos]);
  }
}

/**
 * Fills in `analysis.guesses` for the given token indices (special tokens and tokens already done are
 * skipped), each in the window that speaks for it. Lets a caller show the map first and stream the
 * guesses after: at bert-base size every guess is one full forward. Returns the indices filled.
 */
export async function guessesForTokens(
  lm: LoadedModel,
  analysis: Analysis,
  tokenIndices: readonly number[],
  topK: number,
  signal?: AbortSignal,
  onProgress?: AnalyzeProgress,
): Promise<number[]> {
  const guesses = (analysis.guesses ??= analysis.tokens.map(() => []));
  const wanted = [...new Set(tokenIndices)].filter((i) => Number.isInteger(i) && analysis.tokens[i] && !analysis.tokens[i].special && guesses[i].length === 0);
  const filled: number[] = [];
  for (const window of analysis.windows) {
    const [from, to] = window.keptTokens;
    const mine = wanted.filter((i) => i >= from && i < to);
    if (!mine.length) continue;
    throwIfAborted(signal);
    const windowIds = window.tokenIndices.map((g) => analysis.tokens[g].id);
    const positions = mine.map((g) => window.tokenIndices.indexOf(g));
    const done = filled.length;
    const found = await lm.family.guesses(lm, windowIds, positions, topK, signal, (n) => onProgress?.(done + n, wanted.length));
    mine.forEach((g, i) => (guesses[g] = found[i]));
    filled.push(...mine);
  }
  return filled;
}

/**
 * The top-k for the token under a character offset, that token masked (the hover). Only the window
 * around the token is run, so a long document costs one forward of at most maxTokens.
 */
export async function guessesAt(
  lm: LoadedModel,
  text: string,
  offset: number,
  topK = 5,
  signal?: AbortSignal,
): Promise<{ token: AnalyzedToken; guesses: Guess[] } | null> {
  const at = tokenInWindow(lm, text, offset, signal);
  if (!at) return null;
  const [guesses] = await lm.family.guesses(lm, at.windowIds, [at.position], topK, signal);
  return { token: at.token, guesses };
}

/**
 * The token covering a character offset and the model input around it (its window and its position
 * there), or null where no token is (whitespace, outside the text): what the hover and the per-layer
 * guesses run.
 */
export function tokenInWindow(lm: LoadedModel, text: string, offset: number, signal?: AbortSignal): { token: AnalyzedToken; windowIds: number[]; position: number } | null {
  throwIfAborted(signal);
  if (!text.trim()) return null;
  checkInputText(text, DEFAULT_MAX_CHARS);
  const tokens = tokenizeWithOffsets(lm.tokenizer, text);
  const index = tokenIndexAtOffset(tokens, offset);
  if (index < 0) return null;
  const { windowIds, positionOf } = windowAround(lm, tokens, index, index);
  return { token: tokens[index], windowIds, position: positionOf(index) };
}

/**
 * The ids of one model input (the template's prefix such as [CLS], at most maxTokens less the template
 * text tokens, its suffix such as [SEP]) around the tokens `first` … `last` (indices into `tokens`, which
 * hold the template at their ends), and the position in it of a token index of that range. A masked
 * model's window is centred on the range; a causal model's ends at `last`, since its tokens see only
 * leftwards: as much context before them as fits, none after, which they could not read anyway.
 */
export function windowAround(lm: LoadedModel, tokens: AnalyzedToken[], first: number, last: number): { windowIds: number[]; positionOf: (index: number) => number } {
  const { prefix, suffix } = templateOf(lm, tokens);
  const textCount = tokens.length - prefix - suffix;
  const room = lm.info.maxTokens - prefix - suffix;
  let start: number;
  let end: number;
  if (lm.family.kind === 'causal') {
    end = last - prefix + 1;
    start = Math.max(0, end - room);
  } else {
    const j = Math.floor((first + last) / 2) - prefix;
    start = Math.max(0, Math.min(j - Math.floor(room / 2), textCount - room));
    end = Math.min(textCount, start + room);
  }
  const windowIds = [...tokens.slice(0, prefix), ...tokens.slice(start + prefix, end + prefix), ...tokens.slice(tokens.length - suffix)].map((x) => x.id);
  return { windowIds, positionOf: (index) => index - start };
}
