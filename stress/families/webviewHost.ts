/**
 * The host side of the Embedding Map for the stress campaign's webview cases: a real engine session (in this
 * process) and the extension's own view code (src/extension/panel/*, snippetView of mapState.ts, the real
 * MaskedGuessStream) answering the webview's requests, as src/extension/panel/mapPanel.ts routes them. Only
 * the routing is written here (MapPanel itself needs a vscode.WebviewPanel); every message posted is made by
 * the host's functions from what the engine returned.
 */
import { AnalysisSession } from '../../src/engine/session';
import { isContextLensError, messageOf } from '../../src/engine/errors';
import type { ModelInfo } from '../../src/engine/types';
import type { AnalysisSummary, EngineMethods } from '../../src/engine/workerProtocol';
import type { Ctx } from '../../src/extension/context';
import { MaskedGuessStream, type GuessStreamContext } from '../../src/extension/guessStream';
import type { AnalyzedSnippet, MapSnippet } from '../../src/extension/mapState';
import { attentionGridView, attentionLayerView, attentionSummaryView, headStatsView } from '../../src/extension/panel/attention';
import { toProjectionView } from '../../src/extension/panel/projectionView';
import { wordsView } from '../../src/extension/panel/words';
import type { HostToWebview, MapUnit, ModelStatusView, ProjectionMethod, SnippetView, WebviewToHost } from '../../src/protocol';

/** snippetView of src/extension/mapState.ts (loaded by test/webview/harness.mjs loadHostSnippetView). */
export type SnippetViewFn = (s: MapSnippet, a: AnalysisSummary) => SnippetView;

/** The settings the host reads (package.json defaults). */
export const HOST_CONFIG = { topK: 5, maxTokens: 512, maskedGuesses: 'all' as const, wordsLanguage: undefined as string | undefined, standardizeDimensions: false, projection: 'umap' as ProjectionMethod };

type Call = <M extends keyof EngineMethods>(method: M, params: EngineMethods[M][0], options?: { signal?: AbortSignal }) => Promise<EngineMethods[M][1]>;

/** The engine worker's handlers (src/engine/worker.ts) for the methods the panel's view code calls, run in this process. */
export function inProcessEngine(session: AnalysisSession): { call: Call } {
  const call = async (method: keyof EngineMethods, p: never, o: { signal?: AbortSignal } = {}): Promise<unknown> => {
    const ctx = { signal: o.signal };
    const q = p as Record<string, never>;
    switch (method) {
      case 'guesses':
        return session.guesses(q.analysisId, q.tokenIndices, q.topK, ctx);
      case 'project':
        return session.project(q.analysisIds, q.hiddenLayer, q.method, q.seed, ctx, q.standardize ?? false, q.words ?? false, q.language);
      case 'attention':
        return session.attention(q.analysisId, q.attentionLayer, { words: q.words, language: q.language });
      case 'attentionGrid':
        return session.attentionGrid(q.analysisId, q.maxSize);
      case 'attentionSummary':
        return session.attentionSummary(q.analysisId, q.kind, { attentionLayer: q.attentionLayer, words: q.words, language: q.language }, ctx);
      case 'headStats':
        return session.headStats(q.analysisId);
      case 'words':
        return session.words(q.analysisId, q.language);
      case 'unmasked':
        return session.unmasked(q.analysisId, q.topK, ctx);
      default:
        throw new Error(`the stress host does not route engine method ${method}`);
    }
  };
  return { call: call as unknown as Call };
}

/** What the panel tells the webview about the model (mapPanel.ts modelStatus, for a loaded model). */
export function modelStatusView(label: string, info: ModelInfo): ModelStatusView {
  return { label, state: 'ready', numLayers: info.numLayers, numHeads: info.numHeads, kind: info.kind ?? 'masked', attentionAvailable: info.attentionAvailable !== false };
}

/**
 * One panel's host: the snippets it shows, its layer, method and unit, its guess stream. `post` delivers a
 * message to the page (in order). Errors the host would show are kept in `errors` (a case expects none).
 */
export class StressPanelHost {
  unit: MapUnit = 'pieces';
  hiddenLayer: number;
  method: ProjectionMethod = HOST_CONFIG.projection;
  readonly errors: string[] = [];
  /** Every request the webview made, by type (the cases check what was asked). */
  readonly asked = new Map<string, number>();
  readonly stream: MaskedGuessStream;
  private readonly ctx: Ctx;
  private projecting: AbortController | undefined;
  private disposed = false;
  private readonly post: (m: HostToWebview) => void;

