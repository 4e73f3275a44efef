/**
 * Requests the extension host sends to the engine worker thread, and what comes back.
 * Analyses stay in the worker (their hidden states and attentions are large); the host
 * gets summaries and asks for the slices it shows.
 */
import type { SerializedError } from './errors';
import type { AnalyzedToken, Guess, ModelInfo, ModelKind, ModelSpec, ProgressEvent, TokenProbability } from './types';
import type { ProjectionMethod } from './projection';
import type { LayerGuessesResult, SpanGuessesResult } from './predictions/types';
import type { SensesProgress, SensesProjection, SensesRequest, SensesResult, SensesSearchSummary } from './senses/types';
import type { WordsResult } from './words/types';
import type { AttentionSummaryKind, AttentionSummarySlice, HeadStat } from './attentionSummary/types';

export type { Word, WordsResult } from './words/types';
export type { AttentionSummaryKind, AttentionSummarySlice, HeadStat } from './attentionSummary/types';

export interface AnalysisSummary {
  analysisId: string;
  text: string;
  tokens: AnalyzedToken[];
  /** guesses[i] for token i ([] for special tokens). */
  guesses: Guess[][];
  /** Issue 13: masked or causal; for causal models `guesses[i]` is what the model expected at token i (see types.ts Analysis). */
  kind: ModelKind;
  /** Causal models only: next[i], the top-k for the token after token i (one forward). */
  next?: Guess[][];
  /** Causal models only: each token's probability and rank given the tokens before it (null: nothing precedes). */
  tokenProbabilities?: (TokenProbability | null)[];
  windowed: boolean;
  numLayers: number;
  numHeads: number;
  hiddenSize: number;
  timings: Record<string, number>;
}

export interface ProjectedPoint {
  analysisId: string;
  /** With `words`: the word's first piece. */
  tokenIndex: number;
  x: number;
  y: number;
  /** With `words` (issue 12): the word this point is, an index in the analysis's `words`. */
  wordIndex?: number;
}

export interface SameTokenLink {
  /** The piece; with `words`, the word as the model reads it (its pieces joined, "##" dropped: words/pool.ts wordKey). */
  piece: string;
  /** With `words`, each end also names its word (tokenIndex: the word's first piece). */
  a: { analysisId: string; tokenIndex: number; wordIndex?: number };
  b: { analysisId: string; tokenIndex: number; wordIndex?: number };
  cosine: number;
}

export interface ProjectionResult {
  /** 0 = the embeddings … numLayers = the last layer's output. */
  hiddenLayer: number;
  method: ProjectionMethod;
  points: ProjectedPoint[];
  links: SameTokenLink[];
}

/** A projection as the JSON export records it: which map, and where each token lies on it (see exports.ts). */
export type ExportedProjection = Omit<ProjectionResult, 'links'>;

export interface AttentionSlice {
  numHeads: number;
  /** With `words`: the rows/columns are words (these indices in the analysis's words), pooled as attentionSummary pools. */
  wordIndices?: number[];
  /** Token indices of the rows/columns (a long text shows the window where most of its tokens are kept). */
  tokenIndices: number[];
  /** [head][from][to] */
  weights: Float32Array;
}

export interface AttentionGridSlice {
  numLayers: number;
  numHeads: number;
  size: number;
  tokenIndices: number[];
  /** [attention layer 1 … numLayers][head][from][to] pooled to size × size */
  weights: Float32Array;
}

/** The masked guesses of one token of a held analysis. */
export interface TokenGuesses {
  tokenIndex: number;
  guesses: Guess[];
}

export interface GuessesAtResult {
  token: AnalyzedToken;
  guesses: Guess[];
}

export interface ProjectorExport {
  vectorsTsv: string;
  metadataTsv: string;
}

/**
 * Causal models (issue 13): `analyze` gives `next` and `tokenProbabilities` from its one forward and
 * `guesses[i]` = what the model expected at token i; `layerGuesses` is the logit lens for the NEXT token
 * (predictions/types.ts); `unmasked` and `spanGuesses` are masked-model views and throw BAD_ARGUMENTS.
 * Where the export fuses attention (ModelInfo.attentionAvailable false) `attention`, `attentionGrid`,
 * `attentionSummary` and `headStats` throw ATTENTION_UNAVAILABLE (a message the UI can show as is);
 * everything else works.
 *
 * Method name → [parameters, result]. Two kinds of layer, never mixed: a `hiddenLayer` counts hidden
 * states, 0 = the embeddings … numLayers; an `attentionLayer` counts the encoder layers' attentions,
 * 1 … numLayers, so hidden layer k is the output of the layer whose attention is attention layer k.
 */
