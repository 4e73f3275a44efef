/** One function per command (after rust-analyzer's commands.ts). */
import * as vscode from 'vscode';
import { cancelledError } from '../engine/errors';
import { checkInputText, maxCharsForTokens } from '../engine/inputCheck';
import type { AnalysisSummary } from '../engine/workerProtocol';
import { chooseModel } from './chooseModel';
import { modelLabel } from './config';
import type { Ctx } from './context';
import type { MapSnippet } from './mapState';
import { MapPanel } from './panel';
import { registerGuessMaskedSpan } from './predictions/spanCommand';
import { openProgressCount, runWithProgress } from './progress';
import type { EngineMethod } from '../engine/workerProtocol';
import { exploreWordSenses } from './senses/command';
import { compareModels, registerCompareHooks } from './compare';
import { MapCommandQueue } from './mapCommandQueue';
import type { ProgressSink } from './progress';
import { registerRapidProbes } from './rapidProbes';

type Source = Omit<MapSnippet, 'id' | 'analysis'>;
type Mode = 'explore' | 'add';

export function registerCommands(ctx: Ctx): vscode.Disposable[] {
  const reg = (id: string, f: (...args: unknown[]) => unknown) => vscode.commands.registerCommand(id, f);
  return [
    reg('contextLens.exploreSelection', () => exploreSelection(ctx)),
    reg('contextLens.addSelectionToMap', () => addSelectionToMap(ctx)),
    reg('contextLens.openMap', () => openMap(ctx)),
    reg('contextLens.clearMap', () => clearMap(ctx)),
    reg('contextLens.showLog', () => showLog(ctx)),
    reg('contextLens.useDemoModel', () => useDemoModel(ctx)),
    reg('contextLens.exploreWordSenses', (args) => exploreWordSenses(ctx, args)),
    reg('contextLens.chooseModel', () => chooseModel(ctx)),
    // Compare Models (issue 13): the selection through contextLens.model and contextLens.compareModel.
    reg('contextLens.compareModels', (args) => compareModels(ctx, takeSelection(ctx), args)),
    ...registerCompareHooks(ctx),
    // Guess Masked Span (issue 11): the command, and the highlight and peek its results show in.
    ...registerGuessMaskedSpan(ctx),
    // Internal test hook (not contributed): the last error or warning shown, {code, message}; `true` also clears it.
    reg('contextLens._lastError', (clear) => lastError(ctx, clear === true)),
    // Internal test hook (not contributed): the status bar item's state, text and tooltip.
    reg('contextLens._status', () => ({ state: { ...ctx.status.state }, ...ctx.status.shown })),
    // ---- stress-rapid: internal hooks of the stress campaign (issue 14), not contributed: see rapidProbes.ts ----
    ...registerRapidProbes(ctx, mapCommandsOf(ctx)),
    // ---- end stress-rapid ----
    // Internal test hooks (not contributed): the senses job on screen and what was posted about it; Cancel of its notification.
    reg('contextLens._senses', () => sensesSnapshot(ctx)),
    reg('contextLens._cancelWordSenses', (when) => ctx.senses.cancel(when === 'whenStarted')),
    // ---- stress-death: internal hooks of the stress campaign (issue 14), not contributed ----
    // Ends the engine worker as a crash would (not restart()): now, or once the next call of `method` is in flight ('disarm': not after all).
    reg('contextLens._killEngine', (method) => (method === 'disarm' ? ctx.engine.disarmKill() : ctx.engine.killWorker(typeof method === 'string' ? (method as EngineMethod) : undefined))),
    // The engine and what the user was shown of its failures: workers started, deaths told, messages, open progress.
    reg('contextLens._engine', () => engineSnapshot(ctx)),
    // The map's snippets: where each came from, its text's length, its tokens (undefined while not analyzed).
    reg('contextLens._mapSnippets', () => ctx.map.snippets.map((s) => ({ id: s.id, label: s.label, textLength: s.text.length, tokens: s.analysis?.tokens.map((t) => ({ piece: t.piece, start: t.start, end: t.end, special: t.special })) }))),
    // ---- end stress-death ----
  ];
}

/** Replaces the map with the selection's analysis and shows it. */
export function exploreSelection(ctx: Ctx): Promise<void> {
  const source = takeSelection(ctx);
  return source ? analyzeInto(ctx, source, 'explore') : Promise.resolve();
}

/** Adds the selection to the map (from any file) and re-projects. */
export function addSelectionToMap(ctx: Ctx): Promise<void> {
  const source = takeSelection(ctx);
  return source ? analyzeInto(ctx, source, 'add') : Promise.resolve();
}

export function openMap(ctx: Ctx): void {
  MapPanel.show(ctx, false);
}

export async function clearMap(ctx: Ctx): Promise<void> {
  await ctx.clearMap();
}

export function showLog(ctx: Ctx): void {
  ctx.log.show(true);
}

export async function useDemoModel(ctx: Ctx): Promise<void> {
  await ctx.useDemoModel();
}

function sensesSnapshot(ctx: Ctx) {
  const r = ctx.senses.result;
  return {
    jobId: ctx.senses.jobId,
    running: ctx.senses.running,
    result: r && { word: r.word, also: r.also, done: r.done, numLayers: r.numLayers, standardized: r.standardized, search: { ...r.search }, occurrences: r.occurrences.length, files: [...new Set(r.occurrences.map((o) => o.file))] },
    trace: structuredClone(ctx.senses.trace),
  };
}

