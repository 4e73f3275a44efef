/**
 * The message protocol between the extension host and the Embedding Map webview: both bundles import
 * this file, and nothing else crosses that boundary. It is one of two protocols; the other, between the
 * host and the engine's worker thread, is the typed `EngineMethods` map of src/engine/workerProtocol.ts.
 *
 * Two kinds of layer, never one name for both: a `hiddenLayer` counts hidden states (0 = the embeddings
 * … numLayers), an `attentionLayer` counts the encoder layers' attentions (1 … numLayers, shown as
 * "Layer {attentionLayer}"); hidden layer k is the output of the layer whose attention is attention layer k.
 */

// Type only: the webview bundle stays free of engine code.
import type { ProjectionMethod } from './engine/projection';
import type { LayerGuessesResult, SpanGuessesResult } from './engine/predictions/types';
import type { SensesProjection, SensesResult } from './engine/senses/types';
import type { AttentionSummaryKind, AttentionSummarySlice, HeadStat } from './engine/attentionSummary/types';
import type { Word } from './engine/words/types';
import type { ModelKind } from './engine/types';
import type { CompareRow, CompareSide } from './engine/compare/types';
export type { CompareRow, CompareSide, ProjectionMethod, SensesResult, SensesProjection, LayerGuessesResult, SpanGuessesResult, AttentionSummaryKind, HeadStat, Word, ModelKind };

/** The panel's unit (issue 12): a point, a row of the heat map, a link per vocabulary piece or per word (Intl.Segmenter). */
export type MapUnit = 'pieces' | 'words';
/** What colours the layers × heads grid: thumbnails of the attention, or one HeadStat field per cell. */
export const GRID_COLOURINGS = ['attention', 'entropy', 'distance', 'toCls', 'toSep', 'toPrev', 'toNext', 'toPunct'] as const;
export type GridColouring = (typeof GRID_COLOURINGS)[number];
/** The head view's orientation: two columns of tokens (vertical, BertViz's), or one row with arcs (horizontal, for CJK and long texts). */
export type HeadLayout = 'auto' | 'vertical' | 'horizontal';

export interface GuessView {
  token: string;
  probability: number;
}

export interface TokenView {
  index: number;
  /** Vocabulary piece (`##ing`, `[CLS]`). Data from the user's file: never inserted as HTML. */
  piece: string;
  /** The original text the token covers (empty for special tokens). */
  surface: string;
  start: number;
  end: number;
  special: boolean;
  guesses: GuessView[];
  /** Optional (additive): true while the guesses are still being computed (they stream in after the map shows). */
  guessesPending?: boolean;
  // Causal models (issue 13): `guesses` is what the model expected here before seeing this token (its next-token
  // guesses at the token before); these add what it expects after this token and how likely this token was.
  /** The top-k for the token after this one. */
  next?: GuessView[];
  /** This token's probability given the tokens before it (absent where nothing precedes). */
  probability?: number;
  /** Its rank among the model's guesses here (1 = the top guess). */
  rank?: number;
}

/** Guesses that were computed after the snippets were sent. */
export interface TokenGuessesView {
  tokenIndex: number;
  guesses: GuessView[];
}

export interface SnippetView {
  id: string;
  /** e.g. `demo/apple.txt:3` */
  label: string;
  text: string;
  tokens: TokenView[];
  windowed: boolean;
  /** Optional (additive): the document the snippet came from and its offset there, so the webview can
   *  keep them in WebviewPersistedState.snippets for the host to re-analyze after a window reload. */
  uri?: string;
  startOffset?: number;
}

export interface PointRef {
  snippetId: string;
  tokenIndex: number;
}

export interface MapPoint extends PointRef {
  x: number;
  y: number;
  /** In words mode: the word (an index in the snippet's words) this point is; tokenIndex is its first piece. */
  wordIndex?: number;
}

/** Same token text (in words mode: the same word) in two different contexts, with their cosine similarity at the current layer. */
export interface TokenLink {
  piece: string;
  a: PointRef & { wordIndex?: number };
  b: PointRef & { wordIndex?: number };
  cosine: number;
}

export interface ProjectionView {
  hiddenLayer: number;
  method: ProjectionMethod;
  /** Pieces (absent, the default) or words: then every point and link end carries its wordIndex. */
  unit?: MapUnit;
  points: MapPoint[];
  links: TokenLink[];
}

