/** The map's 2-D layout: asks the engine to project every snippet at the current layer and method, and keeps the last result. */
import * as vscode from 'vscode';
import { isContextLensError, messageOf } from '../../engine/errors';
import type { HostToWebview, MapUnit, ProjectionView, RequestId } from '../../protocol';
import type { Ctx } from '../context';
import { ms } from '../log';
import type { MapSnippet } from '../mapState';
import { toProjectionView } from './projectionView';

export class MapProjection implements vscode.Disposable {
  private abort: AbortController | undefined;
  /** What the webview shows now; undefined while a new one is computed. */
  last: ProjectionView | undefined;
  /**
   * Issue 12: pieces or words, from the panel's switch (setUnit) or its saved state after a reload; every
   * later projection (new snippets, layer, method, standardize, the words language) keeps it.
   */
  unit: MapUnit = 'pieces';

  /** A projection is being computed (the page shows its progress). */
  get busy(): boolean {
    return this.abort !== undefined;
  }

  constructor(
    private readonly ctx: Ctx,
    private readonly post: (m: HostToWebview) => void,
    /** Re-analyzes snippets the engine no longer holds. */
    private readonly ensureAnalyzed: (signal: AbortSignal) => Promise<void>,
  ) {}

  /**
   * Projects every snippet at the map's layer; a newer request cancels an older one, which gets no reply.
   * `requestId`: the webview's setLayer/setProjection this answers (the projection or the error carries it).
   */
  async project(requestId?: RequestId): Promise<void> {
    this.abort?.abort();
    const ac = new AbortController();
    this.abort = ac;
    const ctx = this.ctx;
    try {
      await this.ensureAnalyzed(ac.signal);
      const info = ctx.model;
      const method = ctx.map.method;
      const hiddenLayer = Math.min(ctx.map.hiddenLayer ?? info?.numLayers ?? 0, info?.numLayers ?? Number.MAX_SAFE_INTEGER);
      const ids = ctx.map.analysisIds();
      const unit = this.unit;
      if (ids.length === 0 || !info) {
        this.show({ hiddenLayer, method, ...(unit === 'words' ? { unit } : {}), points: [], links: [] }, requestId);
        return;
      }
      const words = unit === 'words';
      const language = words ? ctx.config.wordsLanguage : undefined;
      this.post({
        type: 'progress',
        message: words ? vscode.l10n.t('Projecting the words of {0} tokens with {1}…', countTokens(ctx.map.snippets), method.toUpperCase()) : vscode.l10n.t('Projecting {0} tokens with {1}…', countTokens(ctx.map.snippets), method.toUpperCase()),
        fraction: 0,
      });
      const t0 = performance.now();
      // No seed: the engine's default one, so that the map, the CLI and the tests lay out the same points alike.
      const standardize = ctx.config.standardizeDimensions;
      const result = await ctx.engine.call('project', { analysisIds: ids, hiddenLayer, method, standardize, ...(words ? { words, language } : {}) }, {
        signal: ac.signal,
        onProgress: (e) => {
          if (e.phase === 'project') this.post({ type: 'progress', message: vscode.l10n.t('Projecting with {0}…', method.toUpperCase()), fraction: e.fraction });
        },
      });
      if (ac.signal.aborted) return;
      const what = words ? `${result.points.length} words (language ${language ?? 'of the model'})` : `${result.points.length} tokens`;
      ctx.log.info(`Projected ${what} (${method}, layer ${hiddenLayer}${standardize ? ', standardized cosines' : ''}) in ${ms(performance.now() - t0)}`);
      this.show(toProjectionView(result, (analysisId) => ctx.map.byAnalysisId(analysisId)?.id, unit), requestId);
    } catch (e) {
      projectionFailed(ctx, this.post, e, ac.signal, requestId);
    } finally {
      if (this.abort === ac) {
        this.abort = undefined;
        this.post({ type: 'progress', message: null });
      }
    }
  }

  private show(view: ProjectionView, requestId: RequestId | undefined): void {
    this.last = view;
    this.post({ type: 'projection', projection: view, requestId });
  }

  dispose(): void {
    this.abort?.abort();
  }
}

/**
 * A projection failed: nothing to say when it was cancelled or superseded; else the request that asked
 * for it fails in the panel, and the user sees the error. (The Senses scatter answers the same way.)
 */
export function projectionFailed(ctx: Ctx, post: (m: HostToWebview) => void, e: unknown, signal: AbortSignal, requestId: RequestId | undefined): void {
  if (isContextLensError(e, 'CANCELLED') || signal.aborted) return;
  ctx.noteEngineFailure(e);
  post({ type: 'error', message: messageOf(e), requestId });
  ctx.reportError(e);
}

function countTokens(snippets: readonly MapSnippet[]): number {
  return snippets.reduce((n, s) => n + (s.analysis?.tokens.length ?? 0), 0);
}
