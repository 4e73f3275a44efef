/**
 * The Embedding Map panel: its lifecycle (at most one, kept in `ctx.panel`, brought back after a window
 * reload by the serializer) and the host side of src/protocol.ts, routing each webview message to the
 * piece that does the work.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { isContextLensError, messageOf } from '../../engine/errors';
import type { HostToWebview, ModelStatusView, PointRef, ProjectionMethod, RequestId, WebviewPersistedState, WebviewToHost } from '../../protocol';
import { savedHiddenLayer } from '../../shared/persistedState';
import { readUnit, savedUnit } from '../../shared/mapUnit';
import { SECTION, updateStandardizeDimensions } from '../config';
import type { Ctx } from '../context';
import { MaskedGuessStream } from '../guessStream';
import { webviewStrings } from '../l10n';
import type { AnalyzedSnippet } from '../mapState';
import { runWithProgress, type ProgressSink } from '../progress';
import { exportSenses } from '../senses/sensesExports';
import { revealOccurrence } from '../senses/revealOccurrence';
import { attentionGridView, attentionLayerView, attentionSummaryView, headStatsView } from './attention';
import { panelHtml } from './html';
import { exportJson, exportProjector, saveImage } from './mapExports';
import { MapProjection } from './mapProjection';
import { revealToken } from './reveal';
import { wordOfToken, wordsView } from './words';
import { snippetLayerGuesses, snippetUnmasked } from '../predictions/panelRequests';
import { compareFor } from '../compare';

export const VIEW_TYPE = 'contextLens.map';

export class MapPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  private readonly guessStream: MaskedGuessStream;
  private readonly projection: MapProjection;
  /** The page's script runs and listens: what is posted before may be lost, so it waits for 'ready'. */
  private ready = false;
  private pendingTab: WebviewPersistedState['tab'] | undefined;
  private postedSnippetIds: string[] = [];

  /** Shows the map beside the active editor, creating the panel if needed. */
  static show(ctx: Ctx, preserveFocus = true): MapPanel {
    const existing = ctx.panel;
    if (existing) {
      existing.panel.reveal(undefined, preserveFocus);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      VIEW_TYPE,
      vscode.l10n.t('Embedding Map'),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
      webviewOptions(ctx),
    );
    return new MapPanel(ctx, panel);
  }

  /** Brings a panel back after a window reload from what was saved (see snippetStore.ts for which copy wins). */
  static restore(ctx: Ctx, panel: vscode.WebviewPanel, state: unknown): void {
    const s = (state && typeof state === 'object' ? state : {}) as Partial<WebviewPersistedState>;
    const hiddenLayer = savedHiddenLayer(state);
    if (hiddenLayer !== undefined) ctx.map.hiddenLayer = hiddenLayer;
    if (s.projection === 'umap' || s.projection === 'pca') ctx.map.method = s.projection as ProjectionMethod;
    if (ctx.map.isEmpty) {
      for (const snip of ctx.snippetStore.restore(s.snippets)) ctx.map.add(snip);
    }
    ctx.log.info(`Restoring the Embedding Map with ${ctx.map.snippets.length} snippet(s)`);
    ctx.panel?.dispose();
    const restored = new MapPanel(ctx, panel);
    // The webview keeps its Pieces / Words choice; the map it is sent after 'ready' must be in that unit.
    restored.projection.unit = savedUnit(state);
    if (restored.projection.unit === 'words') ctx.log.info('The Embedding Map shows words (restored)');
    // The webview sends 'ready' when its script runs; that re-analyzes and projects.
  }

  private constructor(
    private readonly ctx: Ctx,
    readonly panel: vscode.WebviewPanel,
  ) {
    ctx.panel = this;
    this.guessStream = new MaskedGuessStream(ctx, (m) => this.post(m));
    this.projection = new MapProjection(ctx, (m) => this.post(m), (signal) => this.ensureAnalyzed(signal));
    this.disposables.push(this.guessStream, this.projection);
    panel.webview.options = webviewOptions(ctx);
    panel.webview.html = panelHtml({
      nonce: randomBytes(18).toString('base64'),
      cspSource: panel.webview.cspSource,
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist', 'webview.js')).toString(),
      lang: vscode.env.language,
      title: vscode.l10n.t('Embedding Map'),
      strings: webviewStrings(),
    });
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${SECTION}.words.language`)) void this.wordsLanguageChanged();
      }),
    );
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  post(message: HostToWebview): void {
    if (this.disposed) return;
    if (message.type === 'snippets') this.postedSnippetIds = message.snippets.map((s) => s.id);
    void this.panel.webview.postMessage(message);
  }

  /** What the page was last sent, for the stress campaign (contextLens._mapCommands): the snippets, and the snippets the map's points belong to. */
  snapshot(): { postedSnippetIds: string[]; projectedSnippetIds: string[] | undefined; projecting: boolean } {
    const last = this.projection.last;
    return {
      postedSnippetIds: [...this.postedSnippetIds],
      projectedSnippetIds: last && [...new Set(last.points.map((p) => p.snippetId))],
      projecting: this.projection.busy,
    };
  }

  postModel(): void {
    this.post({ type: 'model', model: modelStatus(this.ctx) });
  }

  /** The snippets changed: send them, then a fresh projection. */
  refresh(): void {
    this.projection.last = undefined;
    this.post({ type: 'snippets', snippets: this.ctx.map.views() });
    // The map first: the guesses start once the projection is in (the engine also holds them back meanwhile).
    void this.projection.project().finally(() => this.guessStream.start());
  }

  /** Shows a tab now, or once the page is ready (a panel just created). */
  showTab(tab: WebviewPersistedState['tab']): void {
    if (this.ready) this.post({ type: 'showTab', tab });
    else this.pendingTab = tab;
  }

  /** contextLens.standardizeDimensions changed (the panel's toggle or Settings): the cosines shown, computed again. */
  standardizeChanged(): void {
    this.post({ type: 'standardize', standardize: this.ctx.config.standardizeDimensions });
    if (!this.ctx.map.isEmpty) void this.projection.project();
    void this.ctx.senses.restandardize().catch((e: unknown) => {
      if (isContextLensError(e, 'CANCELLED')) return;
      this.post({ type: 'error', message: messageOf(e) });
      this.ctx.reportError(e);
    });
  }

  /** `contextLens.maskedGuesses` changed: 'all' starts the stream; 'onDemand' lets the call in flight finish. */
  maskedGuessesSettingChanged(): void {
    this.guessStream.start();
  }

  private async onMessage(raw: unknown): Promise<void> {
    if (!raw || typeof raw !== 'object' || typeof (raw as { type?: unknown }).type !== 'string') return;
    const m = raw as WebviewToHost;
    const ctx = this.ctx;
    try {
      switch (m.type) {
        case 'ready':
          return this.onReady();
        case 'setLayer':
          if (typeof m.hiddenLayer !== 'number' || !Number.isFinite(m.hiddenLayer)) return;
          ctx.map.hiddenLayer = Math.max(0, Math.round(m.hiddenLayer));
          return this.projection.project(m.requestId);
        case 'setProjection':
          if (m.method !== 'umap' && m.method !== 'pca') return;
          ctx.map.method = m.method;
          return this.projection.project(m.requestId);
        case 'requestAttention': {
          const s = await this.analyzedSnippet(m.snippetId);
          if (s && typeof m.attentionLayer === 'number') this.post({ type: 'attention', requestId: m.requestId, attention: await attentionLayerView(ctx, s, m.attentionLayer, m.words === true) });
          return;
        }
        // Issue 12 (heads-ui): summaries over heads and layers, and every head's statistics (panel/attention.ts).
        case 'requestAttentionSummary': {
          const s = await this.analyzedSnippet(m.snippetId);
          if (s) this.post({ type: 'attentionSummary', requestId: m.requestId, summary: await attentionSummaryView(ctx, s, m.kind, m.attentionLayer, m.words === true) });
          return;
        }
        case 'requestHeadStats': {
          const s = await this.analyzedSnippet(m.snippetId);
          if (s) this.post({ type: 'headStats', requestId: m.requestId, headStats: await headStatsView(ctx, s) });
          return;
        }
        case 'requestAttentionGrid': {
          const s = await this.analyzedSnippet(m.snippetId);
          if (s) this.post({ type: 'attentionGrid', requestId: m.requestId, grid: await attentionGridView(ctx, s) });
          return;
        }
        case 'revealToken':
          return this.revealPoint(m.ref);
        case 'exportAnalysis': {
          const ids = await this.analyzedIds();
          if (!ids) return;
          if (m.format !== 'projector') return exportJson(ctx, ids, this.projection.last);
          return exportProjector(ctx, ids, this.projection.last?.hiddenLayer ?? ctx.map.hiddenLayer ?? ctx.model?.numLayers ?? 0);
        }
        case 'saveImage':
          return saveImage(ctx, m.format, m.dataUrl);
        case 'clear':
          return ctx.clearMap();
        case 'requestLayerGuesses': {
          const s = m.ref && typeof m.ref.snippetId === 'string' && Number.isInteger(m.ref.tokenIndex) ? await this.analyzedSnippet(m.ref.snippetId) : undefined;
          if (s) this.post({ type: 'layerGuesses', requestId: m.requestId, ref: m.ref, result: await snippetLayerGuesses(ctx, s, m.ref.tokenIndex) });
          return;
        }
        case 'requestUnmasked': {
          const s = typeof m.snippetId === 'string' ? await this.analyzedSnippet(m.snippetId) : undefined;
          if (s) this.post({ type: 'unmasked', requestId: m.requestId, snippetId: s.id, tokens: await snippetUnmasked(ctx, s) });
          return;
        }
        case 'wantGuesses':
          if (m.ref && typeof m.ref.snippetId === 'string' && Number.isInteger(m.ref.tokenIndex)) this.guessStream.prioritize(m.ref, m.requestId);
          return;
        case 'setSensesView':
          if (typeof m.hiddenLayer !== 'number' || !Number.isFinite(m.hiddenLayer) || (m.method !== 'umap' && m.method !== 'pca')) return;
          return ctx.senses.setView(m.hiddenLayer, m.method, m.requestId);
        case 'setStandardize':
          if (typeof m.standardize !== 'boolean') return;
          // The setting's change event re-computes and answers; an unchanged setting fires none: answer here.
          if (m.standardize === ctx.config.standardizeDimensions) this.post({ type: 'standardize', standardize: m.standardize });
          else await updateStandardizeDimensions(m.standardize);
          return;
        case 'revealOccurrence': {
          const occurrence = Number.isInteger(m.index) ? ctx.senses.requireResult().occurrences[m.index] : undefined;
          if (occurrence) await revealOccurrence(ctx, occurrence);
          return;
        }
        // ---- Pieces / Words (issue 12) ----
        case 'setUnit':
          return this.setUnit(m.unit, m.requestId);
        case 'requestWords': {
          const s = typeof m.snippetId === 'string' ? await this.analyzedSnippet(m.snippetId) : undefined;
          if (s) this.post({ type: 'words', requestId: m.requestId, words: await wordsView(ctx, s) });
          return;
        }
        // ---- end Pieces / Words ----
        case 'exportSenses':
          if (m.format !== 'csv' && m.format !== 'json') return;
          return exportSenses(ctx, ctx.senses.requireResult(), m.format, typeof m.hiddenLayer === 'number' && Number.isFinite(m.hiddenLayer) ? m.hiddenLayer : Number.MAX_SAFE_INTEGER);
        // Compare Models (issue 13): src/extension/compare/.
        case 'setCompareDepth':
          if (typeof m.depth === 'number' && Number.isFinite(m.depth)) return compareFor(ctx).setDepth(m.depth, m.requestId);
          return;
        case 'exportCompare':
          if (m.format === 'csv' || m.format === 'json') return compareFor(ctx).exportAs(m.format);
          return;
        case 'clearCompare':
          return compareFor(ctx).clear();
      }
    } catch (e) {
      if (isContextLensError(e, 'CANCELLED')) return;
      // The error belongs to this message's request: the webview gives up that one only.
      this.post({ type: 'error', message: messageOf(e), requestId: requestIdOf(m) });
      ctx.reportError(e);
    }
  }

  private onReady(): void {
    const ctx = this.ctx;
    ctx.log.debug('Embedding Map webview ready');
    this.ready = true;
    this.post({
      type: 'init',
      strings: webviewStrings(),
      hiddenLayer: ctx.map.hiddenLayer ?? ctx.model?.numLayers ?? 0,
      projection: ctx.map.method,
      standardize: ctx.config.standardizeDimensions,
    });
    this.postModel();
    this.post({ type: 'snippets', snippets: ctx.map.views() });
    const shown = this.projection.last;
    if (shown) {
      this.post({ type: 'projection', projection: shown });
      this.guessStream.start();
    } else {
      void this.projection.project().finally(() => this.guessStream.start());
    }
    ctx.senses.onPanelReady();
    compareFor(ctx).onPanelReady();
    if (this.pendingTab) this.post({ type: 'showTab', tab: this.pendingTab });
    this.pendingTab = undefined;
  }

  // ---- Pieces / Words (issue 12) ----

  /** The top bar's switch: the map again in `unit` (an unchanged unit is answered with the map shown). */
  private async setUnit(raw: unknown, requestId: RequestId): Promise<void> {
    const unit = readUnit(raw);
    if (!unit) return;
    const shown = this.projection.last;
    if (unit === this.projection.unit && shown) {
      this.post({ type: 'projection', projection: shown, requestId });
      return;
    }
    this.projection.unit = unit;
    const language = this.ctx.config.wordsLanguage;
    this.ctx.log.info(unit === 'words' ? `Embedding Map: words (Intl.Segmenter, language ${language ?? 'of the model'})` : 'Embedding Map: pieces');
    await this.projection.project(requestId);
  }

  /** contextLens.words.language changed: the words the page holds are sent again, and the map re-made when it shows words. */
  private async wordsLanguageChanged(): Promise<void> {
    const ctx = this.ctx;
    ctx.log.info(`Words language: ${ctx.config.wordsLanguage ?? "the model's"}`);
    if (ctx.map.isEmpty) return;
    try {
      // Host-made request ids: no request of the page waits for them, the reducer stores the words all the same.
      let n = 0;
      for (const s of ctx.map.snippets) if (s.analysis) this.post({ type: 'words', requestId: `host.words.${Date.now().toString(36)}.${n++}`, words: await wordsView(ctx, s as AnalyzedSnippet) });
    } catch (e) {
      if (isContextLensError(e, 'CANCELLED')) return;
      this.post({ type: 'error', message: messageOf(e) });
      ctx.reportError(e);
      return;
    }
    if (this.projection.unit === 'words') await this.projection.project();
  }

  /** Shows a point in its editor: in words mode the whole word (the point is its first piece). */
  private async revealPoint(ref: PointRef): Promise<void> {
    if (this.projection.unit !== 'words' || !ref || typeof ref.snippetId !== 'string') return revealToken(this.ctx, ref);
    const s = await this.analyzedSnippet(ref.snippetId);
    const word = s ? wordOfToken((await wordsView(this.ctx, s)).words, ref.tokenIndex) : undefined;
    return revealToken(this.ctx, ref, word && !word.special ? word : undefined);
  }

  // ---- end Pieces / Words ----

  /** Re-analyzes snippets the engine no longer holds (restored panel, model change). */
  private async ensureAnalyzed(signal: AbortSignal): Promise<void> {
    const ctx = this.ctx;
    const stale = ctx.map.stale();
    if (stale.length === 0) return;
    // New analyses: the map on screen was made from the old ones.
    this.projection.last = undefined;
    const work = async (sink: ProgressSink, s: AbortSignal) => {
      for (const snippet of stale) {
        try {
          snippet.analysis = await ctx.analyze(snippet.text, s, sink);
        } catch (e) {
          if (isContextLensError(e, 'EMPTY_INPUT') || isContextLensError(e, 'BINARY_INPUT') || isContextLensError(e, 'INPUT_TOO_LARGE')) {
            ctx.log.warn(`Dropping snippet ${snippet.label} from the map: ${messageOf(e)}`);
            ctx.map.remove(snippet.id);
          } else throw e;
        }
      }
      this.post({ type: 'snippets', snippets: ctx.map.views() });
    };
    if (ctx.model) {
      await work(this.webviewSink(), signal);
      return;
    }
    // The model must load first (possibly a download): say so in a cancellable notification.
    await runWithProgress(vscode.l10n.t('Context Lens: restoring the Embedding Map'), signal, work);
  }

  private webviewSink(): ProgressSink {
    return { report: (message, percent) => this.post({ type: 'progress', message, fraction: percent === undefined ? undefined : percent / 100 }) };
  }

  /** The snippet with its analysis (re-made if the engine lost it), or undefined when it is gone. */
  private async analyzedSnippet(snippetId: string): Promise<AnalyzedSnippet | undefined> {
    const s = this.ctx.map.get(snippetId);
    if (!s) return undefined;
    if (!s.analysis) await this.ensureAnalyzed(new AbortController().signal);
    return s.analysis ? (s as AnalyzedSnippet) : undefined;
  }

  /** The map's analyses for an export, or undefined (and a warning) when the map is empty. */
  private async analyzedIds(): Promise<string[] | undefined> {
    await this.ensureAnalyzed(new AbortController().signal);
    const ids = this.ctx.map.analysisIds();
    if (ids.length === 0) {
      this.ctx.warn('EMPTY_MAP', vscode.l10n.t('The Embedding Map is empty: explore a selection first.'));
      return undefined;
    }
    return ids;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.ctx.panel === this) this.ctx.panel = undefined;
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}

/** Restores the panel after a window reload (VS Code keeps the webview's state; the snippets come from ctx.snippetStore). */
export function registerMapPanelSerializer(ctx: Ctx): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
    deserializeWebviewPanel: async (panel, state) => MapPanel.restore(ctx, panel, state),
  });
}

function webviewOptions(ctx: Ctx): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: false,
    enableFindWidget: false,
    // The page loads dist/webview.js only. Roots are folders (VS Code matches a resource by path prefix), so
    // this is as narrow as it gets while the webview bundle shares dist/ with the host's bundles.
    localResourceRoots: [vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist')],
  };
}

/** The request id of a request; undefined for 'ready'. */
function requestIdOf(m: WebviewToHost): RequestId | undefined {
  return 'requestId' in m && typeof m.requestId === 'string' ? m.requestId : undefined;
}

function modelStatus(ctx: Ctx): ModelStatusView {
  const info = ctx.model;
  const st = ctx.status.state;
  const state: ModelStatusView['state'] =
    info ? 'ready' : st.kind === 'downloading' ? 'downloading' : st.kind === 'loading' ? 'loading' : st.kind === 'error' ? 'error' : 'idle';
  const view: ModelStatusView = { label: ctx.modelDisplayName, state, numLayers: info?.numLayers ?? 0, numHeads: info?.numHeads ?? 0 };
  // Issue 13: what the Tokens and Attention tabs show depends on the kind (absent until a model is loaded).
  if (info) Object.assign(view, { kind: info.kind ?? 'masked', attentionAvailable: info.attentionAvailable !== false });
  return view;
}
