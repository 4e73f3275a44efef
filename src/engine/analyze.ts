/**
 * analyze(), guessesForTokens() and guessesAt(): thin compositions, in the spirit of transformers.js
 * pipelines (`fill-mask.js`'s `_call`: tokenize, run the model, read the guesses): tokens with offsets
 * (tokenOffsets), windows over long texts (textWindows), one forward per window (forward.ts), and the
 * guesses of the model's family (families/). No library internals here: they are in hfInternals.ts.
 */
import { ContextLensError, throwIfAborted } from './errors';
import { floatData, runRows } from './forward';
import type { LoadedModel } from './modelStore';
import { planWindows, type TextWindow } from './textWindows';
import { tokenIndexAtOffset, tokenizeWithOffsets } from './tokenOffsets';
import { checkInputText } from './inputCheck';
import type { AnalyzedToken, Analysis, AnalysisWindow, AnalyzeOptions, Guess } from './types';

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
  const textTokens = tokens.slice(1, -1);
  if (textTokens.length === 0) {
    throw new ContextLensError('EMPTY_INPUT', 'The selection has no tokens the model can read. Select some text first.');
  }
  const { numLayers, hiddenSize } = lm.info;
  // The user may ask for shorter windows than the model allows (memory, attention legibility).
  const maxTokens = Math.max(3, Math.min(lm.info.maxTokens, options.maxTokens ?? Infinity));
  const T = tokens.length;
  const plan = planWindows(textTokens.length, maxTokens);
  const hiddenStates = Array.from({ length: numLayers + 1 }, () => new Float32Array(T * hiddenSize));
  const windows: AnalysisWindow[] = [];
  const guesses: Guess[][] | null = wantGuesses ? tokens.map(() => []) : null;
  const totalRows = wantGuesses ? textTokens.length : 0;
  let rowsDone = 0;
  t = performance.now();
  let guessMs = 0;
  for (let w = 0; w < plan.length; w++) {
    throwIfAborted(signal);
    const { window, windowIds, guessPositions } = await forwardWindow(lm, tokens, plan, w, hiddenStates);
    windows.push(window);
    if (guesses) {
      const g0 = performance.now();
      const found = await lm.family.guesses(lm, windowIds, guessPositions, topK, signal, (done) => options.onProgress?.(rowsDone + done, totalRows));
      guessPositions.forEach((pos, i) => (guesses[window.tokenIndices[pos]] = found[i]));
      rowsDone += guessPositions.length;
      guessMs += performance.now() - g0;
    }
  }
  timings.forwardMs = performance.now() - t - guessMs;
  timings.guessesMs = guessMs;
  return { text, model: lm.info, tokens, hiddenStates, windows, windowed: plan.length > 1, guesses, timings };
}

/**
 * The forward of window `w` of the plan: copies the hidden states of the tokens it keeps into
 * `hiddenStates` and returns its attentions, its ids, and the positions of the text tokens it keeps.
 */
async function forwardWindow(
  lm: LoadedModel,
  tokens: AnalyzedToken[],
  plan: TextWindow[],
  w: number,
  hiddenStates: Float32Array[],
): Promise<{ window: AnalysisWindow; windowIds: number[]; guessPositions: number[] }> {
  const { hiddenSize } = lm.info;
  const T = tokens.length;
  const { start, end, keepStart, keepEnd } = plan[w];
  // Window positions: 0 = [CLS], 1..m = text tokens start..end-1, m+1 = [SEP]; global index of text token j is j+1.
  const tokenIndices = [0, ...Array.from({ length: end - start }, (_, i) => start + i + 1), T - 1];
  const windowIds = tokenIndices.map((g) => tokens[g].id);
  const out = await runRows(lm, [windowIds], [...lm.attentionOutputs, ...lm.hiddenStateOutputs]);
  const n = windowIds.length;
  const keep = (pos: number): boolean => {
    if (pos === 0) return w === 0;
    if (pos === n - 1) return w === plan.length - 1;
    const j = start + pos - 1;
    return j >= keepStart && j < keepEnd;
  };
  lm.hiddenStateOutputs.forEach((name, layer) => {
    const data = floatData(out[name]);
    for (let pos = 0; pos < n; pos++) {
      if (keep(pos)) hiddenStates[layer].set(data.subarray(pos * hiddenSize, (pos + 1) * hiddenSize), tokenIndices[pos] * hiddenSize);
    }
  });
  // Global indices kept: [CLS] in the first window, [SEP] in the last, text tokens keepStart..keepEnd-1.
  const keptTokens: [number, number] = [w === 0 ? 0 : keepStart + 1, w === plan.length - 1 ? T : keepEnd + 1];
  // Each output tensor owns its buffer (both runtimes copy out of native/WASM memory): keep it, no copy.
  const window = { tokenIndices, attentions: lm.attentionOutputs.map((name) => floatData(out[name])), keptTokens };
  const guessPositions: number[] = [];
  for (let pos = 1; pos < n - 1; pos++) if (keep(pos)) guessPositions.push(pos);
  return { window, windowIds, guessPositions };
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
 * The ids of one model input ([CLS], at most maxTokens - 2 text tokens, [SEP]) centred on the tokens
 * `first` … `last` (indices into `tokens`, which hold [CLS] and [SEP] at their ends), and the position in
 * it of a token index of that range.
 */
export function windowAround(lm: LoadedModel, tokens: AnalyzedToken[], first: number, last: number): { windowIds: number[]; positionOf: (index: number) => number } {
  const textCount = tokens.length - 2;
  const room = lm.info.maxTokens - 2;
  const j = Math.floor((first + last) / 2) - 1;
  const start = Math.max(0, Math.min(j - Math.floor(room / 2), textCount - room));
  const end = Math.min(textCount, start + room);
  const windowIds = [tokens[0].id, ...tokens.slice(start + 1, end + 1).map((x) => x.id), tokens[tokens.length - 1].id];
  return { windowIds, positionOf: (index) => index - start };
}
