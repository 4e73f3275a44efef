/**
 * The Embedding Map panel: the HTML shell (CSP with a nonce, asWebviewUri, localResourceRoots), the
 * host side of src/protocol.ts, and the serializer that brings the panel back after a reload.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isContextLensError } from '../engine/errors';
import type { ProjectionResult } from '../engine/workerProtocol';
import type {
  HostToWebview,
  MapPoint,
  ModelStatusView,
  PointRef,
  ProjectionMethod,
  ProjectionView,
  TokenLink,
  WebviewPersistedState,
  WebviewToHost,
} from '../protocol';
import type { Ctx, ProgressSink } from './context';
import { messageOf } from './context';
import { MaskedGuessStream } from './guessStream';
import { webviewStrings } from './l10n';
import type { MapSnippet, PersistedSnippet } from './mapState';
import { ms } from './log';

export const VIEW_TYPE = 'contextLens.map';
const ATTENTION_GRID_MAX = 48;
const SNIPPETS_KEY = 'contextLens.mapSnippets';
/** Largest image the webview may ask us to save. */
const MAX_IMAGE_BYTES = 64 * 1024 * 1024;

export class MapPanel implements vscode.Disposable {
  private projectionAbort: AbortController | undefined;
  private lastProjection: ProjectionView | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  private readonly guessStream: MaskedGuessStream;

