// The word-senses math (issue 10): standardization, self-similarity, k-means, silhouette, cluster choice
// and id matching, cluster labels. Values against the NumPy reference (scripts/senses_reference.py →
// test/unit/golden/senses-reference.json) and properties no reference is needed for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gaussianRandom, seededRandom } from '../../src/engine/vectorMath';
import { chooseClusters, clustersOverLayers, matchClusterIds } from '../../src/engine/senses/clusters';
import { randomPairsAcrossGroups, selfSimilarity } from '../../src/engine/senses/similarity';

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
