// The word-senses math (issue 10): standardization, self-similarity, k-means, silhouette, cluster choice
// and id matching, cluster labels. Values against the NumPy reference (scripts/senses_reference.py →
// test/unit/golden/senses-reference.json) and properties no reference is needed for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { cosineSimilarity, gaussianRandom, normalizeRows, seededRandom } from '../../src/engine/vectorMath';
import { chooseClusters, clustersOverLayers, matchClusterIds } from '../../src/engine/senses/clusters';
import { kmeans, kmeansFrom } from '../../src/engine/senses/kmeans';
import { clusterCollocates, clusterSubstitutes } from '../../src/engine/senses/labels';
import { cosineDistances, meanSilhouette } from '../../src/engine/senses/silhouette';
import { centroidCosine, meanPairCosine, randomPairsAcrossGroups, selfSimilarity } from '../../src/engine/senses/similarity';
import { standardizeColumns } from '../../src/engine/senses/standardize';

interface Stats {
  selfSimilarity: number;
  acrossBlobs: number;
  centroidCosine01: number;
  silhouette: number;
}
interface LloydCase {
  initialCentroids: number[];
  labels: number[];
  centroids: number[];
}
/** test/unit/golden/senses-reference.json, written by scripts/senses_reference.py (NumPy). */
interface SensesReference {
  blobs: {
    n: number;
    dim: number;
    vectors: number[];
    truth: number[];
    standardized: number[];
    selfSimilarity: number;
    pairs: number[];
    meanPairCosine: number;
    centroidCosine01: number;
    cosineDistances: number[];
    silhouette: { truth: number; random: number; randomLabels: number[]; singleton: number; singletonLabels: number[] };
    lloyd: LloydCase;
    lloydEmptyCluster: LloydCase;
  };
  zeroRow: { n: number; dim: number; vectors: number[]; selfSimilarity: number };
  rogue: { n: number; dim: number; vectors: number[]; truth: number[]; standardized: number[]; raw: Stats; standardizedStats: Stats };
}

const reference = JSON.parse(readFileSync(resolve('test/unit/golden/senses-reference.json'), 'utf8')) as SensesReference;
const { blobs: ref, rogue } = reference;
const blobRows = Float32Array.from(ref.vectors);
const rogueRows = Float32Array.from(rogue.vectors);

/** |actual − expected| ≤ 1e-6 · max(1, |expected|), element by element, naming the first that is not. */
function assertClose(actual: ArrayLike<number> | number, expected: ArrayLike<number> | number, what: string, tolerance = 1e-6): void {
  const a = typeof actual === 'number' ? [actual] : Array.from(actual);
  const e = typeof expected === 'number' ? [expected] : Array.from(expected);
  assert.equal(a.length, e.length, `${what}: length`);
  e.forEach((x, i) => assert.ok(Math.abs(a[i] - x) <= tolerance * Math.max(1, Math.abs(x)), `${what}[${i}]: ${a[i]}, NumPy ${x}`));
}

/** Rows whose index satisfies `keep`, as a new matrix. */
function pick(rows: Float32Array, dim: number, keep: (i: number) => boolean): { rows: Float32Array; n: number } {
  const out: number[] = [];
  for (let i = 0; i < rows.length / dim; i++) if (keep(i)) out.push(...rows.subarray(i * dim, (i + 1) * dim));
  return { rows: Float32Array.from(out), n: out.length / dim };
}

/** n rows of `dim`: row i drawn around centre i mod k (centres standard normal, noise `spread`). */
function blobs(n: number, dim: number, k: number, seed: number, spread: number): Float32Array {
  const g = gaussianRandom(seededRandom(seed));
  const centres = Array.from({ length: k }, () => Array.from({ length: dim }, () => g()));
  const rows = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) for (let t = 0; t < dim; t++) rows[i * dim + t] = centres[i % k][t] + spread * g();
  return rows;
}

