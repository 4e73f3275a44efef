/**
 * Fills in the masked guesses of the map's tokens after the map shows. At bert-base size each guess is
 * one full forward (64 tokens: ~4 s in all, 512 tokens: minutes), so Explore shows the map from one
 * forward and the guesses follow, a few tokens per engine call: the worker stays free for hover,
 * projection and attention between calls, and the tokens the user looks at jump the queue.
 *
 * A causal model's analysis (issue 13) is never streamed: its guesses (what it expected at each token) come
 * from the analysis's own forward, and a masked guess means nothing to it.
 */
import type * as vscode from 'vscode';
import { isContextLensError } from '../engine/errors';
import type { AnalysisSummary } from '../engine/workerProtocol';
import type { HostToWebview, PointRef, RequestId } from '../protocol';
import type { Ctx } from './context';
import type { MapSnippet } from './mapState';
import { isCausal } from './panel/causalTokens';

/** What the stream uses of the extension's context (no runtime vscode import: unit-tested in plain Node). */
export type GuessStreamContext = Pick<Ctx, 'map' | 'engine' | 'config' | 'model' | 'log' | 'noteEngineFailure'>;

/**
 * Tokens × sequence length one call may run. A hover that arrives meanwhile waits for at most this call
 * (~1 bert-base forward of 256 tokens, ~0.25 s on 2 cores): 4 guesses per call at 64 tokens, 1 at 256.
 */
const ROWS_PER_CALL = 256;
const MAX_TOKENS_PER_CALL = 32;

/** How many tokens of a `tokenCount`-token analysis one `guesses` call asks for. */
export function guessTokensPerCall(tokenCount: number, maxTokens = 512): number {
  return Math.max(1, Math.min(MAX_TOKENS_PER_CALL, Math.floor(ROWS_PER_CALL / Math.min(tokenCount, maxTokens))));
}

export class MaskedGuessStream implements vscode.Disposable {
  private running: AbortController | undefined;
  /** Tokens the user looks at, newest first, with the wantGuesses request that asked (its reply carries the id). */
  private wanted: (PointRef & { requestId?: RequestId })[] = [];
  /**
   * Tokens of each analysis asked once already: never asked again (no loop on a token that yields nothing).
   * Keyed by the analysis itself, not its id: a new engine (after a crash) numbers its analyses from a1 again.
   * Analyses no longer on the map are dropped when a run starts, so a long session holds only the map's.
   */
  private readonly asked = new Map<AnalysisSummary, Set<number>>();

  constructor(
    private readonly ctx: GuessStreamContext,
    private readonly post: (message: HostToWebview) => void,
  ) {}

  /** Starts filling in every snippet's missing guesses, unless already at it. */
  start(): void {
    if (!this.running) void this.run();
  }

  /** Computes this token next (the user hovers or inspects it); the guesses posted for it carry `requestId`. */
  prioritize(ref: PointRef, requestId?: RequestId): void {
    this.wanted = [{ snippetId: ref.snippetId, tokenIndex: ref.tokenIndex, requestId }, ...this.wanted.filter((r) => r.snippetId !== ref.snippetId || r.tokenIndex !== ref.tokenIndex)].slice(0, 16);
    this.start();
  }

  stop(): void {
    this.running?.abort();
    this.running = undefined;
  }

  dispose(): void {
    this.stop();
  }

  /** Tokens of the map that still need guesses, and how many have them. */
  counts(): { done: number; total: number } {
    let done = 0;
    let total = 0;
    for (const s of this.ctx.map.snippets) {
      const a = s.analysis;
      if (!a || isCausal(a)) continue;
      for (const t of a.tokens) {
        if (t.special) continue;
        total++;
        if (a.guesses[t.index]?.length || this.asked.get(a)?.has(t.index)) done++;
      }
    }
    return { done, total };
  }

  private postProgress(): void {
    const { done, total } = this.counts();
    // On demand there is no "all done" to count towards.
    const counting = this.ctx.config.maskedGuesses !== 'onDemand' && done < total;
    this.post({ type: 'guessProgress', done, total: counting ? total : 0 });
  }

