/** What names a sense cluster: the substitutes BERT proposes in its contexts, and its characteristic context words. */
import type { SenseGuess } from './types';

/** Rows (occurrences) in the cluster, each with its count. */
function members(labels: Int32Array, counts: number[], clusterId: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < labels.length; i++) if (labels[i] === clusterId && (counts[i] ?? 1) > 0) out.push(i);
  return out;
}

/**
 * The cluster's substitutes: each occurrence's guesses (the word masked) weighted by its count (identical
 * contexts analysed once stand for `count` occurrences), summed per token and divided by the cluster's size
 * (Σ counts), so a probability stays the mean over the cluster's occurrences. Most probable first (ties by
 * token), at most `topK`.
 */
export function clusterSubstitutes(
  substitutes: SenseGuess[][],
  labels: Int32Array,
  counts: number[],
  clusterId: number,
  topK: number,
): SenseGuess[] {
  const sum = new Map<string, number>();
  let size = 0;
  for (const i of members(labels, counts, clusterId)) {
    const count = counts[i] ?? 1;
    size += count;
    for (const g of substitutes[i] ?? []) sum.set(g.token, (sum.get(g.token) ?? 0) + g.probability * count);
  }
  if (size === 0) return [];
  return [...sum]
    .map(([token, p]) => ({ token, probability: p / size }))
    .sort((a, b) => b.probability - a.probability || (a.token < b.token ? -1 : a.token > b.token ? 1 : 0))
    .slice(0, Math.max(0, topK));
}

/**
 * The context words most characteristic of the cluster against the other clusters' contexts.
 * Rule: a word's document frequency in a set of contexts is the share of its occurrences (each context
 * weighted by its count) whose context holds the word at least once. Words are ranked by the cluster's
 * document frequency minus the other contexts' (0 when there are none, so a lone cluster lists its most
 * widespread words); only words with a positive difference are kept; ties by the weighted number of the
 * cluster's contexts holding the word, then by text. Skipped: `exclude` (the word itself; a word also
 * counts as excluded when its lower case is), and, when the cluster has 3 or more distinct contexts, words
 * found in only one of them (one sentence's vocabulary says nothing about a sense).
 * `contextWords[i]` is context i's words, segmented by the caller (Intl.Segmenter, isWordLike only).
 */
export function clusterCollocates(
  contextWords: string[][],
  labels: Int32Array,
  counts: number[],
  clusterId: number,
  exclude: ReadonlySet<string>,
  topN: number,
): string[] {
  const inside = new Map<string, { weight: number; contexts: number }>();
  const outside = new Map<string, number>();
  let insideTotal = 0;
  let outsideTotal = 0;
  let insideContexts = 0;
  for (let i = 0; i < labels.length; i++) {
    const count = counts[i] ?? 1;
    if (count <= 0) continue;
    const words = new Set(contextWords[i] ?? []);
    if (labels[i] === clusterId) {
      insideTotal += count;
      insideContexts++;
      for (const w of words) {
        const seen = inside.get(w) ?? { weight: 0, contexts: 0 };
        inside.set(w, { weight: seen.weight + count, contexts: seen.contexts + 1 });
      }
    } else {
      outsideTotal += count;
      for (const w of words) outside.set(w, (outside.get(w) ?? 0) + count);
    }
  }
  if (insideTotal === 0) return [];
  const ranked: { word: string; score: number; weight: number }[] = [];
  for (const [word, seen] of inside) {
    if (exclude.has(word) || exclude.has(word.toLowerCase())) continue;
    if (insideContexts >= 3 && seen.contexts < 2) continue;
    const score = seen.weight / insideTotal - (outsideTotal > 0 ? (outside.get(word) ?? 0) / outsideTotal : 0);
    if (score > 0) ranked.push({ word, score, weight: seen.weight });
  }
  ranked.sort((a, b) => b.score - a.score || b.weight - a.weight || (a.word < b.word ? -1 : a.word > b.word ? 1 : 0));
  return ranked.slice(0, Math.max(0, topN)).map((r) => r.word);
}