function engineSnapshot(ctx: Ctx) {
  return {
    running: ctx.engine.running,
    workersStarted: ctx.engine.workersStarted,
    pendingCalls: ctx.engine.pendingCount,
    deathsTold: ctx.engineDeaths,
    messagesShown: ctx.messagesShown,
    openProgress: openProgressCount(),
    statusBusy: ctx.status.busy,
    status: ctx.status.state.kind,
    modelLoaded: ctx.model !== undefined,
  };
}

function lastError(ctx: Ctx, clear: boolean) {
  const e = ctx.lastError;
  if (clear) ctx.lastError = undefined;
  return e ? { ...e } : undefined;
}

/**
 * The primary selection with where it came from, or a message when there is none. Whether its text can be
 * analyzed (length, binary data) is the engine's rule: Ctx.analyze applies it.
 */
function takeSelection(ctx: Ctx): Source | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    ctx.warn('NO_EDITOR', vscode.l10n.t('Open a file and select some text first.'));
    return undefined;
  }
  const { document, selection } = editor;
  const text = document.getText(selection);
  if (selection.isEmpty || text.trim() === '') {
    ctx.warn('EMPTY_SELECTION', vscode.l10n.t('Select some text first.'));
    return undefined;
  }
  const where = document.uri.scheme === 'untitled' ? document.uri.path : vscode.workspace.asRelativePath(document.uri, false);
  return {
    uri: document.uri.toString(),
    label: `${where}:${selection.start.line + 1}`,
    text,
    startOffset: document.offsetAt(selection.start),
  };
}

function preview(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 24 ? `${one.slice(0, 23)}…` : one;
}

/** Explore and Add run through one queue per window (mapCommandQueue.ts): a newer Explore supersedes older commands. */
const mapCommands = new WeakMap<Ctx, MapCommandQueue>();

export function mapCommandsOf(ctx: Ctx): MapCommandQueue {
  let q = mapCommands.get(ctx);
  if (!q) mapCommands.set(ctx, (q = new MapCommandQueue()));
  return q;
}

async function analyzeInto(ctx: Ctx, source: Source, mode: Mode): Promise<void> {
  const t0 = performance.now();
  const queue = mapCommandsOf(ctx);
  const given = queue.counts.given + 1;
  const end = await queue.run<AnalysisSummary>({
    mode,
    compute: (superseded) =>
      runWithProgress(vscode.l10n.t('Context Lens: “{0}”', preview(source.text)), superseded, async (sink, signal) => {
        // A selection the engine would refuse is refused by ctx.analyze before any model loads (in the editor's words).
        if (!ctx.model && acceptable(ctx, source.text)) {
          sink.report(vscode.l10n.t('Loading the model {0}…', modelLabel(ctx.modelName)));
          await loadModel(ctx, superseded, signal, sink);
        }
        const a = await ctx.analyze(source.text, signal, sink);
        sink.report(vscode.l10n.t('Opening the Embedding Map…'), 100);
        return a;
      }),
    land: async (analysis) => {
      if (mode === 'explore') await ctx.clearMap(false);
      ctx.map.add({ ...source, analysis });
      // Said once, for the command given last (not 100 times over for a burst of commands).
      if (analysis.windowed && queue.counts.given === given) {
        void vscode.window.showInformationMessage(
          vscode.l10n.t('The selection is longer than the model reads at once: it was analyzed in overlapping windows.'),
        );
      }
      const panel = MapPanel.show(ctx, true);
      panel.refresh();
      ctx.log.info(`${mode === 'explore' ? 'Explored' : 'Added'} ${source.label} (${analysis.tokens.length} tokens) in ${Math.round(performance.now() - t0)} ms; the map holds ${ctx.map.snippets.length} snippet(s)`);
    },
    drop: (analysis) => void ctx.engine.call('release', { analysisIds: [analysis.analysisId] }).catch(() => undefined),
    fail: (e) => ctx.reportError(e, () => analyzeInto(ctx, source, mode)),
  });
  if (end === 'superseded') ctx.log.info(`Superseded by a newer Explore: ${source.label}`);
  else if (end === 'cancelled') ctx.log.info(`Cancelled: ${source.label}`);
}

/**
 * Loads the model for a command. A newer Explore stops this command waiting but never cancels the load, which the
 * newer one needs as much (only the user's Cancel in the notification does).
 */
async function loadModel(ctx: Ctx, superseded: AbortSignal, signal: AbortSignal, sink: ProgressSink): Promise<void> {
  const userCancel = new AbortController();
  const onAbort = (): void => {
    if (!superseded.aborted) userCancel.abort();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.race([ctx.ensureModel(userCancel.signal, sink), rejectWhenAborted(signal)]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function acceptable(ctx: Ctx, text: string): boolean {
  try {
    checkInputText(text, maxCharsForTokens(ctx.config.maxTokens));
    return true;
  } catch {
    return false;
  }
}

function rejectWhenAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(cancelledError());
    else signal.addEventListener('abort', () => reject(cancelledError()), { once: true });
  });
}
