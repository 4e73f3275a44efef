/**
 * The word-senses job the panel shows: runs it (engine sensesStart, then sensesStep until done, under a
 * cancellable notification), posts each step's result and a scatter of the current layer to the panel, and
 * answers the Senses tab (layer and method, standardization, reveal, export) until a newer job supersedes
 * it. One job at a time: a new run cancels and releases the one before.
 */
import * as vscode from 'vscode';
import { ContextLensError, isContextLensError, messageOf } from '../../engine/errors';
import type { SensesProjection, SensesRequest, SensesResult, SensesSearchSummary } from '../../engine/senses/types';
import type { ProjectionMethod, RequestId } from '../../protocol';
import { modelLabel } from '../config';
import type { Ctx } from '../context';
import type { EngineProgress } from '../engineClient';
import { ms } from '../log';
import { MapPanel } from '../panel';
import { projectionFailed } from '../panel/mapProjection';
import { runWithProgress, type ProgressSink } from '../progress';

export type SensesOutcome = 'done' | 'cancelled' | 'superseded' | 'noOccurrences' | 'failed';

interface Run {
  abort: AbortController;
  word: string;
  superseded: boolean;
  /** Set once sensesStart answered. */
  jobId?: string;
}

/** What the in-host tests read (contextLens._senses). */
export interface SensesTrace {
  posted: { senses: number; sensesProjection: number; showTab: number };
  released: string[];
  /** The last message shown about a job (cancelled, no occurrences, sampled…). */
  notice?: string;
}

export class SensesController implements vscode.Disposable {
  private run: Run | undefined;
  /**
   * The job on screen: held in the engine until superseded, cancelled or disposed. `held` false once the
   * engine restarted: the result stays (reveal and export need no engine) but no new view can be made.
   */
  private shown: { jobId: string; held: boolean; result?: SensesResult } | undefined;
  private projecting: AbortController | undefined;
  private lastProjection: SensesProjection | undefined;
  /** The Senses tab's layer (undefined: the last) and scatter method, as its last setSensesView said. */
  private view: { hiddenLayer?: number; method?: ProjectionMethod } = {};
  readonly trace: SensesTrace = { posted: { senses: 0, sensesProjection: 0, showTab: 0 }, released: [] };
  /** Test hook: cancel the next job as soon as it has started in the engine (its first step then in flight). */
  private cancelWhenStarted = false;

  constructor(private readonly ctx: Ctx) {}

  get result(): SensesResult | undefined {
    return this.shown?.result;
  }

  /** The word of the job being computed, if one is. */
  get running(): string | undefined {
    return this.run?.word;
  }

  get jobId(): string | undefined {
    return this.shown?.jobId;
  }

  /** Runs a job for `request` to the end (or its cancellation), showing results as batches finish. */
  async explore(request: SensesRequest, scopeLabel: string): Promise<SensesOutcome> {
    const ctx = this.ctx;
    if (this.run) {
      this.run.superseded = true;
      this.run.abort.abort();
    }
    const run: Run = { abort: new AbortController(), word: request.word, superseded: false };
    this.run = run;
    const what = request.also ? `“${request.word}” / “${request.also}”` : `“${request.word}”`;
    const t0 = performance.now();
    ctx.log.info(`Word senses: ${what} in ${request.sources.length} file(s) (${scopeLabel}), at most ${request.maxOccurrences} occurrences, ${request.contextTokens}-token contexts`);
    try {
      await runWithProgress(vscode.l10n.t('Context Lens: senses of {0}', what), run.abort.signal, async (sink, signal) => {
        if (!ctx.model) sink.report(vscode.l10n.t('Loading the model {0}…', modelLabel(ctx.modelName)));
        await ctx.ensureModel(signal, sink);
        sink.report(vscode.l10n.t('Searching {0} files…', request.sources.length));
        const started = await ctx.engine.call('sensesStart', { request }, { signal, onProgress: (e) => reportProgress(sink, e) });
        run.jobId = started.jobId;
        if (this.cancelWhenStarted) {
          this.cancelWhenStarted = false;
          queueMicrotask(() => run.abort.abort());
        }
        ctx.log.info(`Word senses: ${searchLine(started.search)} in ${ms(performance.now() - t0)}`);
        await this.replaceShown(started.jobId);
        this.showPanel();
        await this.steps(run, started.search, sink, signal, t0);
      });
      if (run.superseded) return 'superseded';
      this.noteSampling(request);
      return 'done';
    } catch (e) {
      return this.failed(run, e, request);
    } finally {
      if (this.run === run) this.run = undefined;
    }
  }

  /** Cancels the job being computed (the notification's Cancel does the same); `whenStarted`: the next one, once the engine holds it. */
  cancel(whenStarted = false): void {
    if (whenStarted) this.cancelWhenStarted = true;
    else this.run?.abort.abort();
  }