export interface EngineMethods {
  load: [{ spec: ModelSpec }, ModelInfo];
  /**
   * `guesses: false` returns at once with empty guesses; `guesses` then fills them in, a few tokens per call.
   * `maxChars`: the caller's limit for inputCheck.ts (the engine's default when absent).
   */
  analyze: [{ text: string; topK: number; maxTokens?: number; maxChars?: number; guesses?: boolean }, AnalysisSummary];
  guesses: [{ analysisId: string; tokenIndices: number[]; topK: number }, TokenGuesses[]];
  guessesAt: [{ text: string; offset: number; topK: number }, GuessesAtResult | null];
  /**
   * `standardize`: the same-token links' cosines on z-scored dimensions (see senses/types.ts).
   * `words` (issue 12): one point per word (the mean of its pieces' vectors), links between the same words;
   * `language`: the segmenter's language (see `words`).
   */
  project: [{ analysisIds: string[]; hiddenLayer: number; method: ProjectionMethod; seed?: number; standardize?: boolean; words?: boolean; language?: string }, ProjectionResult];
  /** `words` (issue 12): every head's matrix pooled into words (Clark et al.), `tokenIndices` then each word's first piece. */
  attention: [{ analysisId: string; attentionLayer: number; words?: boolean; language?: string }, AttentionSlice];
  attentionGrid: [{ analysisId: string; maxSize: number }, AttentionGridSlice];
  /** `projection`: the 2-D map the user sees, exported with the tokens (see exports.ts). */
  exportJson: [{ analysisIds: string[]; projection?: ExportedProjection }, string];
  exportProjector: [{ analysisIds: string[]; hiddenLayer: number }, ProjectorExport];
  release: [{ analysisIds: string[] }, void];

  // Word senses (issue 10; src/engine/senses/). A job is held by id, like an analysis, keeping only the
  // word's vectors (layers × hidden per occurrence) and the anisotropy sample.
  /** Searches the sources (in the worker: reading files is not the host's job) and plans the analysis. Throws NO_OCCURRENCES. */
  sensesStart: [{ request: SensesRequest }, { jobId: string; search: SensesSearchSummary }];
  /** Analyses the next batch of occurrences (the first is small, so the first chart comes early) and returns the whole result so far. */
  sensesStep: [{ jobId: string; standardize: boolean }, SensesResult];
  /** The result so far again, with or without standardized dimensions (no forward). */
  sensesView: [{ jobId: string; standardize: boolean }, SensesResult];
  sensesProject: [{ jobId: string; hiddenLayer: number; method: ProjectionMethod; standardize: boolean; seed?: number }, SensesProjection];
  sensesRelease: [{ jobId: string }, void];

  // Predictions beyond the final-layer guess (issue 11; src/engine/predictions/).
  /** The token covering `offset` masked alone, the head applied at every hidden layer. null where no token is. */
  layerGuesses: [{ text: string; offset: number; topK: number }, LayerGuessesResult | null];
  /** What the head reconstructs at every position of the unmasked text: one forward (per window). */
  unmasked: [{ analysisId: string; topK: number }, TokenGuesses[]];
  /** The tokens covering [start, end) masked together: per-position top-k and joint fills. Throws BAD_SPAN. */
  spanGuesses: [{ text: string; start: number; end: number; topK: number }, SpanGuessesResult];

  // Words and heads (issue 12; src/engine/words/, src/engine/attentionSummary/).
  /**
   * The analysis's tokens grouped into words by Intl.Segmenter (rule: words/segment.ts); `language` a BCP 47
   * tag, default the model's when its name tells (words/language.ts). Throws BAD_ARGUMENTS for a malformed tag.
   */
  words: [{ analysisId: string; language?: string }, WordsResult];
  /**
   * Attention over heads and layers in the analysis's widest window: `rollout`, `mean-heads` (of
   * `attentionLayer`, default the last) or `mean-layers`; `words`: pooled into words (Clark et al.: mean over
   * the pieces attending, sum over the pieces attended to). Throws BAD_ARGUMENTS for an unknown kind.
   */
  attentionSummary: [{ analysisId: string; kind: AttentionSummaryKind; attentionLayer?: number; words?: boolean; language?: string }, AttentionSummarySlice];
  /** Every layer × head's statistics (Clark et al. 2019) in the analysis's widest window, layer-major. */
  headStats: [{ analysisId: string }, HeadStat[]];
}
export type EngineMethod = keyof EngineMethods;

export type HostToWorker =
  | { kind: 'call'; id: number; method: EngineMethod; params: unknown }
  | { kind: 'cancel'; id: number };

export type WorkerToHost =
  | { kind: 'result'; id: number; value: unknown }
  | { kind: 'error'; id: number; error: SerializedError }
  | { kind: 'progress'; id: number; event: ProgressEvent | { phase: 'project'; fraction: number } | SensesProgress }
  | { kind: 'log'; line: string };
