/**
 * The engine's projection names tokens by analysis id; the webview's by snippet id (analyses are re-made
 * after an engine restart, snippets stay). Pure conversions both ways: to the map the webview draws, and
 * from that map back to the engine's terms for the JSON export.
 */
import type { ExportedProjection, ProjectionResult } from '../../engine/workerProtocol';
import type { MapPoint, PointRef, ProjectionView, TokenLink } from '../../protocol';

/** Points whose snippet is no longer on the map, or whose coordinates are not finite, are dropped. */
export function toProjectionView(r: ProjectionResult, snippetIdOf: (analysisId: string) => string | undefined): ProjectionView {
  const ref = (p: { analysisId: string; tokenIndex: number }): PointRef | undefined => {
    const snippetId = snippetIdOf(p.analysisId);
    return snippetId === undefined ? undefined : { snippetId, tokenIndex: p.tokenIndex };
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
  return { hiddenLayer: r.hiddenLayer, method: r.method, points, links };
}

/** The map on screen in the engine's terms; points of snippets without an analysis are dropped. */
export function toExportedProjection(view: ProjectionView, analysisIdOf: (snippetId: string) => string | undefined): ExportedProjection {
  const points = view.points.flatMap((p) => {
    const analysisId = analysisIdOf(p.snippetId);
    return analysisId === undefined ? [] : [{ analysisId, tokenIndex: p.tokenIndex, x: p.x, y: p.y }];
  });
  return { hiddenLayer: view.hiddenLayer, method: view.method, points };
}
