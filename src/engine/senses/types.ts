/**
 * Word senses (issue 10): one word's occurrences across many files, its vector at every layer, and how
 * its meanings part. These shapes are the contract between the engine, the extension host, the webview
 * and the CLI's `senses --json` (whose field names other programs read: never rename one).
 *
 * Definitions (the README and the panel's help text say the same):
 * - An occurrence's vector at hidden layer ℓ (0 = the embeddings … numLayers): the word's hidden state
 *   at ℓ, the mean over its pieces when the word spans several tokens.
 * - Context: the occurrence's sentence (Intl.Segmenter, sentence granularity), widened or cut to at most
 *   `contextTokens` tokens around the word. Identical contexts count once, with their number (`count`).
 * - Self-similarity at ℓ (Ethayarajh 2019): the mean cosine over all pairs of different occurrences.
 *   Anisotropy at ℓ: the mean cosine between tokens drawn at random from different analysed contexts
 *   (1,000 seeded pairs, special tokens and punctuation excluded). Adjusted = self-similarity − anisotropy.
 * - Clusters at ℓ: k-means++ (seeded) on L2-normalised vectors for k = 2…6, keeping the k with the best
 *   mean silhouette (cosine distance); one cluster (k = 1, silhouette 0) when no k reaches 0.1. Ids are
 *   matched between neighbouring layers by overlap, from the last layer down (there they are 0…k−1), so a
 *   sense keeps its id (and colour) where it can.
 * - Standardized (Timkey & van Schijndel 2021): every dimension z-scored over the vectors the job keeps
 *   at that layer (the occurrences and the anisotropy sample) before any cosine.
 */

/** A file (or an open editor's text) to search. The worker reads `path` when `text` is absent. */
export interface SensesSource {
  /** How the file is named to the user, the CSV and the JSON (`file`): workspace-relative path or file name. */
  label: string;
  /** The document's URI (the extension reveals occurrences with it); the CLI uses a file: URI. */
  uri: string;
  /** Absolute path on disk, read by the worker when `text` is absent. */
  path?: string;
  /** The text as it is (an open editor's, unsaved edits included). */
  text?: string;
}

export interface SensesRequest {
  /** The word to look for (trimmed; not empty, no whitespace inside for space-delimited scripts). */
  word: string;
  /** A second word to compare with (`--also`): its occurrences too, and the centroids' cosine per layer. */
  also?: string;
  sources: SensesSource[];
  /** At most this many occurrences (of each word) are analysed, sampled evenly when more are found. Default 200. */
  maxOccurrences?: number;
  /** Context length in tokens around the word, at most. Default 64. */
  contextTokens?: number;
  /** Substitutes kept per occurrence (the word masked). Default 5. */
  topK?: number;
  /** Seed of the sampling, the anisotropy pairs and k-means++. Default DEFAULT_SENSES_SEED. */
  seed?: number;
  /** Files larger than this many bytes are skipped and counted. Default 2 MiB. */
  maxFileBytes?: number;
}

export const DEFAULT_SENSES_SEED = 42;

/** What the search found, before and while the analysis runs. */
export interface SensesSearchSummary {
  filesSearched: number;
  skippedBinary: number;
  skippedTooLarge: number;
  skippedUnreadable: number;
  /** Occurrences found of `word` (and of `also`, when given). */
  found: number;
  foundAlso?: number;
  /** Occurrences chosen for analysis (≤ maxOccurrences per word), identical contexts merged. */
  toAnalyse: number;
  /** Occurrences analysed so far (all of `toAnalyse` once `done`). */
  analysed: number;
}

/**
 * Progress events of sensesStart (the search: files read, occurrences found so far) and of sensesStep (the
 * forwards: contexts analysed of those planned), sent as the call's `progress` messages.
 */
export type SensesProgress =
  | { phase: 'senses-search'; filesDone: number; filesTotal: number; found: number }
  | { phase: 'senses-analyse'; analysed: number; toAnalyse: number };

export interface SenseGuess {
  token: string;
  probability: number;
}

export interface SenseOccurrence {
  /** Which word this is an occurrence of: the request's `word` or `also`. */
  word: string;
  /** The source's label. */
  file: string;
  uri: string;
  /** [start, end) of the word in the file's text, UTF-16 code units. */
  start: number;
  end: number;
  /** 1-based line and column (UTF-16 code units) of `start`, as an editor shows them. */
  line: number;
  column: number;
  /** The analysed text (the context) and where it starts in the file's text. */
  context: string;
  contextStart: number;
  /** How many occurrences had exactly this context (they are analysed once). */
  count: number;
  /** The cluster id at every hidden layer (index = layer, 0 … numLayers). */
  cluster: number[];
  /** What the model proposes for the word when it is masked (all its pieces masked; the first piece's guesses). */
  substitutes: SenseGuess[];
}

export interface SenseLayerStats {
  layer: number;
  selfSimilarity: number;
  anisotropy: number;
  adjustedSelfSimilarity: number;
  /** Mean silhouette of the chosen clustering (0 when k = 1). */
  silhouette: number;
  k: number;
  /** With `also`: cosine between the two words' centroids at this layer. */
  alignment?: number;
}

export interface SenseCluster {
  layer: number;
  id: number;
  /** Occurrences in it, each counted with its `count`. */
  size: number;
  /** Substitutes summed over the cluster's occurrences (probabilities added, then divided by `size`), most probable first. */
  substitutes: SenseGuess[];
  /** Context words most characteristic of this cluster against the others, most characteristic first. */
  collocates: string[];
}

export interface SensesResult {
  word: string;
  also?: string;
  /** The model's id or folder, as loaded. */
  model: string;
  numLayers: number;
  standardized: boolean;
  search: SensesSearchSummary;
  layers: SenseLayerStats[];
  occurrences: SenseOccurrence[];
  /** Every layer's clusters (layer-major). */
  clusters: SenseCluster[];
  /** False while batches of occurrences remain to be analysed. */
  done: boolean;
}

/** The occurrences at one hidden layer laid out in 2-D (same order as SensesResult.occurrences). */
export interface SensesProjection {
  hiddenLayer: number;
  method: 'umap' | 'pca';
  standardized: boolean;
  points: { x: number; y: number }[];
}