/** Each true group has one label of its own (the partition is recovered, whatever the ids). */
function assertRecovers(labels: Int32Array, truth: (i: number) => number, groups: number): void {
  const labelOf = new Map<number, number>();
  labels.forEach((label, i) => {
    const group = truth(i);
    if (!labelOf.has(group)) labelOf.set(group, label);
    assert.equal(label, labelOf.get(group), `row ${i} (group ${group}) split from its group`);
  });
  assert.equal(new Set(labelOf.values()).size, groups, 'two groups share a label');
}

test('chooseClusters recovers 3 blobs in 16-D and says k = 3 with a high silhouette', () => {
  const rows = blobs(60, 16, 3, 7, 0.3);
  const choice = chooseClusters(rows, 60, 16, 42);
  assert.equal(choice.k, 3);
  assertRecovers(choice.labels, (i) => i % 3, 3);
  assert.ok(choice.silhouette > 0.5, `silhouette ${choice.silhouette}`);
});

// In 128-D, as for BERT's 768: in very few dimensions (16) Gaussian noise alone reaches silhouettes of 0.12–0.2.
test('chooseClusters keeps a single blob as one cluster (k = 1, silhouette 0)', () => {
  const choice = chooseClusters(blobs(80, 128, 1, 3, 1), 80, 128, 42);
  assert.deepEqual({ k: choice.k, silhouette: choice.silhouette }, { k: 1, silhouette: 0 });
  assert.ok(choice.labels.every((l) => l === 0));
});

test('matchClusterIds gives permuted labels back their previous ids', () => {
  const previous = Int32Array.from({ length: 30 }, (_, i) => i % 3);
  const permuted = previous.map((l) => [2, 0, 1][l]);
  assert.deepEqual(Array.from(matchClusterIds(previous, permuted)), Array.from(previous));
});

test('same seed, same clusters over layers', () => {
  const layers = [blobs(40, 8, 2, 1, 0.4), blobs(40, 8, 3, 2, 0.4)];
  const a = clustersOverLayers(layers, 40, 8, 5);
  const b = clustersOverLayers(layers, 40, 8, 5);
  assert.deepEqual(a, b);
});

test('selfSimilarity is NaN below 2 rows; randomPairsAcrossGroups never pairs a group with itself', () => {
  assert.ok(Number.isNaN(selfSimilarity(new Float32Array(4), 1, 4)));
  const groups = Int32Array.from({ length: 50 }, (_, i) => (i < 45 ? 0 : 1 + (i % 2)));
  const pairs = randomPairsAcrossGroups(groups, 200, 9);
  assert.equal(pairs.length, 400);
  for (let p = 0; p < pairs.length; p += 2) assert.notEqual(groups[pairs[p]], groups[pairs[p + 1]]);
  assert.equal(randomPairsAcrossGroups(new Int32Array(10).fill(4), 100, 1).length, 0);
});

test('NumPy: standardizeColumns z-scores each column (population std)', () => {
  assertClose(standardizeColumns(blobRows, ref.n, ref.dim), ref.standardized, 'blobs');
  assertClose(standardizeColumns(rogueRows, rogue.n, rogue.dim), rogue.standardized, 'rogue');
});

test('standardizeColumns: a constant column and a single row become zeros, never NaN', () => {
  const rows = Float32Array.from([1, 5, 2, 5, 3, 5]); // column 1 constant
  const z = standardizeColumns(rows, 3, 2);
  assertClose([z[1], z[3], z[5]], [0, 0, 0], 'constant column');
  assertClose([z[0], z[2], z[4]], [-Math.sqrt(1.5), 0, Math.sqrt(1.5)], 'column 0');
  assert.deepEqual(Array.from(standardizeColumns(Float32Array.from([3, 4]), 1, 2)), [0, 0]);
});

