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
} from '../src/protocol';
import { restorePersisted } from '../src/shared/persistedState';
import { initialSensesState, type SensesState } from './senses/model';
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
  | { kind: 'unmasked'; snippetId: string };

export interface AppState {
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
    compare: null,
  };
}

export const state: AppState = initialState();

/** Make `next` the current state (every view reads `state`, so it is updated in place). */
export function replaceState(next: AppState): void {
  Object.assign(state, next);
}

export function loadPersisted(): void {
  state.persisted = restorePersisted(savedState());
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
