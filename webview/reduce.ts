/**
 * What a message from the host does to the webview's state: a pure function, so every message kind is
 * tested in Node (test/unit/webviewReducer.test.ts). main.ts applies the result and tells the views.
 */
import type { HostToWebview, RequestId, SnippetView, TokenGuessesView, WebviewPersistedState } from '../src/protocol';
import type { Topic } from './bus';
import { pointKey } from './keys';
import { applySensesMessage, sensesRequestFailed } from './senses/model';
import { HEADS_REQUEST_KINDS, applyHeadsMessage, attentionUnitKey, headsRequestFailed, initialHeadsState, withoutWordAttention } from './attention/model';
import { applyCompareMessage } from './compare/model';
import { findSnippet, type AppState, type PendingRequest } from './state';

export interface HostMessageResult {
  /** The state after the message. The input state is never modified; unchanged parts are shared. */
  state: AppState;
  /** What changed, in the order the views are told. Empty when the message changes nothing. */
  topics: Topic[];
  /** The UI strings the host sent ('init'); they replace the current overrides (none sent = English). */
  strings?: Record<string, string>;
}

/** The message, when `data` looks like one (a `message` event may also come from elsewhere). */
export function readHostMessage(data: unknown): HostToWebview | undefined {
  if (!data || typeof data !== 'object' || typeof (data as { type?: unknown }).type !== 'string') return undefined;
  return data as HostToWebview;
}

/**
 * A new `state.persisted` object in the result means the user's kept choices changed: the caller saves it.
 * `selectedSnippetId` and `selectedTokens` stay valid for the snippets shown (see AppState.persisted).
 */
