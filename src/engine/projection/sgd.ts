/**
 * UMAP's layout optimisation: umap-js's negative-sampling SGD on typed arrays, and the a/b
 * parameters of its membership curve.
 */

export interface SgdState {
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
export function sgdChunk(st: SgdState, start: number, deadline: number): number {
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