  /** Shows the map beside the active editor, creating the panel if needed. */
  static show(ctx: Ctx, preserveFocus = true): MapPanel {
    const existing = ctx.panel as MapPanel | undefined;
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

  private constructor(
    private readonly ctx: Ctx,
    readonly panel: vscode.WebviewPanel,
  ) {
    ctx.panel = this;
    this.guessStream = new MaskedGuessStream(ctx, (m) => this.post(m));
    this.disposables.push(this.guessStream);
    panel.webview.options = webviewOptions(ctx);
    panel.webview.html = html(ctx, panel.webview);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  post(message: HostToWebview): void {
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  postModel(): void {
    this.post({ type: 'model', model: modelStatus(this.ctx) });
  }

  /** The snippets changed: send them, then a fresh projection. */
  refresh(): void {
    this.lastProjection = undefined;
    this.post({ type: 'snippets', snippets: this.ctx.map.views() });
    // The map first: the guesses start once the projection is in (the engine also holds them back meanwhile).
    void this.project().finally(() => this.guessStream.start());
  }

  /** `contextLens.maskedGuesses` changed: 'all' starts the stream; 'onDemand' lets the call in flight finish. */
  maskedGuessesSettingChanged(): void {
    this.guessStream.start();
  }

  private async onMessage(raw: unknown): Promise<void> {
    if (!raw || typeof raw !== 'object' || typeof (raw as { type?: unknown }).type !== 'string') return;
    const m = raw as WebviewToHost;
    try {
      switch (m.type) {
        case 'ready':
          return this.onReady();
        case 'setLayer':
          if (typeof m.layer !== 'number' || !Number.isFinite(m.layer)) return;
          this.ctx.map.layer = Math.max(0, Math.round(m.layer));
          return this.project();
        case 'setProjection':
          if (m.method !== 'umap' && m.method !== 'pca') return;
          this.ctx.map.method = m.method;
          return this.project();
        case 'requestAttention':
          return this.sendAttention(m.snippetId, m.layer);
        case 'requestAttentionGrid':
          return this.sendAttentionGrid(m.snippetId);
        case 'revealToken':
          return revealToken(this.ctx, m.ref);
        case 'exportAnalysis':
          return m.format === 'projector' ? this.exportProjector() : this.exportJson();
        case 'saveImage':
          return saveImage(this.ctx, m.format, m.dataUrl);
        case 'clear':
          return clearMap(this.ctx);
        case 'wantGuesses':
          if (m.ref && typeof m.ref.snippetId === 'string' && Number.isInteger(m.ref.tokenIndex)) this.guessStream.prioritize(m.ref);
          return;
      }
    } catch (e) {
      if (isContextLensError(e, 'CANCELLED')) return;
      this.post({ type: 'error', message: messageOf(e) });
      this.ctx.reportError(e);
    }
  }

  private onReady(): void {
    const ctx = this.ctx;
    ctx.log.debug('Embedding Map webview ready');
    this.post({ type: 'init', strings: webviewStrings(), layer: ctx.map.layer ?? ctx.model?.numLayers ?? 0, projection: ctx.map.method });
    this.postModel();
    this.post({ type: 'snippets', snippets: ctx.map.views() });
    if (this.lastProjection) {
      this.post({ type: 'projection', projection: this.lastProjection });
      this.guessStream.start();
    } else {
      void this.project().finally(() => this.guessStream.start());
    }
  }

  /** Re-analyses snippets the engine no longer holds (restored panel, model change). */
  private async ensureAnalysed(signal: AbortSignal): Promise<void> {
    const ctx = this.ctx;
    const stale = ctx.map.stale();
    if (stale.length === 0) return;
    const work = async (sink: ProgressSink, s: AbortSignal) => {
      for (const snippet of stale) {
        try {
          snippet.analysis = await ctx.analyse(snippet.text, s, sink);
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

  /** Projects every snippet at the current layer; a newer request cancels an older one. */
  async project(): Promise<void> {
    this.projectionAbort?.abort();
    const ac = new AbortController();
    this.projectionAbort = ac;
    const ctx = this.ctx;
    try {
      await this.ensureAnalysed(ac.signal);
      const info = ctx.model;
      const method = ctx.map.method;
      const layer = Math.min(ctx.map.layer ?? info?.numLayers ?? 0, info?.numLayers ?? Number.MAX_SAFE_INTEGER);
      const ids = ctx.map.analysisIds();
      if (ids.length === 0 || !info) {
        this.lastProjection = { layer, method, points: [], links: [] };
        this.post({ type: 'projection', projection: this.lastProjection });
        return;
      }
      this.post({ type: 'progress', message: vscode.l10n.t('Projecting {0} tokens with {1}…', countTokens(ctx.map.snippets), method.toUpperCase()), fraction: 0 });
      const t0 = performance.now();
      const result = await ctx.engine.call('project', { analysisIds: ids, layer, method, seed: 42 }, {
        signal: ac.signal,
        onProgress: (e) => {
          if (e.phase === 'project') this.post({ type: 'progress', message: vscode.l10n.t('Projecting with {0}…', method.toUpperCase()), fraction: e.fraction });
        },
      });
      if (ac.signal.aborted) return;
      ctx.log.info(`Projected ${result.points.length} tokens (${method}, layer ${layer}) in ${ms(performance.now() - t0)}`);
      this.lastProjection = toProjectionView(ctx, result);
      this.post({ type: 'projection', projection: this.lastProjection });
    } catch (e) {
      if (isContextLensError(e, 'CANCELLED') || ac.signal.aborted) return;
      ctx.noteEngineFailure(e);
      this.post({ type: 'error', message: messageOf(e) });
      ctx.reportError(e);
    } finally {
      if (this.projectionAbort === ac) {
        this.projectionAbort = undefined;
        this.post({ type: 'progress', message: null });
      }
    }
  }

  private async snippetWithAnalysis(snippetId: string): Promise<MapSnippet | undefined> {
    const s = this.ctx.map.get(snippetId);
    if (!s) return undefined;
    if (!s.analysis) await this.ensureAnalysed(new AbortController().signal);
    return s.analysis ? s : undefined;
  }

  private async sendAttention(snippetId: string, layer: number): Promise<void> {
    const s = await this.snippetWithAnalysis(snippetId);
    if (!s?.analysis || typeof layer !== 'number') return;
    const L = Math.max(0, Math.min(s.analysis.numLayers - 1, Math.round(layer)));
    const slice = await this.ctx.engine.call('attention', { analysisId: s.analysis.analysisId, layer: L });
    this.post({
      type: 'attention',
      attention: { snippetId, layer: L, numHeads: slice.numHeads, tokenIndices: slice.tokenIndices, weights: Array.from(slice.weights) },
    });
  }

  private async sendAttentionGrid(snippetId: string): Promise<void> {
    const s = await this.snippetWithAnalysis(snippetId);
    if (!s?.analysis) return;
    const g = await this.ctx.engine.call('attentionGrid', { analysisId: s.analysis.analysisId, maxSize: ATTENTION_GRID_MAX });
    this.post({
      type: 'attentionGrid',
      grid: { snippetId, numLayers: g.numLayers, numHeads: g.numHeads, tokenIndices: g.tokenIndices, size: g.size, weights: Array.from(g.weights) },
    });
  }

  private async analysedIds(): Promise<string[] | undefined> {
    await this.ensureAnalysed(new AbortController().signal);
    const ids = this.ctx.map.analysisIds();
    if (ids.length === 0) {
      this.ctx.warn('EMPTY_MAP', vscode.l10n.t('The Embedding Map is empty: explore a selection first.'));
      return undefined;
    }
    return ids;
  }

  private async exportJson(): Promise<void> {
    const ids = await this.analysedIds();
    if (!ids) return;
    const target = await vscode.window.showSaveDialog({
      defaultUri: defaultUri('context-lens-analysis.json'),
      filters: { JSON: ['json'] },
      saveLabel: vscode.l10n.t('Export'),
      title: vscode.l10n.t('Export the analysis as JSON'),
    });
    if (!target) return;
    const json = await this.ctx.engine.call('exportJson', { analysisIds: ids });
    await vscode.workspace.fs.writeFile(target, Buffer.from(json, 'utf8'));
    this.ctx.log.info(`Exported the analysis to ${target.toString(true)}`);
    void vscode.window.showInformationMessage(vscode.l10n.t('Saved {0}', displayPath(target)));
  }

  private async exportProjector(): Promise<void> {
    const ids = await this.analysedIds();
    if (!ids) return;
    const folders = await vscode.window.showOpenDialog({
      canSelectFiles: false,
      canSelectFolders: true,
      canSelectMany: false,
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
      openLabel: vscode.l10n.t('Export Here'),
      title: vscode.l10n.t('Folder for vectors.tsv and metadata.tsv (TensorFlow Embedding Projector)'),
    });
    const folder = folders?.[0];
    if (!folder) return;
    const layer = this.lastProjection?.layer ?? this.ctx.map.layer ?? this.ctx.model?.numLayers ?? 0;
    const out = await this.ctx.engine.call('exportProjector', { analysisIds: ids, layer });
    const vectors = vscode.Uri.joinPath(folder, 'vectors.tsv');
    const metadata = vscode.Uri.joinPath(folder, 'metadata.tsv');
    await vscode.workspace.fs.writeFile(vectors, Buffer.from(out.vectorsTsv, 'utf8'));
    await vscode.workspace.fs.writeFile(metadata, Buffer.from(out.metadataTsv, 'utf8'));
    this.ctx.log.info(`Exported projector TSV (layer ${layer}) to ${folder.toString(true)}`);
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Wrote vectors.tsv and metadata.tsv (layer {0}) to {1}. Load them at projector.tensorflow.org.', layer, displayPath(folder)),
    );
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.projectionAbort?.abort();
    if (this.ctx.panel === this) this.ctx.panel = undefined;
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }

  /** Brings a panel back after a window reload from what the webview persisted. */
  static async restore(ctx: Ctx, panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const s = (state && typeof state === 'object' ? state : {}) as Partial<WebviewPersistedState>;
    if (typeof s.layer === 'number' && Number.isFinite(s.layer)) ctx.map.layer = Math.max(0, Math.round(s.layer));
    if (s.projection === 'umap' || s.projection === 'pca') ctx.map.method = s.projection as ProjectionMethod;
    if (ctx.map.isEmpty) {
      for (const snip of restoredSnippets(ctx, s.snippets)) ctx.map.add(snip);
    }
    ctx.log.info(`Restoring the Embedding Map with ${ctx.map.snippets.length} snippet(s)`);
    const existing = ctx.panel as MapPanel | undefined;
    if (existing) existing.dispose();
    new MapPanel(ctx, panel);
    // The webview sends 'ready' when its script runs; that re-analyses and projects.
  }
}

export function registerSerializer(ctx: Ctx): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      deserializeWebviewPanel: (panel, state) => MapPanel.restore(ctx, panel, state),
    }),
    ctx.map.onDidChange(() => saveMapSnippets(ctx, ctx.map.persisted())),
  );
}

/**
 * Where the map's snippet list is kept for the serializer. A file written synchronously by the extension
 * host survives an abrupt window reload; VS Code's own stores (webview state, workspaceState) are flushed
 * lazily by the workbench and were seen to lose the last "Add Selection to Map".
 */
function snippetsFile(ctx: Ctx): string | undefined {
  const dir = ctx.extension.storageUri ?? ctx.extension.globalStorageUri;
  return dir.scheme === 'file' ? path.join(dir.fsPath, 'map-snippets.json') : undefined;
}

function saveMapSnippets(ctx: Ctx, list: PersistedSnippet[]): void {
  void ctx.extension.workspaceState.update(SNIPPETS_KEY, list);
  const file = snippetsFile(ctx);
  if (!file) return;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(list));
  } catch (e) {
    ctx.log.warn(`Could not save the map's snippets to ${file}: ${messageOf(e)}`);
  }
}