export function applyHostMessage(state: AppState, msg: HostToWebview): HostMessageResult {
  const unchanged: HostMessageResult = { state, topics: [] };
  switch (msg.type) {
    case 'init': {
      const persisted = { ...state.persisted };
      if (Number.isInteger(msg.hiddenLayer)) persisted.hiddenLayer = msg.hiddenLayer;
      if (msg.projection === 'umap' || msg.projection === 'pca') persisted.projection = msg.projection;
      if (typeof msg.standardize !== 'boolean') return { state: { ...state, persisted }, topics: ['strings'], strings: msg.strings ?? {} };
      const senses = { ...state.senses, standardize: msg.standardize };
      return { state: { ...state, persisted, senses }, topics: ['strings', 'standardize'], strings: msg.strings ?? {} };
    }
    case 'model':
      return { state: { ...state, model: msg.model }, topics: ['model'] };
    case 'snippets': {
      const snippets = Array.isArray(msg.snippets) ? msg.snippets : [];
      return {
        state: {
          ...state,
          snippets,
          persisted: persistedForSnippets(state.persisted, snippets),
          attention: new Map(),
          attentionRequested: new Set(),
          grids: new Map(),
          gridRequested: new Set(),
          // New snippets may come from a new model: its predictions are asked for again.
          layerGuesses: new Map(),
          layerGuessesRequested: new Set(),
          unmasked: new Map(),
          unmaskedRequested: new Set(),
          // Words and heads (issue 12, heads-ui): summaries and head statistics belong to the snippets too.
          ...initialHeadsState(),
          // Pieces / Words (issue 12): new analyses, words asked for again.
          words: new Map(),
          wordsRequested: new Set(),
          // Only what waited for these snippets' data is given up (the map's and the Senses tab's requests stay).
          requests: new Map([...state.requests].filter(([, p]) => !['attention', 'grid', 'layerGuesses', 'unmasked', 'words', ...HEADS_REQUEST_KINDS].includes(p.kind))),
          projection: snippets.length ? state.projection : null,
        },
        topics: ['snippets'],
      };
    }
    case 'projection': {
      const answered = state.pendingLayer === null || state.pendingLayer === msg.projection.hiddenLayer;
      const persisted = { ...state.persisted, projection: msg.projection.method };
      if (answered) persisted.hiddenLayer = msg.projection.hiddenLayer;
      const { requests } = settle(state, msg.requestId);
      return {
        state: { ...state, projection: msg.projection, pendingLayer: answered ? null : state.pendingLayer, persisted, requests },
        topics: ['projection', 'layer'],
      };
    }
    case 'progress':
      return { state: { ...state, progress: msg.message ? { message: msg.message, fraction: msg.fraction } : null }, topics: ['progress'] };
    case 'attention': {
      const a = msg.attention;
      // Pieces and words (issue 12) are kept side by side.
      const key = attentionUnitKey(a.snippetId, a.attentionLayer, Array.isArray(a.wordIndices));
      const { requests } = settle(state, msg.requestId);
      // Answered by what the reply holds: a layer asked for past the model's last (answered with the last)
      // stays marked as asked, so that the view does not ask for it again and again.
      const attentionRequested = without(state.attentionRequested, key);
      return { state: { ...state, attention: new Map(state.attention).set(key, a), attentionRequested, requests }, topics: ['attention'] };
    }
    case 'attentionGrid': {
      const g = msg.grid;
      const { requests } = settle(state, msg.requestId);
      const gridRequested = without(state.gridRequested, g.snippetId);
      return { state: { ...state, grids: new Map(state.grids).set(g.snippetId, g), gridRequested, requests }, topics: ['grid'] };
    }
    case 'guesses': {
      const snippet = findSnippet(state.snippets, msg.snippetId);
      if (!snippet || !Array.isArray(msg.tokens)) return unchanged;
      const updated = withGuesses(snippet, msg.tokens);
      return { state: { ...state, snippets: state.snippets.map((s) => (s === snippet ? updated : s)) }, topics: ['guesses'] };
    }
    // Predictions (issue 11): the Tokens tab's per-layer guesses, unmasked predictions and masked span.
    case 'layerGuesses': {
      if (!msg.ref || typeof msg.ref.snippetId !== 'string' || !findSnippet(state.snippets, msg.ref.snippetId)) return { state: { ...state, requests: settle(state, msg.requestId).requests }, topics: [] };
      const key = pointKey(msg.ref.snippetId, msg.ref.tokenIndex);
      const { requests } = settle(state, msg.requestId);
      const layerGuesses = new Map(state.layerGuesses).set(key, msg.result ?? null);
      return { state: { ...state, layerGuesses, layerGuessesRequested: without(state.layerGuessesRequested, key), requests }, topics: ['guesses'] };
    }
    case 'unmasked': {
      const snippet = findSnippet(state.snippets, msg.snippetId);
      const { requests } = settle(state, msg.requestId);
      if (!snippet || !Array.isArray(msg.tokens)) return { state: { ...state, requests }, topics: [] };
      const byIndex = snippet.tokens.map(() => [] as TokenGuessesView['guesses']);
      for (const t of msg.tokens) if (Number.isInteger(t.tokenIndex) && byIndex[t.tokenIndex] && Array.isArray(t.guesses)) byIndex[t.tokenIndex] = t.guesses;
      const unmasked = new Map(state.unmasked).set(snippet.id, byIndex);
      return { state: { ...state, unmasked, unmaskedRequested: without(state.unmaskedRequested, snippet.id), requests }, topics: ['guesses'] };
    }
    case 'span':
      return { state: { ...state, span: msg.span && msg.span.result ? msg.span : null }, topics: ['guesses'] };
    // ---- Pieces / Words (issue 12) ----
    case 'words':
      return applyWords(state, msg);
    // ---- end Pieces / Words ----
    case 'guessProgress':
      return { state: { ...state, guessProgress: msg.total > 0 ? { done: msg.done, total: msg.total } : null }, topics: ['guessProgress'] };
    case 'error': {
      const error = String(msg.message ?? '');
      if (typeof msg.requestId === 'string') return failRequest({ ...state, error }, msg.requestId);
      // A failure of no request (the model did not load): every request in flight is given up, so the
      // views ask again when they next need the data.
      return {
        state: {
          ...state,
          error,
          pendingLayer: null,
          attentionRequested: new Set(),
          gridRequested: new Set(),
          layerGuessesRequested: new Set(),
          unmaskedRequested: new Set(),
          attentionSummaryRequested: new Set(),
          headStatsRequested: new Set(),
          wordsRequested: new Set(),
          requests: new Map(),
        },
        topics: ['error', 'layer'],
      };
    }
    // The Senses tab's messages (webview/senses/model.ts).
    case 'showTab':
    case 'standardize':
    case 'senses':
    case 'sensesProjection':
      return applySensesMessage(state, msg);
    // Words and heads (issue 12, heads-ui): the Attention tab's summaries and head statistics (webview/attention/model.ts).
    case 'attentionSummary':
    case 'headStats':
      return applyHeadsMessage(state, msg);
    // The Compare tab's message (webview/compare/model.ts).
    case 'compare':
      return applyCompareMessage(state, msg);
    default:
      return unchanged;
  }
}

/** `state.requests` without `requestId`, and what that request was waiting for (undefined: not one kept). */
function settle(state: AppState, requestId: RequestId | undefined): { requests: Map<RequestId, PendingRequest>; settled?: PendingRequest } {
  const settled = requestId === undefined ? undefined : state.requests.get(requestId);
  if (!settled) return { requests: state.requests };
  const requests = new Map(state.requests);
  requests.delete(requestId!);
  return { requests, settled };
}