  private async steps(run: Run, search: SensesSearchSummary, sink: ProgressSink, signal: AbortSignal, t0: number): Promise<void> {
    const ctx = this.ctx;
    reportProgress(sink, { phase: 'senses-analyse', analysed: 0, toAnalyse: search.toAnalyse });
    for (;;) {
      const tStep = performance.now();
      const result = await ctx.engine.call('sensesStep', { jobId: run.jobId!, standardize: ctx.config.standardizeDimensions }, { signal, onProgress: (e) => reportProgress(sink, e) });
      const shown = this.shown;
      if (signal.aborted || !shown || shown.jobId !== run.jobId) return;
      shown.result = result;
      ctx.log.info(`Word senses: analysed ${result.search.analysed} of ${result.search.toAnalyse} in ${ms(performance.now() - tStep)}${result.done ? ` (all in ${ms(performance.now() - t0)})` : ''}`);
      this.postResult();
      void this.project();
      reportProgress(sink, { phase: 'senses-analyse', analysed: result.search.analysed, toAnalyse: result.search.toAnalyse });
      if (result.done) {
        const k = result.layers[result.layers.length - 1]?.k ?? 0;
        ctx.log.info(`Word senses: done, ${result.occurrences.length} distinct contexts, ${k} cluster(s) at the last layer`);
        return;
      }
    }
  }

  private async failed(run: Run, e: unknown, request: SensesRequest): Promise<SensesOutcome> {
    const ctx = this.ctx;
    // A job started and never finished is of no use: release it (a cancelled one, or one that failed midway).
    if (run.jobId) await this.releaseJob(run.jobId);
    if (this.shown?.jobId === run.jobId && run.jobId) {
      this.shown = undefined;
      this.lastProjection = undefined;
      this.post({ type: 'senses', senses: null });
    }
    if (run.superseded) {
      ctx.log.info(`Word senses for “${run.word}” superseded by a newer search`);
      return 'superseded';
    }
    if (isContextLensError(e, 'CANCELLED')) {
      this.notify(vscode.l10n.t('Word senses for “{0}” cancelled.', run.word));
      return 'cancelled';
    }
    if (isContextLensError(e, 'NO_OCCURRENCES')) {
      const message = vscode.l10n.t('“{0}” does not occur in the {1} file(s) searched. Check the spelling, or search more files (Open editors, Workspace).', request.word, request.sources.length);
      ctx.lastError = { code: e.code, message };
      this.notify(message);
      ctx.log.info(`Word senses: ${e.message}`);
      return 'noOccurrences';
    }
    ctx.noteEngineFailure(e);
    ctx.reportError(e);
    return 'failed';
  }

  /** Says the job is over for a reason the user should know (log and an information message). */
  private notify(message: string): void {
    this.trace.notice = message;
    this.ctx.log.info(message);
    void vscode.window.showInformationMessage(message);
  }

  /** Tells the user when the occurrences found were more than those analysed (the panel's summary says it too). */
  private noteSampling(request: SensesRequest): void {
    const s = this.shown?.result?.search;
    if (!s) return;
    const found = s.found + (s.foundAlso ?? 0);
    const skipped = s.skippedBinary + s.skippedTooLarge + s.skippedUnreadable;
    this.ctx.log.info(`Word senses: ${searchLine(s)}`);
    if (found > s.toAnalyse) {
      this.notify(vscode.l10n.t('Found {0} occurrences of “{1}”: {2} of them, sampled evenly, were analysed (setting contextLens.senses.maxOccurrences).', found, request.word, s.toAnalyse));
    } else if (skipped > 0) this.ctx.log.info(`Word senses: skipped ${skipped} file(s) (binary ${s.skippedBinary}, too large ${s.skippedTooLarge}, unreadable ${s.skippedUnreadable})`);
  }

  /** A new job goes on screen: the one before is released. */
  private async replaceShown(jobId: string): Promise<void> {
    const old = this.shown?.held ? this.shown.jobId : undefined;
    this.shown = { jobId, held: true };
    this.lastProjection = undefined;
    this.projecting?.abort();
    if (old) await this.releaseJob(old);
  }

  private async releaseJob(jobId: string): Promise<void> {
    try {
      await this.ctx.engine.call('sensesRelease', { jobId });
      this.trace.released.push(jobId);
      this.ctx.log.info(`Word senses: released job ${jobId}`);
    } catch (e) {
      // A restarted engine took its jobs with it: nothing is left to release.
      this.ctx.log.warn(`Word senses: releasing job ${jobId} failed: ${messageOf(e)}`);
    }
  }

  private showPanel(): void {
    const panel = MapPanel.show(this.ctx, true);
    panel.showTab('senses');
    this.trace.posted.showTab++;
  }

  private post(message: Parameters<MapPanel['post']>[0]): void {
    const panel = this.ctx.panel;
    if (!panel) return;
    if (message.type === 'senses') this.trace.posted.senses++;
    if (message.type === 'sensesProjection') this.trace.posted.sensesProjection++;
    panel.post(message);
  }

