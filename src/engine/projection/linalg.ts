/**
 * Dense linear algebra on the small float64 blocks of the PCA: the symmetric eigendecomposition of
 * the p×p Rayleigh–Ritz matrix, orthonormalisation of a block of p rows, and the rank-1 updates
 * that accumulate XᵀX times a block.
 */
import { dot } from '../vectorMath';

/** Eigen-decomposes symmetric p×p `a` (destroyed) by cyclic Jacobi. Returns values descending and vectors as columns of `vecs` (p×p, row-major). */
export function jacobiEigen(a: Float64Array, p: number): { values: Float64Array; vecs: Float64Array } {
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
export function orthonormalizeRows(basis: Float64Array, p: number, d: number, gauss: () => number): void {
  for (let r = 0; r < p; r++) {
    const o = r * d;
    let original = Math.sqrt(dot(basis, o, basis, o, d));
    for (let attempt = 0; attempt < 4; attempt++) {
      for (let pass = 0; pass < 2; pass++) {
        for (let q = 0; q < r; q++) {
          const oq = q * d;
          const s = dot(basis, o, basis, oq, d);
          for (let k = 0; k < d; k++) basis[o + k] -= s * basis[oq + k];
        }
      }
      const norm = Math.sqrt(dot(basis, o, basis, o, d));
      if (norm > 1e-10 * original && norm > 1e-300) {
        for (let k = 0; k < d; k++) basis[o + k] /= norm;
        break;
      }
      // Collapsed: restart this row from a random direction (original norm becomes its own).
      for (let k = 0; k < d; k++) basis[o + k] = gauss();
      original = Math.sqrt(dot(basis, o, basis, o, d));
    }
  }
}

/** rows[q] += y[q] · x[o .. o+d) for q < p, four rows per pass over x (as `dotRows`). */
export function axpyRows(x: Float32Array, o: number, rows: Float64Array, p: number, d: number, y: Float64Array): void {
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
