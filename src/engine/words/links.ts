/**
 * Links between rows that share a key (the same word in different places), with their cosine: for each key,
 * at most `maxPerKey` occurrences linked pairwise, least similar first, at most `maxLinks` in all — the rule
 * the token map's same-token links follow (session.ts), applied to pooled rows.
 */
import { cosineSimilarity } from '../vectorMath';

export interface RowLink {
  key: string;
  a: number;
  b: number;
  cosine: number;
}

/** `keys[r]` null: row r is linked to nothing (a special token). `rows`: one row of `dim` per key. */
export function linksBetweenSameKeys(keys: readonly (string | null)[], rows: Float32Array, dim: number, maxPerKey: number, maxLinks: number): RowLink[] {
  const occurrences = new Map<string, number[]>();
  keys.forEach((key, r) => {
    if (key === null) return;
    const list = occurrences.get(key);
    if (!list) occurrences.set(key, [r]);
    else if (list.length < maxPerKey) list.push(r);
  });
  const links: RowLink[] = [];
  for (const [key, rowsOfKey] of occurrences) {
    rowsOfKey.forEach((a, i) => {
      for (const b of rowsOfKey.slice(i + 1)) links.push({ key, a, b, cosine: cosineSimilarity(rows, rows, a * dim, b * dim, dim) });
    });
  }
  return links.sort((x, y) => x.cosine - y.cosine).slice(0, maxLinks);
}