test('NumPy: self-similarity, mean pair cosine, centroid cosine', () => {
  assertClose(selfSimilarity(blobRows, ref.n, ref.dim), ref.selfSimilarity, 'selfSimilarity');
  assertClose(meanPairCosine(blobRows, ref.dim, Int32Array.from(ref.pairs)), ref.meanPairCosine, 'meanPairCosine');
  const a = pick(blobRows, ref.dim, (i) => ref.truth[i] === 0);
  const b = pick(blobRows, ref.dim, (i) => ref.truth[i] === 1);
  assertClose(centroidCosine(a.rows, a.n, b.rows, b.n, ref.dim), ref.centroidCosine01, 'centroidCosine');
  const z = reference.zeroRow;
  assertClose(selfSimilarity(Float32Array.from(z.vectors), z.n, z.dim), z.selfSimilarity, 'with a zero row (cosine 0)');
  assert.ok(Number.isNaN(meanPairCosine(blobRows, ref.dim, new Int32Array(0))));
  assert.ok(Number.isNaN(centroidCosine(a.rows, a.n, new Float32Array(0), 0, ref.dim)));
});

test('selfSimilarity equals the mean of cosineSimilarity over every ordered pair (zero rows included)', () => {
  const matrix = fc.integer({ min: 2, max: 9 }).chain((n) =>
    fc.integer({ min: 1, max: 6 }).chain((dim) =>
      fc.tuple(fc.constant(n), fc.constant(dim), fc.array(fc.oneof(fc.constant(0), fc.float({ min: -10, max: 10, noNaN: true })), { minLength: n * dim, maxLength: n * dim })),
    ),
  );
  fc.assert(
    fc.property(matrix, ([n, dim, values]) => {
      const rows = Float32Array.from(values);
      let sum = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) sum += cosineSimilarity(rows, rows, i * dim, j * dim, dim);
      assertClose(selfSimilarity(rows, n, dim), sum / (n * n - n), 'selfSimilarity', 1e-9);
    }),
    { seed: 10, numRuns: 200 },
  );
});

test('NumPy: cosine distance matrix and silhouettes (scikit-learn formula, singleton cluster 0)', () => {
  const unit = normalizeRows(blobRows, ref.n, ref.dim);
  const dist = cosineDistances(unit, ref.n, ref.dim);
  assertClose(dist, ref.cosineDistances, 'cosineDistances');
  assertClose(meanSilhouette(dist, ref.n, Int32Array.from(ref.truth)), ref.silhouette.truth, 'silhouette of the truth');
  assertClose(meanSilhouette(dist, ref.n, Int32Array.from(ref.silhouette.randomLabels)), ref.silhouette.random, 'silhouette of random labels');
  assertClose(meanSilhouette(dist, ref.n, Int32Array.from(ref.silhouette.singletonLabels)), ref.silhouette.singleton, 'silhouette with a singleton');
  assert.equal(meanSilhouette(dist, ref.n, new Int32Array(ref.n).fill(7)), 0, 'one cluster');
});

test('NumPy: Lloyd from given centroids, and an empty cluster re-seeded with the farthest point', () => {
  const unit = normalizeRows(blobRows, ref.n, ref.dim);
  for (const [name, c] of [['lloyd', ref.lloyd], ['empty cluster', ref.lloydEmptyCluster]] as const) {
    const got = kmeansFrom(unit, ref.n, ref.dim, Float32Array.from(c.initialCentroids), 100);
    assert.deepEqual(Array.from(got.labels), c.labels, `${name}: labels`);
    assertClose(got.centroids, c.centroids, `${name}: centroids`);
  }
  assert.equal(new Set(ref.lloydEmptyCluster.labels).size, 4, 'the far centroid\'s cluster was filled');
});