export interface AttentionLayerView {
  snippetId: string;
  /** 1 … numLayers. */
  attentionLayer: number;
  numHeads: number;
  /** Token indices (into the snippet's tokens) of the rows/columns (in words mode each word's first piece). */
  tokenIndices: number[];
  /** In words mode: the rows/columns are these words (indices in the snippet's words), pooled by Clark et al.'s rule. */
  wordIndices?: number[];
  /**
   * [head][from][to] row-major, numHeads × n × n. A typed array: Webview.postMessage passes its buffer as
   * is (engines ≥ 1.57) instead of writing millions of numbers as JSON, and the webview gets a Float32Array.
   */
  weights: Float32Array;
}

export interface AttentionGridView {
  snippetId: string;
  numLayers: number;
  numHeads: number;
  tokenIndices: number[];
  size: number;
  /** [attention layer 1 … numLayers][head][from][to], pooled to at most 48 × 48 when the snippet is longer (see AttentionLayerView.weights). */
  weights: Float32Array;
}

export interface ModelStatusView {
  label: string;
  state: 'idle' | 'downloading' | 'loading' | 'ready' | 'error';
  numLayers: number;
  numHeads: number;
  /** Issue 13: masked (BERT) or causal (GPT-2); absent until a model is loaded (read as masked). */
  kind?: ModelKind;
  /** False where the export fuses attention (the attention views say so); absent = available. */
  attentionAvailable?: boolean;
}

/** A snippet's tokens grouped into words (issue 12): `words[i].tokenIndices` index the snippet's tokens. */
export interface WordsView {
  snippetId: string;
  /** The segmenter's language tag (undefined: the runtime's default). */
  language: string | undefined;
  words: Word[];
}

/**
 * Attention summarised over heads or layers (issue 12), drawn in the heat map and head view like a head: the
 * engine's slice (rows sum to 1; `weights` a Float32Array, as AttentionLayerView.weights) and its snippet.
 */
export type AttentionSummaryView = AttentionSummarySlice & { snippetId: string };

/** Every layer × head's statistics (Clark et al. 2019) for the layers × heads grid's colouring. */
export interface HeadStatsView {
  snippetId: string;
  stats: HeadStat[];
}

/**
 * Names one request of the webview (unique per page). The host's reply to it, and any error its handling
 * raised, carry it back, so that an error fails that request only.
 */
export type RequestId = string;

/** One model of the Compare tab: what it is, its tokens, and its map at the tab's depth. */
export interface CompareModelView {
  /** What the tab calls it: a Hub id, or a folder's name. */
  label: string;
  /** The Hub id or folder as configured (contextLens.model / contextLens.compareModel). */
  model: string;
  kind: ModelKind;
  numLayers: number;
  /** The hidden layer its map shows: round(depth × numLayers), 0 = the embeddings. */
  hiddenLayer: number;
  method: ProjectionMethod;
  /** Its tokens, special ones included (CompareRow sides' `tokens` index them). Pieces are data, never HTML. */
  tokens: { piece: string; start: number; end: number; special: boolean }[];
  /** Its map at `hiddenLayer`: a point per token (`tokenIndex` into `tokens`). */
  points: { tokenIndex: number; x: number; y: number }[];
}

/**
 * Compare Models (issue 13): one text through two models, row by row (rows aligned by character ranges,
 * src/engine/compare/align.ts), each model's guess and the probability of the token that is there, and the
 * two maps at one relative depth.
 */
export interface CompareView {
  /** e.g. `demo/apple.txt:3` */
  label: string;
  text: string;
  /** The relative depth of both maps, 0 (embeddings) … 1 (last layer). */
  depth: number;
  /** Model A (contextLens.model) and model B (contextLens.compareModel). */
  models: [CompareModelView, CompareModelView];
  rows: CompareRow[];
}

/** A masked span the user asked about (Guess Masked Span), shown in the Tokens tab. */
export interface SpanView {
  /** e.g. `demo/apple.txt:3` */
  label: string;
  /** The text the span's offsets count in (the line or selection analysed). */
  text: string;
  result: SpanGuessesResult;
}

