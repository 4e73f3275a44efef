// Golden layouts (as umap-js's test/umap.test.ts pins its seeded embedding): a small seeded input and the
// exact PCA and UMAP layouts the engine made of it at 9f2dc66 (test/unit/golden/makeProjectionLayouts.ts),
// so that a refactor cannot move the map silently; and the PCA checked against NumPy's SVD
// (test/unit/golden/make_pca_reference.py), an answer that does not come from our own code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { projectPca, projectUmap } from '../../src/engine/projection';
import { loadGoldenLayouts, loadNumpyPca, type GoldenLayout } from './golden/goldenLayouts';

const golden = loadGoldenLayouts();
const vectors = Float32Array.from(golden.vectors);
const { n, dim } = golden;
const CLUSTERS = 3; // point i is in cluster i mod 3 (see the golden file's "about")

function layoutOf(l: GoldenLayout): Promise<Float32Array> {
  return l.method === 'pca' ? projectPca(vectors, n, dim, l.options) : projectUmap(vectors, n, dim, l.options);
}

/** The largest |actual − expected| / max(1, |expected|), and where. */
function worstDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): { at: number; diff: number } {
  let worst = { at: -1, diff: 0 };
  for (let t = 0; t < expected.length; t++) {
    const diff = Math.abs(actual[t] - expected[t]) / Math.max(1, Math.abs(expected[t]));
    if (!(diff <= worst.diff)) worst = { at: t, diff };
  }
  return worst;
}

function assertSameLayout(actual: Float32Array, l: GoldenLayout, tolerance: number): void {
  assert.equal(actual.length, l.coords.length, `${l.name}: length`);
  const { at, diff } = worstDifference(actual, l.coords);
  const point = Math.floor(at / 2);
  assert.ok(
    diff <= tolerance,
    `${l.name}: point ${point} moved to (${actual[point * 2]}, ${actual[point * 2 + 1]}) from the golden ` +
      `(${l.coords[point * 2]}, ${l.coords[point * 2 + 1]}): difference ${diff} > ${tolerance}`,
  );
}

/** Fraction of points whose nearest other point in the 2-D layout is in the same cluster. */
function nearestInOwnCluster(xy: Float32Array): number {
  let same = 0;
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bestD = Infinity;
    for (let j = 0; j < n; j++) {
      const d = j === i ? Infinity : (xy[2 * i] - xy[2 * j]) ** 2 + (xy[2 * i + 1] - xy[2 * j + 1]) ** 2;
      if (d < bestD) [best, bestD] = [j, d];
    }
    if (best % CLUSTERS === i % CLUSTERS) same++;
  }
  return same / n;
}

test('golden input: 48 points of 3 clusters in 16-D, and the layouts it pins', () => {
  assert.equal(n, 48);
  assert.equal(dim, 16);
  assert.equal(vectors.length, n * dim);
  assert.deepEqual(Array.from(vectors), golden.vectors, 'the input is Float32 values (exact through JSON)');
  assert.deepEqual(
    golden.layouts.map((l) => l.method),
    ['pca', 'umap', 'umap'],
  );
});

// PCA is a fixed number of deterministic float64 steps rounded to float32 at the end: equal, not close.
test('the seeded PCA layout is the golden one (to 1e-9)', async () => {
  for (const l of golden.layouts.filter((g) => g.method === 'pca')) assertSameLayout(await layoutOf(l), l, 1e-9);
});

// UMAP is deterministic for a seed: V8's Math.exp/log/pow/sin/cos are its own (fdlibm) code, the same on
// every platform, so the layout is expected bit for bit. The tolerance, 1e-6 relative (about 8 float32
// units in the last place), is only a margin; a real change moves points by far more than that, because
// the negative-sampling SGD amplifies any difference over its epochs.
test('the seeded UMAP layouts are the golden ones (to 1e-6 relative)', async () => {
  for (const l of golden.layouts.filter((g) => g.method === 'umap')) assertSameLayout(await layoutOf(l), l, 1e-6);
});

test('the golden layouts keep the three clusters apart (each point’s nearest neighbour is in its cluster)', () => {
  for (const l of golden.layouts) assert.equal(nearestInOwnCluster(Float32Array.from(l.coords)), 1, l.name);
});

// Our PCA is block power iteration stopped at 1e-6 relative change in the eigenvalues, returned in float32;
// NumPy's is a float64 SVD. Each axis is defined up to its sign. Measured: the scores agree to 3e-8 (first
// axis) and 3e-7 (second) of the largest score, the variances to 1e-8; the bounds leave a margin of 30×.
test('the seeded PCA layout matches NumPy’s SVD up to the sign of each axis', async () => {
  const reference = loadNumpyPca();
  const ours = await projectPca(vectors, n, dim, { seed: 42 });
  assert.equal(reference.scores.length, n * 2);
  for (let c = 0; c < 2; c++) {
    let agreement = 0;
    let largest = 0;
    for (let i = 0; i < n; i++) {
      agreement += ours[2 * i + c] * reference.scores[2 * i + c];
      largest = Math.max(largest, Math.abs(reference.scores[2 * i + c]));
    }
    const sign = Math.sign(agreement);
    let worst = 0;
    let variance = 0;
    for (let i = 0; i < n; i++) {
      worst = Math.max(worst, Math.abs(ours[2 * i + c] - sign * reference.scores[2 * i + c]));
      variance += ours[2 * i + c] ** 2 / n; // scores are centred
    }
    assert.ok(worst <= 1e-5 * largest, `axis ${c}: worst difference ${worst} (largest score ${largest})`);
    assert.ok(Math.abs(variance - reference.variances[c]) <= 1e-6 * reference.variances[c], `axis ${c}: variance ${variance} vs ${reference.variances[c]}`);
  }
});
