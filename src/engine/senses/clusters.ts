/**
 * A word's sense clusters at one layer and across layers. At each layer: k-means for k = 2 … min(6, n − 1)
 * on the L2-normalised vectors, the k with the best mean silhouette (cosine distance) kept, and a single
 * cluster when none reaches MIN_SILHOUETTE (a word used in one sense should not be cut in two). Between
 * neighbouring layers ids are matched by overlap, so a sense keeps its id (and its colour) where it can.
 */
import { normalizeRows } from '../vectorMath';
import { inertiaOnGram, kmeansOnGram } from './kmeans';
import { distancesFromGram, meanSilhouette } from './silhouette';
import { unitGram } from './similarity';

export interface ClusterChoice {
  /** Number of clusters (1 when no k reaches MIN_SILHOUETTE). */
  k: number;
  /** Cluster id of every row. From chooseClusters: 0 … k−1 in order of first appearance. */
  labels: Int32Array;
  /** Mean silhouette of this clustering (0 when k = 1). */
  silhouette: number;
}

/** Below this mean silhouette the clusters are not told apart (Rousseeuw: ≤ 0.25 "no substantial structure"; 0.1 is permissive on purpose). */
export const MIN_SILHOUETTE = 0.1;
export const MAX_CLUSTERS = 6;
/** k-means++ runs per k, the lowest inertia kept: one unlucky seeding must not hide a clear sense split. */
const RESTARTS = 4;

/** Ids 0, 1, … in order of first appearance, so equal partitions get equal labels whatever the seed. */
function canonical(labels: Int32Array): Int32Array {
  const ids = new Map<number, number>();
  return labels.map((label) => {
    if (!ids.has(label)) ids.set(label, ids.size);
    return ids.get(label)!;
  });
}

/** The best k-means clustering (k = 1 … 6) of n rows of `dim` by mean silhouette with cosine distance. */
export function chooseClusters(rows: Float32Array, n: number, dim: number, seed: number): ClusterChoice {
  const single: ClusterChoice = { k: 1, labels: new Int32Array(n), silhouette: 0 };
  if (n < 3) return single;
  const gram = unitGram(normalizeRows(rows, n, dim), n, dim);
  const dist = distancesFromGram(gram, n);
  let best = single;
  for (let k = 2; k <= Math.min(MAX_CLUSTERS, n - 1); k++) {
    let labels: Int32Array | undefined;
    let inertia = Infinity;
    for (let r = 0; r < RESTARTS; r++) {
      const candidate = kmeansOnGram(gram, n, k, (seed + r * 0x9e3779b9) >>> 0);
      const candidateInertia = inertiaOnGram(gram, n, k, candidate);
      if (candidateInertia < inertia) [labels, inertia] = [candidate, candidateInertia];
    }
    const silhouette = meanSilhouette(dist, n, labels!);
    if (silhouette >= MIN_SILHOUETTE && silhouette > best.silhouette) best = { k: new Set(labels).size, labels: canonical(labels!), silhouette };
  }
  return best;
}

function distinct(labels: Int32Array): number[] {
  return [...new Set(labels)].sort((a, b) => a - b);
}

/**
 * `labels` renamed so that each cluster takes the id of the previous layer's cluster it shares most rows
 * with, the pairing chosen to maximise the total shared rows (each previous id used once; exhaustive
 * search, as there are at most 6 clusters a side). Clusters that share no row with a free previous cluster
 * get the smallest ids no matched cluster took, in the order of their own ids.
 */
export function matchClusterIds(previous: Int32Array, labels: Int32Array): Int32Array {
  if (previous.length !== labels.length) throw new RangeError(`matchClusterIds: ${previous.length} previous labels for ${labels.length} rows`);
  const current = distinct(labels);
  const before = distinct(previous);
  const overlap = current.map((c) => before.map((p) => labels.reduce((s, label, i) => s + (label === c && previous[i] === p ? 1 : 0), 0)));
  const chosen = new Array<number>(current.length).fill(-1); // index into `before`, or −1
  if (current.length <= 8 && before.length <= 8) {
    let bestTotal = -1;
    let bestChoice = chosen.slice();
    const used = new Array<boolean>(before.length).fill(false);
    const search = (c: number, total: number) => {
      if (c === current.length) {
        if (total > bestTotal) [bestTotal, bestChoice] = [total, chosen.slice()];
        return;
      }
      for (let p = 0; p < before.length; p++) {
        if (used[p] || overlap[c][p] === 0) continue;
        used[p] = true;
        chosen[c] = p;
        search(c + 1, total + overlap[c][p]);
        used[p] = false;
      }
      chosen[c] = -1;
      search(c + 1, total);
    };
    search(0, 0);
    bestChoice.forEach((p, c) => (chosen[c] = p));
  } else {
    // Many clusters (not from chooseClusters): greedily, largest overlaps first.
    const pairs = current.flatMap((_, c) => before.map((__, p) => [overlap[c][p], c, p])).filter(([o]) => o > 0);
    pairs.sort((x, y) => y[0] - x[0] || x[1] - y[1] || x[2] - y[2]);
    const taken = new Set<number>();
    for (const [, c, p] of pairs) {
      if (chosen[c] >= 0 || taken.has(p)) continue;
      chosen[c] = p;
      taken.add(p);
    }
  }
  const id = new Map<number, number>();
  chosen.forEach((p, c) => p >= 0 && id.set(current[c], before[p]));
  const usedIds = new Set(id.values());
  let free = 0;
  for (const c of current) {
    if (id.has(c)) continue;
    while (usedIds.has(free)) free++;
    id.set(c, free);
    usedIds.add(free);
  }
  return labels.map((label) => id.get(label)!);
}

/**
 * chooseClusters at every layer, ids matched from the last layer downward (each layer against the one
 * above). The last layer, where the senses are, numbers its clusters 0…k−1, so the default view reads
 * "Sense 1, Sense 2"; lower layers, which often split by position into more clusters, take the ids of the
 * senses they overlap and new ids for the rest.
 */
export function clustersOverLayers(layers: Float32Array[], n: number, dim: number, seed: number): ClusterChoice[] {
  const out: ClusterChoice[] = new Array(layers.length);
  for (let l = layers.length - 1; l >= 0; l--) {
    const choice = chooseClusters(layers[l], n, dim, seed);
    out[l] = l < layers.length - 1 ? { ...choice, labels: matchClusterIds(out[l + 1].labels, choice.labels) } : choice;
  }
  return out;
}
