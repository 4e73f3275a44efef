/** The n×dim row-major matrices every projection step takes: their shape check and seeded row samples. */
import { seededRandom } from '../vectorMath';

export function checkShape(vectors: Float32Array, n: number, dim: number): void {
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(dim) || dim < 0) {
    throw new RangeError(`projection: n (${n}) and dim (${dim}) must be non-negative integers`);
  }
  if (vectors.length < n * dim) {
    throw new RangeError(`projection: ${vectors.length} values cannot hold ${n}×${dim}`);
  }
}

/** `count` distinct row indices out of n, seeded, in ascending order. */
export function sampleRows(n: number, count: number, seed: number): Int32Array {
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
