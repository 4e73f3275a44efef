/**
 * The Attention tab's words-and-heads part of the webview state (issue 12): summaries over heads and layers,
 * every head's statistics, and the key of a layer's attention per unit (pieces or words). Pure, so that
 * test/unit/webviewReducer.test.ts runs every case in Node (reduce.ts hands these messages here).
 */
import type { AttentionSummaryKind, AttentionSummaryView, HeadStatsView, HostToWebview } from '../../src/protocol';
import type { Topic } from '../bus';
import { attentionKey } from '../keys';
import type { AppState, PendingRequest } from '../state';

export interface HeadsState {
  /** By summaryKey(snippetId, kind, layer, words). */
  attentionSummaries: Map<string, AttentionSummaryView>;
  attentionSummaryRequested: Set<string>;
  /** By snippet id. */
  headStats: Map<string, HeadStatsView>;
  headStatsRequested: Set<string>;
}

export const initialHeadsState = (): HeadsState => ({ attentionSummaries: new Map(), attentionSummaryRequested: new Set(), headStats: new Map(), headStatsRequested: new Set() });

/** The request kinds whose answers belong to the snippets shown (a new list of snippets gives them up). */
export const HEADS_REQUEST_KINDS: readonly PendingRequest['kind'][] = ['attentionSummary', 'headStats'];

/**
 * One layer's attention of one snippet in one unit: the pieces' key is attentionKey's (as before words
 * existed), the words' adds a part no layer number has, so both stay cached side by side.
 */
export function attentionUnitKey(snippetId: string, attentionLayer: number, words: boolean): string {
  const key = attentionKey(snippetId, attentionLayer);
  return words ? `${key}\u0000words` : key;
}

/** One summary of one snippet: `layer` only for mean-heads (the layer averaged). */
export function summaryKey(snippetId: string, kind: AttentionSummaryKind, layer: number | undefined, words: boolean): string {
  return [snippetId, kind, kind === 'mean-heads' ? String(layer ?? '') : '', words ? 'words' : 'pieces'].join('\u0000');
}

export type HeadsMessage = Extract<HostToWebview, { type: 'attentionSummary' | 'headStats' }>;
type HeadsRequest = Extract<PendingRequest, { kind: 'attentionSummary' | 'headStats' }>;

function without(set: ReadonlySet<string>, item: string): Set<string> {
  const out = new Set(set);
  out.delete(item);
  return out;
}

function settled(state: AppState, requestId: string | undefined): Map<string, PendingRequest> {
  if (requestId === undefined || !state.requests.has(requestId)) return state.requests;
  const requests = new Map(state.requests);
  requests.delete(requestId);
  return requests;
}

/** A summary or the statistics arrived: kept under their key (the views are told through 'attention' and 'grid'). */
export function applyHeadsMessage(state: AppState, msg: HeadsMessage): { state: AppState; topics: Topic[] } {
  const requests = settled(state, msg.requestId);
  if (msg.type === 'attentionSummary') {
    const s = msg.summary;
    if (!s || typeof s.snippetId !== 'string' || !s.weights || !Number.isInteger(s.size)) return { state: { ...state, requests }, topics: [] };
    const key = summaryKey(s.snippetId, s.kind, s.layer, Array.isArray(s.wordIndices));
    return {
      state: { ...state, requests, attentionSummaries: new Map(state.attentionSummaries).set(key, s), attentionSummaryRequested: without(state.attentionSummaryRequested, key) },
      topics: ['attention'],
    };
  }
  const h = msg.headStats;
  if (!h || typeof h.snippetId !== 'string' || !Array.isArray(h.stats)) return { state: { ...state, requests }, topics: [] };
  return { state: { ...state, requests, headStats: new Map(state.headStats).set(h.snippetId, h), headStatsRequested: without(state.headStatsRequested, h.snippetId) }, topics: ['grid'] };
}

/** Only the failed request is given up: the view asks again when it next needs the data. */
export function headsRequestFailed(next: AppState, failed: HeadsRequest): { state: AppState; topics: Topic[] } {
  if (failed.kind === 'attentionSummary') return { state: { ...next, attentionSummaryRequested: without(next.attentionSummaryRequested, failed.key) }, topics: ['error'] };
  return { state: { ...next, headStatsRequested: without(next.headStatsRequested, failed.snippetId) }, topics: ['error'] };
}

/**
 * A snippet's words changed (contextLens.words.language): its attention and summaries pooled over the old
 * words are dropped, so the Attention tab asks again; the pieces' stay.
 */
export function withoutWordAttention(state: AppState, snippetId: string): AppState {
  const ofSnippetWords = (key: string): boolean => key.startsWith(`${snippetId}\u0000`) && key.endsWith('\u0000words');
  const keep = <V>(m: Map<string, V>): Map<string, V> => new Map([...m].filter(([k]) => !ofSnippetWords(k)));
  return { ...state, attention: keep(state.attention), attentionSummaries: keep(state.attentionSummaries) };
}
