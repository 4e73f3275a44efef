import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isContextLensError } from '../../src/engine/errors';
import { project, projectPca, projectUmap } from '../../src/engine/projection';
import { exactKnn } from '../../src/engine/projection/knn';
import { knnOverlap, trustworthiness } from '../../src/engine/projection/quality';
import { fitAB } from '../../src/engine/projection/sgd';
import { gaussianRandom, seededRandom } from '../../src/engine/vectorMath';

/** k clusters of `per` points in `dim` dimensions: centres ~ N(0, spread²), points centre + N(0, 1). */
function clusters(k: number, per: number, dim: number, spread: number, seed = 1): { x: Float32Array; label: Int32Array } {
  const g = gaussianRandom(seededRandom(seed));
  const centres = Array.from({ length: k }, () => Array.from({ length: dim }, () => g() * spread));
  const n = k * per;
  const x = new Float32Array(n * dim);
  const label = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    label[i] = c;
    for (let j = 0; j < dim; j++) x[i * dim + j] = centres[c][j] + g();
  }
  return { x, label };
}

function randomMatrix(n: number, dim: number, seed: number): Float32Array {
  const g = gaussianRandom(seededRandom(seed));
  return Float32Array.from({ length: n * dim }, () => g());
}

const finite = (a: Float32Array) => a.every((v) => Number.isFinite(v));
const variance = (a: number[]) => {
  const m = a.reduce((s, v) => s + v, 0) / a.length;
  return a.reduce((s, v) => s + (v - m) ** 2, 0) / a.length;
};
const column = (p: Float32Array, c: number) => Array.from({ length: p.length / 2 }, (_, i) => p[i * 2 + c]);

function correlation(a: number[], b: number[]): number {
  const ma = a.reduce((s, v) => s + v, 0) / a.length;
  const mb = b.reduce((s, v) => s + v, 0) / b.length;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

// ----------------------------------------------------------------------------------------------
// PCA

test('PCA of points on a line in 10-D: collinear 2-D points, all variance on the first axis, order kept', async () => {
  const dim = 10;
  const n = 50;
  const u = Array.from({ length: dim }, (_, j) => (j % 3) - 1 + 0.1 * j);
  const c = Array.from({ length: dim }, (_, j) => 5 - j);
  const ts = Array.from({ length: n }, (_, i) => ((i * 37) % n) - n / 2);
  const x = new Float32Array(n * dim);
  ts.forEach((t, i) => u.forEach((uj, j) => (x[i * dim + j] = c[j] + t * uj)));
  const p = await projectPca(x, n, dim);
  assert.equal(p.length, n * 2);
  assert.ok(finite(p));
  const first = column(p, 0);
  const second = column(p, 1);
  assert.ok(variance(second) < 1e-8 * variance(first), `second axis variance ${variance(second)}`);
  assert.ok(Math.abs(correlation(first, ts)) > 0.999999);
  // Scores are |u|·(t − mean t): distances along the line are preserved.
  const norm = Math.hypot(...u);
  assert.ok(Math.abs(Math.abs(first[1] - first[0]) - norm * Math.abs(ts[1] - ts[0])) < 1e-3);
});

test('PCA of a 3-D Gaussian cloud recovers the top axis and orders the variances', async () => {
  const n = 2000;
  const g = gaussianRandom(seededRandom(3));
  // Orthonormal axes (a rotation), standard deviations 5, 2, 0.5.
  const axes = [
    [2 / 3, 2 / 3, 1 / 3],
    [-2 / 3, 1 / 3, 2 / 3],
    [1 / 3, -2 / 3, 2 / 3],
  ];
  const sd = [5, 2, 0.5];
  const x = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const z = sd.map((s) => g() * s);
    for (let j = 0; j < 3; j++) x[i * 3 + j] = 10 + z[0] * axes[0][j] + z[1] * axes[1][j] + z[2] * axes[2][j];
  }
  const p = await projectPca(x, n, 3);
  const along = Array.from({ length: n }, (_, i) => axes[0].reduce((s, a, j) => s + a * x[i * 3 + j], 0));
  assert.ok(Math.abs(correlation(column(p, 0), along)) > 0.999, 'first score is the projection on the top axis');
  const v0 = variance(column(p, 0));
  const v1 = variance(column(p, 1));
  assert.ok(v0 > v1, 'variance order');
  assert.ok(Math.abs(v0 - 25) < 2.5 && Math.abs(v1 - 4) < 0.5, `variances ${v0}, ${v1}`);
  // Second axis too (the largest-|entry|-positive sign rule makes it deterministic).
  const along2 = Array.from({ length: n }, (_, i) => axes[1].reduce((s, a, j) => s + a * x[i * 3 + j], 0));
  assert.ok(Math.abs(correlation(column(p, 1), along2)) > 0.99);
  assert.deepEqual(await projectPca(x, n, 3), p, 'deterministic');
});

