/** The webview's state, the VS Code API wrapper and a tiny change-notification bus. */
import type {
  AttentionGridView,
  AttentionLayerView,
  ModelStatusView,
  ProjectionMethod,
  ProjectionView,
  SnippetView,
  TokenView,
  WebviewPersistedState,
  WebviewToHost,
} from '../src/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

let api: VsCodeApi | undefined;
function vscode(): VsCodeApi {
  if (!api) {
    api =
      typeof acquireVsCodeApi === 'function'
        ? acquireVsCodeApi()
        : { postMessage: () => undefined, getState: () => undefined, setState: () => undefined };
  }
  return api;
}

export function post(message: WebviewToHost): void {
  vscode().postMessage(message);
}

export type Tab = WebviewPersistedState['tab'];

export interface AppState {
  persisted: WebviewPersistedState;
  model: ModelStatusView | null;
  snippets: SnippetView[];
  projection: ProjectionView | null;
  /** Layer/projection asked of the host and not answered yet. */
  pendingLayer: number | null;
  progress: { message: string; fraction?: number } | null;
  error: string | null;
  attention: Map<string, AttentionLayerView>;
  attentionRequested: Set<string>;
  grids: Map<string, AttentionGridView>;
  gridRequested: Set<string>;
  /** Token under the pointer/focus in the Tokens tab. */
  inspected: { snippetId: string; tokenIndex: number } | null;
  /** Masked guesses still streaming in; null when none are pending. */
  guessProgress: { done: number; total: number } | null;
}

const DEFAULTS: WebviewPersistedState = {
  tab: 'map',
  layer: 0,
  projection: 'umap',
  hideSpecial: true,
  selectedTokens: [],
  head: -1,
  snippets: [],
};

/** Merge whatever getState() returned over the defaults, dropping anything malformed. */
export function restorePersisted(raw: unknown): WebviewPersistedState {
  const s = { ...DEFAULTS, selectedTokens: [] as number[], snippets: [] as WebviewPersistedState['snippets'] };
  if (!raw || typeof raw !== 'object') return s;
  const r = raw as Partial<WebviewPersistedState>;
  if (r.tab === 'map' || r.tab === 'tokens' || r.tab === 'attention') s.tab = r.tab;
  if (Number.isInteger(r.layer) && (r.layer as number) >= 0) s.layer = r.layer as number;
  if (r.projection === 'umap' || r.projection === 'pca') s.projection = r.projection;
  if (typeof r.hideSpecial === 'boolean') s.hideSpecial = r.hideSpecial;
  if (typeof r.selectedSnippetId === 'string') s.selectedSnippetId = r.selectedSnippetId;
  if (Array.isArray(r.selectedTokens)) s.selectedTokens = r.selectedTokens.filter((n) => Number.isInteger(n));
  if (Number.isInteger(r.head)) s.head = r.head as number;
  if (Number.isInteger(r.attentionLayer)) s.attentionLayer = r.attentionLayer;
  if (Array.isArray(r.snippets)) s.snippets = r.snippets.filter((x) => x && typeof x.text === 'string');
  return s;
}

export const state: AppState = {
  persisted: restorePersisted(undefined),
  model: null,
  snippets: [],
  projection: null,
  pendingLayer: null,
  progress: null,
  error: null,
  attention: new Map(),
  attentionRequested: new Set(),
  grids: new Map(),
  gridRequested: new Set(),
  inspected: null,
  guessProgress: null,
};

export function loadPersisted(): void {
  state.persisted = restorePersisted(vscode().getState());
}

export function persist(): void {
  vscode().setState(state.persisted);
}

export function setProjectionMethod(method: ProjectionMethod): void {
  state.persisted.projection = method;
  persist();
}

export function numLayers(): number {
  return state.model?.numLayers ?? Math.max(state.persisted.layer, state.projection?.layer ?? 0, 1);
}

export function snippetById(id: string | undefined): SnippetView | undefined {
  return id === undefined ? undefined : state.snippets.find((s) => s.id === id);
}

export function tokenOf(snippetId: string, tokenIndex: number): { snippet: SnippetView; token: TokenView } | undefined {
  const snippet = snippetById(snippetId);
  const token = snippet?.tokens[tokenIndex];
  return snippet && token ? { snippet, token } : undefined;
}

export function isVisibleToken(token: TokenView): boolean {
  return !(state.persisted.hideSpecial && token.special);
}

export function attentionKey(snippetId: string, layer: number): string {
  return `${snippetId}\u0000${layer}`;
}

// A minimal event bus: views subscribe to the parts they draw.
export type Topic =
  | 'strings'
  | 'model'
  | 'snippets'
  | 'projection'
  | 'progress'
  | 'error'
  | 'attention'
  | 'grid'
  | 'selection'
  | 'tab'
  | 'theme'
  | 'hideSpecial'
  | 'layer'
  | 'guesses'
  | 'guessProgress';

/** Asks the host to compute this token's guesses next, when they are still pending. */
export function wantGuesses(snippetId: string, tokenIndex: number): void {
  if (tokenOf(snippetId, tokenIndex)?.token.guessesPending) post({ type: 'wantGuesses', ref: { snippetId, tokenIndex } });
}
const listeners = new Map<Topic, Set<() => void>>();
export function on(topic: Topic, fn: () => void): void {
  let set = listeners.get(topic);
  if (!set) listeners.set(topic, (set = new Set()));
  set.add(fn);
}
export function emit(topic: Topic): void {
  for (const fn of listeners.get(topic) ?? []) {
    try {
      fn();
    } catch (err) {
      console.error(`[context-lens] ${topic} view failed`, err);
    }
  }
}
