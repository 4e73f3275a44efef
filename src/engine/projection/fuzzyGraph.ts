/**
 * UMAP's fuzzy simplicial set from the k nearest neighbours (umap-learn / umap-js:
 * smooth kNN distances, membership strengths, fuzzy union), on typed arrays.
 */
import type { KnnResult } from './knn';

const SMOOTH_K_TOLERANCE = 1e-5;
const MIN_K_DIST_SCALE = 1e-3;

/**
 * Fuzzy simplicial set as a symmetric directed edge list (both directions present), exactly as
 * umap-js/umap-learn: per-point rho/sigma by binary search, membership exp(−(d−rho)/sigma),
 * fuzzy union w + wᵀ − w∘wᵀ. `knn` excludes self; umap's k includes it, so k_umap = knn.k + 1.
 */
export function fuzzyGraph(knn: KnnResult, n: number): { head: Int32Array; tail: Int32Array; weight: Float64Array } {
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
