/**
 * Pieces pooled into words. A word's vector is the mean of its pieces' vectors (at any layer). Attention
 * between words follows Clark et al. (2019, "What does BERT look at?", §4.1 / their code): from a word, the
 * mean over its pieces (each piece's row is a distribution, so the word's row still sums to 1); to a word,
 * the sum over its pieces (the attention the word receives as a whole).
 */
import type { AnalyzedToken } from '../types';
import type { Word } from './types';

/** Rows of `data` (`dim` wide) averaged per group: one row per group, in order. */
export function meanRows(data: Float32Array, dim: number, groups: readonly (readonly number[])[]): Float32Array {
  const out = new Float32Array(groups.length * dim);
  groups.forEach((rows, g) => {
    const acc = new Float64Array(dim);
    for (const r of rows) {
      const base = r * dim;
      for (let d = 0; d < dim; d++) acc[d] += data[base + d];
    }
    for (let d = 0; d < dim; d++) out[g * dim + d] = acc[d] / rows.length;
  });
  return out;
}

/**
 * An n × n attention matrix (row = attending position) pooled into groups of positions: entry (a, b) is
 * the mean over the positions of a of the sum over the positions of b. Positions in no group are left out.
 */
export function poolAttention(matrix: ArrayLike<number>, n: number, groups: readonly (readonly number[])[]): Float32Array {
  const m = groups.length;
  const groupOf = new Int32Array(n).fill(-1);
  groups.forEach((g, k) => g.forEach((p) => (groupOf[p] = k)));
  const out = new Float64Array(m * m);
  groups.forEach((rows, a) => {
    for (const i of rows) {
      for (let j = 0; j < n; j++) {
        const b = groupOf[j];
        if (b >= 0) out[a * m + b] += matrix[i * n + j];
      }
    }
    for (let b = 0; b < m; b++) out[a * m + b] /= rows.length;
  });
  return Float32Array.from(out);
}

/**
 * The words present in a window (its positions map to `tokenIndices`), each as the window positions of its
 * pieces there; a word cut by the window's edge keeps the pieces inside it, a word wholly outside is left out.
 */
export function wordGroupsInWindow(words: readonly Word[], windowTokenIndices: readonly number[]): { wordIndices: number[]; groups: number[][] } {
  const position = new Map(windowTokenIndices.map((t, p) => [t, p]));
  const wordIndices: number[] = [];
  const groups: number[][] = [];
  words.forEach((w, k) => {
    const here = w.tokenIndices.filter((t) => position.has(t)).map((t) => position.get(t)!);
    if (here.length) {
      wordIndices.push(k);
      groups.push(here);
    }
  });
  return { wordIndices, groups };
}

/**
 * What makes two words "the same word" for the map's links: their pieces as the model reads them, joined
 * ("##" continuation marks dropped), so an uncased model's "The" and "the" link as their pieces do.
 */
export function wordKey(word: Word, tokens: readonly AnalyzedToken[]): string {
  return word.tokenIndices.map((t) => tokens[t].piece.replace(/^##/, '')).join('');
}