  private postResult(): void {
    this.post({ type: 'senses', senses: this.shown?.result ?? null });
  }

  /** The panel (re)loaded its page: send what the Senses tab showed (computed again if the setting changed meanwhile). */
  onPanelReady(): void {
    const result = this.shown?.result;
    if (!result) return;
    this.postResult();
    if (this.lastProjection) this.post({ type: 'sensesProjection', projection: this.lastProjection });
    if (result.standardized !== this.ctx.config.standardizeDimensions) void this.restandardize().catch((e: unknown) => this.ctx.reportError(e));
  }

  /** The engine restarted or stopped: its jobs are gone. The result on screen stays, for reveal and export. */
  engineLost(): void {
    if (this.shown) this.shown.held = false;
    this.projecting?.abort();
  }

  /** The Senses tab's layer or method changed (setSensesView). */
  setView(hiddenLayer: number, method: ProjectionMethod, requestId: RequestId): Promise<void> {
    this.view = { hiddenLayer, method };
    return this.project(requestId);
  }

  /**
   * Lays out the occurrences at the tab's layer; a newer request cancels an older one, which gets no reply
   * (as MapProjection does). `requestId`: the setSensesView this answers.
   */
  async project(requestId?: RequestId): Promise<void> {
    const ctx = this.ctx;
    const job = this.shown;
    if (!job?.result || !job.held) return;
    this.projecting?.abort();
    const ac = new AbortController();
    this.projecting = ac;
    const numLayers = job.result.numLayers;
    const hiddenLayer = Math.max(0, Math.min(numLayers, Math.round(this.view.hiddenLayer ?? numLayers)));
    const method = this.view.method ?? ctx.map.method;
    const t0 = performance.now();
    try {
      const projection = await ctx.engine.call('sensesProject', { jobId: job.jobId, hiddenLayer, method, standardize: ctx.config.standardizeDimensions }, { signal: ac.signal });
      if (ac.signal.aborted || this.shown !== job) return;
      ctx.log.debug(`Word senses: projected ${projection.points.length} occurrences (${method}, layer ${hiddenLayer}) in ${ms(performance.now() - t0)}`);
      this.lastProjection = projection;
      this.post({ type: 'sensesProjection', projection, requestId });
    } catch (e) {
      projectionFailed(ctx, (m) => this.post(m), e, ac.signal, requestId);
    } finally {
      if (this.projecting === ac) this.projecting = undefined;
    }
  }

  /** contextLens.standardizeDimensions changed: the result and the scatter again, computed the new way. */
  async restandardize(): Promise<void> {
    const job = this.shown;
    if (!job?.result || !job.held || this.run?.jobId === job.jobId) {
      // A job still running picks the setting up at its next step.
      return;
    }
    const result = await this.ctx.engine.call('sensesView', { jobId: job.jobId, standardize: this.ctx.config.standardizeDimensions });
    if (this.shown !== job) return;
    job.result = result;
    this.postResult();
    await this.project();
  }

  /** The result on screen, or a message saying there is none (exports, reveal). */
  requireResult(): SensesResult {
    const result = this.shown?.result;
    if (!result) throw new ContextLensError('EMPTY_INPUT', vscode.l10n.t('No word senses to show: run Context Lens: Explore Word Senses first.'));
    return result;
  }

  dispose(): void {
    this.run?.abort.abort();
    this.projecting?.abort();
    const jobId = this.shown?.held ? this.shown.jobId : undefined;
    this.shown = undefined;
    if (jobId) void this.ctx.engine.call('sensesRelease', { jobId }).catch(() => undefined);
  }
}

/** The engine's progress of a search (files read, occurrences found) or of the forwards (contexts analysed), in the notification. */
function reportProgress(sink: ProgressSink, e: EngineProgress): void {
  if (e.phase === 'senses-search') {
    sink.report(vscode.l10n.t('Searching {0} of {1} files: {2} occurrences found…', e.filesDone, e.filesTotal, e.found), e.filesTotal ? Math.round((100 * e.filesDone) / e.filesTotal) : undefined);
  } else if (e.phase === 'senses-analyse') {
    sink.report(vscode.l10n.t('Analysing {0} of {1} occurrences…', e.analysed, e.toAnalyse), e.toAnalyse ? Math.round((100 * e.analysed) / e.toAnalyse) : 100);
  }
}

function searchLine(s: SensesSearchSummary): string {
  const also = s.foundAlso !== undefined ? ` (+${s.foundAlso} of the compared word)` : '';
  return `searched ${s.filesSearched} file(s) (skipped: binary ${s.skippedBinary}, too large ${s.skippedTooLarge}, unreadable ${s.skippedUnreadable}), found ${s.found}${also}, ${s.toAnalyse} to analyse, ${s.analysed} analysed`;
}