/** The host's saved list, or undefined when it has none (then the webview's copy is used). */
function loadMapSnippets(ctx: Ctx): unknown[] | undefined {
  const file = snippetsFile(ctx);
  if (file && fs.existsSync(file)) {
    try {
      const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (Array.isArray(parsed)) return parsed;
    } catch (e) {
      ctx.log.warn(`Ignoring an unreadable ${file}: ${messageOf(e)}`);
    }
  }
  const saved = ctx.extension.workspaceState.get<unknown>(SNIPPETS_KEY);
  return Array.isArray(saved) ? saved : undefined;
}

/** Empties the map and releases the analyses in the engine. */
export async function clearMap(ctx: Ctx, refresh = true): Promise<void> {
  const ids = ctx.map.clear();
  ctx.log.info(`Cleared the Embedding Map (${ids.length} analyses released)`);
  if (refresh) (ctx.panel as MapPanel | undefined)?.refresh();
  if (ids.length) await ctx.engine.call('release', { analysisIds: ids }).catch((e: unknown) => ctx.log.warn(`release failed: ${messageOf(e)}`));
}

/** Runs work under a cancellable notification whose progress comes from the engine. */
export function runWithProgress<T>(title: string, outer: AbortSignal | undefined, work: (sink: ProgressSink, signal: AbortSignal) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const ac = new AbortController();
    const sub = token.onCancellationRequested(() => ac.abort());
    const onOuter = () => ac.abort();
    outer?.addEventListener('abort', onOuter, { once: true });
    let shown = 0;
    const sink: ProgressSink = {
      report: (message, percent) => {
        // withProgress increments add up: restart the bar when a new stage begins.
        let increment: number | undefined;
        if (percent !== undefined) {
          if (percent < shown) {
            increment = undefined;
            shown = percent;
          } else {
            increment = percent - shown;
            shown = percent;
          }
        }
        progress.report({ message: percent !== undefined ? `${message}` : message, increment });
      },
    };
    try {
      return await work(sink, ac.signal);
    } finally {
      sub.dispose();
      outer?.removeEventListener('abort', onOuter);
    }
  });
}

