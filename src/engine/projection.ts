/**
 * 2-D projections of token vectors: PCA and UMAP. Pure, seeded, no vscode import.
 *
 * Everything heavy runs in slices: loops check a clock and `await` a macrotask (setImmediate)
 * every ~12 ms, so the thread this runs on (the engine worker) stays responsive to messages
 * such as a cancel, and an AbortSignal is honoured at every slice boundary
 * (→ ContextLensError 'CANCELLED').
 *
 * UMAP: umap-js's own `initializeFit` is synchronous and slow (0.7 s blocked at 1,000 points,
 * 2.8 s at 5,000 even with a precomputed kNN: its sparse matrices are string-keyed maps), so it
 * can neither be sliced nor meet the 5 s / 5,000-point target. This file implements the same
 * algorithm (umap-learn / umap-js: smooth kNN distances, fuzzy union, negative-sampling SGD with
 * umap-js's a/b curve fit) on typed arrays, plus three standard speed-ups:
 *   1. vectors are first reduced by PCA to 50 dimensions (fitted on a seeded subsample),
 *   2. exact kNN on the reduced vectors (instead of NN-descent on the full ones),
 *   3. the layout starts from the 2 leading principal components instead of random noise, which
 *      converges in fewer epochs (see defaultEpochs).
 * Quality against umap-js defaults is measured by `knnOverlap` / `trustworthiness` (see bench/).
 */
import { throwIfAborted } from './errors';
import { columnMeans, gaussianRandom, normalizeRows, seededRandom, squaredDistance } from './vectorMath';

export type ProjectionMethod = 'umap' | 'pca';

export interface PcaOptions {
  seed?: number;
  signal?: AbortSignal;
}

export interface UmapOptions {
  seed?: number;
  /** Neighbourhood size including the point itself, as in umap-js (default 15). */
  nNeighbors?: number;
  /** Optimisation epochs; default depends on n (300 up to 1,000 points, 200 up to 2,500, then 120). */
  nEpochs?: number;
  /** Default 0.1, as umap-js. */
  minDist?: number;
  /** 'cosine' compares directions (rows are L2-normalised first); default 'euclidean' like umap-js. */
  metric?: 'euclidean' | 'cosine';
  /** Dimensions kept by the PCA pre-reduction (default 50; no reduction when dim ≤ this). */
  pcaDims?: number;
  signal?: AbortSignal;
  /** Called with a fraction in [0, 1] at slice boundaries and with 1 at the end. */
  onProgress?: (fraction: number) => void;
}

export type ProjectionOptions = UmapOptions;

const DEFAULT_SEED = 42;
const DEFAULT_NEIGHBORS = 15;
const DEFAULT_PCA_DIMS = 50;
/** Rows used to fit the PCA pre-reduction; the fitted basis is then applied to every row. */
const PCA_FIT_SAMPLE = 1000;
const SLICE_MS = 12;

// ---------------------------------------------------------------------------------------------
// Cooperative slicing

const nextMacrotask: () => Promise<void> =
  typeof setImmediate === 'function'
    ? () => new Promise<void>((resolve) => setImmediate(resolve))
    : () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Tracks time since the last yield. Usage in hot loops: `if (s.due()) await s.pause();` */
export class Slicer {
  private last = performance.now();
  constructor(
    private readonly signal?: AbortSignal,
    private readonly sliceMs = SLICE_MS,
    private readonly progress?: () => void,
  ) {
    throwIfAborted(signal);
  }
  due(): boolean {
    return performance.now() - this.last >= this.sliceMs;
  }
  /** performance.now() value at which the current slice should end. */
  deadline(): number {
    return this.last + this.sliceMs;
  }
  /**
   * Runs `chunk(start, deadline) → next` until it returns `end`, yielding between calls. Hot loops
   * live in synchronous chunk functions (V8 optimises them far better than loops inside an async
   * function); a chunk must return once performance.now() passes the deadline.
   */
  async run(start: number, end: number, chunk: (start: number, deadline: number) => number): Promise<void> {
    let i = start;
    while (i < end) {
      if (this.due()) await this.pause();
      i = chunk(i, this.deadline());
    }
  }
  async pause(): Promise<void> {
    this.progress?.();
    await nextMacrotask();
    throwIfAborted(this.signal);
    this.last = performance.now();
  }
}

// ---------------------------------------------------------------------------------------------
// Input checks

