/**
 * A word-senses job: the planned contexts, and what the forwards left of them. Only the word's vector at
 * every layer (layers × hidden per context) and a small sample of other tokens' vectors (the anisotropy
 * baseline) are kept, never whole analyses.
 *
 * Each context costs two rows of one batched forward: the context as it is (hidden states of every layer;
 * the word's pieces averaged) and the context with all the word's pieces masked (the narrowed head's logits
 * at the first masked piece: the substitutes). Contexts of equal token length share a forward; batches
 * grow (8, 16, 32, …) so the first result comes after a few forwards and later ones are not recomputed
 * after every small batch.
 */
import { throwIfAborted } from '../errors';
import { floatData, runRows } from '../forward';
import { topKFromLogits } from '../maskedGuesses';
import type { LoadedModel } from '../modelStore';
import { seededRandom } from '../vectorMath';
import type { PlannedContext } from './contexts';
import type { SenseGuess, SensesRequest, SensesResult, SensesSearchSummary, SensesSource } from './types';

export const FIRST_BATCH = 8;
export const MAX_BATCH = 128;
/** Rows × tokens of one forward: bounds the activations (attention is rows × heads × n²), as the masked guesses do. */
const MAX_TOKENS_PER_FORWARD = 2048;
/** Tokens kept for the anisotropy baseline over the whole job (1,000 pairs are drawn from them). */
const ANISOTROPY_TOKENS = 2000;
const MAX_ANISOTROPY_PER_CONTEXT = 8;
export const DEFAULT_TOP_K = 5;

const PUNCTUATION_OR_SYMBOL = /^[\p{P}\p{S}]+$/u;

export interface SensesJob {
  request: SensesRequest;
  /** [word] or [word, also]. */
  words: string[];
  sources: SensesSource[];
  model: string;
  numLayers: number;
  hiddenSize: number;
  topK: number;
  seed: number;
  search: SensesSearchSummary;
  contexts: PlannedContext[];
  /** Contexts analysed so far: contexts[0 … analysed). */
  analysed: number;
  /** vectors[i]: context i's word vector at every hidden layer, layer-major ((numLayers + 1) × hidden). */
  vectors: Float32Array[];
  substitutes: SenseGuess[][];
  /** Other tokens' vectors (same layout), and the context each came from. */
  sample: Float32Array[];
  sampleContext: number[];
  /** Batches run so far. */
  batches: number;
  /** Each analysed context's words (for the collocates), filled in as they are needed. */
  contextWords?: string[][];
  /** The last results built (summary.ts) with raw and with standardized dimensions, and after how many contexts: views reuse them. */
  cached?: { raw?: { analysed: number; result: SensesResult }; standardized?: { analysed: number; result: SensesResult } };
}

/** How many sample tokens each context gives: enough for the baseline, few when there are many contexts. */
export function anisotropyPerContext(contexts: number): number {
  return Math.max(1, Math.min(MAX_ANISOTROPY_PER_CONTEXT, Math.ceil(ANISOTROPY_TOKENS / Math.max(1, contexts))));
}