  constructor(
    private readonly session: AnalysisSession,
    private readonly info: ModelInfo,
    private readonly label: string,
    readonly snippets: AnalyzedSnippet[],
    private readonly snippetView: SnippetViewFn,
    post: (m: HostToWebview) => void,
  ) {
    // As MapPanel.post: nothing reaches the page from a host that is gone (the next Explore's host took over).
    this.post = (m) => {
      if (!this.disposed) post(m);
    };
    this.hiddenLayer = info.numLayers;
    const map = { snippets, get: (id: string) => snippets.find((s) => s.id === id) };
    this.ctx = {
      map,
      engine: inProcessEngine(session),
      config: HOST_CONFIG,
      model: info,
      log: { info: () => undefined, warn: (m: string) => this.errors.push(`guess stream: ${m}`), debug: () => undefined },
      noteEngineFailure: () => undefined,
    } as unknown as Ctx;
    this.stream = new MaskedGuessStream(this.ctx as GuessStreamContext, this.post);
  }

  /** As MapPanel.refresh after an Explore: the snippets, then a projection, then the guesses stream. */
  async refresh(): Promise<void> {
    this.post({ type: 'snippets', snippets: this.views() });
    try {
      await this.project();
    } catch (e) {
      if (!isContextLensError(e, 'CANCELLED')) {
        this.errors.push(`projection: ${messageOf(e)}`);
        this.post({ type: 'error', message: messageOf(e) });
      }
    }
    this.stream.start();
  }

  views(): SnippetView[] {
    return this.snippets.map((s) => this.snippetView(s, s.analysis));
  }

  async onMessage(m: WebviewToHost): Promise<void> {
    this.asked.set(m.type, (this.asked.get(m.type) ?? 0) + 1);
    const requestId = 'requestId' in m ? m.requestId : undefined;
    try {
      switch (m.type) {
        case 'ready':
          this.post({ type: 'init', strings: {}, hiddenLayer: this.hiddenLayer, projection: this.method, standardize: false });
          this.post({ type: 'model', model: modelStatusView(this.label, this.info) });
          this.post({ type: 'snippets', snippets: this.views() });
          await this.project();
          this.stream.start();
          return;
        case 'setLayer':
          this.hiddenLayer = Math.max(0, Math.round(m.hiddenLayer));
          return this.project(m.requestId);
        case 'setProjection':
          this.method = m.method;
          return this.project(m.requestId);
        case 'setUnit':
          this.unit = m.unit;
          return this.project(m.requestId);
        // A snippet this host does not hold (an earlier Explore's) gets no answer, as in MapPanel.
        case 'requestAttention': {
          const s = this.snippet(m.snippetId);
          if (s) this.post({ type: 'attention', requestId: m.requestId, attention: await attentionLayerView(this.ctx, s, m.attentionLayer, m.words === true) });
          return;
        }
        case 'requestAttentionGrid': {
          const s = this.snippet(m.snippetId);
          if (s) this.post({ type: 'attentionGrid', requestId: m.requestId, grid: await attentionGridView(this.ctx, s) });
          return;
        }
        case 'requestAttentionSummary': {
          const s = this.snippet(m.snippetId);
          if (s) this.post({ type: 'attentionSummary', requestId: m.requestId, summary: await attentionSummaryView(this.ctx, s, m.kind, m.attentionLayer, m.words === true) });
          return;
        }
        case 'requestHeadStats': {
          const s = this.snippet(m.snippetId);
          if (s) this.post({ type: 'headStats', requestId: m.requestId, headStats: await headStatsView(this.ctx, s) });
          return;
        }
        case 'requestWords': {
          const s = this.snippet(m.snippetId);
          if (s) this.post({ type: 'words', requestId: m.requestId, words: await wordsView(this.ctx, s) });
          return;
        }
        case 'wantGuesses':
          this.stream.prioritize(m.ref, m.requestId);
          return;
        default:
          return; // revealToken, exports, …: nothing a webview case waits for
      }
    } catch (e) {
      if (isContextLensError(e, 'CANCELLED')) return; // superseded (a newer layer or unit), as the panel drops it
      this.errors.push(`${m.type}: ${messageOf(e)}`);
      this.post({ type: 'error', message: messageOf(e), requestId });
    }
  }

  /** As MapProjection.project: the newest request wins, an older one gets no reply. */
  private async project(requestId?: string): Promise<void> {
    this.projecting?.abort();
    const ac = new AbortController();
    this.projecting = ac;
    const words = this.unit === 'words';
    const hiddenLayer = Math.min(this.hiddenLayer, this.info.numLayers);
    const ids = this.snippets.map((s) => s.analysis.analysisId);
    const result = await this.ctx.engine.call('project', { analysisIds: ids, hiddenLayer, method: this.method, standardize: false, ...(words ? { words, language: HOST_CONFIG.wordsLanguage } : {}) }, { signal: ac.signal });
    if (ac.signal.aborted) return;
    const byId = new Map(this.snippets.map((s) => [s.analysis.analysisId, s.id]));
    this.post({ type: 'projection', projection: toProjectionView(result, (id) => byId.get(id), this.unit), requestId });
    this.post({ type: 'progress', message: null });
  }

  private snippet(id: string): AnalyzedSnippet | undefined {
    return this.snippets.find((x) => x.id === id);
  }

  dispose(): void {
    this.disposed = true;
    this.projecting?.abort();
    this.stream.dispose();
  }
}
