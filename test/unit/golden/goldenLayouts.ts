/** The shape of projection-layouts.json and pca-numpy.json, shared by their generators and projectionGolden.test.ts. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { UmapOptions } from '../../../src/engine/projection';

export interface GoldenLayout {
  name: string;
  method: 'pca' | 'umap';
  options: UmapOptions;
  /** n×2, row-major: the Float32 coordinates the engine returned. */
  coords: number[];
}

export interface GoldenLayouts {
  about: string;
  n: number;
  dim: number;
  /** n×dim, row-major, Float32 values. */
  vectors: number[];
  layouts: GoldenLayout[];
}

/** What make_pca_reference.py computes with NumPy from the same vectors. */
export interface NumpyPcaReference {
  about: string;
  /** n×2 scores on the two leading principal axes (sign as NumPy's SVD gives it). */
  scores: number[];
  /** Variances along those axes (squared singular values / n). */
  variances: number[];
}

const folder = resolve('test/unit/golden');
const read = <T>(file: string): T => JSON.parse(readFileSync(resolve(folder, file), 'utf8')) as T;

export const loadGoldenLayouts = (): GoldenLayouts => read<GoldenLayouts>('projection-layouts.json');
export const loadNumpyPca = (): NumpyPcaReference => read<NumpyPcaReference>('pca-numpy.json');

