/**
 * Quality of a 2-D map against the vectors it was made from: kNN overlap and trustworthiness.
 * Synchronous and brute force. Not part of what ships: only the tests and the benchmark import this
 * file (index.ts does not), so the extension, worker and CLI bundles do not contain it.
 */
import { squaredDistance } from '../vectorMath';
import { checkShape, sampleRows } from './matrix';
import { DEFAULT_PROJECTION_SEED } from './options';

export interface QualityOptions {
  /** Evaluate only this many seeded-random query points (each against all n); default all. */
  sampleSize?: number;
  seed?: number;
}

export interface EmbeddingQuality {
  knnOverlap: number;
  trustworthiness: number;
}

/** One row's squared distances to every row and its k nearest other rows; reused from row to row. */
class RowNeighbours {
  /** Squared distances from the row to each of the n rows. */
  readonly distances: Float64Array;
  /** The k nearest other rows, nearest first, ties → lower index. */
  readonly nearest: Int32Array;
  private readonly nearestDistances: Float64Array;

  constructor(
    private readonly n: number,
    private readonly k: number,
  ) {
    this.distances = new Float64Array(n);
    this.nearest = new Int32Array(k);
    this.nearestDistances = new Float64Array(k);
  }

  /** Fills `distances` and `nearest` for row i of the n×dim matrix m. */
  of(m: Float32Array, dim: number, i: number): this {
    const { n, k, distances: row, nearest: outI, nearestDistances: outD } = this;
    for (let j = 0; j < n; j++) row[j] = squaredDistance(m, i * dim, m, j * dim, dim);
    outD.fill(Infinity);
    outI.fill(-1);
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const d = row[j];
      if (d >= outD[k - 1]) continue; // equal distance: the earlier (lower) index already there wins
      let pos = k - 1;
      while (pos > 0 && outD[pos - 1] > d) {
        outD[pos] = outD[pos - 1];
        outI[pos] = outI[pos - 1];
        pos--;
      }
      outD[pos] = d;
      outI[pos] = j;
    }
    return this;
  }
}

/**
 * knnOverlap and trustworthiness of several 2-D (or `dimLow`-D) embeddings of the same data at
 * once (the high-dimensional distances, the expensive part, are computed once per query point).
 * Trustworthiness (Venna & Kaski): 1 − 2/(n·k·(2n − 3k − 1)) · Σᵢ Σ_{j ∈ Uₖ(i)} (r(i, j) − k),
 * where Uₖ(i) are i's k nearest in the embedding but not in the original space and r is the rank
 * in the original space; requires k < n/2. With sampling, the sum is scaled up by n / samples.
 */
export function embeddingQuality(
  high: Float32Array,
  n: number,
  dimHigh: number,
  lows: Float32Array[],
  k: number,
  dimLow = 2,
  opts: QualityOptions = {},
): EmbeddingQuality[] {
  checkShape(high, n, dimHigh);
  for (const low of lows) checkShape(low, n, dimLow);
  if (!Number.isInteger(k) || k < 1 || k >= n / 2) throw new RangeError(`embeddingQuality: k = ${k} needs 1 ≤ k < n/2 (n = ${n})`);
  const queries =
    opts.sampleSize !== undefined && opts.sampleSize < n ? sampleRows(n, opts.sampleSize, opts.seed ?? DEFAULT_PROJECTION_SEED) : undefined;
  const qCount = queries ? queries.length : n;
  const inHighRow = new RowNeighbours(n, k);
  const inLowRow = new RowNeighbours(n, k);
  const inHigh = new Uint8Array(n);
  const overlap = new Float64Array(lows.length);
  const penalty = new Float64Array(lows.length);
  for (let q = 0; q < qCount; q++) {
    const i = queries ? queries[q] : q;
    const { distances: rowH, nearest: hI } = inHighRow.of(high, dimHigh, i);
    for (let t = 0; t < k; t++) inHigh[hI[t]] = 1;
    lows.forEach((low, e) => {
      const lI = inLowRow.of(low, dimLow, i).nearest;
      let shared = 0;
      for (let t = 0; t < k; t++) {
        const j = lI[t];
        if (inHigh[j]) {
          shared++;
          continue;
        }
        // Rank of j among i's neighbours in the original space (1 = nearest), ties → lower index.
        const dj = rowH[j];
        let rank = 1;
        for (let l = 0; l < n; l++) {
          if (l === i || l === j) continue;
          const dl = rowH[l];
          if (dl < dj || (dl === dj && l < j)) rank++;
        }
        penalty[e] += rank - k;
      }
      overlap[e] += shared / k;
    });
    for (let t = 0; t < k; t++) inHigh[hI[t]] = 0;
  }
  const norm = 2 / (n * k * (2 * n - 3 * k - 1));
  return lows.map((_, e) => ({
    knnOverlap: overlap[e] / qCount,
    trustworthiness: Math.min(1, Math.max(0, 1 - norm * penalty[e] * (n / qCount))),
  }));
}

/** Mean fraction of each point's k nearest neighbours in `high` that are also among its k nearest in `low` (2-D). */
export function knnOverlap(high: Float32Array, low: Float32Array, n: number, dimHigh: number, k: number, opts?: QualityOptions): number {
  if (!Number.isInteger(k) || k < 1 || k > n - 1) throw new RangeError(`knnOverlap: k = ${k} needs 1 ≤ k < n (n = ${n})`);
  return embeddingQualityAnyK(high, n, dimHigh, [low], k, opts)[0].knnOverlap;
}

/** Trustworthiness of the 2-D `low` embedding of `high` with k neighbours (standard definition; k < n/2). In [0, 1]. */
export function trustworthiness(high: Float32Array, low: Float32Array, n: number, dimHigh: number, k: number, opts?: QualityOptions): number {
  return embeddingQuality(high, n, dimHigh, [low], k, 2, opts)[0].trustworthiness;
}

/** knnOverlap is defined for any k < n; trustworthiness's k < n/2 check only applies to it. */
function embeddingQualityAnyK(high: Float32Array, n: number, dimHigh: number, lows: Float32Array[], k: number, opts?: QualityOptions) {
  if (k < n / 2) return embeddingQuality(high, n, dimHigh, lows, k, 2, opts);
  // Large k: compute overlap only.
  checkShape(high, n, dimHigh);
  const inHighRow = new RowNeighbours(n, k);
  const inLowRow = new RowNeighbours(n, k);
  return lows.map((low) => {
    checkShape(low, n, 2);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const hI = inHighRow.of(high, dimHigh, i).nearest;
      const lI = inLowRow.of(low, 2, i).nearest;
      const set = new Set(hI);
      let shared = 0;
      for (const j of lI) if (set.has(j)) shared++;
      total += shared / k;
    }
    return { knnOverlap: total / n, trustworthiness: NaN };
  });
}
