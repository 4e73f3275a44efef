// The host's projection conversions (src/extension/panel/projectionView.ts): the engine's points (by analysis)
// become the webview's (by snippet), and the map on screen goes back to the engine's terms for the JSON export.
// (engineClient.test.ts runs the round trip on a real projection, through the worker, into the export.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProjectionResult } from '../../src/engine/workerProtocol';
import { toExportedProjection, toProjectionView } from '../../src/extension/panel/projectionView';

test('points of snippets gone from the map and non-finite points are dropped; links need both ends', () => {
  const result: ProjectionResult = {
    hiddenLayer: 1,
    method: 'pca',
    points: [
      { analysisId: 'a1', tokenIndex: 0, x: 1, y: 2 },
      { analysisId: 'a1', tokenIndex: 1, x: Number.NaN, y: 0 },
      { analysisId: 'gone', tokenIndex: 0, x: 3, y: 4 },
      { analysisId: 'a2', tokenIndex: 5, x: -1, y: Infinity },
      { analysisId: 'a2', tokenIndex: 6, x: -1, y: 0.5 },
    ],
    links: [
      { piece: 'bank', a: { analysisId: 'a1', tokenIndex: 0 }, b: { analysisId: 'a2', tokenIndex: 6 }, cosine: 0.25 },
      { piece: 'x', a: { analysisId: 'a1', tokenIndex: 0 }, b: { analysisId: 'gone', tokenIndex: 0 }, cosine: 0.5 },
    ],
  };
  const view = toProjectionView(result, (a) => ({ a1: 's1', a2: 's2' })[a]);
  assert.deepEqual(view, {
    hiddenLayer: 1,
    method: 'pca',
    points: [
      { snippetId: 's1', tokenIndex: 0, x: 1, y: 2 },
      { snippetId: 's2', tokenIndex: 6, x: -1, y: 0.5 },
    ],
    links: [{ piece: 'bank', a: { snippetId: 's1', tokenIndex: 0 }, b: { snippetId: 's2', tokenIndex: 6 }, cosine: 0.25 }],
  });
  // s2's analysis was released (engine restart, not re-made yet): its points leave the export.
  assert.deepEqual(toExportedProjection(view, (s) => (s === 's1' ? 'a9' : undefined)), {
    hiddenLayer: 1,
    method: 'pca',
    points: [{ analysisId: 'a9', tokenIndex: 0, x: 1, y: 2 }],
  });
});
