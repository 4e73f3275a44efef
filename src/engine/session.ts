/**
 * An engine session: one loaded model and the analyses made with it, kept by id so that the
 * large arrays stay where they were computed (the worker thread) and callers ask for slices.
 * Used by the worker (for the extension) and directly by the CLI.
 */
import { analyze, guessesAt, guessesForTokens } from './analyze';
import { ContextLensError, throwIfAborted } from './errors';
import { loadModel, type LoadedModel } from './modelStore';
import { cosineSimilarity } from './vectorMath';
import { standardizeColumns } from './senses/standardize';
import { DEFAULT_PROJECTION_SEED, project, type ProjectionMethod } from './projection';
import { buildAnalysisJson, buildProjectorTsv } from './exports';
import { layerGuessesAt, spanGuesses, unmaskedGuesses, type LayerGuessesResult, type SpanGuessesResult } from './predictions';
import type { Analysis, ModelInfo, ModelSpec, ProgressEvent } from './types';
import { buildResult, layerMatrix, planJob, runNextBatch, type SensesJob } from './senses';
import type { SensesProgress, SensesProjection, SensesRequest, SensesResult, SensesSearchSummary } from './senses/types';
import { groupWords, linksBetweenSameKeys, meanRows, modelLanguage, poolAttention, wordGroupsInWindow, wordKey, type Word, type WordRowRef, type WordsResult } from './words';
import {
  ATTENTION_SUMMARY_KINDS,
  attentionRollout,
  headStatistics,
  isPunctuationPiece,
  meanOverHeads,
  meanOverLayers,
  type AttentionSummaryKind,
  type AttentionSummarySlice,
  type HeadStat,
} from './attentionSummary';
import type {
  AnalysisSummary,
  AttentionGridSlice,
  AttentionSlice,
  ExportedProjection,
  GuessesAtResult,
  TokenGuesses,
  ProjectedPoint,
  ProjectionResult,
  ProjectorExport,
  SameTokenLink,
} from './workerProtocol';

/** At most this many occurrences of one piece are linked pairwise (n·(n-1)/2 links). */
const MAX_LINKED_OCCURRENCES = 6;
const MAX_LINKS = 300;

export interface CallContext {
  signal?: AbortSignal;
  onProgress?: (e: ProgressEvent | { phase: 'project'; fraction: number }) => void;
}

export class AnalysisSession {
  private loaded: { key: string; model: LoadedModel } | undefined;
  private loading: { key: string; promise: Promise<LoadedModel> } | undefined;
  private readonly analyses = new Map<string, Analysis>();
  private readonly sensesJobs = new Map<string, SensesJob>();
  /** The unmasked predictions computed for an analysis (dropped with it). */
  private readonly unmaskedKept = new WeakMap<Analysis, { topK: number; guesses: TokenGuesses[] }>();
  /** An analysis's words per segmenter language ('' = the runtime's default), made once (dropped with it). */
  private readonly wordsKept = new WeakMap<Analysis, Map<string, Word[]>>();
  private nextId = 1;
  /** Calls someone is waiting for (analyze, hover, projection) now running; background guesses wait for 0. */
  private interactive = 0;
  private idleWaiters: Array<() => void> = [];

