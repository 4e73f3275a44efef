/**
 * The webview's state: one `AppState` (the module singleton `state` that views read), what of it VS Code
 * keeps across hide/show (`persisted`), and lookups over it. Host messages change it only through
 * `applyHostMessage` (reduce.ts); the views change the user's choices (tab, selection, head, …) directly.
 */
import type {
  AttentionGridView,
  AttentionLayerView,
  GuessView,
  LayerGuessesResult,
  ModelStatusView,
  ProjectionMethod,
  ProjectionView,
  RequestId,
  SnippetView,
  SpanView,
  CompareView,
  TokenView,
  WebviewPersistedState,
  WordsView,
} from '../src/protocol';
import { restorePersisted } from '../src/shared/persistedState';
import { savedUnit } from '../src/shared/mapUnit';
import { initialSensesState, type SensesState } from './senses/model';
import { initialHeadsState, type HeadsState } from './attention/model';
import { savedState, saveState } from './vscodeApi';

export type Tab = WebviewPersistedState['tab'];

/** What a request a view waits for will bring: what an error for that request gives up. */
export type PendingRequest =
  /** setLayer or setProjection: the map's next projection. */
  | { kind: 'projection' }
  /** requestAttention: the attention under this attentionKey. */
  | { kind: 'attention'; key: string }
  /** requestAttentionGrid. */
  | { kind: 'grid'; snippetId: string }
  /** setSensesView: the Senses scatter's next layout (requests.ts keeps the newest only). */
  | { kind: 'sensesProjection'; hiddenLayer: number; method: ProjectionMethod }
  /** setStandardize: the host's 'standardize' answers it. */
  | { kind: 'standardize'; standardize: boolean }
  /** requestLayerGuesses: the per-layer guesses under this pointKey. */
  | { kind: 'layerGuesses'; key: string }
  /** requestUnmasked: a snippet's unmasked predictions. */
  | { kind: 'unmasked'; snippetId: string }
  // Words and heads (issue 12, heads-ui): webview/attention/model.ts.
  /** requestAttentionSummary: the summary under this summaryKey. */
  | { kind: 'attentionSummary'; key: string }
  /** requestHeadStats: a snippet's head statistics. */
  | { kind: 'headStats'; snippetId: string }
  // ---- Pieces / Words (issue 12) ----
  /** requestWords: a snippet's words. */
  | { kind: 'words'; snippetId: string };

export interface AppState extends HeadsState {
  /**
   * The user's choices, kept with setState. `selectedSnippetId` names one of `snippets` whenever there
   * are any, and `selectedTokens` are indices into that snippet: applyHostMessage keeps both true.
   */
  persisted: WebviewPersistedState;
  model: ModelStatusView | null;
  snippets: SnippetView[];
  projection: ProjectionView | null;
  /** The map's layer (a hidden layer) asked of the host and not answered yet. */
  pendingLayer: number | null;
  progress: { message: string; fraction?: number } | null;
  error: string | null;
  /** The Senses tab (webview/senses/model.ts). */
  senses: SensesState;
  /** By attentionKey(snippetId, attentionLayer). */
  attention: Map<string, AttentionLayerView>;
  attentionRequested: Set<string>;
  /** By snippet id. */
  grids: Map<string, AttentionGridView>;
  gridRequested: Set<string>;
  /** Requests sent and not answered yet, by request id (webview/requests.ts). */
  requests: Map<RequestId, PendingRequest>;
  /** Token under the pointer/focus in the Tokens tab. */
  inspected: { snippetId: string; tokenIndex: number } | null;
  /** Masked guesses still streaming in; null when none are pending. */
  guessProgress: { done: number; total: number } | null;
  // Predictions (issue 11), shown in the Tokens tab.
  /** Per-layer guesses by pointKey(snippetId, tokenIndex); null: the token has none (a special token). */
  layerGuesses: Map<string, LayerGuessesResult | null>;
  layerGuessesRequested: Set<string>;
  /** Unmasked predictions by snippet id, indexed by token index ([] where none). */
  unmasked: Map<string, GuessView[][]>;
  unmaskedRequested: Set<string>;
  /** The last Guess Masked Span result. */
  span: SpanView | null;
  // ---- Pieces / Words (issue 12); the unit itself is persisted.unit ----
  /** Each snippet's tokens grouped into words, by snippet id (asked for when the page shows words). */
  words: Map<string, WordsView>;
  wordsRequested: Set<string>;
  // ---- end Pieces / Words ----
  /** Compare Models (issue 13): the Compare tab's comparison; null before one, or cleared. */
  compare: CompareView | null;
}

/** The state of a page that has heard nothing from the host yet. */
export function initialState(persisted: WebviewPersistedState = restorePersisted(undefined)): AppState {
  return {
    persisted,
    model: null,
    snippets: [],
    projection: null,
    pendingLayer: null,
    progress: null,
    error: null,
    senses: initialSensesState(),
    attention: new Map(),
    attentionRequested: new Set(),
    grids: new Map(),
    gridRequested: new Set(),
    requests: new Map(),
    inspected: null,
    guessProgress: null,
    layerGuesses: new Map(),
    layerGuessesRequested: new Set(),
    unmasked: new Map(),
    unmaskedRequested: new Set(),
    span: null,
    // Words and heads (issue 12, heads-ui): summaries and head statistics (webview/attention/model.ts).
    ...initialHeadsState(),
    // Pieces / Words (issue 12).
    words: new Map(),
    wordsRequested: new Set(),
    compare: null,
  };
}

export const state: AppState = initialState();

/** Make `next` the current state (every view reads `state`, so it is updated in place). */
export function replaceState(next: AppState): void {
  Object.assign(state, next);
}

export function loadPersisted(): void {
  const saved = savedState();
  state.persisted = restorePersisted(saved);
  // Pieces / Words (issue 12): kept only when it is words (pieces is the default).
  if (savedUnit(saved) === 'words') state.persisted.unit = 'words';
}

export function persist(): void {
  saveState(state.persisted);
}

export function setProjectionMethod(method: ProjectionMethod): void {
  state.persisted.projection = method;
  persist();
}

export function numLayers(): number {
  return state.model?.numLayers ?? Math.max(state.persisted.hiddenLayer, state.projection?.hiddenLayer ?? 0, 1);
}

export function findSnippet(snippets: readonly SnippetView[], id: string | undefined): SnippetView | undefined {
  return id === undefined ? undefined : snippets.find((s) => s.id === id);
}

export function snippetById(id: string | undefined): SnippetView | undefined {
  return findSnippet(state.snippets, id);
}

export function tokenOf(snippetId: string, tokenIndex: number): { snippet: SnippetView; token: TokenView } | undefined {
  const snippet = snippetById(snippetId);
  const token = snippet?.tokens[tokenIndex];
  return snippet && token ? { snippet, token } : undefined;
}

/** The one rule for what the views draw: every token, except special ones while "hide [CLS]/[SEP]" is on. */
export function isVisibleToken(token: Pick<TokenView, 'special'> | undefined): boolean {
  return !(state.persisted.hideSpecial && token?.special);
}

// ---- Pieces / Words (issue 12) ----

/** The unit the top bar's switch shows (and the Tokens tab groups by). */
export function shownUnit(): 'pieces' | 'words' {
  return state.persisted.unit === 'words' ? 'words' : 'pieces';
}

/** The map draws words when the projection it has was made of words (the switch may be ahead of it). */
export function projectionIsWords(): boolean {
  return state.projection?.unit === 'words';
}
