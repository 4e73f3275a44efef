/**
 * UMAP to 2-D. umap-js's own `initializeFit` is synchronous and slow (0.7 s blocked at 1,000
 * points, 2.8 s at 5,000 even with a precomputed kNN: its sparse matrices are string-keyed maps),
 * so it can neither be sliced nor meet the 5 s / 5,000-point target. This is the same algorithm
 * (umap-learn / umap-js: smooth kNN distances, fuzzy union in fuzzyGraph.ts, negative-sampling SGD
 * with umap-js's a/b curve fit in sgd.ts) on typed arrays, plus three standard speed-ups:
 *   1. vectors are first reduced by PCA to 50 dimensions (fitted on a seeded subsample),
 *   2. exact kNN on the reduced vectors (instead of NN-descent on the full ones),
 *   3. the layout starts from the 2 leading principal components instead of random noise, which
 *      converges in fewer epochs (see defaultEpochs).
 * Quality against umap-js defaults is measured by quality.ts's `knnOverlap` / `trustworthiness`
 * (bench/projectionBench.ts).
 */
import { gaussianRandom, normalizeRows, seededRandom } from '../vectorMath';
import { fuzzyGraph } from './fuzzyGraph';
import { exactKnn } from './knn';
import { checkShape } from './matrix';
import { DEFAULT_PROJECTION_SEED, type UmapOptions } from './options';
import { pcaScores, projectPca } from './pca';
import { fitAB, sgdChunk, type SgdState } from './sgd';
import { SLICE_MS, Slicer } from './slicer';

const DEFAULT_NEIGHBORS = 15;
const DEFAULT_PCA_DIMS = 50;
/** Rows used to fit the PCA pre-reduction; the fitted basis is then applied to every row. */
const PCA_FIT_SAMPLE = 1000;

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
  const seed = opts.seed ?? DEFAULT_PROJECTION_SEED;
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