  /**
   * Runs a call a user is waiting for. On 2 cores two onnxruntime runs at once each take twice as long, so
   * the streamed guesses (`guesses`) hold back while one of these runs, and the hover is not slowed by them.
   */
  private async interactiveCall<T>(work: () => Promise<T>): Promise<T> {
    this.interactive++;
    try {
      return await work();
    } finally {
      if (--this.interactive === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const wake of waiters) wake();
      }
    }
  }

  private async whenNoInteractiveCall(signal?: AbortSignal): Promise<void> {
    while (this.interactive > 0) {
      await new Promise<void>((resolve) => {
        const onAbort = (): void => resolve();
        signal?.addEventListener('abort', onAbort, { once: true });
        this.idleWaiters.push(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
      });
      throwIfAborted(signal);
    }
  }

  async load(spec: ModelSpec, ctx: CallContext = {}): Promise<ModelInfo> {
    const key = JSON.stringify([spec.model, spec.dtype, spec.device, spec.cacheDir, spec.remoteHost, spec.revision]);
    if (this.loaded?.key === key) return this.loaded.model.info;
    if (this.loading?.key !== key) {
      const promise = loadModel(spec, { signal: ctx.signal, onProgress: ctx.onProgress });
      this.loading = { key, promise };
      promise.catch(() => undefined).finally(() => {
        if (this.loading?.promise === promise) this.loading = undefined;
      });
    }
    const model = await this.loading.promise;
    if (this.loaded && this.loaded.model !== model) {
      await this.loaded.model.dispose();
      this.analyses.clear();
      this.sensesJobs.clear();
    }
    this.loaded = { key, model };
    return model.info;
  }

  get model(): LoadedModel {
    if (!this.loaded) throw new ContextLensError('MODEL_FOLDER_MISSING', 'No model is loaded yet.');
    return this.loaded.model;
  }

  analyze(text: string, topK: number, ctx: CallContext = {}, maxTokens?: number, withGuesses = true, maxChars?: number): Promise<AnalysisSummary> {
    return this.interactiveCall(() => this.analyzeNow(text, topK, ctx, maxTokens, withGuesses, maxChars));
  }

  private async analyzeNow(text: string, topK: number, ctx: CallContext, maxTokens: number | undefined, withGuesses: boolean, maxChars: number | undefined): Promise<AnalysisSummary> {
    const lm = this.model;
    const analysis = await analyze(lm, text, {
      topK,
      maxTokens,
      maxChars,
      guesses: withGuesses,
      signal: ctx.signal,
      onProgress: (done, total) => ctx.onProgress?.({ phase: 'analyze', loaded: done, total, fraction: total ? done / total : 1 }),
    });
    const analysisId = `a${this.nextId++}`;
    this.analyses.set(analysisId, analysis);
    return {
      analysisId,
      text,
      tokens: analysis.tokens,
      guesses: analysis.guesses ?? analysis.tokens.map(() => []),
      kind: lm.info.kind,
      ...(analysis.next ? { next: analysis.next } : {}),
      ...(analysis.tokenProbabilities ? { tokenProbabilities: analysis.tokenProbabilities } : {}),
      windowed: analysis.windowed,
      numLayers: lm.info.numLayers,
      numHeads: lm.info.numHeads,
      hiddenSize: lm.info.hiddenSize,
      timings: analysis.timings,
    };
  }

  /** The analysis itself, for in-process callers (CLI, tests, benchmark). */
  get(analysisId: string): Analysis {
    const a = this.analyses.get(analysisId);
    if (!a) throw new ContextLensError('CANCELLED', `The analysis ${analysisId} is no longer held; analyze the text again.`);
    return a;
  }

  /** Masked guesses for tokens of a held analysis that has none yet; kept with it (exports include them). */
  async guesses(analysisId: string, tokenIndices: number[], topK: number, ctx: CallContext = {}): Promise<TokenGuesses[]> {
    await this.whenNoInteractiveCall(ctx.signal);
    const analysis = this.get(analysisId);
    const filled = await guessesForTokens(this.model, analysis, tokenIndices, topK, ctx.signal, (done, total) =>
      ctx.onProgress?.({ phase: 'analyze', loaded: done, total, fraction: total ? done / total : 1 }),
    );
    return filled.map((tokenIndex) => ({ tokenIndex, guesses: analysis.guesses![tokenIndex] }));
  }

  guessesAt(text: string, offset: number, topK: number, ctx: CallContext = {}): Promise<GuessesAtResult | null> {
    return this.interactiveCall(() => guessesAt(this.model, text, offset, topK, ctx.signal));
  }

  /** The token covering `offset` masked alone, the head applied at every hidden layer (null where no token is). */
  layerGuesses(text: string, offset: number, topK: number, ctx: CallContext = {}): Promise<LayerGuessesResult | null> {
    return this.interactiveCall(() => layerGuessesAt(this.model, text, offset, atLeastOne(topK), ctx.signal));
  }

  /**
   * What the head reconstructs at every non-special token of a held analysis, nothing masked: one forward per
   * window, kept with the analysis so that switching the view back and forth costs nothing.
   */
  async unmasked(analysisId: string, topK: number, ctx: CallContext = {}): Promise<TokenGuesses[]> {
    const analysis = this.get(analysisId);
    maskedOnly(this.model, 'Unmasked predictions (what the head reconstructs at every token)');
    const k = atLeastOne(topK);
    const kept = this.unmaskedKept.get(analysis);
    if (kept && kept.topK >= k) return kept.guesses.map((g) => ({ tokenIndex: g.tokenIndex, guesses: g.guesses.slice(0, k) }));
    const guesses = await this.interactiveCall(() => unmaskedGuesses(this.model, analysis, k, ctx.signal));
    this.unmaskedKept.set(analysis, { topK: k, guesses });
    return guesses;
  }

  /** The tokens covering [start, end) of `text` masked together: per-position top-k and joint fills. Throws BAD_SPAN. */
  spanGuesses(text: string, start: number, end: number, topK: number, ctx: CallContext = {}): Promise<SpanGuessesResult> {
    return this.interactiveCall(async () => maskedOnly(this.model, 'Masking a span') ?? spanGuesses(this.model, text, start, end, atLeastOne(topK), ctx.signal));
  }

  /**
   * The tokens' hidden states at `hiddenLayer` (0 = the embeddings … numLayers) laid out in 2-D.
   * `standardize`: the same-token links' cosines on dimensions z-scored over all the map's tokens at that layer.
   */
  project(analysisIds: string[], hiddenLayer: number, method: ProjectionMethod, seed = DEFAULT_PROJECTION_SEED, ctx: CallContext = {}, standardize = false, words = false, language?: string): Promise<ProjectionResult> {
    if (words) return this.interactiveCall(() => this.projectWordsNow(analysisIds, hiddenLayer, method, seed, ctx, standardize, language));
    return this.interactiveCall(() => this.projectNow(analysisIds, hiddenLayer, method, seed, ctx, standardize));
  }

  /** Every token of the analyses (in order, an id given twice counted twice) and their hidden states at `hiddenLayer`, one row each. */
  private tokenRows(analysisIds: string[], hiddenLayer: number): { refs: { analysisId: string; tokenIndex: number }[]; vectors: Float32Array } {
    const dim = this.model.info.hiddenSize;
    const L = clampLayer(hiddenLayer, 0, this.model.info.numLayers);
    const refs: { analysisId: string; tokenIndex: number }[] = [];
    for (const id of analysisIds) this.get(id).tokens.forEach((t) => refs.push({ analysisId: id, tokenIndex: t.index }));
    const vectors = new Float32Array(refs.length * dim);
    refs.forEach((r, i) => {
      const hs = this.get(r.analysisId).hiddenStates[L];
      vectors.set(hs.subarray(r.tokenIndex * dim, (r.tokenIndex + 1) * dim), i * dim);
    });
    return { refs, vectors };
  }

  private async projectNow(analysisIds: string[], hiddenLayer: number, method: ProjectionMethod, seed: number, ctx: CallContext, standardize: boolean): Promise<ProjectionResult> {
    const dim = this.model.info.hiddenSize;
    const { refs, vectors } = this.tokenRows(analysisIds, hiddenLayer);
    const options = { seed, signal: ctx.signal, onProgress: (fraction: number) => ctx.onProgress?.({ phase: 'project', fraction }) };
    const xy = await project(method, vectors, refs.length, dim, options);
    const points: ProjectedPoint[] = refs.map((r, i) => ({ ...r, x: xy[2 * i], y: xy[2 * i + 1] }));
    return { hiddenLayer, method, points, links: this.sameTokenLinks(analysisIds, hiddenLayer, standardize) };
  }

  /**
   * Pairs of occurrences of the same piece in different places, with their cosine at `hiddenLayer`, least
   * similar first; with `standardize`, on dimensions z-scored over all the analyses' tokens at that layer.
   */
  sameTokenLinks(analysisIds: string[], hiddenLayer: number, standardize = false): SameTokenLink[] {
    const dim = this.model.info.hiddenSize;
    const L = clampLayer(hiddenLayer, 0, this.model.info.numLayers);
    // Where a token's row is: its analysis's hidden states, or the standardized matrix of all the tokens.
    let rowOf: (ref: { analysisId: string; tokenIndex: number }) => { data: Float32Array; offset: number };
    if (standardize) {
      const { refs, vectors } = this.tokenRows(analysisIds, L);
      const z = standardizeColumns(vectors, refs.length, dim);
      const firstRow = new Map<string, number>();
      refs.forEach((r, i) => r.tokenIndex === 0 && !firstRow.has(r.analysisId) && firstRow.set(r.analysisId, i));
      rowOf = (r) => ({ data: z, offset: (firstRow.get(r.analysisId)! + r.tokenIndex) * dim });
    } else {
      rowOf = (r) => ({ data: this.get(r.analysisId).hiddenStates[L], offset: r.tokenIndex * dim });
    }
    const byPiece = new Map<string, { analysisId: string; tokenIndex: number }[]>();
    for (const id of analysisIds) {
      for (const t of this.get(id).tokens) {
        if (t.special) continue;
        const list = byPiece.get(t.piece) ?? [];
        if (list.length < MAX_LINKED_OCCURRENCES) list.push({ analysisId: id, tokenIndex: t.index });
        byPiece.set(t.piece, list);
      }
    }
    const links: SameTokenLink[] = [];
    for (const [piece, occ] of byPiece) {
      for (let i = 0; i < occ.length; i++) {
        for (let j = i + 1; j < occ.length; j++) {
          const a = rowOf(occ[i]);
          const b = rowOf(occ[j]);
          const cosine = cosineSimilarity(a.data, b.data, a.offset, b.offset, dim);
          links.push({ piece, a: occ[i], b: occ[j], cosine });
        }
      }
    }
    links.sort((x, y) => x.cosine - y.cosine);
    return links.slice(0, MAX_LINKS);
  }

  /**
   * `attentionLayer` counts from 1 (the first encoder layer's attention) to numLayers, clamped to that range.
   * With `words`, every head is pooled into the window's words as attentionSummary pools (words/pool.ts).
   */
  attention(analysisId: string, attentionLayer: number, options: { words?: boolean; language?: string } = {}): AttentionSlice {
    const a = this.get(analysisId);
    const w = widestWindow(a);
    const held = w.attentions[clampLayer(attentionLayer, 1, a.model.numLayers) - 1];
    const numHeads = a.model.numHeads;
    // A copy, not the held array: worker.ts transfers `weights.buffer` to the host, which detaches it here,
    // and the analysis must keep its attention for the next request.
    if (!options.words) return { numHeads, tokenIndices: w.tokenIndices, weights: Float32Array.from(held) };
    const n = w.tokenIndices.length;
    const { wordIndices, groups } = wordGroupsInWindow(this.wordsOf(a, options.language ?? modelLanguage(a.model.model)), w.tokenIndices);
    const m = groups.length;
    const weights = new Float32Array(numHeads * m * m);
    for (let h = 0; h < numHeads; h++) weights.set(poolAttention(held.subarray(h * n * n, (h + 1) * n * n), n, groups), h * m * m);
    return { numHeads, wordIndices, tokenIndices: groups.map((g) => w.tokenIndices[g[0]]), weights };
  }

  /** Every layer × head, each pooled to at most maxSize × maxSize (rows averaged, columns summed, so rows still sum to 1). */
  attentionGrid(analysisId: string, maxSize: number): AttentionGridSlice {
    const a = this.get(analysisId);
    const w = widestWindow(a);
    const n = w.tokenIndices.length;
    const size = Math.min(n, maxSize);
    const bin = (i: number) => Math.min(size - 1, Math.floor((i * size) / n));
    const rowsPerBin = new Float32Array(size);
    for (let i = 0; i < n; i++) rowsPerBin[bin(i)]++;
    const { numHeads, numLayers } = a.model;
    const weights = new Float32Array(numLayers * numHeads * size * size);
    w.attentions.forEach((layerData, l) => {
      for (let h = 0; h < numHeads; h++) {
        const base = (l * numHeads + h) * size * size;
        for (let i = 0; i < n; i++) {
          const bi = bin(i);
          for (let j = 0; j < n; j++) weights[base + bi * size + bin(j)] += layerData[(h * n + i) * n + j] / rowsPerBin[bi];
        }
      }
    });
    const tokenIndices = Array.from({ length: size }, (_, b) => w.tokenIndices[Math.min(n - 1, Math.floor((b * n) / size))]);
    return { numLayers, numHeads, size, tokenIndices, weights };
  }

  // Words and heads (issue 12): words/ and attentionSummary/.

  /** The analysis's tokens grouped into words (words/segment.ts); `language` defaults to the model's (words/language.ts). */
  words(analysisId: string, language?: string): WordsResult {
    const a = this.get(analysisId);
    const lang = language ?? modelLanguage(a.model.model);
    return { language: lang, words: this.wordsOf(a, lang) };
  }

  private wordsOf(a: Analysis, language: string | undefined): Word[] {
    let byLanguage = this.wordsKept.get(a);
    if (!byLanguage) this.wordsKept.set(a, (byLanguage = new Map()));
    let words = byLanguage.get(language ?? '');
    if (!words) byLanguage.set(language ?? '', (words = groupWords(a.text, a.tokens, language)));
    return words;
  }

  /**
   * Every word of the analyses (in order, special tokens as words of their own) and its vector at
   * `hiddenLayer`: the mean of its pieces' hidden states. What the map shows in word mode.
   */
  wordRows(analysisIds: string[], hiddenLayer: number, language?: string): { refs: WordRowRef[]; vectors: Float32Array } {
    const dim = this.model.info.hiddenSize;
    const L = clampLayer(hiddenLayer, 0, this.model.info.numLayers);
    const refs: WordRowRef[] = [];
    const parts: Float32Array[] = [];
    for (const id of analysisIds) {
      const a = this.get(id);
      const words = this.words(id, language).words;
      words.forEach((w, wordIndex) => refs.push({ analysisId: id, tokenIndex: w.tokenIndices[0], wordIndex, key: w.special ? null : wordKey(w, a.tokens) }));
      parts.push(meanRows(a.hiddenStates[L], dim, words.map((w) => w.tokenIndices)));
    }
    const vectors = new Float32Array(refs.length * dim);
    let offset = 0;
    for (const p of parts) {
      vectors.set(p, offset);
      offset += p.length;
    }
    return { refs, vectors };
  }

  /** Pairs of the same word (wordKey) in different places with their cosine at `hiddenLayer`, least similar first. */
  sameWordLinks(analysisIds: string[], hiddenLayer: number, standardize = false, language?: string): SameTokenLink[] {
    const { refs, vectors } = this.wordRows(analysisIds, hiddenLayer, language);
    return this.wordLinksOf(refs, vectors, standardize);
  }

  private wordLinksOf(refs: WordRowRef[], vectors: Float32Array, standardize: boolean): SameTokenLink[] {
    const dim = this.model.info.hiddenSize;
    const rows = standardize ? standardizeColumns(vectors, refs.length, dim) : vectors;
    const end = (r: number) => ({ analysisId: refs[r].analysisId, tokenIndex: refs[r].tokenIndex, wordIndex: refs[r].wordIndex });
    return linksBetweenSameKeys(refs.map((r) => r.key), rows, dim, MAX_LINKED_OCCURRENCES, MAX_LINKS).map((l) => ({ piece: l.key, a: end(l.a), b: end(l.b), cosine: l.cosine }));
  }

  private async projectWordsNow(analysisIds: string[], hiddenLayer: number, method: ProjectionMethod, seed: number, ctx: CallContext, standardize: boolean, language: string | undefined): Promise<ProjectionResult> {
    const dim = this.model.info.hiddenSize;
    const { refs, vectors } = this.wordRows(analysisIds, hiddenLayer, language);
    const options = { seed, signal: ctx.signal, onProgress: (fraction: number) => ctx.onProgress?.({ phase: 'project', fraction }) };
    const xy = await project(method, vectors, refs.length, dim, options);
    const points: ProjectedPoint[] = refs.map((r, i) => ({ analysisId: r.analysisId, tokenIndex: r.tokenIndex, wordIndex: r.wordIndex, x: xy[2 * i], y: xy[2 * i + 1] }));
    return { hiddenLayer: clampLayer(hiddenLayer, 0, this.model.info.numLayers), method, points, links: this.wordLinksOf(refs, vectors, standardize) };
  }

  /**
   * Attention over heads and layers in the widest window (as `attention`): `mean-heads` of `attentionLayer`
   * (default the last), `mean-layers`, or `rollout`; with `words`, pooled into words (words/pool.ts).
   */
  async attentionSummary(analysisId: string, kind: AttentionSummaryKind, options: { attentionLayer?: number; words?: boolean; language?: string } = {}, ctx: CallContext = {}): Promise<AttentionSummarySlice> {
    if (!(ATTENTION_SUMMARY_KINDS as readonly string[]).includes(kind)) {
      throw new ContextLensError('BAD_ARGUMENTS', `Unknown attention summary "${String(kind)}"; use ${ATTENTION_SUMMARY_KINDS.join(', ')}.`);
    }
    const a = this.get(analysisId);
    const w = widestWindow(a);
    const n = w.tokenIndices.length;
    const { numHeads, numLayers } = a.model;
    const layer = kind === 'mean-heads' ? clampLayer(options.attentionLayer ?? numLayers, 1, numLayers) : undefined;
    let matrix: Float32Array;
    if (layer !== undefined) matrix = meanOverHeads(w.attentions[layer - 1], numHeads, n);
    else if (kind === 'mean-layers') matrix = meanOverLayers(w.attentions, numHeads, n);
    else matrix = await this.interactiveCall(() => attentionRollout(w.attentions, numHeads, n, ctx.signal));
    const head = { kind, ...(layer === undefined ? {} : { layer }) };
    if (!options.words) return { ...head, size: n, tokenIndices: [...w.tokenIndices], weights: matrix };
    const lang = options.language ?? modelLanguage(a.model.model);
    const { wordIndices, groups } = wordGroupsInWindow(this.wordsOf(a, lang), w.tokenIndices);
    return { ...head, size: groups.length, tokenIndices: groups.map((g) => w.tokenIndices[g[0]]), wordIndices, weights: poolAttention(matrix, n, groups) };
  }

  /** Every layer × head's statistics (attentionSummary/headStats.ts) in the widest window, layer-major. */
  headStats(analysisId: string): HeadStat[] {
    const a = this.get(analysisId);
    const w = widestWindow(a);
    const { cls, sep } = this.model.specialIds;
    const tokens = w.tokenIndices.map((t) => a.tokens[t]);
    const kinds = {
      cls: tokens.map((t) => t.id === cls),
      sep: tokens.map((t) => t.id === sep),
      punct: tokens.map((t) => !t.special && isPunctuationPiece(t.piece)),
    };
    return headStatistics(w.attentions, a.model.numHeads, w.tokenIndices.length, kinds);
  }

  exportJson(analysisIds: string[], projection?: ExportedProjection): string {
    return buildAnalysisJson(analysisIds.map((id) => ({ analysisId: id, analysis: this.get(id), words: this.words(id).words })), projection);
  }

  exportProjector(analysisIds: string[], hiddenLayer: number): ProjectorExport {
    return buildProjectorTsv(analysisIds.map((id) => this.get(id)), clampLayer(hiddenLayer, 0, this.model.info.numLayers));
  }

  release(analysisIds: string[]): void {
    for (const id of analysisIds) this.analyses.delete(id);
  }

  /** What the session holds now: a long session must not keep what its callers released (stress long-session). */
  held(): { analyses: number; sensesJobs: number } {
    return { analyses: this.analyses.size, sensesJobs: this.sensesJobs.size };
  }

  // Word senses (issue 10). A job holds the word's vectors, never whole analyses (senses/job.ts).

  /** Searches the request's sources (files read here, in the worker) and plans the contexts; NO_OCCURRENCES when the word is not found. */
  async sensesStart(request: SensesRequest, ctx: CallContext = {}): Promise<{ jobId: string; search: SensesSearchSummary }> {
    const report = sensesReporter(ctx);
    const job = await planJob(this.model, request, ctx.signal, (p) => report({ phase: 'senses-search', ...p }));
    // A caller that cancelled no longer waits for the id, so it could never release the job: hold none.
    throwIfAborted(ctx.signal);
    const jobId = `s${this.nextId++}`;
    this.sensesJobs.set(jobId, job);
    return { jobId, search: job.search };
  }

  /** The next batch of contexts through the model (interactive work: streamed guesses wait), then the result so far. */
  sensesStep(jobId: string, standardize: boolean, ctx: CallContext = {}): Promise<SensesResult> {
    const job = this.sensesJob(jobId);
    const report = sensesReporter(ctx);
    return this.interactiveCall(async () => {
      await runNextBatch(this.model, job, ctx.signal, (analysed) => report({ phase: 'senses-analyse', analysed, toAnalyse: job.contexts.length }));
      return buildResult(job, standardize);
    });
  }

  sensesView(jobId: string, standardize: boolean): SensesResult {
    return buildResult(this.sensesJob(jobId), standardize);
  }

  /** The occurrences analysed so far at `hiddenLayer`, laid out in 2-D (the result's order). */
  sensesProject(jobId: string, hiddenLayer: number, method: ProjectionMethod, standardize: boolean, seed = DEFAULT_PROJECTION_SEED, ctx: CallContext = {}): Promise<SensesProjection> {
    const job = this.sensesJob(jobId);
    return this.interactiveCall(async () => {
      const layer = clampLayer(hiddenLayer, 0, job.numLayers);
      const { words, n } = layerMatrix(job, layer, standardize);
      const options = { seed, signal: ctx.signal, onProgress: (fraction: number) => ctx.onProgress?.({ phase: 'project', fraction }) };
      const xy = n ? await project(method, Float32Array.from(words), n, job.hiddenSize, options) : new Float32Array(0);
      return { hiddenLayer: layer, method, standardized: standardize, points: Array.from({ length: n }, (_, i) => ({ x: xy[2 * i], y: xy[2 * i + 1] })) };
    });
  }

  /** Each analysed occurrence's vectors, one array per hidden layer (the CLI's --include-vectors). */
  sensesVectors(jobId: string): number[][][] {
    const job = this.sensesJob(jobId);
    const dim = job.hiddenSize;
    return job.vectors.slice(0, job.analysed).map((v) => Array.from({ length: job.numLayers + 1 }, (_, l) => Array.from(v.subarray(l * dim, (l + 1) * dim))));
  }

  sensesRelease(jobId: string): void {
    this.sensesJobs.delete(jobId);
  }

  private sensesJob(jobId: string): SensesJob {
    const job = this.sensesJobs.get(jobId);
    if (!job) throw new ContextLensError('CANCELLED', `The word-senses job ${jobId} is no longer held; explore the word again.`);
    return job;
  }

  async dispose(): Promise<void> {
    this.analyses.clear();
    this.sensesJobs.clear();
    await this.loaded?.model.dispose();
    this.loaded = undefined;
  }
}

