/**
 * Small, dependency-free numeric helpers on row-major Float32Array / Float64Array matrices.
 * Everything here is synchronous and pure; callers that loop over many rows are responsible
 * for yielding to the event loop between rows (see projection/slicer.ts).
 */

export type NumericArray = Float32Array | Float64Array;

/** Dot product of a[offsetA .. offsetA+dim) and b[offsetB .. offsetB+dim), summed in index order. */
export function dot(a: NumericArray, offsetA: number, b: NumericArray, offsetB: number, dim: number): number {
  let s = 0;
  for (let t = 0; t < dim; t++) s += a[offsetA + t] * b[offsetB + t];
  return s;
}

/**
 * out[r] = a[offsetA .. offsetA+dim) · b[offsetB + r·dim .. offsetB + r·dim + dim) for r < rows: the
 * dot-product kernel of the projection's hot loops (PCA's covariance products and scores, exact kNN).
 * Each row is summed in index order, exactly as `dot`. Four rows of b per pass over a: V8 does not
 * vectorise, and reusing each loaded a value four times is ~3× faster than one dot at a time.
 * The element types are fixed (the data in float32, b in float64) so that V8 sees one element kind
 * per load in this loop: a caller with float32 rows for b converts them once (exactly) beforehand
 * (knn.ts does; passing its float32 rows as b instead made the kNN ~35% slower, measured).
 */
export function dotRows(a: Float32Array, offsetA: number, b: Float64Array, offsetB: number, rows: number, dim: number, out: Float64Array): void {
  let r = 0;
  for (; r + 3 < rows; r += 4) {
    const o0 = offsetB + r * dim;
    const o1 = o0 + dim;
    const o2 = o1 + dim;
    const o3 = o2 + dim;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let t = 0; t < dim; t++) {
      const av = a[offsetA + t];
      s0 += av * b[o0 + t];
      s1 += av * b[o1 + t];
      s2 += av * b[o2 + t];
      s3 += av * b[o3 + t];
    }
    out[r] = s0;
    out[r + 1] = s1;
    out[r + 2] = s2;
    out[r + 3] = s3;
  }
  for (; r < rows; r++) out[r] = dot(a, offsetA, b, offsetB + r * dim, dim);
}

/** Squared Euclidean distance between two rows. */
export function squaredDistance(a: NumericArray, offsetA: number, b: NumericArray, offsetB: number, dim: number): number {
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  const end2 = dim - (dim & 1);
  for (; i < end2; i += 2) {
    const d0 = a[offsetA + i] - b[offsetB + i];
    const d1 = a[offsetA + i + 1] - b[offsetB + i + 1];
    s0 += d0 * d0;
    s1 += d1 * d1;
  }
  if (i < dim) {
    const d = a[offsetA + i] - b[offsetB + i];
    s0 += d * d;
  }
  return s0 + s1;
}

/** Euclidean norm of one row. */
export function rowNorm(a: NumericArray, offset: number, dim: number): number {
  return Math.sqrt(dot(a, offset, a, offset, dim));
}

/**
 * Cosine similarity of two rows, in [-1, 1]. `dim` defaults to the rest of `a` after `offsetA`.
 * A zero row has no direction: its similarity to anything is 0 (never NaN).
 */
export function cosineSimilarity(a: NumericArray, b: NumericArray, offsetA = 0, offsetB = 0, dim?: number): number {
  const d = dim ?? a.length - offsetA;
  if (d <= 0) return 0;
  if (offsetA < 0 || offsetB < 0 || offsetA + d > a.length || offsetB + d > b.length) {
    throw new RangeError(`cosineSimilarity: row out of range (offsets ${offsetA}/${offsetB}, dim ${d}, lengths ${a.length}/${b.length})`);
  }
  const ab = dot(a, offsetA, b, offsetB, d);
  const aa = dot(a, offsetA, a, offsetA, d);
  const bb = dot(b, offsetB, b, offsetB, d);
  if (aa === 0 || bb === 0) return 0;
  const c = ab / Math.sqrt(aa * bb);
  return c > 1 ? 1 : c < -1 ? -1 : c;
}

/** Copy of row `i` of a row-major n×dim matrix (a view would alias the caller's buffer). */
export function getRow(m: NumericArray, i: number, dim: number): Float32Array {
  return Float32Array.from(m.subarray(i * dim, (i + 1) * dim));
}

/** Copy of the matrix with every non-zero row scaled to unit length (zero rows stay zero). */
export function normalizeRows(m: NumericArray, n: number, dim: number): Float32Array {
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    const norm = rowNorm(m, o, dim);
    if (norm === 0) continue;
    const inv = 1 / norm;
    for (let j = 0; j < dim; j++) out[o + j] = m[o + j] * inv;
  }
  return out;
}

/** Column means of a row-major n×dim matrix (zeros when n = 0). */
export function columnMeans(m: NumericArray, n: number, dim: number): Float64Array {
  const mean = new Float64Array(dim);
  if (n === 0) return mean;
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    for (let j = 0; j < dim; j++) mean[j] += m[o + j];
  }
  for (let j = 0; j < dim; j++) mean[j] /= n;
  return mean;
}

/**
 * mulberry32: a tiny, fast, seeded PRNG with a 2^32 period. Returns floats in [0, 1).
 * The same seed always gives the same sequence (seed is taken modulo 2^32).
 */
export function seededRandom(seed: number): () => number {
  let a = (Number.isFinite(seed) ? Math.trunc(seed) : 0) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard-normal sampler (Box–Muller) driven by a uniform [0, 1) source. */
export function gaussianRandom(random: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = random();
    const v = random();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}
