/**
 * k-means on L2-normalised rows: k-means++ seeding (Arthur & Vassilvitskii 2007) then Lloyd's iterations.
 * Hand-written: no dependency of ours does k-means, and this one runs on the rows' Gram matrix (the
 * cosines, computed once per layer for the silhouette anyway), so an iteration costs O(n²) instead of
 * O(n·k·dim): with c_j the mean of cluster C_j,
 *   |x_i − c_j|² = G_ii − 2/|C_j| Σ_{m∈C_j} G_im + 1/|C_j|² Σ_{m,l∈C_j} G_ml,
 * the same squared Euclidean distances as the direct Lloyd's (scripts/senses_reference.py runs that one).
 * Ties go to the lowest cluster index. A cluster left empty takes the point farthest from its own centroid
 * (among clusters of two or more), as scikit-learn does.
 */
import { seededRandom } from '../vectorMath';
import { unitGram } from './similarity';

export interface KMeansResult {
  /** Cluster index (0 … k−1) of every row. */
  labels: Int32Array;
  /** k×dim, row-major: the mean of each cluster's rows. */
  centroids: Float32Array;
}

/** Squared distance of every row to every cluster's mean (n×k; Infinity for an empty cluster), from the Gram matrix. */
function distancesToMeans(gram: Float64Array, n: number, labels: Int32Array, k: number): Float64Array {
  const size = new Float64Array(k);
  for (let i = 0; i < n; i++) size[labels[i]]++;
  const within = new Float64Array(n * k); // within[i·k + j] = Σ_{m∈C_j} G_im
  for (let i = 0; i < n; i++) {
    const o = i * n;
    const w = i * k;
    for (let m = 0; m < n; m++) within[w + labels[m]] += gram[o + m];
  }
  const spread = new Float64Array(k); // Σ_{m,l∈C_j} G_ml
  for (let m = 0; m < n; m++) spread[labels[m]] += within[m * k + labels[m]];
  const dist = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      dist[i * k + j] = size[j] === 0 ? Infinity : Math.max(0, gram[i * n + i] - (2 * within[i * k + j]) / size[j] + spread[j] / (size[j] * size[j]));
    }
  }
  return dist;
}

/** Each row's nearest cluster (lowest index on ties) given n×k distances, then empty clusters re-seeded. */
function assign(dist: Float64Array, n: number, k: number): Int32Array {
  const labels = new Int32Array(n);
  const own = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (dist[i * k + j] < dist[i * k + best]) best = j;
    labels[i] = best;
    own[i] = dist[i * k + best];
  }
  const size = new Int32Array(k);
  for (let i = 0; i < n; i++) size[labels[i]]++;
  for (let j = 0; j < k; j++) {
    if (size[j] > 0) continue;
    let farthest = -1;
    for (let i = 0; i < n; i++) if (size[labels[i]] > 1 && (farthest < 0 || own[i] > own[farthest])) farthest = i;
    if (farthest < 0) break; // fewer rows than clusters
    size[labels[farthest]]--;
    labels[farthest] = j;
    size[j] = 1;
    own[farthest] = 0;
  }
  return labels;
}

/** Lloyd's iterations from `labels` until no row moves or `iterations` assignments are spent. */
function lloyd(gram: Float64Array, n: number, k: number, labels: Int32Array, iterations: number): Int32Array {
  for (let it = 0; it < iterations; it++) {
    const next = assign(distancesToMeans(gram, n, labels, k), n, k);
    if (next.every((label, i) => label === labels[i])) break;
    labels = next;
  }
  return labels;
}

/** Sum of squared distances of the rows to their cluster's mean (k-means' objective). */
export function inertiaOnGram(gram: Float64Array, n: number, k: number, labels: Int32Array): number {
  const dist = distancesToMeans(gram, n, labels, k);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += dist[i * k + labels[i]];
  return sum;
}

/**
 * k-means++ then Lloyd on a Gram matrix (see unitGram): the labels only. `maxIter` counts assignments, the
 * seeding's included. Throws RangeError unless 1 ≤ k ≤ n.
 */
export function kmeansOnGram(gram: Float64Array, n: number, k: number, seed: number, maxIter = 100): Int32Array {
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`kmeans: k must be an integer from 1 to n = ${n} (got ${k})`);
  const random = seededRandom(seed);
  const centers: number[] = [Math.min(n - 1, Math.floor(random() * n))];
  const nearest = new Float64Array(n).fill(Infinity); // D(x)²: squared distance to the nearest chosen center
  const update = (c: number) => {
    for (let i = 0; i < n; i++) nearest[i] = Math.min(nearest[i], Math.max(0, gram[i * n + i] + gram[c * n + c] - 2 * gram[i * n + c]));
  };
  update(centers[0]);
  while (centers.length < k) {
    let total = 0;
    for (let i = 0; i < n; i++) total += nearest[i];
    let chosen = -1;
    if (total > 0) {
      const target = random() * total;
      let running = 0;
      for (let i = 0; i < n && chosen < 0; i++) if (nearest[i] > 0 && (running += nearest[i]) > target) chosen = i;
      if (chosen < 0) for (let i = n - 1; i >= 0 && chosen < 0; i--) if (nearest[i] > 0) chosen = i; // rounding at the end
    } else {
      for (let i = 0; i < n && chosen < 0; i++) if (!centers.includes(i)) chosen = i; // all rows coincide with centers
    }
    centers.push(chosen);
    update(chosen);
  }
  const dist = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const c = centers[j];
      dist[i * k + j] = Math.max(0, gram[i * n + i] + gram[c * n + c] - 2 * gram[i * n + c]);
    }
  }
  return lloyd(gram, n, k, assign(dist, n, k), maxIter - 1);
}

/** The mean row of each cluster (k×dim), summed in float64. */
export function clusterMeans(rows: Float32Array, n: number, dim: number, labels: Int32Array, k: number): Float32Array {
  const sum = new Float64Array(k * dim);
  const size = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const o = labels[i] * dim;
    size[labels[i]]++;
    for (let t = 0; t < dim; t++) sum[o + t] += rows[i * dim + t];
  }
  const means = new Float32Array(k * dim);
  for (let j = 0; j < k; j++) if (size[j] > 0) for (let t = 0; t < dim; t++) means[j * dim + t] = sum[j * dim + t] / size[j];
  return means;
}

/** k-means++ (seeded) then Lloyd on the given L2-normalised rows. */
export function kmeans(unitRows: Float32Array, n: number, dim: number, k: number, seed: number, maxIter = 100): KMeansResult {
  const labels = kmeansOnGram(unitGram(unitRows, n, dim), n, k, seed, maxIter);
  return { labels, centroids: clusterMeans(unitRows, n, dim, labels, k) };
}

/** Lloyd from the given k×dim centroids (`maxIter` assignments, the first one's to these centroids). */
export function kmeansFrom(unitRows: Float32Array, n: number, dim: number, initialCentroids: Float32Array, maxIter = 100): KMeansResult {
  const k = Math.floor(initialCentroids.length / dim);
  if (k < 1 || k > n || k * dim !== initialCentroids.length) throw new RangeError(`kmeansFrom: ${initialCentroids.length} centroid values are not 1 … n rows of ${dim}`);
  const dist = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let t = 0; t < dim; t++) {
        const d = unitRows[i * dim + t] - initialCentroids[j * dim + t];
        s += d * d;
      }
      dist[i * k + j] = s;
    }
  }
  const labels = lloyd(unitGram(unitRows, n, dim), n, k, assign(dist, n, k), maxIter - 1);
  return { labels, centroids: clusterMeans(unitRows, n, dim, labels, k) };
}