function webviewOptions(ctx: Ctx): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: false,
    enableFindWidget: false,
    localResourceRoots: [vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist'), vscode.Uri.joinPath(ctx.extension.extensionUri, 'media')],
  };
}

function html(ctx: Ctx, webview: vscode.Webview): string {
  const nonce = randomBytes(18).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist', 'webview.js'));
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource} 'unsafe-inline'`,
    `img-src ${webview.cspSource} data: blob:`,
    `font-src ${webview.cspSource}`,
  ].join('; ');
  const lang = escapeAttr(vscode.env.language);
  const title = escapeHtml(vscode.l10n.t('Embedding Map'));
  return `<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp};">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${title}</title>
</head>
<body>
<div id="app" data-strings="${escapeAttr(JSON.stringify(webviewStrings()))}"></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
const escapeAttr = escapeHtml;

export function modelStatus(ctx: Ctx): ModelStatusView {
  const info = ctx.model;
  const st = ctx.status.state;
  const state: ModelStatusView['state'] =
    info ? 'ready' : st.kind === 'downloading' ? 'downloading' : st.kind === 'loading' ? 'loading' : st.kind === 'error' ? 'error' : 'idle';
  return { label: ctx.modelDisplayName, state, numLayers: info?.numLayers ?? 0, numHeads: info?.numHeads ?? 0 };
}

function toProjectionView(ctx: Ctx, r: ProjectionResult): ProjectionView {
  const ref = (p: { analysisId: string; tokenIndex: number }): PointRef | undefined => {
    const s = ctx.map.byAnalysisId(p.analysisId);
    return s ? { snippetId: s.id, tokenIndex: p.tokenIndex } : undefined;
  };
  const points: MapPoint[] = [];
  for (const p of r.points) {
    const pr = ref(p);
    if (pr && Number.isFinite(p.x) && Number.isFinite(p.y)) points.push({ ...pr, x: p.x, y: p.y });
  }
  const links: TokenLink[] = [];
  for (const l of r.links) {
    const a = ref(l.a);
    const b = ref(l.b);
    if (a && b) links.push({ piece: l.piece, a, b, cosine: l.cosine });
  }
  return { layer: r.layer, method: r.method, points, links };
}

function countTokens(snippets: readonly MapSnippet[]): number {
  return snippets.reduce((n, s) => n + (s.analysis?.tokens.length ?? 0), 0);
}