/** Only the request that failed is given up (a view asks again when it next needs the data); the others still wait for their replies. */
function failRequest(state: AppState, requestId: RequestId): HostMessageResult {
  const { requests, settled } = settle(state, requestId);
  const next: AppState = { ...state, requests };
  switch (settled?.kind) {
    case 'projection':
      return { state: { ...next, pendingLayer: null }, topics: ['error', 'layer'] };
    case 'attention':
      return { state: { ...next, attentionRequested: without(state.attentionRequested, settled.key) }, topics: ['error'] };
    case 'grid':
      return { state: { ...next, gridRequested: without(state.gridRequested, settled.snippetId) }, topics: ['error'] };
    case 'sensesProjection':
    case 'standardize':
      return sensesRequestFailed(next, settled);
    case 'layerGuesses':
      return { state: { ...next, layerGuessesRequested: without(state.layerGuessesRequested, settled.key) }, topics: ['error'] };
    case 'unmasked':
      return { state: { ...next, unmaskedRequested: without(state.unmaskedRequested, settled.snippetId) }, topics: ['error'] };
    // Words and heads (issue 12, heads-ui).
    case 'attentionSummary':
    case 'headStats':
      return headsRequestFailed(next, settled);
    // Pieces / Words (issue 12).
    case 'words':
      return { state: { ...next, wordsRequested: without(state.wordsRequested, settled.snippetId) }, topics: ['error'] };
    default:
      return { state: next, topics: ['error'] };
  }
}

/** A copy of `set` without `item`. */
function without(set: ReadonlySet<string>, item: string): Set<string> {
  const out = new Set(set);
  out.delete(item);
  return out;
}

/** The kept choices for a new list of snippets: the selection stays when its snippet is still there. */
function persistedForSnippets(persisted: WebviewPersistedState, snippets: readonly SnippetView[]): WebviewPersistedState {
  const selected = findSnippet(snippets, persisted.selectedSnippetId);
  const n = selected?.tokens.length ?? 0;
  return {
    ...persisted,
    selectedSnippetId: selected ? selected.id : snippets[0]?.id,
    selectedTokens: selected ? persisted.selectedTokens.filter((i) => i >= 0 && i < n) : [],
    snippets: snippets.map((s) => ({ uri: s.uri ?? '', label: s.label, text: s.text, startOffset: s.startOffset ?? 0 })),
  };
}

/** A copy of `snippet` with the streamed guesses in their tokens; indices it does not have are skipped. */
function withGuesses(snippet: SnippetView, streamed: readonly TokenGuessesView[]): SnippetView {
  const tokens = [...snippet.tokens];
  for (const g of streamed) {
    const token = tokens[g.tokenIndex];
    if (!token || !Array.isArray(g.guesses)) continue;
    tokens[g.tokenIndex] = { ...token, guesses: g.guesses, guessesPending: false };
  }
  return { ...snippet, tokens };
}

// ---- Pieces / Words (issue 12) ----

/**
 * A snippet's words (answering requestWords, or sent by the host when contextLens.words.language changed):
 * kept when the snippet is shown and every word names tokens it has; a malformed reply only settles its request.
 */
function applyWords(state: AppState, msg: Extract<HostToWebview, { type: 'words' }>): HostMessageResult {
  const { requests } = settle(state, msg.requestId);
  const view = msg.words;
  const snippet = view && typeof view.snippetId === 'string' ? findSnippet(state.snippets, view.snippetId) : undefined;
  const wellFormed =
    !!snippet &&
    Array.isArray(view.words) &&
    view.words.every((w) => w && Array.isArray(w.tokenIndices) && w.tokenIndices.length > 0 && w.tokenIndices.every((i) => Number.isInteger(i) && i >= 0 && i < snippet.tokens.length));
  const asked = view && typeof view.snippetId === 'string' ? without(state.wordsRequested, view.snippetId) : state.wordsRequested;
  if (!wellFormed) return { state: { ...state, wordsRequested: asked, requests }, topics: [] };
  const before = state.words.get(view.snippetId);
  const regrouped = !!before && JSON.stringify(before.words) !== JSON.stringify(view.words);
  const base = regrouped ? withoutWordAttention(state, view.snippetId) : state;
  return {
    state: { ...base, words: new Map(state.words).set(view.snippetId, view), wordsRequested: asked, requests },
    topics: regrouped ? ['words', 'attention'] : ['words'],
  };
}
