/** Exact k nearest neighbours (squared Euclidean) of every row, sliced. */
import { dot, dotRows } from '../vectorMath';
import { checkShape } from './matrix';
import { Slicer } from './slicer';

export interface KnnResult {
  /** n×k neighbour indices, nearest first, the point itself excluded. */
  indices: Int32Array;
  /** n×k Euclidean distances matching `indices`. */
  distances: Float32Array;
  k: number;
}

/** Inserts (d2, idx) into row's sorted (distance, index) list of length k. */
function knnInsert(bestD: Float64Array, bestI: Int32Array, k: number, row: number, d2: number, idx: number): void {
  const base = row * k;
  let pos = k - 1;
  while (pos > 0 && (bestD[base + pos - 1] > d2 || (bestD[base + pos - 1] === d2 && bestI[base + pos - 1] > idx))) {
    bestD[base + pos] = bestD[base + pos - 1];
    bestI[base + pos] = bestI[base + pos - 1];
    pos--;
  }
  bestD[base + pos] = d2;
  bestI[base + pos] = idx;
}

/** Offers the pair (i, j), i < j, at squared distance d2 to both rows' lists. */
function knnOffer(bestD: Float64Array, bestI: Int32Array, k: number, i: number, j: number, d2: number): void {
  if (d2 < 0) d2 = 0; // rounding in ‖a‖² + ‖b‖² − 2a·b
  const lastI = i * k + k - 1;
  if (d2 < bestD[lastI] || (d2 === bestD[lastI] && j < bestI[lastI])) knnInsert(bestD, bestI, k, i, d2, j);
  const lastJ = j * k + k - 1;
  if (d2 < bestD[lastJ] || (d2 === bestD[lastJ] && i < bestI[lastJ])) knnInsert(bestD, bestI, k, j, d2, i);
}

interface KnnState {
  /** The rows, and the same values in float64 for dotRows's second operand. */
  v: Float32Array;
  v64: Float64Array;
  n: number;
  dim: number;
  k: number;
  norms: Float64Array;
  bestD: Float64Array;
  bestI: Int32Array;
  /** Row i's dot products with rows i+1 … n−1. */
  dots: Float64Array;
}

/** Rows i ≥ start against all j > i (each pair once, offered to both rows). Returns the next row. */
function knnRows(st: KnnState, start: number, deadline: number): number {
  const { v, v64, n, dim, k, norms, bestD, bestI, dots } = st;
  let i = start;
  while (i < n) {
    const ni = norms[i];
    const later = n - i - 1;
    dotRows(v, i * dim, v64, (i + 1) * dim, later, dim, dots);
    for (let r = 0; r < later; r++) knnOffer(bestD, bestI, k, i, i + 1 + r, ni + norms[i + 1 + r] - 2 * dots[r]);
    i++;
    if (performance.now() >= deadline) break;
  }
  return i;
}

/** Exact kNN of every row (self excluded), ties broken by lower index. Requires k ≤ n − 1. */
export async function exactKnn(
  vectors: Float32Array,
  n: number,
  dim: number,
  k: number,
  opts: { signal?: AbortSignal; slicer?: Slicer; onRow?: (i: number) => void } = {},
): Promise<KnnResult> {
  checkShape(vectors, n, dim);
  if (k < 0 || k > Math.max(0, n - 1)) throw new RangeError(`exactKnn: k = ${k} needs 0 ≤ k < n = ${n}`);
  const slicer = opts.slicer ?? new Slicer(opts.signal);
  const bestD = new Float64Array(n * k).fill(Infinity);
  const bestI = new Int32Array(n * k).fill(-1);
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) norms[i] = dot(vectors, i * dim, vectors, i * dim, dim);
  if (k > 0) {
    // float32 → float64 is exact: the dot products are the same numbers as on the float32 rows.
    const st: KnnState = { v: vectors, v64: Float64Array.from(vectors.subarray(0, n * dim)), n, dim, k, norms, bestD, bestI, dots: new Float64Array(n) };
    await slicer.run(0, n, (start, deadline) => {
      opts.onRow?.(start);
      return knnRows(st, start, deadline);
    });
  }
  const distances = new Float32Array(n * k);
  for (let t = 0; t < n * k; t++) distances[t] = Math.sqrt(bestD[t]);
  return { indices: bestI, distances, k };
}
