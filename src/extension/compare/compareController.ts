/**
 * Compare Models (issue 13), the host side: the selection through model A (the Map's engine, contextLens.model)
 * and model B (contextLens.compareModel) in a second, compare-only engine worker; the aligned rows
 * (src/engine/compare/) and each model's map at one relative depth, sent to the panel's Compare tab.
 *
 * Model B's worker lives while a comparison needs it: it ends when the tab is cleared, the panel closes, or a
 * setting makes the comparison stale. A run replaces what the tab shows only once it succeeded: a cancelled or
 * failed run leaves the tab and the Map as they were. The Map's own snippets are never touched.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { compareCsv, compareJson, compareRows, DEFAULT_COMPARE_TOP_K, layerAtDepth, modelSummary, type CompareResult } from '../../engine/compare';
import { ContextLensError, isContextLensError, messageOf } from '../../engine/errors';
import type { ModelSpec } from '../../engine/types';
import type { AnalysisSummary } from '../../engine/workerProtocol';
import type { CompareModelView, CompareView, RequestId } from '../../protocol';
import { affectsEngine, modelLabel, SECTION } from '../config';
import type { Ctx } from '../context';
import { EngineClient, type EngineProgress } from '../engineClient';
import { MapPanel } from '../panel';
import { runWithProgress, type ProgressSink } from '../progress';
import { fillMaskedGuesses } from './analyzeSide';
import { COMPARE_MODEL_SETTING, compareModelSetting } from './secondModel';

export interface CompareSource {
  label: string;
  text: string;
}

/** A model's analysis held for the Compare tab, and the engine that holds it. */
interface Side {
  engine: EngineClient;
  /** The model spec's key: the comparison is stale once the settings name another model. */
  key: string;
  model: string;
  label: string;
  summary: AnalysisSummary;
}

interface Job {
  source: CompareSource;
  a: Side;
  b: Side;
  view: CompareView;
}

export type CompareOutcome = 'done' | 'cancelled' | 'failed';

function specKey(spec: ModelSpec): string {
  return JSON.stringify([spec.model, spec.dtype, spec.device, spec.cacheDir, spec.remoteHost ?? '', spec.offline ?? false]);
}

