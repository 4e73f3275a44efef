/**
 * How alike a word's occurrences are (Ethayarajh 2019, "How Contextual are Contextualized Word
 * Representations?"): self-similarity, the anisotropy baseline's random pairs, and the cosine between two
 * words' centroids. A zero row has no direction: its cosine with anything is 0 (as vectorMath's
 * cosineSimilarity), never NaN.
 */
import { columnMeans, cosineSimilarity, dotRows, seededRandom } from '../vectorMath';

/**
 * Mean cosine over all ordered pairs (i, j), i ≠ j; NaN when n < 2 (no pair to average).
 * With u_i the unit rows (zero rows stay zero), Σ_{i≠j} u_i·u_j = |Σ u_i|² − Σ|u_i|², so this is
 * O(n·dim) instead of O(n²·dim) and exact (Σ|u_i|² counts the non-zero rows; zero rows add 0 to both).
 */
export function selfSimilarity(rows: Float32Array, n: number, dim: number): number {
  if (n < 2) return NaN;
  const sum = new Float64Array(dim);
  let unitRows = 0;
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    let sq = 0;
    for (let j = 0; j < dim; j++) sq += rows[o + j] * rows[o + j];
    if (sq === 0) continue;
    const inv = 1 / Math.sqrt(sq);
    for (let j = 0; j < dim; j++) sum[j] += rows[o + j] * inv;
    unitRows++;
  }
  let total = 0;
  for (let j = 0; j < dim; j++) total += sum[j] * sum[j];
  return (total - unitRows) / (n * n - n);
}

/**
 * `count` seeded pairs [a0, b0, a1, b1, …] of row indices whose groups differ (rows = tokens, groups = the
 * context each came from), drawn uniformly over all such ordered pairs: a with weight n − |group(a)| (the
 * number of partners it has), then b uniformly among the rows of the other groups. Every draw succeeds, so
 * a lopsided corpus costs no rejected draws. Empty when every row is in one group (no such pair exists).
 */
export function randomPairsAcrossGroups(groups: Int32Array, count: number, seed: number): Int32Array {
  const n = groups.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => groups[x] - groups[y] || x - y);
  // Where each group's rows start and end in `order`.
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  order.forEach((row, at) => {
    if (!first.has(groups[row])) first.set(groups[row], at);
    last.set(groups[row], at + 1);
  });
  const partners = new Float64Array(n);
  let totalWeight = 0;
  for (let i = 0; i < n; i++) {
    partners[i] = n - (last.get(groups[i])! - first.get(groups[i])!);
    totalWeight += partners[i];
  }
  if (totalWeight === 0 || count <= 0) return new Int32Array(0);
  const cumulative = new Float64Array(n);
  let running = 0;
  for (let i = 0; i < n; i++) cumulative[i] = running += partners[i];
  const random = seededRandom(seed);
  const pairs = new Int32Array(2 * Math.floor(count));
  for (let p = 0; p < pairs.length; p += 2) {
    const target = random() * totalWeight;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    const a = lo;
    const start = first.get(groups[a])!;
    const end = last.get(groups[a])!;
    // The rows of other groups are order[0 … start) and order[end … n): skip a's own block.
    let at = Math.min(Math.floor(random() * (n - (end - start))), n - (end - start) - 1);
    if (at >= start) at += end - start;
    pairs[p] = a;
    pairs[p + 1] = order[at];
  }
  return pairs;
}

/** Mean cosine of the given row pairs [a0, b0, a1, b1, …]; NaN when there is no pair. */
export function meanPairCosine(rows: Float32Array, dim: number, pairs: Int32Array): number {
  const count = pairs.length >> 1;
  if (count === 0) return NaN;
  let sum = 0;
  for (let p = 0; p < count; p++) sum += cosineSimilarity(rows, rows, pairs[2 * p] * dim, pairs[2 * p + 1] * dim, dim);
  return sum / count;
}

/** Cosine between the mean row of `a` (na × dim) and the mean row of `b` (nb × dim); NaN when either is empty. */
export function centroidCosine(a: Float32Array, na: number, b: Float32Array, nb: number, dim: number): number {
  if (na === 0 || nb === 0) return NaN;
  return cosineSimilarity(columnMeans(a, na, dim), columnMeans(b, nb, dim));
}

/**
 * The n×n matrix of dot products of all row pairs (the cosines, for unit rows), symmetric, float64: what
 * the clustering and the silhouette both read, computed once per layer. Each row against the rows from
 * itself on with vectorMath's dotRows, then mirrored.
 */
export function unitGram(unitRows: Float32Array, n: number, dim: number): Float64Array {
  const gram = new Float64Array(n * n);
  const wide = Float64Array.from(unitRows.subarray(0, n * dim));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    dotRows(unitRows, i * dim, wide, i * dim, n - i, dim, out);
    for (let r = 0; r < n - i; r++) {
      gram[i * n + i + r] = out[r];
      gram[(i + r) * n + i] = out[r];
    }
  }
  return gram;
}