/** The worker posts every progress event the protocol allows (workerProtocol.ts); senses calls send theirs. */
function sensesReporter(ctx: CallContext): (e: SensesProgress) => void {
  return (e) => (ctx.onProgress as ((e: SensesProgress) => void) | undefined)?.(e);
}

/** A top-k of at least one guess (the layer table and the fills need the top guess). */
function atLeastOne(topK: number): number {
  return Number.isFinite(topK) ? Math.max(1, Math.round(topK)) : 5;
}

function clampLayer(layer: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, Math.round(layer)));
}

/** Masked-model views refuse a causal model with a message, never a crash (workerProtocol.ts). */
function maskedOnly(lm: LoadedModel, what: string): void {
  if (lm.family.kind !== 'masked') {
    throw new ContextLensError(
      'BAD_ARGUMENTS',
      `${what} is for masked language models only; ${lm.info.model} is a causal model, which predicts the next token: see its next-token predictions and token probabilities instead.`,
    );
  }
}

/**
 * The attention view shows one window: the first, which for a text that fits is the whole text.
 * ATTENTION_UNAVAILABLE where the export fuses attention (no window holds any).
 */
function widestWindow(a: Analysis) {
  if (a.model.attentionAvailable === false || !a.windows[0]?.attentions.length) {
    throw new ContextLensError(
      'ATTENTION_UNAVAILABLE',
      `The ONNX export of ${a.model.model} fuses its attention into single operators, so its attention weights cannot be read. The map, the tokens and the predictions still work; for the attention views use an unoptimized export (as Xenova/… publishes).`,
    );
  }
  return a.windows.reduce((best, w) => (w.tokenIndices.length > best.tokenIndices.length ? w : best), a.windows[0]);
}