function checkShape(vectors: Float32Array, n: number, dim: number): void {
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(dim) || dim < 0) {
    throw new RangeError(`projection: n (${n}) and dim (${dim}) must be non-negative integers`);
  }
  if (vectors.length < n * dim) {
    throw new RangeError(`projection: ${vectors.length} values cannot hold ${n}×${dim}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Symmetric eigendecomposition (cyclic Jacobi) for the small p×p Rayleigh–Ritz matrices

/** Eigen-decomposes symmetric p×p `a` (destroyed). Returns values descending and vectors as columns of `vecs` (p×p, row-major). */
function jacobiEigen(a: Float64Array, p: number): { values: Float64Array; vecs: Float64Array } {
  const v = new Float64Array(p * p);
  for (let i = 0; i < p; i++) v[i * p + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < p; i++) {
      diag += a[i * p + i] * a[i * p + i];
      for (let j = i + 1; j < p; j++) off += a[i * p + j] * a[i * p + j];
    }
    if (off <= 1e-30 * Math.max(diag, 1e-300)) break;
    for (let i = 0; i < p; i++) {
      for (let j = i + 1; j < p; j++) {
        const aij = a[i * p + j];
        if (Math.abs(aij) < 1e-300) continue;
        const aii = a[i * p + i];
        const ajj = a[j * p + j];
        const theta = (ajj - aii) / (2 * aij);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < p; k++) {
          const aki = a[k * p + i];
          const akj = a[k * p + j];
          a[k * p + i] = c * aki - s * akj;
          a[k * p + j] = s * aki + c * akj;
        }
        for (let k = 0; k < p; k++) {
          const aik = a[i * p + k];
          const ajk = a[j * p + k];
          a[i * p + k] = c * aik - s * ajk;
          a[j * p + k] = s * aik + c * ajk;
        }
        for (let k = 0; k < p; k++) {
          const vki = v[k * p + i];
          const vkj = v[k * p + j];
          v[k * p + i] = c * vki - s * vkj;
          v[k * p + j] = s * vki + c * vkj;
        }
      }
    }
  }
  const order = Array.from({ length: p }, (_, i) => i).sort((x, y) => a[y * p + y] - a[x * p + x] || x - y);
  const values = new Float64Array(p);
  const vecs = new Float64Array(p * p);
  order.forEach((src, dst) => {
    values[dst] = a[src * p + src];
    for (let k = 0; k < p; k++) vecs[k * p + dst] = v[k * p + src];
  });
  return { values, vecs };
}

/**
 * Modified Gram–Schmidt (twice, for stability) on the p rows (each length d) of `basis`, in place.
 * A row that collapses (the data has lower rank than p) is replaced by a seeded random direction.
 */
function orthonormalizeRows(basis: Float64Array, p: number, d: number, gauss: () => number): void {
  for (let r = 0; r < p; r++) {
    const o = r * d;
    let original = 0;
    for (let k = 0; k < d; k++) original += basis[o + k] * basis[o + k];
    original = Math.sqrt(original);
    for (let attempt = 0; attempt < 4; attempt++) {
      for (let pass = 0; pass < 2; pass++) {
        for (let q = 0; q < r; q++) {
          const oq = q * d;
          let s = 0;
          for (let k = 0; k < d; k++) s += basis[o + k] * basis[oq + k];
          for (let k = 0; k < d; k++) basis[o + k] -= s * basis[oq + k];
        }
      }
      let norm = 0;
      for (let k = 0; k < d; k++) norm += basis[o + k] * basis[o + k];
      norm = Math.sqrt(norm);
      if (norm > 1e-10 * original && norm > 1e-300) {
        for (let k = 0; k < d; k++) basis[o + k] /= norm;
        break;
      }
      // Collapsed: restart this row from a random direction (original norm becomes its own).
      original = 0;
      for (let k = 0; k < d; k++) {
        basis[o + k] = gauss();
        original += basis[o + k] * basis[o + k];
      }
      original = Math.sqrt(original);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// PCA by block power (subspace) iteration with Rayleigh–Ritz on the implicit covariance XᵀX:
// never forms the d×d covariance (n·d²/2 multiply-adds) nor the n×n Gram matrix; each iteration
// costs 2·n·d·p multiply-adds for a block of p = k + oversampling vectors, and power iteration with
// deflation is the special case p = 1.

interface PcaBasis {
  /** k×d, row-major, orthonormal rows; deterministic sign (largest-|entry| positive). */
  components: Float64Array;
  /** Eigenvalues of XᵀX (not divided by n), descending. */
  values: Float64Array;
  k: number;
}

/** `x` is a centred m×d matrix (row-major). */
async function pcaBasis(
  x: Float32Array,
  m: number,
  d: number,
  k: number,
  opts: { seed: number; oversample: number; maxIter: number; tol: number; slicer: Slicer },
): Promise<PcaBasis> {
  const p = Math.min(d, k + opts.oversample);
  const gauss = gaussianRandom(seededRandom(opts.seed));
  let basis = new Float64Array(p * d);
  for (let i = 0; i < basis.length; i++) basis[i] = gauss();
  orthonormalizeRows(basis, p, d, gauss);
  const y = new Float64Array(p);
  const h = new Float64Array(p * p);
  let previous: Float64Array | undefined;
  let ritz: { values: Float64Array; vecs: Float64Array } = { values: new Float64Array(p), vecs: new Float64Array(p * p) };
  for (let iter = 0; iter < opts.maxIter; iter++) {
    // w = XᵀX · basisᵀ, accumulated row by row of X (one pass over X).
    const w = new Float64Array(p * d);
    const b = basis;
    await opts.slicer.run(0, m, (start, deadline) => covarianceTimes(x, d, p, b, w, y, start, m, deadline));
    // Rayleigh–Ritz: h = basis · w ᵀ (p×p, symmetric).
    for (let a = 0; a < p; a++) {
      for (let b = a; b < p; b++) {
        let s = 0;
        const oa = a * d;
        const ob = b * d;
        for (let k2 = 0; k2 < d; k2++) s += basis[oa + k2] * w[ob + k2];
        h[a * p + b] = s;
        h[b * p + a] = s;
      }
    }
    ritz = jacobiEigen(Float64Array.from(h), p);
    let converged = false;
    const scale = Math.max(Math.abs(ritz.values[0]), 1e-300);
    if (ritz.values[0] <= 0) converged = true; // no variance at all
    else if (previous) {
      let change = 0;
      for (let q = 0; q < k; q++) change = Math.max(change, Math.abs(ritz.values[q] - previous[q]) / scale);
      converged = change < opts.tol;
    }
    previous = ritz.values;
    if (converged || iter === opts.maxIter - 1) break;
    orthonormalizeRows(w, p, d, gauss);
    basis = w;
  }
  // Ritz vectors: components[c] = Σ_q vecs[q][c] · basis[q].
  const components = new Float64Array(k * d);
  for (let c = 0; c < k; c++) {
    const oc = c * d;
    for (let q = 0; q < p; q++) {
      const coef = ritz.vecs[q * p + c];
      const oq = q * d;
      for (let k2 = 0; k2 < d; k2++) components[oc + k2] += coef * basis[oq + k2];
    }
    // Deterministic sign: the entry of largest magnitude is positive (first such index on ties).
    let best = 0;
    for (let k2 = 1; k2 < d; k2++) if (Math.abs(components[oc + k2]) > Math.abs(components[oc + best])) best = k2;
    if (components[oc + best] < 0) for (let k2 = 0; k2 < d; k2++) components[oc + k2] = -components[oc + k2];
  }
  return { components, values: ritz.values.slice(0, k), k };
}

/**
 * y[q] = x[o .. o+d) · rows[q·d .. q·d+d) for q < p. Four rows per pass over x: V8 does not
 * vectorise, and reusing each loaded x value four times is ~3× faster than one dot at a time.
 */
function dotRows(x: Float32Array, o: number, rows: Float64Array, p: number, d: number, y: Float64Array): void {
  let q = 0;
  for (; q + 3 < p; q += 4) {
    const o0 = q * d;
    const o1 = o0 + d;
    const o2 = o1 + d;
    const o3 = o2 + d;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let t = 0; t < d; t++) {
      const xv = x[o + t];
      s0 += xv * rows[o0 + t];
      s1 += xv * rows[o1 + t];
      s2 += xv * rows[o2 + t];
      s3 += xv * rows[o3 + t];
    }
    y[q] = s0;
    y[q + 1] = s1;
    y[q + 2] = s2;
    y[q + 3] = s3;
  }
  for (; q < p; q++) {
    const oq = q * d;
    let s0 = 0;
    for (let t = 0; t < d; t++) s0 += x[o + t] * rows[oq + t];
    y[q] = s0;
  }
}

/** rows[q] += y[q] · x[o .. o+d) for q < p, four rows per pass over x. */
function axpyRows(x: Float32Array, o: number, rows: Float64Array, p: number, d: number, y: Float64Array): void {
  let q = 0;
  for (; q + 3 < p; q += 4) {
    const o0 = q * d;
    const o1 = o0 + d;
    const o2 = o1 + d;
    const o3 = o2 + d;
    const c0 = y[q];
    const c1 = y[q + 1];
    const c2 = y[q + 2];
    const c3 = y[q + 3];
    for (let t = 0; t < d; t++) {
      const xv = x[o + t];
      rows[o0 + t] += c0 * xv;
      rows[o1 + t] += c1 * xv;
      rows[o2 + t] += c2 * xv;
      rows[o3 + t] += c3 * xv;
    }
  }
  for (; q < p; q++) {
    const oq = q * d;
    const c = y[q];
    for (let t = 0; t < d; t++) rows[oq + t] += c * x[o + t];
  }
}

/** Rows [start, …) of w += xᵀ(x·basisᵀ); returns the next row, stopping after `deadline`. */
function covarianceTimes(
  x: Float32Array,
  d: number,
  p: number,
  basis: Float64Array,
  w: Float64Array,
  y: Float64Array,
  start: number,
  end: number,
  deadline: number,
): number {
  let i = start;
  while (i < end) {
    const o = i * d;
    dotRows(x, o, basis, p, d, y);
    axpyRows(x, o, w, p, d, y);
    i++;
    if ((i & 7) === 0 && performance.now() >= deadline) break;
  }
  return i;
}

/** Centred Float32 copy of rows `rows` (or all n) of `vectors`, plus the mean used. */
async function centred(
  vectors: Float32Array,
  n: number,
  dim: number,
  slicer: Slicer,
  rows?: Int32Array,
): Promise<{ x: Float32Array; m: number; mean: Float64Array }> {
  const mean = columnMeans(vectors, n, dim);
  const m = rows ? rows.length : n;
  const x = new Float32Array(m * dim);
  for (let r = 0; r < m; r++) {
    if (slicer.due()) await slicer.pause();
    const src = (rows ? rows[r] : r) * dim;
    const dst = r * dim;
    for (let j = 0; j < dim; j++) x[dst + j] = vectors[src + j] - mean[j];
  }
  return { x, m, mean };
}

/** out[i·k + c] = (vectors[i] − mean) · components[c]. */
async function projectRows(
  vectors: Float32Array,
  n: number,
  dim: number,
  mean: Float64Array,
  basis: PcaBasis,
  slicer: Slicer,
): Promise<Float32Array> {
  const { k, components } = basis;
  const out = new Float32Array(n * k);
  // Fold the mean into a per-component offset: (v − μ)·c = v·c − μ·c.
  const offset = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += mean[j] * components[c * dim + j];
    offset[c] = s;
  }
  const y = new Float64Array(k);
  await slicer.run(0, n, (start, deadline) => {
    let i = start;
    while (i < n) {
      dotRows(vectors, i * dim, components, k, dim, y);
      for (let c = 0; c < k; c++) out[i * k + c] = y[c] - offset[c];
      i++;
      if ((i & 15) === 0 && performance.now() >= deadline) break;
    }
    return i;
  });
  return out;
}

/** Top-k PCA scores (n×k). Exact-ish (converged) unless `sample` limits the fitting rows. */
async function pcaScores(
  vectors: Float32Array,
  n: number,
  dim: number,
  k: number,
  opts: { seed: number; slicer: Slicer; sample?: number; maxIter?: number; tol?: number; oversample?: number },
): Promise<{ scores: Float32Array; values: Float64Array }> {
  let rows: Int32Array | undefined;
  if (opts.sample !== undefined && opts.sample < n) rows = sampleRows(n, opts.sample, opts.seed ^ 0x5bd1e995);
  const { x, m, mean } = await centred(vectors, n, dim, opts.slicer, rows);
  const basis = await pcaBasis(x, m, dim, k, {
    seed: opts.seed,
    oversample: opts.oversample ?? 8,
    maxIter: opts.maxIter ?? 100,
    tol: opts.tol ?? 1e-9,
    slicer: opts.slicer,
  });
  const scores = await projectRows(vectors, n, dim, mean, basis, opts.slicer);
  return { scores, values: basis.values };
}

/** `count` distinct row indices out of n, seeded, in ascending order. */
function sampleRows(n: number, count: number, seed: number): Int32Array {
  const random = seededRandom(seed);
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (n - i));
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return idx.slice(0, count).sort();
}

/**
 * PCA to 2-D: centre, top-2 principal components (block power iteration with Rayleigh–Ritz,
 * converged to 1e-9 relative in the eigenvalues), deterministic signs (each component's
 * largest-magnitude entry positive). Returns n×2 scores; n = 0 → empty; a single point or
 * identical points → all zeros; dim = 1 → second coordinate 0. Never NaN for finite input.
 */
export async function projectPca(vectors: Float32Array, n: number, dim: number, opts: PcaOptions = {}): Promise<Float32Array> {
  checkShape(vectors, n, dim);
  const slicer = new Slicer(opts.signal);
  if (n === 0) return new Float32Array(0);
  if (n === 1 || dim === 0) return new Float32Array(n * 2);
  const k = Math.min(2, dim);
  const { scores } = await pcaScores(vectors, n, dim, k, { seed: opts.seed ?? DEFAULT_SEED, slicer, oversample: 10, maxIter: 15, tol: 1e-6 });
  if (k === 2) return scores;
  const out = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) out[i * 2] = scores[i];
  return out;
}

// ---------------------------------------------------------------------------------------------
// Exact k nearest neighbours (squared Euclidean), sliced

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

/** Rows i ≥ start against all j > i (each pair once, offered to both rows). Returns the next row. */
function knnRows(
  v: Float32Array,
  n: number,
  dim: number,
  k: number,
  norms: Float64Array,
  bestD: Float64Array,
  bestI: Int32Array,
  start: number,
  deadline: number,
): number {
  let i = start;
  while (i < n) {
    const oi = i * dim;
    const ni = norms[i];
    let j = i + 1;
    for (; j + 3 < n; j += 4) {
      const o0 = j * dim;
      const o1 = o0 + dim;
      const o2 = o1 + dim;
      const o3 = o2 + dim;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let t = 0; t < dim; t++) {
        const xv = v[oi + t];
        s0 += xv * v[o0 + t];
        s1 += xv * v[o1 + t];
        s2 += xv * v[o2 + t];
        s3 += xv * v[o3 + t];
      }
      knnOffer(bestD, bestI, k, i, j, ni + norms[j] - 2 * s0);
      knnOffer(bestD, bestI, k, i, j + 1, ni + norms[j + 1] - 2 * s1);
      knnOffer(bestD, bestI, k, i, j + 2, ni + norms[j + 2] - 2 * s2);
      knnOffer(bestD, bestI, k, i, j + 3, ni + norms[j + 3] - 2 * s3);
    }
    for (; j < n; j++) {
      const oj = j * dim;
      let s0 = 0;
      for (let t = 0; t < dim; t++) s0 += v[oi + t] * v[oj + t];
      knnOffer(bestD, bestI, k, i, j, ni + norms[j] - 2 * s0);
    }
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
  for (let i = 0; i < n; i++) {
    let s = 0;
    const o = i * dim;
    for (let j = 0; j < dim; j++) s += vectors[o + j] * vectors[o + j];
    norms[i] = s;
  }
  if (k > 0) {
    await slicer.run(0, n, (start, deadline) => {
      opts.onRow?.(start);
      return knnRows(vectors, n, dim, k, norms, bestD, bestI, start, deadline);
    });
  }
  const distances = new Float32Array(n * k);
  for (let t = 0; t < n * k; t++) distances[t] = Math.sqrt(bestD[t]);
  return { indices: bestI, distances, k };
}

// ---------------------------------------------------------------------------------------------
// UMAP

const SMOOTH_K_TOLERANCE = 1e-5;
const MIN_K_DIST_SCALE = 1e-3;

/**
 * Fuzzy simplicial set as a symmetric directed edge list (both directions present), exactly as
 * umap-js/umap-learn: per-point rho/sigma by binary search, membership exp(−(d−rho)/sigma),
 * fuzzy union w + wᵀ − w∘wᵀ. `knn` excludes self; umap's k includes it, so k_umap = knn.k + 1.
 */
function fuzzyGraph(knn: KnnResult, n: number): { head: Int32Array; tail: Int32Array; weight: Float64Array } {
  const k = knn.k;
  const kUmap = k + 1;
  const target = Math.log2(kUmap);
  const { indices, distances } = knn;
  let meanAll = 0;
  for (let t = 0; t < n * k; t++) meanAll += distances[t];
  meanAll /= Math.max(1, n * kUmap);
  const w = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const base = i * k;
    let rho = 0;
    let sumRow = 0;
    for (let j = 0; j < k; j++) {
      const dj = distances[base + j];
      sumRow += dj;
      if (rho === 0 && dj > 0) rho = dj;
    }
    let lo = 0;
    let hi = Infinity;
    let mid = 1;
    for (let it = 0; it < 64; it++) {
      // umap-js sums over its neighbours 1..k−1 (index 0 is the point itself): all of ours.
      let psum = 0;
      for (let j = 0; j < k; j++) {
        const dd = distances[base + j] - rho;
        psum += dd > 0 ? Math.exp(-(dd / mid)) : 1;
      }
      if (Math.abs(psum - target) < SMOOTH_K_TOLERANCE) break;
      if (psum > target) {
        hi = mid;
        mid = (lo + hi) / 2;
      } else {
        lo = mid;
        mid = hi === Infinity ? mid * 2 : (lo + hi) / 2;
      }
    }
    let sigma = mid;
    const meanRow = sumRow / kUmap;
    if (rho > 0) sigma = Math.max(sigma, MIN_K_DIST_SCALE * meanRow);
    else sigma = Math.max(sigma, MIN_K_DIST_SCALE * meanAll);
    for (let j = 0; j < k; j++) {
      const dd = distances[base + j] - rho;
      w[base + j] = dd <= 0 ? 1 : Math.exp(-(dd / sigma));
    }
  }
  // Fuzzy union. Row lists are short (k), so the reverse weight is found by a linear scan.
  const head: number[] = [];
  const tail: number[] = [];
  const weight: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < k; a++) {
      const j = indices[i * k + a];
      if (j < 0 || j === i) continue;
      const wij = w[i * k + a];
      let wji = 0;
      let reverse = false;
      for (let b = 0; b < k; b++) {
        if (indices[j * k + b] === i) {
          wji = w[j * k + b];
          reverse = true;
          break;
        }
      }
      const u = wij + wji - wij * wji;
      if (u <= 0) continue;
      head.push(i);
      tail.push(j);
      weight.push(u);
      if (!reverse) {
        head.push(j);
        tail.push(i);
        weight.push(u);
      }
    }
  }
  return { head: Int32Array.from(head), tail: Int32Array.from(tail), weight: Float64Array.from(weight) };
}

/**
 * Fewer than umap-js (500/400/300/200): with a PCA start the layout converges sooner; measured on
 * clustered 768-d data, 200 vs 500 epochs at 1,000 points and 120 vs 200 at 5,000 change
 * knnOverlap/trustworthiness by < 0.02 / 0.001 (bench/projectionBench.ts compares with umap-js).
 */
function defaultEpochs(n: number): number {
  return n <= 1000 ? 300 : n <= 2500 ? 200 : 120;
}

/**
 * UMAP to 2-D (see the file comment for how it relates to umap-js). Deterministic for a given
 * seed. Falls back to `projectPca` when n < nNeighbors + 2.
 */
export async function projectUmap(vectors: Float32Array, n: number, dim: number, opts: UmapOptions = {}): Promise<Float32Array> {
  checkShape(vectors, n, dim);
  const seed = opts.seed ?? DEFAULT_SEED;
  const nNeighbors = Math.max(2, Math.floor(opts.nNeighbors ?? DEFAULT_NEIGHBORS));
  const progress = opts.onProgress;
  let stage = 0; // fraction reached by finished stages
  let stageShare = 0;
  let stageDone = 0;
  const report = (): void => progress?.(Math.min(1, stage + stageShare * stageDone));
  const slicer = new Slicer(opts.signal, SLICE_MS, progress ? report : undefined);
  if (n < nNeighbors + 2 || dim === 0) {
    const out = await projectPca(vectors, n, dim, { seed, signal: opts.signal });
    progress?.(1);
    return out;
  }

  // 1. Metric and PCA pre-reduction (its first two columns are also the initial layout).
  const input = opts.metric === 'cosine' ? normalizeRows(vectors, n, dim) : vectors;
  const pcaDims = Math.max(2, Math.floor(opts.pcaDims ?? DEFAULT_PCA_DIMS));
  const reducedDim = Math.min(dim, pcaDims);
  stageShare = 0.15;
  const { scores: reduced } = await pcaScores(input, n, dim, reducedDim, {
    seed,
    slicer,
    sample: PCA_FIT_SAMPLE,
    maxIter: 2,
    oversample: 10,
    tol: 1e-6,
  });
  stage = 0.15;

  // 2. Exact kNN on the reduced vectors.
  stageShare = 0.4;
  const pairsTotal = (n * (n - 1)) / 2;
  const knn = await exactKnn(reduced, n, reducedDim, nNeighbors - 1, {
    slicer,
    onRow: progress ? (i) => (stageDone = (i * n - (i * (i + 1)) / 2) / pairsTotal) : undefined,
  });
  stage = 0.55;
  stageDone = 0;

  // 3. Fuzzy graph, pruned and turned into sampling schedules as umap-js does.
  const nEpochs = Math.max(1, Math.floor(opts.nEpochs ?? defaultEpochs(n)));
  const graph = fuzzyGraph(knn, n);
  let maxW = 0;
  for (let e = 0; e < graph.weight.length; e++) if (graph.weight[e] > maxW) maxW = graph.weight[e];
  const keep: number[] = [];
  for (let e = 0; e < graph.weight.length; e++) if (graph.weight[e] >= maxW / nEpochs) keep.push(e);
  const edges = keep.length;
  const head = new Int32Array(edges);
  const tail = new Int32Array(edges);
  const epochsPerSample = new Float64Array(edges);
  for (let t = 0; t < edges; t++) {
    const e = keep[t];
    head[t] = graph.head[e];
    tail[t] = graph.tail[e];
    epochsPerSample[t] = maxW / graph.weight[e];
  }
  const negativeSampleRate = 5;
  const epochsPerNegative = epochsPerSample.map((v) => v / negativeSampleRate);
  const nextSample = Float64Array.from(epochsPerSample);
  const nextNegative = Float64Array.from(epochsPerNegative);

  // 4. Initial layout: leading two principal components scaled to ±10, plus tiny seeded noise
  //    (umap-learn's init="pca" / noisy_scale_coords).
  const random = seededRandom(seed ^ 0x9e3779b9);
  const emb = new Float64Array(n * 2);
  let maxAbs = 0;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 2; c++) {
      const v = c < reducedDim ? reduced[i * reducedDim + c] : 0;
      emb[i * 2 + c] = v;
      maxAbs = Math.max(maxAbs, Math.abs(v));
    }
  }
  const scale = maxAbs > 0 ? 10 / maxAbs : 0;
  const gauss = gaussianRandom(random);
  for (let t = 0; t < n * 2; t++) emb[t] = emb[t] * scale + gauss() * 1e-4;

  // 5. Negative-sampling SGD (umap-js optimizeLayoutStep on typed arrays).
  const { a, b } = fitAB(opts.minDist ?? 0.1);
  const sgd: SgdState = { emb, n, head, tail, epochsPerSample, epochsPerNegative, nextSample, nextNegative, a, b, nEpochs, random };
  stageShare = 1 - stage;
  // Cursor over (epoch, edge) flattened as epoch·edges + edge.
  const total = nEpochs * edges;
  await slicer.run(0, total, (start, deadline) => {
    stageDone = start / total;
    return sgdChunk(sgd, start, deadline);
  });
  const out = new Float32Array(n * 2);
  for (let t = 0; t < n * 2; t++) out[t] = emb[t];
  progress?.(1);
  return out;
}

interface SgdState {
  emb: Float64Array;
  n: number;
  head: Int32Array;
  tail: Int32Array;
  epochsPerSample: Float64Array;
  epochsPerNegative: Float64Array;
  nextSample: Float64Array;
  nextNegative: Float64Array;
  a: number;
  b: number;
  nEpochs: number;
  random: () => number;
}

/**
 * umap-js optimizeLayoutStep (gamma 1, initial learning rate 1, gradient clip 4, negative sample
 * rate folded into epochsPerNegative), from flattened cursor `start` = epoch·edges + edge until
 * the deadline or the end of the last epoch. Returns the next cursor.
 */
function sgdChunk(st: SgdState, start: number, deadline: number): number {
  const { emb, n, head, tail, epochsPerSample, epochsPerNegative, nextSample, nextNegative, a, b, nEpochs, random } = st;
  const edges = head.length;
  let epoch = Math.floor(start / edges);
  let e = start - epoch * edges;
  let alpha = 1 - epoch / nEpochs;
  let counter = 0;
  while (epoch < nEpochs) {
    if (nextSample[e] <= epoch) {
      const j = head[e] * 2;
      const k = tail[e] * 2;
      let dx = emb[j] - emb[k];
      let dy = emb[j + 1] - emb[k + 1];
      let d2 = dx * dx + dy * dy;
      if (d2 > 0) {
        const pb = Math.exp(b * Math.log(d2)); // d2^b; exp∘log is ~2× faster than Math.pow in V8
        const coeff = (-2 * a * b * (pb / d2)) / (a * pb + 1);
        let gx = coeff * dx;
        let gy = coeff * dy;
        gx = (gx > 4 ? 4 : gx < -4 ? -4 : gx) * alpha;
        gy = (gy > 4 ? 4 : gy < -4 ? -4 : gy) * alpha;
        emb[j] += gx;
        emb[j + 1] += gy;
        emb[k] -= gx;
        emb[k + 1] -= gy;
      }
      nextSample[e] += epochsPerSample[e];
      const nNeg = Math.floor((epoch - nextNegative[e]) / epochsPerNegative[e]);
      for (let p = 0; p < nNeg; p++) {
        const other = Math.floor(random() * n) * 2;
        dx = emb[j] - emb[other];
        dy = emb[j + 1] - emb[other + 1];
        d2 = dx * dx + dy * dy;
        if (d2 > 0) {
          const coeff = (2 * b) / ((0.001 + d2) * (a * Math.exp(b * Math.log(d2)) + 1));
          let gx = coeff * dx;
          let gy = coeff * dy;
          gx = gx > 4 ? 4 : gx < -4 ? -4 : gx;
          gy = gy > 4 ? 4 : gy < -4 ? -4 : gy;
          emb[j] += gx * alpha;
          emb[j + 1] += gy * alpha;
        } else if (j !== other) {
          emb[j] += 4 * alpha;
          emb[j + 1] += 4 * alpha;
        }
      }
      nextNegative[e] += nNeg * epochsPerNegative[e];
      counter += nNeg + 1;
    }
    e++;
    if (e === edges) {
      e = 0;
      epoch++;
      alpha = 1 - epoch / nEpochs;
    }
    if (++counter >= 2048) {
      counter = 0;
      if (performance.now() >= deadline) break;
    }
  }
  return epoch * edges + e;
}

const abCache = new Map<number, { a: number; b: number }>();
/**
 * umap-learn's find_ab_params: least-squares fit of 1 / (1 + a·x^(2b)) to the target membership
 * curve (1 below min_dist, exp(−(x − min_dist)/spread) above) on 300 points in [0, 3·spread],
 * by Levenberg–Marquardt. min_dist 0.1, spread 1 → a ≈ 1.577, b ≈ 0.895, the values umap-js's
 * own findABParams gives (it is not exported from umap-js's package entry point).
 */
export function fitAB(minDist: number, spread = 1): { a: number; b: number } {
  const key = minDist * 1000 + spread;
  const cached = abCache.get(key);
  if (cached) return cached;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < 300; i++) {
    const x = (3 * spread * i) / 299;
    if (x <= 0) continue; // f(0) = 1 for any a, b: no information
    xs.push(x);
    ys.push(x < minDist ? 1 : Math.exp(-(x - minDist) / spread));
  }
  const cost = (a: number, b: number): number => {
    let c = 0;
    for (let i = 0; i < xs.length; i++) {
      const r = 1 / (1 + a * Math.pow(xs[i], 2 * b)) - ys[i];
      c += r * r;
    }
    return c;
  };
  let a = 1.5;
  let b = 0.8;
  let lambda = 1e-3;
  let current = cost(a, b);
  for (let it = 0; it < 200; it++) {
    let jaa = 0;
    let jab = 0;
    let jbb = 0;
    let ga = 0;
    let gb = 0;
    for (let i = 0; i < xs.length; i++) {
      const p = Math.pow(xs[i], 2 * b);
      const den = 1 + a * p;
      const r = 1 / den - ys[i];
      const da = -p / (den * den);
      const db = (-a * p * 2 * Math.log(xs[i])) / (den * den);
      jaa += da * da;
      jab += da * db;
      jbb += db * db;
      ga += da * r;
      gb += db * r;
    }
    let improved = false;
    for (let tries = 0; tries < 20 && !improved; tries++) {
      const m00 = jaa * (1 + lambda);
      const m11 = jbb * (1 + lambda);
      const det = m00 * m11 - jab * jab;
      const stepA = -(m11 * ga - jab * gb) / det;
      const stepB = -(m00 * gb - jab * ga) / det;
      const na = a + stepA;
      const nb = b + stepB;
      const c = na > 0 && nb > 0 ? cost(na, nb) : Infinity;
      if (c < current) {
        const done = current - c < 1e-15 * Math.max(1, current);
        a = na;
        b = nb;
        current = c;
        lambda = Math.max(lambda / 10, 1e-12);
        improved = true;
        if (done) it = 200;
      } else lambda *= 10;
    }
    if (!improved) break;
  }
  const r = { a, b };
  abCache.set(key, r);
  return r;
}

/** Dispatches to `projectUmap` or `projectPca` (PCA ignores the UMAP-only options). */
export function projectionFor(
  method: ProjectionMethod,
  vectors: Float32Array,
  n: number,
  dim: number,
  opts: ProjectionOptions = {},
): Promise<Float32Array> {
  if (method === 'umap') return projectUmap(vectors, n, dim, opts);
  if (method === 'pca') {
    return projectPca(vectors, n, dim, { seed: opts.seed, signal: opts.signal }).then((r) => {
      opts.onProgress?.(1);
      return r;
    });
  }
  return Promise.reject(new RangeError(`Unknown projection method: ${String(method)}`));
}

// ---------------------------------------------------------------------------------------------
// Quality measures (synchronous; for tests and the benchmark, not the UI path)

export interface QualityOptions {
  /** Evaluate only this many seeded-random query points (each against all n); default all. */
  sampleSize?: number;
  seed?: number;
}

export interface EmbeddingQuality {
  knnOverlap: number;
  trustworthiness: number;
}

/** Squared distances from row i to every row, into `out`. */
function distanceRow(m: Float32Array, n: number, dim: number, i: number, out: Float64Array): void {
  for (let j = 0; j < n; j++) out[j] = squaredDistance(m, i * dim, m, j * dim, dim);
}

/** Indices of the k smallest of row (excluding `self`), ties → lower index. */
function kSmallest(row: Float64Array, n: number, self: number, k: number, outI: Int32Array, outD: Float64Array): void {
  outD.fill(Infinity);
  outI.fill(-1);
  for (let j = 0; j < n; j++) {
    if (j === self) continue;
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
    opts.sampleSize !== undefined && opts.sampleSize < n ? sampleRows(n, opts.sampleSize, opts.seed ?? DEFAULT_SEED) : undefined;
  const qCount = queries ? queries.length : n;
  const rowH = new Float64Array(n);
  const rowL = new Float64Array(n);
  const hI = new Int32Array(k);
  const hD = new Float64Array(k);
  const lI = new Int32Array(k);
  const lD = new Float64Array(k);
  const inHigh = new Uint8Array(n);
  const overlap = new Float64Array(lows.length);
  const penalty = new Float64Array(lows.length);
  for (let q = 0; q < qCount; q++) {
    const i = queries ? queries[q] : q;
    distanceRow(high, n, dimHigh, i, rowH);
    kSmallest(rowH, n, i, k, hI, hD);
    for (let t = 0; t < k; t++) inHigh[hI[t]] = 1;
    lows.forEach((low, e) => {
      distanceRow(low, n, dimLow, i, rowL);
      kSmallest(rowL, n, i, k, lI, lD);
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
  const rowH = new Float64Array(n);
  const rowL = new Float64Array(n);
  const hI = new Int32Array(k);
  const hD = new Float64Array(k);
  const lI = new Int32Array(k);
  const lD = new Float64Array(k);
  return lows.map((low) => {
    checkShape(low, n, 2);
    let total = 0;
    for (let i = 0; i < n; i++) {
      distanceRow(high, n, dimHigh, i, rowH);
      kSmallest(rowH, n, i, k, hI, hD);
      distanceRow(low, n, 2, i, rowL);
      kSmallest(rowL, n, i, k, lI, lD);
      const set = new Set(hI);
      let shared = 0;
      for (const j of lI) if (set.has(j)) shared++;
      total += shared / k;
    }
    return { knnOverlap: total / n, trustworthiness: NaN };
  });
}
