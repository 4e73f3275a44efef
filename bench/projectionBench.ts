/**
 * Projection benchmark: our UMAP and PCA vs umap-js's default `fit`, on random-but-clustered
 * 768-d data (20 clusters, centres ~ N(0, 1), points centre + N(0, 0.5²)), 1,000 and 5,000 points.
 * Times are wall-clock ms (median of 3 at 1,000 points, one run at 5,000) with the process CPU
 * time in the note: on a shared machine wall time also counts other processes.
 * Quality rows: knnOverlap and trustworthiness (k = 15) of our UMAP and of umap-js's map against
 * the original 768-d vectors, on 500 seeded query points (each against all n).
 */
import { UMAP } from 'umap-js';
import { DEFAULT_PROJECTION_SEED, projectPca, projectUmap } from '../src/engine/projection';
import { embeddingQuality } from '../src/engine/projection/quality';
import { gaussianRandom, seededRandom } from '../src/engine/vectorMath';

export interface BenchRow {
  name: string;
  median: number;
  min: number;
  max: number;
  unit: string;
  ratio?: number;
  note?: string;
}

const DIM = 768;
const K = 15;

function clusteredData(n: number, dim: number, clusters: number, seed: number): Float32Array {
  const g = gaussianRandom(seededRandom(seed));
  const centres = Float32Array.from({ length: clusters * dim }, () => g());
  const x = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = i % clusters;
    for (let j = 0; j < dim; j++) x[i * dim + j] = centres[c * dim + j] + 0.5 * g();
  }
  return x;
}

interface Timed<T> {
  result: T;
  wall: number;
  cpu: number;
}

async function timed<T>(f: () => T | Promise<T>): Promise<Timed<T>> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await f();
  const wall = performance.now() - t0;
  const cu = process.cpuUsage(c0);
  return { result, wall, cpu: (cu.user + cu.system) / 1000 };
}

function summary(runs: Timed<unknown>[]): { median: number; min: number; max: number; cpu: number } {
  const w = runs.map((r) => r.wall).sort((a, b) => a - b);
  const c = runs.map((r) => r.cpu).sort((a, b) => a - b);
  return { median: w[Math.floor(w.length / 2)], min: w[0], max: w[w.length - 1], cpu: c[Math.floor(c.length / 2)] };
}

const round = (v: number, digits = 0) => Number(v.toFixed(digits));

export async function benchProjection(report: (row: BenchRow) => void): Promise<void> {
  for (const n of [1000, 5000]) {
    const repeats = n <= 1000 ? 3 : 1;
    const x = clusteredData(n, DIM, 20, 1);

    const ours: Timed<Float32Array>[] = [];
    for (let r = 0; r < repeats; r++) ours.push(await timed(() => projectUmap(x, n, DIM)));
    const rows = Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * DIM, (i + 1) * DIM)));
    const reference: Timed<number[][]>[] = [];
    for (let r = 0; r < repeats; r++) reference.push(await timed(() => new UMAP({ random: seededRandom(DEFAULT_PROJECTION_SEED + r) }).fit(rows)));
    const pca: Timed<Float32Array>[] = [];
    for (let r = 0; r < repeats; r++) pca.push(await timed(() => projectPca(x, n, DIM)));

    const o = summary(ours);
    const u = summary(reference);
    const p = summary(pca);
    const runs = `${repeats} run${repeats > 1 ? 's' : ''}`;
    report({
      name: `projection: our UMAP, ${n}×${DIM}`,
      median: round(o.median),
      min: round(o.min),
      max: round(o.max),
      unit: 'ms',
      ratio: round(u.median / o.median, 2),
      note: `${runs}; ratio = umap-js default time / ours; CPU ${round(o.cpu)} ms (umap-js ${round(u.cpu)} ms)`,
    });
    report({
      name: `projection: umap-js default fit, ${n}×${DIM}`,
      median: round(u.median),
      min: round(u.min),
      max: round(u.max),
      unit: 'ms',
      note: `${runs}; nNeighbors 15, default epochs, NN-descent on all ${DIM} dims, random init; CPU ${round(u.cpu)} ms`,
    });
    report({
      name: `projection: our PCA, ${n}×${DIM}`,
      median: round(p.median),
      min: round(p.min),
      max: round(p.max),
      unit: 'ms',
      note: `${runs}; CPU ${round(p.cpu)} ms`,
    });

    const refMap = Float32Array.from(reference[0].result.flat());
    const quality = embeddingQuality(x, n, DIM, [ours[0].result, refMap, pca[0].result], K, 2, { sampleSize: 500, seed: 7 });
    const names = ['our UMAP', 'umap-js default', 'our PCA'];
    quality.forEach((q, i) => {
      for (const [metric, digits] of [['knnOverlap', 3], ['trustworthiness', 4]] as const) {
        const value = round(q[metric], digits);
        report({
          name: `projection quality: ${names[i]} ${metric}@${K}, ${n}×${DIM}`,
          median: value,
          min: value,
          max: value,
          unit: 'fraction',
          ratio: i === 1 ? undefined : round(q[metric] / quality[1][metric], digits),
          note: i === 1 ? '500 query points' : 'ratio = ours / umap-js default; 500 query points',
        });
      }
    });
  }
}