test('PCA handles n = 0, 1, 2, identical points and dim = 1 without NaN', async () => {
  assert.equal((await projectPca(new Float32Array(0), 0, 8)).length, 0);
  assert.deepEqual(Array.from(await projectPca(new Float32Array([1, 2, 3]), 1, 3)), [0, 0]);
  const two = await projectPca(new Float32Array([0, 0, 0, 3, 4, 0]), 2, 3);
  assert.ok(finite(two));
  assert.ok(Math.abs(Math.hypot(two[0] - two[2], two[1] - two[3]) - 5) < 1e-5, 'distance kept');
  assert.ok(Math.abs(two[0] + two[2]) < 1e-6, 'centred');
  const same = new Float32Array(20 * 6).map((_, i) => (i % 6) + 0.5);
  assert.deepEqual(Array.from(await projectPca(same, 20, 6)), new Array(40).fill(0));
  const line = await projectPca(new Float32Array([1, 2, 4]), 3, 1);
  assert.ok(finite(line));
  assert.deepEqual(column(line, 1), [0, 0, 0]);
  assert.ok(Math.abs(Math.abs(line[4] - line[0]) - 3) < 1e-5, "scores keep distances along the only axis");
  await assert.rejects(projectPca(new Float32Array(5), 2, 3), RangeError);
});

// ----------------------------------------------------------------------------------------------
// UMAP

test('UMAP is deterministic per seed: same seed identical, different seed different', async () => {
  const { x } = clusters(4, 50, 16, 4, 5);
  const a = await projectUmap(x, 200, 16, { seed: 7, nEpochs: 100 });
  const b = await projectUmap(x, 200, 16, { seed: 7, nEpochs: 100 });
  const c = await projectUmap(x, 200, 16, { seed: 8, nEpochs: 100 });
  assert.equal(a.length, 400);
  assert.ok(finite(a));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('UMAP of 3 well-separated clusters (3×60 in 32-D) keeps them apart in 2-D', async () => {
  const n = 180;
  const { x, label } = clusters(3, 60, 32, 3, 11);
  for (const seed of [1, 2]) {
    const p = await projectUmap(x, n, 32, { seed });
    // For every point, its 5 nearest 2-D neighbours: fraction of own cluster.
    const knn = await exactKnn(p, n, 2, 5);
    let same = 0;
    for (let i = 0; i < n; i++) for (let t = 0; t < 5; t++) same += label[knn.indices[i * 5 + t]] === label[i] ? 1 : 0;
    assert.ok(same / (n * 5) >= 0.95, `seed ${seed}: ${same / (n * 5)}`);
  }
});

test('UMAP falls back to PCA when n < nNeighbors + 2 and reports progress to 1', async () => {
  const x = randomMatrix(10, 8, 4);
  const progress: number[] = [];
  const u = await projectUmap(x, 10, 8, { seed: 3, onProgress: (f) => progress.push(f) });
  assert.deepEqual(u, await projectPca(x, 10, 8, { seed: 3 }));
  assert.equal(progress.at(-1), 1);
  assert.equal((await projectUmap(new Float32Array(0), 0, 8)).length, 0);
});

test('UMAP of identical and duplicated points stays finite', async () => {
  const same = new Float32Array(40 * 5).fill(1);
  assert.ok(finite(await projectUmap(same, 40, 5, { nEpochs: 50 })));
  const dup = randomMatrix(30, 5, 9);
  const twice = new Float32Array(60 * 5);
  twice.set(dup);
  twice.set(dup, 30 * 5);
  assert.ok(finite(await projectUmap(twice, 60, 5, { nEpochs: 50, metric: 'cosine' })));
});

test('UMAP progress is monotone and ends at 1', async () => {
  const { x } = clusters(3, 100, 64, 3, 2);
  const seen: number[] = [];
  await projectUmap(x, 300, 64, { onProgress: (f) => seen.push(f) });
  assert.ok(seen.length >= 2);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i] >= seen[i - 1] - 1e-12);
  assert.ok(seen.every((f) => f >= 0 && f <= 1));
  assert.equal(seen.at(-1), 1);
});