export class CompareController implements vscode.Disposable {
  private job: Job | undefined;
  /** Model B's engine made for a run, before that run replaces the job (the job's own stays meanwhile). */
  private spare: { engine: EngineClient; key: string } | undefined;
  private depth = 1;
  private running: AbortController | undefined;
  private layingOut: AbortController | undefined;
  private watchedPanel: MapPanel | undefined;
  /** Model B of the run the command is starting: its change of the setting does not make the comparison on screen stale. */
  private expectedB: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: Ctx) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${SECTION}.${COMPARE_MODEL_SETTING}`) || affectsEngine(e)) this.dropIfStale();
      }),
    );
  }

  get snapshot() {
    const j = this.job;
    return {
      running: this.running !== undefined,
      depth: this.depth,
      secondEngine: j !== undefined || this.spare !== undefined,
      view: j && { label: j.view.label, depth: j.view.depth, models: j.view.models.map((m) => ({ label: m.label, kind: m.kind, hiddenLayer: m.hiddenLayer, numLayers: m.numLayers, points: m.points.length })), rows: j.view.rows },
    };
  }

  expectSecondModel(model: string): void {
    this.expectedB = model;
  }

  /** Runs the comparison under a cancellable notification; the tab shows it once both models are done. */
  async compare(source: CompareSource, modelB: string): Promise<CompareOutcome> {
    this.running?.abort();
    const run = new AbortController();
    this.running = run;
    const ctx = this.ctx;
    const labelA = ctx.modelDisplayName;
    const labelB = modelLabel(modelB);
    const t0 = performance.now();
    let made: Side[] = [];
    let engineB: EngineClient | undefined;
    try {
      const job = await runWithProgress(vscode.l10n.t('Context Lens: comparing {0} and {1}', labelA, labelB), run.signal, async (sink, signal) => {
        const a = await named('A', labelA, () => this.analyzeA(source.text, sink, signal));
        made.push(a);
        const specB: ModelSpec = { ...ctx.modelSpec(), model: modelB };
        engineB = this.engineFor(specKey(specB));
        const b = await named('B', labelB, () => this.analyzeB(source.text, specB, engineB!, sink, signal));
        made.push(b);
        sink.report(vscode.l10n.t('Laying out both maps…'));
        const view = await this.layout(source, a, b, this.depth, signal);
        return { source, a, b, view };
      });
      made = [];
      this.replaceJob(job);
      ctx.log.info(`Compared ${source.label}: ${job.a.model} (${job.a.summary.kind}, ${job.a.summary.tokens.length} tokens) and ${job.b.model} (${job.b.summary.kind}, ${job.b.summary.tokens.length} tokens) in ${job.view.rows.length} rows, ${Math.round(performance.now() - t0)} ms`);
      this.show();
      return 'done';
    } catch (e) {
      if (isContextLensError(e, 'CANCELLED') || run.signal.aborted) {
        ctx.log.info(`Compare Models cancelled: ${source.label}`);
        return 'cancelled';
      }
      if (failedSide(e) === 'B') this.reportSecondModelError(e);
      else ctx.reportError(e);
      return 'failed';
    } finally {
      for (const side of made) this.release(side);
      // This run's fresh worker for model B, unless the job now uses it (a newer run may own another spare).
      if (engineB && this.spare?.engine === engineB && engineB !== this.job?.b.engine) this.disposeSpare();
      if (this.running === run) {
        this.running = undefined;
        this.expectedB = undefined;
      }
    }
  }

  /**
   * Model B failed: the error with Open Log and "Change the second model" (Ctx.reportError's "Use the bundled
   * demo model" would change model A, not the one that failed).
   */
  private reportSecondModelError(e: unknown): void {
    const ctx = this.ctx;
    const code = isContextLensError(e) ? e.code : 'INTERNAL';
    ctx.lastError = { code, message: messageOf(e) };
    ctx.log.error(`${code}: ${messageOf(e)}${isContextLensError(e) && e.detail ? `\n${e.detail}` : ''}`);
    const openLog = vscode.l10n.t('Open Log');
    const change = vscode.l10n.t('Change the second model');
    void vscode.window.showErrorMessage(vscode.l10n.t('Context Lens: {0}', messageOf(e)), change, openLog).then((choice) => {
      if (choice === openLog) ctx.log.show(true);
      if (choice === change) void vscode.commands.executeCommand('contextLens.compareModels');
    });
  }

  /** Model A in the Map's engine: ctx.analyze (its input checks, its model load), then every masked guess. */
  private async analyzeA(text: string, sink: ProgressSink, signal: AbortSignal): Promise<Side> {
    const ctx = this.ctx;
    const label = ctx.modelDisplayName;
    sink.report(vscode.l10n.t('Model A ({0}): analyzing…', label));
    const analysed = await ctx.analyze(text, signal, sink);
    const side: Side = { engine: ctx.engine, key: ctx.modelKey(), model: ctx.modelName, label, summary: analysed };
    try {
      side.summary = await fillMaskedGuesses(ctx.engine, analysed, this.topK, signal, (done, total) => sink.report(vscode.l10n.t('Model A ({0}): masked guesses {1} / {2}', label, done, total)));
      return side;
    } catch (e) {
      this.release(side);
      throw e;
    }
  }

  /** Model B in the compare-only engine (a second worker, started here when none holds this model). */
  private async analyzeB(text: string, spec: ModelSpec, engine: EngineClient, sink: ProgressSink, signal: AbortSignal): Promise<Side> {
    const ctx = this.ctx;
    const { model } = spec;
    const key = specKey(spec);
    const label = modelLabel(model);
    sink.report(vscode.l10n.t('Model B ({0}): loading…', label));
    const info = await engine.call('load', { spec }, { signal, onProgress: (e) => reportLoad(sink, label, e) });
    ctx.log.info(`Compare Models: model B ready: ${info.model} (${info.kind}, ${info.source}, ${info.dtype}, backend ${info.backend}, ${info.numLayers} layers)`);
    sink.report(vscode.l10n.t('Model B ({0}): analyzing…', label));
    const cfg = ctx.config;
    const analysed = await engine.call('analyze', { text, topK: this.topK, maxTokens: cfg.maxTokens, guesses: false }, { signal });
    const side: Side = { engine, key, model, label, summary: analysed };
    try {
      side.summary = await fillMaskedGuesses(engine, analysed, this.topK, signal, (done, total) => sink.report(vscode.l10n.t('Model B ({0}): masked guesses {1} / {2}', label, done, total)));
      return side;
    } catch (e) {
      this.release(side);
      throw e;
    }
  }

  /** A masked model's probability is read from its top-k guesses: a wider k than the hover's finds more of them. */
  private get topK(): number {
    return Math.max(this.ctx.config.topK, DEFAULT_COMPARE_TOP_K);
  }

  /** The job's engine when it holds this model, else a fresh compare-only worker (kept as the spare until the run succeeds). */
  private engineFor(key: string): EngineClient {
    if (this.job?.b.key === key) return this.job.b.engine;
    if (this.spare?.key === key) return this.spare.engine;
    this.disposeSpare();
    const workerPath = path.join(this.ctx.extension.extensionPath, 'dist', 'engineWorker.js');
    const engine = new EngineClient(workerPath, (line) => this.ctx.log.info(`[compare engine] ${line}`));
    this.spare = { engine, key };
    return engine;
  }

  /** Both maps at `depth`: each model's `project` in its own engine, at round(depth × its numLayers). */
  private async layout(source: CompareSource, a: Side, b: Side, depth: number, signal: AbortSignal): Promise<CompareView> {
    const method = this.ctx.map.method;
    const [viewA, viewB] = await Promise.all([a, b].map(async (side): Promise<CompareModelView> => {
      const s = side.summary;
      const hiddenLayer = layerAtDepth(depth, s.numLayers);
      const p = await side.engine.call('project', { analysisIds: [s.analysisId], hiddenLayer, method }, { signal });
      return {
        label: side.label,
        model: side.model,
        kind: s.kind,
        numLayers: s.numLayers,
        hiddenLayer,
        method: p.method,
        tokens: s.tokens.map((t) => ({ piece: t.piece, start: t.start, end: t.end, special: t.special })),
        points: p.points.map((q) => ({ tokenIndex: q.tokenIndex, x: q.x, y: q.y })),
      };
    }));
    return { label: source.label, text: source.text, depth, models: [viewA, viewB], rows: compareRows(source.text, a.summary, b.summary) };
  }

  /** The tab's depth slider: both maps laid out again (a newer move supersedes this one unanswered). */
  async setDepth(depth: number, requestId: RequestId): Promise<void> {
    this.depth = Math.max(0, Math.min(1, depth));
    const job = this.job;
    if (!job) return;
    this.layingOut?.abort();
    const ac = new AbortController();
    this.layingOut = ac;
    try {
      const view = await this.layout(job.source, job.a, job.b, this.depth, ac.signal);
      if (ac.signal.aborted || this.job !== job) return;
      job.view = view;
      this.ctx.panel?.post({ type: 'compare', compare: view, requestId });
    } catch (e) {
      if (ac.signal.aborted || isContextLensError(e, 'CANCELLED')) return;
      if (isContextLensError(e, 'ENGINE_STOPPED')) throw new ContextLensError(e.code, vscode.l10n.t('The comparison’s analyses are gone (the engine restarted): run Context Lens: Compare Models again.'));
      throw e;
    } finally {
      if (this.layingOut === ac) this.layingOut = undefined;
    }
  }

  async exportAs(format: 'csv' | 'json'): Promise<void> {
    const job = this.job;
    if (!job) {
      this.ctx.warn('NO_COMPARISON', vscode.l10n.t('Nothing to export: run Context Lens: Compare Models first.'));
      return;
    }
    const result: CompareResult = {
      text: job.source.text,
      depth: job.view.depth,
      models: [modelSummary(job.a.model, job.a.summary.kind, job.a.summary.numLayers, job.view.depth), modelSummary(job.b.model, job.b.summary.kind, job.b.summary.numLayers, job.view.depth)],
      rows: job.view.rows,
    };
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = `compare.${format}`;
    const target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
      filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
      saveLabel: vscode.l10n.t('Export'),
      title: format === 'csv' ? vscode.l10n.t('Export the comparison as CSV') : vscode.l10n.t('Export the comparison as JSON'),
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, Buffer.from(format === 'csv' ? compareCsv(result) : compareJson(result), 'utf8'));
    this.ctx.log.info(`Exported the comparison (${result.rows.length} rows, ${format}) to ${target.toString(true)}`);
    void vscode.window.showInformationMessage(vscode.l10n.t('Saved {0}', target.scheme === 'file' ? vscode.workspace.asRelativePath(target) || path.basename(target.fsPath) : target.toString(true)));
  }

  /** The tab cleared, or the panel closed: a run in flight stops, the analyses go, model B's worker ends. */
  clear(post = true): void {
    if (this.job || this.spare) this.ctx.log.info("Compare Models: cleared; model B's engine ended");
    this.running?.abort();
    this.layingOut?.abort();
    this.dropJob();
    this.disposeSpare();
    if (post) this.ctx.panel?.post({ type: 'compare', compare: null });
  }

  /** The panel's page (re)loaded: it gets the comparison again (a hidden webview forgets its content). */
  onPanelReady(): void {
    if (this.job) this.ctx.panel?.post({ type: 'compare', compare: this.job.view });
  }

  private show(): void {
    const panel = MapPanel.show(this.ctx, true);
    if (this.watchedPanel !== panel) {
      this.watchedPanel = panel;
      this.disposables.push(panel.panel.onDidDispose(() => {
        if (this.watchedPanel === panel) this.watchedPanel = undefined;
        this.clear(false);
      }));
    }
    panel.showTab('compare');
    if (this.job) panel.post({ type: 'compare', compare: this.job.view });
  }

  private replaceJob(job: Job): void {
    const old = this.job;
    this.job = job;
    if (this.spare?.engine === job.b.engine) this.spare = undefined;
    if (old) {
      this.release(old.a);
      if (old.b.engine === job.b.engine) this.release(old.b);
      else old.b.engine.dispose();
    }
  }

  /** A comparison whose model A or B is no longer the one the settings name is gone (with model B's worker). */
  private dropIfStale(): void {
    const job = this.job;
    if (!job) return;
    const modelB = compareModelSetting();
    if (job.a.key === this.ctx.modelKey() && (job.b.key === specKey({ ...this.ctx.modelSpec(), model: modelB }) || modelB === this.expectedB)) return;
    this.ctx.log.info('Compare Models: the model settings changed; the comparison is cleared and the second engine ended');
    this.dropJob();
    this.ctx.panel?.post({ type: 'compare', compare: null });
  }

  private dropJob(): void {
    const job = this.job;
    this.job = undefined;
    if (!job) return;
    this.release(job.a);
    job.b.engine.dispose();
  }

  private disposeSpare(): void {
    this.spare?.engine.dispose();
    this.spare = undefined;
  }

  private release(side: Side): void {
    void side.engine.call('release', { analysisIds: [side.summary.analysisId] }).catch((e: unknown) => this.ctx.log.debug(`compare release failed: ${messageOf(e)}`));
  }

  dispose(): void {
    this.clear(false);
    for (const d of this.disposables) d.dispose();
  }
}

/** A failure of one model's part, its message saying which model (A or B) failed. */
async function named<T>(which: 'A' | 'B', label: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (isContextLensError(e, 'CANCELLED')) throw e;
    const message = which === 'A' ? vscode.l10n.t('Model A ({0}): {1}', label, messageOf(e)) : vscode.l10n.t('Model B ({0}): {1}', label, messageOf(e));
    const wrapped = isContextLensError(e) ? new ContextLensError(e.code, message, e.detail) : Object.assign(new Error(message), { stack: e instanceof Error ? e.stack : undefined });
    throw Object.assign(wrapped, { compareSide: which });
  }
}

/** Which model's part failed ('A' or 'B'; undefined: neither, e.g. laying out the maps). */
function failedSide(e: unknown): 'A' | 'B' | undefined {
  const side = (e as { compareSide?: unknown } | undefined)?.compareSide;
  return side === 'A' || side === 'B' ? side : undefined;
}

function reportLoad(sink: ProgressSink, label: string, e: EngineProgress): void {
  if (!('phase' in e)) return;
  if (e.phase === 'download' && 'file' in e) {
    const percent = e.fraction !== undefined ? Math.round(e.fraction * 100) : undefined;
    sink.report(vscode.l10n.t('Model B ({0}): downloading {1}', label, `${path.basename(e.file ?? '')}${percent === undefined ? '' : ` ${percent}%`}`), percent);
  } else if (e.phase === 'graph-edit') sink.report(vscode.l10n.t('Model B ({0}): preparing the model graph', label));
}
