/**
 * The result so far of a word-senses job: the per-layer figures, the sense clusters and their labels,
 * computed from the kept vectors with the senses math (similarity, standardize, clusters, labels).
 */
import { clustersOverLayers, type ClusterChoice } from './clusters';
import type { SensesJob } from './job';
import { layerRows } from './job';
import { clusterCollocates, clusterSubstitutes } from './labels';
import { centroidCosine, meanPairCosine, randomPairsAcrossGroups, selfSimilarity } from './similarity';
import { standardizeColumns } from './standardize';
import type { SenseCluster, SenseLayerStats, SenseOccurrence, SensesResult } from './types';

/** Random token pairs of the anisotropy baseline (Ethayarajh 2019). */
export const ANISOTROPY_PAIRS = 1000;
/** Collocates listed per cluster. */
const COLLOCATES = 5;

const wordSegmenter = new Intl.Segmenter(undefined, { granularity: 'word' });

/** The context's words (Intl.Segmenter, word-like segments only), lower-cased: what collocates are counted from. */
export function contextWords(context: string): string[] {
  const out: string[] = [];
  for (const s of wordSegmenter.segment(context)) if (s.isWordLike) out.push(s.segment.toLowerCase());
  return out;
}

/**
 * The analysed rows at `layer`: the occurrences' word vectors (n × dim) then the baseline sample (m × dim),
 * with every column z-scored over both when `standardize` (Timkey & van Schijndel 2021).
 */
export function layerMatrix(job: SensesJob, layer: number, standardize: boolean): { words: Float32Array; sample: Float32Array; n: number; m: number } {
  const dim = job.hiddenSize;
  const n = job.analysed;
  const m = job.sample.length;
  const words = layerRows(job.vectors.slice(0, n), layer, dim);
  const sample = layerRows(job.sample, layer, dim);
  if (!standardize) return { words, sample, n, m };
  const all = new Float32Array((n + m) * dim);
  all.set(words, 0);
  all.set(sample, n * dim);
  const z = standardizeColumns(all, n + m, dim);
  return { words: z.subarray(0, n * dim), sample: z.subarray(n * dim), n, m };
}

/** The rows of `rows` (n × dim) whose index is in `keep`. */
function pick(rows: Float32Array, keep: number[], dim: number): Float32Array {
  const out = new Float32Array(keep.length * dim);
  keep.forEach((i, r) => out.set(rows.subarray(i * dim, (i + 1) * dim), r * dim));
  return out;
}

export function buildResult(job: SensesJob, standardize: boolean): SensesResult {
  const cached = job.cached?.[standardize ? 'standardized' : 'raw'];
  if (cached?.analysed === job.analysed) return cached.result;
  const dim = job.hiddenSize;
  const n = job.analysed;
  const contexts = job.contexts.slice(0, n);
  const counts = contexts.map((c) => c.count);
  const ofWord = (w: number): number[] => contexts.flatMap((c, i) => (c.word === w ? [i] : []));
  const first = ofWord(0);
  const second = job.words.length > 1 ? ofWord(1) : undefined;
  const pairs = randomPairsAcrossGroups(Int32Array.from(job.sampleContext), ANISOTROPY_PAIRS, job.seed);
  const layerWords: Float32Array[] = [];
  const layers: SenseLayerStats[] = [];
  for (let layer = 0; layer <= job.numLayers; layer++) {
    const { words, sample } = layerMatrix(job, layer, standardize);
    layerWords.push(words);
    const mine = pick(words, first, dim);
    const selfSim = selfSimilarity(mine, first.length, dim);
    const anisotropy = meanPairCosine(sample, dim, pairs);
    layers.push({
      layer,
      selfSimilarity: selfSim,
      anisotropy,
      adjustedSelfSimilarity: selfSim - anisotropy,
      silhouette: 0,
      k: 1,
      ...(second ? { alignment: centroidCosine(mine, first.length, pick(words, second, dim), second.length, dim) } : {}),
    });
  }
  // Both words' occurrences are clustered together: where the model aligns them, they share clusters.
  const choices: ClusterChoice[] = n ? clustersOverLayers(layerWords, n, dim, job.seed) : [];
  choices.forEach((c, layer) => Object.assign(layers[layer], { silhouette: c.silhouette, k: c.k }));
  job.contextWords ??= [];
  for (let i = job.contextWords.length; i < n; i++) job.contextWords.push(contextWords(job.contexts[i].context));
  const exclude = new Set(job.words.map((w) => w.toLowerCase()));
  const clusters: SenseCluster[] = [];
  choices.forEach((choice, layer) => {
    for (const id of [...new Set(choice.labels)].sort((a, b) => a - b)) {
      let size = 0;
      choice.labels.forEach((label, i) => label === id && (size += counts[i]));
      clusters.push({
        layer,
        id,
        size,
        substitutes: clusterSubstitutes(job.substitutes, choice.labels, counts, id, job.topK),
        collocates: clusterCollocates(job.contextWords!, choice.labels, counts, id, exclude, COLLOCATES),
      });
    }
  });
  const occurrences: SenseOccurrence[] = contexts.map((c, i) => {
    const source = job.sources[c.source];
    return {
      word: job.words[c.word],
      file: source.label,
      uri: source.uri,
      start: c.start,
      end: c.end,
      line: c.line,
      column: c.column,
      context: c.context,
      contextStart: c.contextStart,
      count: c.count,
      cluster: choices.map((choice) => choice.labels[i]),
      substitutes: job.substitutes[i],
    };
  });
  const result: SensesResult = {
    word: job.words[0],
    ...(job.words.length > 1 ? { also: job.words[1] } : {}),
    model: job.model,
    numLayers: job.numLayers,
    standardized: standardize,
    search: { ...job.search, analysed: n },
    layers,
    occurrences,
    clusters,
    done: n >= job.contexts.length,
  };
  job.cached = { ...job.cached, [standardize ? 'standardized' : 'raw']: { analysed: n, result } };
  return result;
}