test('project dispatches, and rejects an unknown method', async () => {
  const x = randomMatrix(40, 6, 6);
  assert.deepEqual(await project('pca', x, 40, 6), await projectPca(x, 40, 6));
  assert.deepEqual(await project('umap', x, 40, 6, { seed: 5, nEpochs: 30 }), await projectUmap(x, 40, 6, { seed: 5, nEpochs: 30 }));
  await assert.rejects(project('tsne' as 'pca', x, 40, 6), RangeError);
});

test('fitAB reproduces umap-js a/b for min_dist 0.1', () => {
  const { a, b } = fitAB(0.1);
  assert.ok(Math.abs(a - 1.577) < 0.01 && Math.abs(b - 0.895) < 0.01, `${a} ${b}`);
});

// ----------------------------------------------------------------------------------------------
// kNN and quality measures

test('exactKnn matches brute force, nearest first, self excluded', async () => {
  const n = 120;
  const dim = 7;
  const x = randomMatrix(n, dim, 12);
  const k = 6;
  const r = await exactKnn(x, n, dim, k);
  for (let i = 0; i < n; i++) {
    const d = Array.from({ length: n }, (_, j) => {
      let s = 0;
      for (let t = 0; t < dim; t++) s += (x[i * dim + t] - x[j * dim + t]) ** 2;
      return { j, d: Math.sqrt(s) };
    })
      .filter((e) => e.j !== i)
      .sort((p, q) => p.d - q.d || p.j - q.j);
    assert.deepEqual(Array.from(r.indices.subarray(i * k, i * k + k)), d.slice(0, k).map((e) => e.j));
    for (let t = 0; t < k; t++) assert.ok(Math.abs(r.distances[i * k + t] - d[t].d) < 1e-4);
  }
});

test('knnOverlap is 1 for an identical embedding and low for a random one', () => {
  const n = 300;
  const planar = randomMatrix(n, 2, 13);
  assert.equal(knnOverlap(planar, planar, n, 2, 10), 1);
  const high = randomMatrix(n, 20, 14);
  const random = randomMatrix(n, 2, 15);
  const o = knnOverlap(high, random, n, 20, 10);
  assert.ok(o >= 0 && o < 0.15, `random overlap ${o}`);
  assert.throws(() => knnOverlap(high, random, n, 20, n), RangeError);
});