test('NumPy: a rogue dimension makes raw cosine call everything alike; standardized cosine separates the blobs', () => {
  const std = standardizeColumns(rogueRows, rogue.n, rogue.dim);
  const across: number[] = [];
  for (let a = 0; a < rogue.n; a++) for (let b = 0; b < rogue.n; b++) if (rogue.truth[a] !== rogue.truth[b]) across.push(a, b);
  const stats = (rows: Float32Array) => {
    const a = pick(rows, rogue.dim, (i) => rogue.truth[i] === 0);
    const b = pick(rows, rogue.dim, (i) => rogue.truth[i] === 1);
    const unit = normalizeRows(rows, rogue.n, rogue.dim);
    return {
      selfSimilarity: selfSimilarity(rows, rogue.n, rogue.dim),
      acrossBlobs: meanPairCosine(rows, rogue.dim, Int32Array.from(across)),
      centroidCosine01: centroidCosine(a.rows, a.n, b.rows, b.n, rogue.dim),
      silhouette: meanSilhouette(cosineDistances(unit, rogue.n, rogue.dim), rogue.n, Int32Array.from(rogue.truth)),
    };
  };
  const raw = stats(rogueRows);
  const standardized = stats(std);
  for (const key of Object.keys(raw) as (keyof Stats)[]) {
    assertClose(raw[key], rogue.raw[key], `raw ${key}`);
    assertClose(standardized[key], rogue.standardizedStats[key], `standardized ${key}`);
  }
  assert.ok(raw.acrossBlobs > 0.99, `raw: rows of different blobs look alike (${raw.acrossBlobs})`);
  assert.ok(standardized.acrossBlobs < 0, `standardized: rows of different blobs point apart (${standardized.acrossBlobs})`);
  const choice = chooseClusters(std, rogue.n, rogue.dim, 42);
  assert.equal(choice.k, 3);
  assertRecovers(choice.labels, (i) => rogue.truth[i], 3);
});

test('chooseClusters recovers the NumPy blobs (sizes 12, 15, 9) with the truth\'s silhouette', () => {
  const choice = chooseClusters(blobRows, ref.n, ref.dim, 42);
  assert.equal(choice.k, 3);
  assertRecovers(choice.labels, (i) => ref.truth[i], 3);
  assertClose(choice.silhouette, ref.silhouette.truth, 'silhouette');
});

test('kmeans: labels and centroids are each cluster\'s mean; the same seed gives the same result', () => {
  const unit = normalizeRows(blobRows, ref.n, ref.dim);
  const a = kmeans(unit, ref.n, ref.dim, 3, 11);
  assert.deepEqual(kmeans(unit, ref.n, ref.dim, 3, 11), a);
  assertRecovers(a.labels, (i) => ref.truth[i], 3);
  for (let j = 0; j < 3; j++) {
    const members = pick(unit, ref.dim, (i) => a.labels[i] === j);
    const mean = new Array<number>(ref.dim).fill(0);
    for (let i = 0; i < members.n; i++) for (let t = 0; t < ref.dim; t++) mean[t] += members.rows[i * ref.dim + t] / members.n;
    assertClose(a.centroids.subarray(j * ref.dim, (j + 1) * ref.dim), mean, `centroid ${j}`);
  }
  assert.throws(() => kmeans(unit, ref.n, ref.dim, 0, 1), RangeError);
  assert.throws(() => kmeans(unit, 3, ref.dim, 4, 1), RangeError);
});

test('kmeans on duplicated rows still fills every cluster', () => {
  const rows = normalizeRows(Float32Array.from([1, 0, 1, 0, 1, 0, 0, 1]), 4, 2);
  const { labels } = kmeans(rows, 4, 2, 3, 1);
  assert.equal(new Set(labels).size, 3);
});

test('chooseClusters: fewer than 3 rows, identical rows and zero rows are one cluster (no NaN)', () => {
  const single = (n: number) => ({ k: 1, labels: new Int32Array(n), silhouette: 0 });
  for (const n of [0, 1, 2]) assert.deepEqual(chooseClusters(new Float32Array(n * 4).fill(1), n, 4, 1), single(n));
  assert.deepEqual(chooseClusters(new Float32Array(10 * 4).fill(0.5), 10, 4, 1), single(10));
  assert.deepEqual(chooseClusters(new Float32Array(10 * 4), 10, 4, 1), single(10));
});