function restoredSnippets(ctx: Ctx, fromWebview: unknown): PersistedSnippet[] {
  // The host's list wins whenever it exists (an empty list means the map was cleared).
  const saved = loadMapSnippets(ctx);
  if (saved) return saved.filter(isPersistedSnippet);
  const list = Array.isArray(fromWebview) ? fromWebview.filter((x): x is PersistedSnippet => !!x && typeof (x as PersistedSnippet).text === 'string') : [];
  return list.map((x) => ({
    uri: typeof x.uri === 'string' ? x.uri : '',
    label: typeof x.label === 'string' ? x.label : '',
    text: x.text,
    startOffset: typeof x.startOffset === 'number' ? x.startOffset : 0,
  }));
}

function isPersistedSnippet(x: unknown): x is PersistedSnippet {
  const s = x as PersistedSnippet;
  return !!s && typeof s.text === 'string' && typeof s.uri === 'string' && typeof s.label === 'string' && typeof s.startOffset === 'number';
}

/** Opens the snippet's document and selects the token. */
export async function revealToken(ctx: Ctx, ref: PointRef): Promise<void> {
  const s = ref && typeof ref.snippetId === 'string' ? ctx.map.get(ref.snippetId) : undefined;
  const token = s?.analysis?.tokens[ref.tokenIndex];
  if (!s || !token) return;
  if (!s.uri) {
    ctx.warn('NO_SOURCE', vscode.l10n.t('The file this snippet came from is not known.'));
    return;
  }
  let doc: vscode.TextDocument;
  try {
    doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(s.uri));
  } catch (e) {
    ctx.warn('NO_SOURCE', vscode.l10n.t('Cannot open {0}: {1}', s.label, messageOf(e)));
    return;
  }
  // The document may have been edited since: find the snippet again, nearest to where it was.
  let base = s.startOffset;
  const full = doc.getText();
  if (full.slice(base, base + s.text.length) !== s.text) {
    const candidates: number[] = [];
    for (let i = full.indexOf(s.text); i >= 0 && candidates.length < 1000; i = full.indexOf(s.text, i + 1)) candidates.push(i);
    if (candidates.length) base = candidates.reduce((best, i) => (Math.abs(i - s.startOffset) < Math.abs(best - s.startOffset) ? i : best));
    else ctx.log.warn(`${s.label}: the text changed since it was analysed; the selection may be off.`);
  }
  const range = doc.validateRange(new vscode.Range(doc.positionAt(base + token.start), doc.positionAt(base + token.end)));
  const column = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === doc.uri.toString())?.viewColumn;
  const editor = await vscode.window.showTextDocument(doc, { viewColumn: column ?? vscode.ViewColumn.One, preserveFocus: false });
  editor.selection = new vscode.Selection(range.start, range.end);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

/** Decodes the webview's data URL and writes it where the user says. */
export async function saveImage(ctx: Ctx, format: 'png' | 'svg', dataUrl: string): Promise<void> {
  if (format !== 'png' && format !== 'svg') return;
  if (typeof dataUrl !== 'string') return;
  const m = /^data:(image\/png|image\/svg\+xml)(;charset=[\w-]+)?(;base64)?,/i.exec(dataUrl.slice(0, 100));
  const mime = format === 'png' ? 'image/png' : 'image/svg+xml';
  if (!m || m[1].toLowerCase() !== mime) {
    ctx.reportError(new Error(vscode.l10n.t('The map image could not be read.')));
    return;
  }
  const payload = dataUrl.slice(m[0].length);
  const bytes = m[3] ? Buffer.from(payload, 'base64') : Buffer.from(decodeURIComponent(payload), 'utf8');
  if (bytes.length === 0 || bytes.length > MAX_IMAGE_BYTES) {
    ctx.reportError(new Error(vscode.l10n.t('The map image could not be read.')));
    return;
  }
  const target = await vscode.window.showSaveDialog({
    defaultUri: defaultUri(`embedding-map.${format}`),
    filters: format === 'png' ? { PNG: ['png'] } : { SVG: ['svg'] },
    saveLabel: vscode.l10n.t('Save'),
    title: vscode.l10n.t('Save the Embedding Map as an image'),
  });
  if (!target) return;
  await vscode.workspace.fs.writeFile(target, bytes);
  ctx.log.info(`Saved the map image (${bytes.length} bytes) to ${target.toString(true)}`);
  void vscode.window.showInformationMessage(vscode.l10n.t('Saved {0}', displayPath(target)));
}

function defaultUri(name: string): vscode.Uri | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return folder ? vscode.Uri.joinPath(folder, name) : undefined;
}

function displayPath(uri: vscode.Uri): string {
  return uri.scheme === 'file' ? vscode.workspace.asRelativePath(uri) || path.basename(uri.fsPath) : uri.toString(true);
}