test('knnOverlap with k ≥ n/2 (beyond trustworthiness’s range) counts the shared neighbours by brute force', () => {
  const n = 40;
  const k = 25;
  const high = randomMatrix(n, 5, 21);
  const low = randomMatrix(n, 2, 22);
  const nearest = (m: Float32Array, dim: number, i: number): number[] =>
    Array.from({ length: n }, (_, j) => j)
      .filter((j) => j !== i)
      .map((j) => ({ j, d: Array.from({ length: dim }, (_, t) => (m[i * dim + t] - m[j * dim + t]) ** 2).reduce((s, v) => s + v, 0) }))
      .sort((p, q) => p.d - q.d || p.j - q.j)
      .slice(0, k)
      .map((e) => e.j);
  let expected = 0;
  for (let i = 0; i < n; i++) {
    const inHigh = new Set(nearest(high, 5, i));
    expected += nearest(low, 2, i).filter((j) => inHigh.has(j)).length / k;
  }
  expected /= n;
  assert.ok(expected > 0.5 && expected < 0.9, `a random map shares some but not all of ${k} of ${n - 1} neighbours: ${expected}`);
  assert.ok(Math.abs(knnOverlap(high, low, n, 5, k) - expected) < 1e-12);
  assert.equal(knnOverlap(low, low, n, 2, k), 1);
});

test('trustworthiness is in [0, 1], ~1 for PCA of planar data, lower for a random map', async () => {
  const n = 300;
  const dim = 10;
  // Points in a 2-D plane inside 10-D.
  const g = gaussianRandom(seededRandom(16));
  const e1 = Array.from({ length: dim }, (_, j) => (j === 0 ? 1 : 0));
  const e2 = Array.from({ length: dim }, (_, j) => (j === 3 ? 0.6 : j === 7 ? 0.8 : 0));
  const x = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const a = g() * 3;
    const b = g();
    for (let j = 0; j < dim; j++) x[i * dim + j] = 1 + a * e1[j] + b * e2[j];
  }
  const p = await projectPca(x, n, dim);
  const t = trustworthiness(x, p, n, dim, 10);
  assert.ok(t > 0.999 && t <= 1, `planar ${t}`);
  assert.ok(knnOverlap(x, p, n, dim, 10) > 0.99);
  const tr = trustworthiness(x, randomMatrix(n, 2, 17), n, dim, 10);
  assert.ok(tr >= 0 && tr < 0.7, `random ${tr}`);
  assert.throws(() => trustworthiness(x, p, n, dim, 150), RangeError);
});

// ----------------------------------------------------------------------------------------------
// Cancellation and responsiveness

test('an aborted signal rejects with CANCELLED, before and during the work', async () => {
  const { x } = clusters(5, 100, 64, 3, 18);
  const pre = new AbortController();
  pre.abort();
  await assert.rejects(projectUmap(x, 500, 64, { signal: pre.signal }), (e) => isContextLensError(e, 'CANCELLED'));
  await assert.rejects(projectPca(x, 500, 64, { signal: pre.signal }), (e) => isContextLensError(e, 'CANCELLED'));
  await assert.rejects(exactKnn(x, 500, 64, 5, { signal: pre.signal }), (e) => isContextLensError(e, 'CANCELLED'));

  const mid = new AbortController();
  let calls = 0;
  const run = projectUmap(x, 500, 64, {
    signal: mid.signal,
    onProgress: () => {
      if (++calls === 2) mid.abort();
    },
  });
  await assert.rejects(run, (e) => isContextLensError(e, 'CANCELLED'));
  assert.ok(calls >= 2);

  const timer = new AbortController();
  setTimeout(() => timer.abort(), 5);
  await assert.rejects(projectPca(randomMatrix(1000, 768, 19), 1000, 768, { signal: timer.signal }), (e) =>
    isContextLensError(e, 'CANCELLED'),
  );
});

test('the projection yields to the event loop while it runs (1,000 × 768, UMAP and PCA)', async () => {
  // Counts turns, not milliseconds: how long a slice takes is the bench's to measure (the worker part's
  // event-loop delay rows); here, that other work gets turns at all while a large projection runs.
  const n = 1000;
  const dim = 768;
  const { x } = clusters(10, 100, dim, 1, 20);
  let turns = 0;
  let running = true;
  const tick = (): void => {
    if (!running) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  try {
    const u = await projectUmap(x, n, dim, { seed: 1 });
    const p = await projectPca(x, n, dim);
    assert.ok(finite(u) && finite(p));
  } finally {
    running = false;
  }
  assert.ok(turns >= 10, `the event loop got ${turns} turns during the projection`);
});