test('matchClusterIds: any renaming of the same partition gets the previous ids back', () => {
  const partition = fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 40 });
  fc.assert(
    fc.property(partition, fc.shuffledSubarray([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], { minLength: 6, maxLength: 6 }), (labels, rename) => {
      const previous = Int32Array.from(labels);
      assert.deepEqual(Array.from(matchClusterIds(previous, previous.map((l) => rename[l]))), labels);
    }),
    { seed: 3, numRuns: 200 },
  );
});

test('matchClusterIds: maximum total overlap, then the smallest free ids for new clusters', () => {
  // Previous: ids 4 (rows 0–3) and 1 (rows 4–7). Now: cluster 0 = rows 0–2, cluster 1 = rows 3–6, cluster 2 = row 7.
  const previous = Int32Array.from([4, 4, 4, 4, 1, 1, 1, 1]);
  const labels = Int32Array.from([0, 0, 0, 1, 1, 1, 1, 2]);
  // 0→4 (3 shared) and 1→1 (3 shared) total 6; cluster 2 would only take 1 (1 shared) at a cost of 2: it gets id 0.
  assert.deepEqual(Array.from(matchClusterIds(previous, labels)), [4, 4, 4, 1, 1, 1, 1, 0]);
  // A split: the larger part keeps the id, the other part takes the smallest free id.
  assert.deepEqual(Array.from(matchClusterIds(Int32Array.from([0, 0, 0, 0, 0]), Int32Array.from([5, 5, 2, 2, 2]))), [1, 1, 0, 0, 0]);
  assert.throws(() => matchClusterIds(new Int32Array(2), new Int32Array(3)), RangeError);
});

test('matchClusterIds with more than 8 clusters (greedy) still gives renamed ids back', () => {
  const previous = Int32Array.from({ length: 60 }, (_, i) => (i * 7) % 12);
  const renamed = previous.map((l) => 30 - l);
  assert.deepEqual(Array.from(matchClusterIds(previous, renamed)), Array.from(previous));
});

test('clustersOverLayers: a sense keeps its id from layer to layer', () => {
  // The same 3 blobs in both layers, the rows of layer 1 in a different order of first appearance.
  const n = 45;
  const dim = 24;
  const base = blobs(n, dim, 3, 21, 0.3);
  const shifted = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) shifted.set(base.subarray(i * dim, (i + 1) * dim).map((v, t) => v + 0.01 * Math.sin(i + t)), i * dim);
  const [first, second] = clustersOverLayers([base, shifted], n, dim, 8);
  assert.equal(first.k, 3);
  assert.deepEqual(Array.from(second.labels), Array.from(first.labels));
});

test('clustersOverLayers: the last layer numbers its senses 0…k−1; a lower layer that splits finer keeps their ids for the parts it shares', () => {
  // Layer 0: 4 blobs (i % 4); last layer: 2 blobs (i % 2), each the union of two of layer 0's.
  const n = 48;
  const dim = 24;
  const four = blobs(n, dim, 4, 31, 0.2);
  const two = blobs(n, dim, 2, 32, 0.2);
  const [lower, last] = clustersOverLayers([four, two], n, dim, 8);
  assert.equal(last.k, 2);
  assert.deepEqual(new Set(last.labels), new Set([0, 1]));
  assert.equal(lower.k, 4);
  assert.equal(new Set(lower.labels).size, 4);
  // Each of the last layer's senses passes its id to one of the lower layer's clusters inside it.
  for (const id of [0, 1]) {
    const rowsOfLower = Array.from(lower.labels.keys()).filter((i) => lower.labels[i] === id);
    assert.ok(rowsOfLower.length > 0 && rowsOfLower.every((i) => last.labels[i] === id), `lower cluster ${id} lies inside sense ${id}`);
  }
});

