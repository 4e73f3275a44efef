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
export type { ProjectionMethod, SensesResult, SensesProjection, LayerGuessesResult, SpanGuessesResult };

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
}

/** Same token text in two different contexts, with their cosine similarity at the current layer. */
export interface TokenLink {
  piece: string;
  a: PointRef;
  b: PointRef;
  cosine: number;
}

export interface ProjectionView {
  hiddenLayer: number;
  method: ProjectionMethod;
  points: MapPoint[];
  links: TokenLink[];
}

export interface AttentionLayerView {
  snippetId: string;
  /** 1 … numLayers. */
  attentionLayer: number;
  numHeads: number;
  /** Token indices (into the snippet's tokens) of the rows/columns. */
  tokenIndices: number[];
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
}

/**
 * Names one request of the webview (unique per page). The host's reply to it, and any error its handling
 * raised, carry it back, so that an error fails that request only.
 */
export type RequestId = string;

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
  | { type: 'span'; span: SpanView | null };

/** Every message but 'ready' is a request: it carries a fresh RequestId (see there). */
export type WebviewToHost =
  | { type: 'ready' }
  /** Answered by a 'projection'; a newer setLayer/setProjection supersedes it unanswered (the host projects the newest only). */
  | { type: 'setLayer'; requestId: RequestId; hiddenLayer: number }
  | { type: 'setProjection'; requestId: RequestId; method: ProjectionMethod }
  | { type: 'requestAttention'; requestId: RequestId; snippetId: string; attentionLayer: number }
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
  | { type: 'requestUnmasked'; requestId: RequestId; snippetId: string };

/** The panel's tabs, in the order they are shown. */
export const PANEL_TABS = ['map', 'tokens', 'attention', 'senses'] as const;
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
  /** The host re-analyzes these after a window reload (WebviewPanelSerializer). */
  snippets: { uri: string; label: string; text: string; startOffset: number }[];
}
