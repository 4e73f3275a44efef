/**
 * The silhouette (Rousseeuw 1987) with cosine distance, as scikit-learn's silhouette_score(metric='cosine'):
 * for row i in cluster A, a(i) = mean distance to the other rows of A, b(i) = the smallest mean distance to
 * the rows of another cluster, s(i) = (b − a) / max(a, b), and s(i) = 0 when A has i alone.
 */
import { unitGram } from './similarity';

/** 1 − cosine from a Gram matrix of unit rows (n×n): the diagonal exactly 0, rounding clamped to [0, 2]. */
export function distancesFromGram(gram: Float64Array, n: number): Float64Array {
  const dist = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) dist[i * n + j] = i === j ? 0 : Math.min(2, Math.max(0, 1 - gram[i * n + j]));
  }
  return dist;
}

/** n×n cosine distances (1 − cos) of L2-normalised rows; a zero row is at distance 1 from everything else. */
export function cosineDistances(unitRows: Float32Array, n: number, dim: number): Float64Array {
  return distancesFromGram(unitGram(unitRows, n, dim), n);
}

/** Mean silhouette over all rows; 0 when the labels make fewer than 2 clusters. Labels are any ids ≥ 0. */
export function meanSilhouette(dist: Float64Array, n: number, labels: Int32Array): number {
  const index = new Map<number, number>();
  for (let i = 0; i < n; i++) if (!index.has(labels[i])) index.set(labels[i], index.size);
  const k = index.size;
  if (k < 2) return 0;
  const cluster = Int32Array.from(labels.subarray(0, n), (label) => index.get(label)!);
  const size = new Float64Array(k);
  for (let i = 0; i < n; i++) size[cluster[i]]++;
  const sums = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const own = cluster[i];
    if (size[own] === 1) continue;
    sums.fill(0);
    const o = i * n;
    for (let j = 0; j < n; j++) sums[cluster[j]] += dist[o + j];
    const a = sums[own] / (size[own] - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own) b = Math.min(b, sums[c] / size[c]);
    const denominator = Math.max(a, b);
    if (denominator > 0) total += (b - a) / denominator;
  }
  return total / n;
}