export type HostToWebview =
  /** `standardize`: the contextLens.standardizeDimensions setting (cosines on z-scored dimensions, see engine/senses/types.ts). */
  | { type: 'init'; strings: Record<string, string>; hiddenLayer: number; projection: ProjectionMethod; standardize?: boolean }
  | { type: 'model'; model: ModelStatusView }
  | { type: 'snippets'; snippets: SnippetView[] }
  /** `requestId`: the setLayer/setProjection this answers; absent when the host re-projected by itself (new snippets, reload). */
  | { type: 'projection'; projection: ProjectionView; requestId?: RequestId }
  | { type: 'progress'; message: string | null; fraction?: number }
  | { type: 'attention'; requestId: RequestId; attention: AttentionLayerView }
  | { type: 'attentionGrid'; requestId: RequestId; grid: AttentionGridView }
  /** `requestId`: the request that failed, and only that one; absent for a failure of the host's own (the model did not load). */
  | { type: 'error'; message: string; requestId?: RequestId }
  /** `requestId`: the wantGuesses this batch was computed for; absent for the guesses streamed in order. */
  | { type: 'guesses'; snippetId: string; tokens: TokenGuessesView[]; requestId?: RequestId }
  /** How many of the map's tokens have their masked guesses; `total: 0` when there is nothing to compute. */
  | { type: 'guessProgress'; done: number; total: number }
  /** Show this tab (a command that fills it ran: Explore Word Senses shows 'senses'). */
  | { type: 'showTab'; tab: WebviewPersistedState['tab'] }
  /** The setting changed (by the panel's toggle or in Settings); the host re-sends projection links and senses computed with it. */
  | { type: 'standardize'; standardize: boolean }
  /** The word-senses result so far (replaces the previous one; sent again as batches finish, `done` on the last); null = cleared. */
  | { type: 'senses'; senses: SensesResult | null }
  /** `requestId`: the setSensesView this answers; absent when the host projected by itself (a new batch). */
  | { type: 'sensesProjection'; projection: SensesProjection; requestId?: RequestId }
  /** Answers requestLayerGuesses; `result` null where the token has no guesses (a special token). */
  | { type: 'layerGuesses'; requestId: RequestId; ref: PointRef; result: LayerGuessesResult | null }
  /** Unmasked predictions of a snippet's tokens (one forward), answering requestUnmasked. */
  | { type: 'unmasked'; requestId: RequestId; snippetId: string; tokens: TokenGuessesView[] }
  /** The last Guess Masked Span result (null = none). */
  | { type: 'span'; span: SpanView | null }
  // Words and heads (issue 12).
  /** Answers requestWords. */
  | { type: 'words'; requestId: RequestId; words: WordsView }
  | { type: 'attentionSummary'; requestId: RequestId; summary: AttentionSummaryView }
  | { type: 'headStats'; requestId: RequestId; headStats: HeadStatsView }
  // Compare Models (issue 13): the Compare tab's content (null = cleared); `requestId`: the setCompareDepth it answers.
  | { type: 'compare'; compare: CompareView | null; requestId?: RequestId };

