/**
 * 2-D projections of token vectors: PCA and UMAP. Pure, seeded, no vscode import. Everything heavy
 * runs in slices that yield to the event loop and honour an AbortSignal (slicer.ts).
 *
 *   options.ts     what a caller chooses: method, seed (DEFAULT_PROJECTION_SEED), PCA / UMAP options
 *   pca.ts         PCA by block power iteration (linalg.ts: Jacobi eigen, Gram–Schmidt)
 *   umap.ts        UMAP: PCA pre-reduction, exact kNN (knn.ts), fuzzy graph (fuzzyGraph.ts), SGD (sgd.ts)
 *   quality.ts     kNN overlap and trustworthiness, for the tests and the benchmark only (not exported here)
 */
import type { ProjectionMethod, ProjectionOptions } from './options';
import { projectPca } from './pca';
import { projectUmap } from './umap';

export { DEFAULT_PROJECTION_SEED, type PcaOptions, type ProjectionMethod, type ProjectionOptions, type UmapOptions } from './options';
export { projectPca } from './pca';
export { projectUmap } from './umap';

/** Projects n×dim `vectors` to n×2 with `method`; PCA ignores the UMAP-only options. Rejects an unknown method. */
export function project(method: ProjectionMethod, vectors: Float32Array, n: number, dim: number, opts: ProjectionOptions = {}): Promise<Float32Array> {
  switch (method) {
    case 'umap':
      return projectUmap(vectors, n, dim, opts);
    case 'pca':
      return projectPca(vectors, n, dim, opts);
    default:
      return Promise.reject(new RangeError(`Unknown projection method: ${String(method)}`));
  }
}