  /** The next snippet and tokens to ask for: wanted tokens first, then in order. */
  private nextBatch(): { snippet: MapSnippet; analysis: AnalysisSummary; analysisId: string; tokenIndices: number[]; requestId?: RequestId } | undefined {
    const pending = (s: MapSnippet, i: number): boolean => {
      const a = s.analysis;
      const t = a?.tokens[i];
      return !!a && !isCausal(a) && !!t && !t.special && !a.guesses[i]?.length && !this.asked.get(a)?.has(i);
    };
    while (this.wanted.length) {
      const ref = this.wanted.shift()!;
      const snippet = this.ctx.map.get(ref.snippetId);
      if (snippet?.analysis && pending(snippet, ref.tokenIndex)) {
        const a = snippet.analysis;
        // The wanted token and its next neighbours: the user's eye tends to move along the text.
        const tokenIndices = [ref.tokenIndex];
        for (let i = ref.tokenIndex + 1; i < a.tokens.length && tokenIndices.length < 4; i++) if (pending(snippet, i)) tokenIndices.push(i);
        return { snippet, analysis: a, analysisId: a.analysisId, tokenIndices, requestId: ref.requestId };
      }
    }
    if (this.ctx.config.maskedGuesses === 'onDemand') return undefined;
    for (const snippet of this.ctx.map.snippets) {
      const a = snippet.analysis;
      if (!a || isCausal(a)) continue;
      const perCall = guessTokensPerCall(a.tokens.length, this.ctx.model?.maxTokens);
      const tokenIndices: number[] = [];
      for (let i = 0; i < a.tokens.length && tokenIndices.length < perCall; i++) if (pending(snippet, i)) tokenIndices.push(i);
      if (tokenIndices.length) return { snippet, analysis: a, analysisId: a.analysisId, tokenIndices };
    }
    return undefined;
  }

  private async run(): Promise<void> {
    const ac = new AbortController();
    this.running = ac;
    const onMap = new Set(this.ctx.map.snippets.map((s) => s.analysis));
    for (const a of [...this.asked.keys()]) if (!onMap.has(a)) this.asked.delete(a);
    const t0 = performance.now();
    let computed = 0;
    try {
      this.postProgress();
      for (;;) {
        const batch = this.nextBatch();
        if (!batch || ac.signal.aborted) break;
        const markAsked = (): void => {
          let asked = this.asked.get(batch.analysis);
          if (!asked) this.asked.set(batch.analysis, (asked = new Set()));
          for (const i of batch.tokenIndices) asked.add(i);
        };
        let found;
        try {
          found = await this.ctx.engine.call('guesses', { analysisId: batch.analysisId, tokenIndices: batch.tokenIndices, topK: this.ctx.config.topK }, { signal: ac.signal });
        } catch (e) {
          if (ac.signal.aborted) return;
          // The analysis was released meanwhile (Explore replaced the map, Clear Map): go on with the rest.
          if (isContextLensError(e, 'CANCELLED')) {
            markAsked();
            continue;
          }
          throw e;
        }
        markAsked();
        computed += found.length;
        const a = batch.snippet.analysis;
        if (a?.analysisId !== batch.analysisId) continue;
        for (const g of found) a.guesses[g.tokenIndex] = g.guesses;
        this.post({
          type: 'guesses',
          snippetId: batch.snippet.id,
          tokens: found.map((g) => ({ tokenIndex: g.tokenIndex, guesses: g.guesses.map((x) => ({ token: x.token, probability: x.probability })) })),
          requestId: batch.requestId,
        });
        this.postProgress();
      }
      if (computed) this.ctx.log.info(`Masked guesses for ${computed} tokens in ${Math.round(performance.now() - t0)} ms`);
    } catch (e) {
      this.ctx.noteEngineFailure(e);
      // A dead engine is logged once, by Ctx.noteEngineFailure.
      if (!isContextLensError(e, 'ENGINE_STOPPED')) this.ctx.log.warn(`Masked guesses stopped: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      if (this.running === ac) {
        this.running = undefined;
        this.postProgress();
      }
    }
  }
}