/** Every message but 'ready' is a request: it carries a fresh RequestId (see there). */
export type WebviewToHost =
  | { type: 'ready' }
  /** Answered by a 'projection'; a newer setLayer/setProjection supersedes it unanswered (the host projects the newest only). */
  | { type: 'setLayer'; requestId: RequestId; hiddenLayer: number }
  | { type: 'setProjection'; requestId: RequestId; method: ProjectionMethod }
  /** `words` (issue 12): every head pooled into words, answered by an 'attention' with wordIndices (one attentionKey per unit). */
  | { type: 'requestAttention'; requestId: RequestId; snippetId: string; attentionLayer: number; words?: boolean }
  | { type: 'requestAttentionGrid'; requestId: RequestId; snippetId: string }
  | { type: 'revealToken'; requestId: RequestId; ref: PointRef }
  | { type: 'exportAnalysis'; requestId: RequestId; format: 'json' | 'projector' }
  | { type: 'saveImage'; requestId: RequestId; format: 'png' | 'svg'; dataUrl: string }
  | { type: 'clear'; requestId: RequestId }
  /** The user looks at a token whose guesses are pending: compute it next. */
  | { type: 'wantGuesses'; requestId: RequestId; ref: PointRef }
  /** The Senses tab's layer (0 = embeddings … numLayers) and scatter method: answered by a 'sensesProjection'. */
  | { type: 'setSensesView'; requestId: RequestId; hiddenLayer: number; method: ProjectionMethod }
  /** The panel's "Standardize dimensions" toggle: the host updates the setting, answered by a 'standardize'. */
  | { type: 'setStandardize'; requestId: RequestId; standardize: boolean }
  /** Reveal occurrence `index` (into SensesResult.occurrences) in its editor. */
  | { type: 'revealOccurrence'; requestId: RequestId; index: number }
  /** CSV: one row per occurrence with its cluster at `hiddenLayer`; JSON: the CLI's `senses --json` object. */
  | { type: 'exportSenses'; requestId: RequestId; format: 'csv' | 'json'; hiddenLayer: number }
  | { type: 'requestLayerGuesses'; requestId: RequestId; ref: PointRef }
  | { type: 'requestUnmasked'; requestId: RequestId; snippetId: string }
  // Words and heads (issue 12).
  /** The top bar's Pieces / Words switch: the host re-projects the map in that unit, answered by a 'projection'. */
  | { type: 'setUnit'; requestId: RequestId; unit: MapUnit }
  | { type: 'requestWords'; requestId: RequestId; snippetId: string }
  /** `attentionLayer`: mean-heads only. */
  | { type: 'requestAttentionSummary'; requestId: RequestId; snippetId: string; kind: AttentionSummaryKind; attentionLayer?: number; words: boolean }
  | { type: 'requestHeadStats'; requestId: RequestId; snippetId: string }
  // Compare Models (issue 13).
  /** The Compare tab's depth slider (0 … 1): both maps laid out again, answered by a 'compare'. */
  | { type: 'setCompareDepth'; requestId: RequestId; depth: number }
  /** The Compare rows as CSV or as the JSON `context-lens compare --json` prints. */
  | { type: 'exportCompare'; requestId: RequestId; format: 'csv' | 'json' }
  /** Clears the Compare tab and ends the second model's engine. */
  | { type: 'clearCompare'; requestId: RequestId };

/** The panel's tabs, in the order they are shown. */
export const PANEL_TABS = ['map', 'tokens', 'attention', 'senses', 'compare'] as const;
export type PanelTab = (typeof PANEL_TABS)[number];

/** What the webview keeps with vscode.setState, restored after hide/show and window reload. */
export interface WebviewPersistedState {
  tab: PanelTab;
  /** The map's layer. (Saved as `layer` before the two layer names: webview/persisted.ts reads both.) */
  hiddenLayer: number;
  projection: ProjectionMethod;
  hideSpecial: boolean;
  selectedSnippetId?: string;
  selectedTokens: number[];
  /** -1 = all heads (mean). */
  head: number;
  /** Optional (additive): the attention tab's layer, 1 … numLayers (saved 0-based before the two layer names). */
  attentionLayer?: number;
  /** Optional (additive): the Senses tab's layer, 0 … numLayers (default: the last). */
  sensesLayer?: number;
  /** Optional (additive): the Tokens tab's guesses: masked (one forward per token) or unmasked (one forward). */
  guessMode?: 'masked' | 'unmasked';
  // Issue 12 (all optional, additive).
  /** The top bar's Pieces / Words switch (default pieces). */
  unit?: MapUnit;
  /** The heat map and head view show this summary instead of the head picked (absent: the head, or the mean of heads for head −1). */
  attentionSummary?: 'rollout' | 'mean-layers';
  /** With hideSpecial: renormalise the remaining rows to sum to 1 (default off: the rows as the model gave them). */
  renormalizeHidden?: boolean;
  /** The layers × heads grid's colouring (default 'attention'). */
  gridColouring?: GridColouring;
  /** The head view's orientation (default auto: horizontal for mostly-CJK or long texts). */
  headLayout?: HeadLayout;
  // Issue 13.
  /** The Compare tab's relative depth, 0 (embeddings) … 1 (last layer); default 1. */
  compareDepth?: number;
  /** Causal models: the Tokens tab's strip coloured by surprisal (default on). */
  surprisalColour?: boolean;
  /** The host re-analyzes these after a window reload (WebviewPanelSerializer). */
  snippets: { uri: string; label: string; text: string; startOffset: number }[];
}