/** Token positions of a context eligible for the baseline: not special, not punctuation, not the word. */
function baselineCandidates(lm: LoadedModel, c: PlannedContext): number[] {
  const word = new Set(c.pieces);
  return c.tokens.filter((t) => !t.special && !word.has(t.index) && !PUNCTUATION_OR_SYMBOL.test(t.piece.replace(/^(##|Ġ|▁)/, ''))).map((t) => t.index);
}

/** A seeded choice of `k` of `items` (a partial Fisher–Yates shuffle). */
function choose(items: number[], k: number, random: () => number): number[] {
  const a = items.slice();
  const n = Math.min(k, a.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (a.length - i));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, n);
}

/**
 * The size of batch number `b` (0-based) of a job of `total` contexts: 8, 16, 32, … up to MAX_BATCH, or a
 * quarter of the job when that is more, so that a large job rebuilds its result (O(n²) per layer) only a
 * few times after the first charts.
 */
export function batchSize(b: number, total: number): number {
  return Math.min(Math.max(MAX_BATCH, Math.ceil(total / 4)), FIRST_BATCH * 2 ** b);
}

/**
 * The forwards of the job's next batch: lists of context indices, each list one forward. Contexts of equal
 * token length share a forward (the engine's forwards use a full attention mask: no padding), at most
 * MAX_TOKENS_PER_FORWARD tokens over its rows.
 */
export function nextBatchForwards(job: Pick<SensesJob, 'contexts' | 'analysed' | 'batches'>): number[][] {
  const from = job.analysed;
  const to = Math.min(job.contexts.length, from + batchSize(job.batches, job.contexts.length));
  const byLength = new Map<number, number[]>();
  for (let i = from; i < to; i++) {
    const n = job.contexts[i].tokens.length;
    const list = byLength.get(n) ?? [];
    list.push(i);
    byLength.set(n, list);
  }
  const forwards: number[][] = [];
  for (const [n, indices] of byLength) {
    const contextsPerForward = Math.max(1, Math.floor(MAX_TOKENS_PER_FORWARD / (2 * n)));
    for (let c = 0; c < indices.length; c += contextsPerForward) forwards.push(indices.slice(c, c + contextsPerForward));
  }
  return forwards;
}

/** The rows of one forward: 2r the context as written, 2r + 1 the word's pieces masked; the head's logits at the first masked piece of each. */
export function forwardRows(contexts: readonly PlannedContext[], mask: number): { rows: number[][]; logitsAt: number[] } {
  const rows: number[][] = [];
  const logitsAt: number[] = [];
  const n = contexts[0].tokens.length;
  contexts.forEach((c, r) => {
    const ids = c.tokens.map((t) => t.id);
    const masked = new Set(c.pieces);
    rows.push(ids, ids.map((id, p) => (masked.has(p) ? mask : id)));
    logitsAt.push((2 * r + 1) * n + c.pieces[0]);
  });
  return { rows, logitsAt };
}

/**
 * Runs the next batch of contexts through the model. Returns the number analysed in it (0 when done).
 * Every forward checks `signal` first; a cancelled batch leaves the job as it was, to be run again.
 */
export async function runNextBatch(lm: LoadedModel, job: SensesJob, signal?: AbortSignal, onAnalysed?: (analysed: number) => void): Promise<number> {
  const forwards = nextBatchForwards(job);
  const from = job.analysed;
  const perContext = anisotropyPerContext(job.contexts.length);
  const sampleLength = job.sample.length;
  let done = 0;
  try {
    for (const indices of forwards) {
      throwIfAborted(signal);
      await forwardContexts(lm, job, indices, perContext);
      done += indices.length;
      onAnalysed?.(from + done);
    }
  } catch (e) {
    job.sample.length = sampleLength;
    job.sampleContext.length = sampleLength;
    throw e;
  }
  job.analysed = from + done;
  job.batches++;
  return done;
}

/** One forward of the given contexts (all the same token length). */
async function forwardContexts(lm: LoadedModel, job: SensesJob, indices: number[], perContext: number): Promise<void> {
  const { hiddenSize: dim, numLayers, vocabSize } = lm.info;
  const layers = numLayers + 1;
  const { mask, cls, sep, pad, unk } = lm.specialIds;
  const contexts = indices.map((i) => job.contexts[i]);
  const n = contexts[0].tokens.length;
  const { rows, logitsAt } = forwardRows(contexts, mask);
  const out = await runRows(lm, rows, [...lm.hiddenStateOutputs, 'logits'], logitsAt);
  const hidden = lm.hiddenStateOutputs.map((name) => floatData(out[name]));
  const logits = floatData(out.logits);
  const narrow = !!lm.maskedPositionsInput;
  const idToText = (id: number): string => lm.tokenizer.decode([id]);
  const exclude = new Set([cls, sep, pad, mask, unk].filter((x) => x >= 0));
  indices.forEach((i, r) => {
    const c = job.contexts[i];
    const row = 2 * r;
    const vector = new Float32Array(layers * dim);
    for (let l = 0; l < layers; l++) {
      const data = hidden[l];
      for (const p of c.pieces) {
        const o = (row * n + p) * dim;
        for (let d = 0; d < dim; d++) vector[l * dim + d] += data[o + d];
      }
      for (let d = 0; d < dim; d++) vector[l * dim + d] /= c.pieces.length;
    }
    job.vectors[i] = vector;
    const offset = (narrow ? r : logitsAt[r]) * vocabSize;
    job.substitutes[i] = topKFromLogits(logits, offset, vocabSize, job.topK, idToText, exclude).map((g) => ({ token: g.token, probability: g.probability }));
    // The baseline's tokens: seeded per context, so the sample does not depend on how batches were cut.
    for (const p of choose(baselineCandidates(lm, c), perContext, seededRandom(job.seed * 1_000_003 + i))) {
      const v = new Float32Array(layers * dim);
      for (let l = 0; l < layers; l++) v.set(hidden[l].subarray((row * n + p) * dim, (row * n + p + 1) * dim), l * dim);
      job.sample.push(v);
      job.sampleContext.push(i);
    }
  });
}

/** Rows of layer `layer` of the given layer-major vectors, as one n × dim matrix. */
export function layerRows(vectors: readonly Float32Array[], layer: number, dim: number): Float32Array {
  const out = new Float32Array(vectors.length * dim);
  vectors.forEach((v, i) => out.set(v.subarray(layer * dim, (layer + 1) * dim), i * dim));
  return out;
}
