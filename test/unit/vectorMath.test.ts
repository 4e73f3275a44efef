import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  columnMeans,
  cosineSimilarity,
  dot,
  gaussianRandom,
  getRow,
  normalizeRows,
  rowNorm,
  seededRandom,
  squaredDistance,
} from '../../src/engine/vectorMath';

const close = (a: number, b: number, eps = 1e-6) => assert.ok(Math.abs(a - b) <= eps, `${a} ≉ ${b}`);

test('cosineSimilarity: parallel 1, opposite −1, orthogonal 0, scale-invariant', () => {
  close(cosineSimilarity(new Float32Array([1, 2, 3]), new Float32Array([2, 4, 6])), 1);
  close(cosineSimilarity(new Float32Array([1, 2, 3]), new Float32Array([-1, -2, -3])), -1);
  close(cosineSimilarity(new Float32Array([1, 0]), new Float32Array([0, 5])), 0);
  close(cosineSimilarity(new Float32Array([1, 1]), new Float32Array([1, 0])), Math.SQRT1_2);
});

test('cosineSimilarity reads rows at offsets of flat matrices', () => {
  const m = new Float32Array([9, 9, 9, 1, 0, 0, 0, 1, 0, 1, 1, 0]); // rows of 3 after a 3-value prefix
  close(cosineSimilarity(m, m, 3, 9, 3), Math.SQRT1_2); // (1,0,0) vs (1,1,0)
  close(cosineSimilarity(m, m, 6, 6, 3), 1);
  assert.throws(() => cosineSimilarity(m, m, 10, 0, 3), RangeError);
});

test('cosineSimilarity of a zero row is 0, never NaN', () => {
  assert.equal(cosineSimilarity(new Float32Array(4), new Float32Array([1, 2, 3, 4])), 0);
  assert.equal(cosineSimilarity(new Float32Array(4), new Float32Array(4)), 0);
  assert.equal(cosineSimilarity(new Float32Array(0), new Float32Array(0)), 0);
});

test('dot, squaredDistance and rowNorm agree with the definitions, odd lengths included', () => {
  const a = new Float64Array([1, 2, 3, 4, 5, 6, 7]);
  const b = new Float64Array([7, 6, 5, 4, 3, 2, 1]);
  assert.equal(dot(a, 0, b, 0, 7), 7 + 12 + 15 + 16 + 15 + 12 + 7);
  assert.equal(dot(a, 2, b, 1, 3), 3 * 6 + 4 * 5 + 5 * 4);
  assert.equal(squaredDistance(a, 0, b, 0, 7), 36 + 16 + 4 + 0 + 4 + 16 + 36);
  close(rowNorm(a, 0, 2), Math.sqrt(5));
});

test('normalizeRows gives unit rows and keeps zero rows zero; getRow copies', () => {
  const m = new Float32Array([3, 4, 0, 0, 0, 2]);
  const u = normalizeRows(m, 3, 2);
  assert.deepEqual(Array.from(u), [0.6, 0.8, 0, 0, 0, 1].map(Math.fround));
  const r = getRow(m, 0, 2);
  r[0] = 100;
  assert.equal(m[0], 3);
  assert.deepEqual(Array.from(columnMeans(m, 3, 2)), [1, 2]);
  assert.deepEqual(Array.from(columnMeans(m, 0, 2)), [0, 0]);
});

test('seededRandom: same seed same sequence, different seeds differ, values in [0, 1)', () => {
  const a = seededRandom(123);
  const b = seededRandom(123);
  const c = seededRandom(124);
  const xs = Array.from({ length: 1000 }, () => a());
  assert.deepEqual(xs, Array.from({ length: 1000 }, () => b()));
  assert.notDeepEqual(xs.slice(0, 10), Array.from({ length: 10 }, () => c()));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  close(mean, 0.5, 0.05);
  // Non-finite seeds are tolerated (treated as 0), not NaN sequences.
  assert.ok(Number.isFinite(seededRandom(Number.NaN)()));
});

test('gaussianRandom has mean ≈ 0 and variance ≈ 1', () => {
  const g = gaussianRandom(seededRandom(7));
  const n = 20000;
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const x = g();
    s += x;
    s2 += x * x;
  }
  close(s / n, 0, 0.03);
  close(s2 / n - (s / n) ** 2, 1, 0.05);
});
