/**
 * PCA by block power (subspace) iteration with Rayleigh–Ritz on the implicit covariance XᵀX:
 * never forms the d×d covariance (n·d²/2 multiply-adds) nor the n×n Gram matrix; each iteration
 * costs 2·n·d·p multiply-adds for a block of p = k + oversampling vectors, and power iteration with
 * deflation is the special case p = 1. Sliced (see slicer.ts).
 */
import { columnMeans, dot, dotRows, gaussianRandom, seededRandom } from '../vectorMath';
import { axpyRows, jacobiEigen, orthonormalizeRows } from './linalg';
import { checkShape, sampleRows } from './matrix';
import { DEFAULT_PROJECTION_SEED, type PcaOptions } from './options';
import { Slicer } from './slicer';

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
        const s = dot(basis, a * d, w, b * d, d);
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
    dotRows(x, o, basis, 0, p, d, y);
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
  for (let c = 0; c < k; c++) offset[c] = dot(mean, 0, components, c * dim, dim);
  const y = new Float64Array(k);
  await slicer.run(0, n, (start, deadline) => {
    let i = start;
    while (i < n) {
      dotRows(vectors, i * dim, components, 0, k, dim, y);
      for (let c = 0; c < k; c++) out[i * k + c] = y[c] - offset[c];
      i++;
      if ((i & 15) === 0 && performance.now() >= deadline) break;
    }
    return i;
  });
  return out;
}

/** Top-k PCA scores (n×k). Exact-ish (converged) unless `sample` limits the fitting rows. */
export async function pcaScores(
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

/**
 * PCA to 2-D: centre, top-2 principal components (block power iteration with Rayleigh–Ritz, at
 * most 15 iterations, stopped at 1e-6 relative change in the eigenvalues), deterministic signs (each component's
 * largest-magnitude entry positive). Returns n×2 scores; n = 0 → empty; a single point or
 * identical points → all zeros; dim = 1 → second coordinate 0. Never NaN for finite input.
 */
export async function projectPca(vectors: Float32Array, n: number, dim: number, opts: PcaOptions = {}): Promise<Float32Array> {
  checkShape(vectors, n, dim);
  const slicer = new Slicer(opts.signal);
  if (n === 0) return new Float32Array(0);
  if (n === 1 || dim === 0) return new Float32Array(n * 2);
  const k = Math.min(2, dim);
  const { scores } = await pcaScores(vectors, n, dim, k, { seed: opts.seed ?? DEFAULT_PROJECTION_SEED, slicer, oversample: 10, maxIter: 15, tol: 1e-6 });
  if (k === 2) return scores;
  const out = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) out[i * 2] = scores[i];
  return out;
}
