/**
 * The engine's projection names tokens by analysis id; the webview's by snippet id (analyses are re-made
 * after an engine restart, snippets stay). Pure conversions both ways: to the map the webview draws, and
 * from that map back to the engine's terms for the JSON export.
 */
import type { ExportedProjection, ProjectionResult } from '../../engine/workerProtocol';
import type { MapPoint, MapUnit, PointRef, ProjectionView, TokenLink } from '../../protocol';

/**
 * Points whose snippet is no longer on the map, or whose coordinates are not finite, are dropped.
 * `unit` 'words' (issue 12): the engine projected words; every point and link end keeps its wordIndex.
 */
export function toProjectionView(r: ProjectionResult, snippetIdOf: (analysisId: string) => string | undefined, unit: MapUnit = 'pieces'): ProjectionView {
  const ref = (p: { analysisId: string; tokenIndex: number; wordIndex?: number }): (PointRef & { wordIndex?: number }) | undefined => {
    const snippetId = snippetIdOf(p.analysisId);
    if (snippetId === undefined) return undefined;
    return unit === 'words' && Number.isInteger(p.wordIndex) ? { snippetId, tokenIndex: p.tokenIndex, wordIndex: p.wordIndex } : { snippetId, tokenIndex: p.tokenIndex };
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
  const view: ProjectionView = { hiddenLayer: r.hiddenLayer, method: r.method, points, links };
  // Pieces stay as before (no `unit` field): the webview reads an absent unit as pieces.
  return unit === 'words' ? { ...view, unit } : view;
}

/** The map on screen in the engine's terms; points of snippets without an analysis are dropped. */
export function toExportedProjection(view: ProjectionView, analysisIdOf: (snippetId: string) => string | undefined): ExportedProjection {
  const points = view.points.flatMap((p) => {
    const analysisId = analysisIdOf(p.snippetId);
    return analysisId === undefined ? [] : [{ analysisId, tokenIndex: p.tokenIndex, x: p.x, y: p.y }];
  });
  return { hiddenLayer: view.hiddenLayer, method: view.method, points };
}