test('randomPairsAcrossGroups draws every cross-group ordered pair about equally often, reproducibly', () => {
  const groups = Int32Array.from([0, 0, 0, 1, 2, 2]);
  const valid: string[] = [];
  for (let a = 0; a < 6; a++) for (let b = 0; b < 6; b++) if (groups[a] !== groups[b]) valid.push(`${a},${b}`);
  const pairs = randomPairsAcrossGroups(groups, 22000, 77);
  assert.deepEqual(pairs, randomPairsAcrossGroups(groups, 22000, 77));
  const seen = new Map<string, number>();
  for (let p = 0; p < pairs.length; p += 2) seen.set(`${pairs[p]},${pairs[p + 1]}`, (seen.get(`${pairs[p]},${pairs[p + 1]}`) ?? 0) + 1);
  assert.deepEqual([...seen.keys()].sort(), valid.sort());
  const expected = 22000 / valid.length; // 1000
  for (const [pair, count] of seen) assert.ok(Math.abs(count - expected) < 0.15 * expected, `pair ${pair} drawn ${count} times, expected about ${expected}`);
});

test('clusterSubstitutes: count-weighted mean of the guesses over the cluster, most probable first', () => {
  const substitutes = [
    [{ token: 'river', probability: 0.5 }, { token: 'shore', probability: 0.2 }],
    [{ token: 'river', probability: 0.1 }, { token: 'lake', probability: 0.3 }],
    [{ token: 'money', probability: 0.9 }],
  ];
  const got = clusterSubstitutes(substitutes, Int32Array.from([1, 1, 0]), [3, 1, 5], 1, 2);
  assert.deepEqual(got.map((g) => g.token), ['river', 'shore']);
  assertClose(got.map((g) => g.probability), [(0.5 * 3 + 0.1) / 4, (0.2 * 3) / 4], 'probabilities');
  assert.deepEqual(clusterSubstitutes(substitutes, Int32Array.from([1, 1, 0]), [3, 1, 5], 9, 5), []);
});

test('clusterCollocates: words shared by the cluster\'s contexts and rare elsewhere, the word itself excluded', () => {
  const contexts = [
    ['the', 'bank', 'of', 'the', 'river'],
    ['a', 'river', 'bank', 'flooded'],
    ['fish', 'near', 'the', 'river', 'bank'],
    ['the', 'bank', 'raised', 'interest', 'rates'],
    ['bank', 'interest', 'and', 'the', 'loan'],
    ['the', 'loan', 'from', 'the', 'Bank'],
  ];
  const labels = Int32Array.from([0, 0, 0, 1, 1, 1]);
  const counts = [1, 1, 1, 1, 1, 1];
  const exclude = new Set(['bank']);
  // river: 3/3 − 0 = 1; the: 2/3 − 3/3 < 0; words in one context only are skipped (3 contexts).
  assert.deepEqual(clusterCollocates(contexts, labels, counts, 0, exclude, 5), ['river']);
  // interest 2/3, loan 2/3 (tie: count, then text), the 3/3 − 2/3; "Bank" excluded through its lower case.
  assert.deepEqual(clusterCollocates(contexts, labels, counts, 1, exclude, 5), ['interest', 'loan', 'the']);
  // Two contexts, the first standing for 4 occurrences: its words weigh 4/5 (fish, near: tie, by text) against
  // the second's 1/5, and one-context words are kept (fewer than 3 contexts).
  assert.deepEqual(clusterCollocates(contexts, Int32Array.from([0, 0, 1, 1]), [1, 1, 4, 1], 1, exclude, 2), ['fish', 'near']);
  assert.deepEqual(clusterCollocates(contexts, labels, counts, 7, exclude, 5), []);
});
