/** What a caller of the projection chooses, and the defaults when it does not. */

/** The 2-D projections the map offers. */
export type ProjectionMethod = 'umap' | 'pca';

/** The seed of every projection unless the caller passes one: the same vectors always give the same map. */
export const DEFAULT_PROJECTION_SEED = 42;

export interface PcaOptions {
  /** Default DEFAULT_PROJECTION_SEED. */
  seed?: number;
  signal?: AbortSignal;
}

export interface UmapOptions {
  /** Default DEFAULT_PROJECTION_SEED. */
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

/** What `project` takes: the UMAP options; PCA uses `seed` and `signal` only. */
export type ProjectionOptions = UmapOptions;
