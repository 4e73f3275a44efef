/**
 * The Senses tab's part of the webview state and what the host's senses messages do to it: pure, so
 * that test/unit/webviewReducer.test.ts runs every case in Node (reduce.ts hands these messages here).
 */
import { PANEL_TABS, type HostToWebview, type ProjectionMethod, type SensesProjection, type SensesResult } from '../../src/protocol';
import type { Topic } from '../bus';
import type { AppState, PendingRequest } from '../state';

export interface SensesState {
  /** The word-senses result so far (grows as batches finish); null before Explore Word Senses, or cleared. */
  result: SensesResult | null;
  /** The latest scatter layout the host sent for `result` (it may lag behind the layer shown). */
  projection: SensesProjection | null;
  /** The contextLens.standardizeDimensions setting, as the host last said. */
  standardize: boolean;
}

export const initialSensesState = (): SensesState => ({ result: null, projection: null, standardize: false });

export type SensesMessage = Extract<HostToWebview, { type: 'showTab' | 'standardize' | 'senses' | 'sensesProjection' }>;
type SensesRequest = Extract<PendingRequest, { kind: 'sensesProjection' | 'standardize' }>;

export interface SensesMessageResult {
  state: AppState;
  topics: Topic[];
}


/** Two results of the same exploration (a later batch), so that the scatter's layout still applies. */
function sameJob(a: SensesResult | null, b: SensesResult): boolean {
  return !!a && a.word === b.word && a.also === b.also && a.model === b.model;
}

export function applySensesMessage(state: AppState, msg: SensesMessage): SensesMessageResult {
  const unchanged = { state, topics: [] };
  switch (msg.type) {
    case 'showTab':
      if (!(PANEL_TABS as readonly string[]).includes(msg.tab)) return unchanged;
      return { state: { ...state, persisted: { ...state.persisted, tab: msg.tab } }, topics: ['showTab'] };
    case 'standardize': {
      // The host's word on the setting answers every toggle in flight.
      const requests = new Map([...state.requests].filter(([, p]) => p.kind !== 'standardize'));
      return { state: { ...state, requests, senses: { ...state.senses, standardize: msg.standardize === true } }, topics: ['standardize'] };
    }
    case 'senses': {
      const result = msg.senses && typeof msg.senses === 'object' && Array.isArray(msg.senses.occurrences) ? msg.senses : null;
      const projection = result && sameJob(state.senses.result, result) ? state.senses.projection : null;
      const requests = result ? state.requests : new Map([...state.requests].filter(([, p]) => p.kind !== 'sensesProjection'));
      return { state: { ...state, requests, senses: { ...state.senses, result, projection } }, topics: ['senses', 'sensesProjection'] };
    }
    case 'sensesProjection': {
      const p = msg.projection;
      if (!state.senses.result || !p || !Array.isArray(p.points)) return unchanged;
      let requests = state.requests;
      if (msg.requestId !== undefined) {
        // An answer to a setSensesView that a newer one replaced (or that an earlier page sent): the
        // newer answer is on its way, and drawing this one would flash the old layer.
        if (state.requests.get(msg.requestId)?.kind !== 'sensesProjection') return unchanged;
        requests = new Map(state.requests);
        requests.delete(msg.requestId);
      }
      return { state: { ...state, requests, senses: { ...state.senses, projection: p } }, topics: ['sensesProjection'] };
    }
    default:
      return unchanged;
  }
}

/** A senses request that failed: its view shows the state as it is again (the toggle flips back). */
export function sensesRequestFailed(state: AppState, failed: SensesRequest): SensesMessageResult {
  return { state, topics: ['error', failed.kind === 'standardize' ? 'standardize' : 'sensesProjection'] };
}

/** The setSensesView still waiting for its answer, if any (requests.ts keeps the newest only). */
export function pendingSensesView(state: Pick<AppState, 'requests'>): { hiddenLayer: number; method: ProjectionMethod } | undefined {
  for (const p of state.requests.values()) if (p.kind === 'sensesProjection') return { hiddenLayer: p.hiddenLayer, method: p.method };
  return undefined;
}

/** What the toggle shows: the value asked for while the host has not answered, else the setting. */
export function shownStandardize(state: Pick<AppState, 'requests' | 'senses'>): boolean {
  let shown = state.senses.standardize;
  for (const p of state.requests.values()) if (p.kind === 'standardize') shown = p.standardize;
  return shown;
}

/** The Senses tab's layer: the kept choice within 0 … numLayers, the last layer by default. */
export function sensesLayer(state: Pick<AppState, 'persisted' | 'senses'>): number {
  const max = state.senses.result?.numLayers ?? 0;
  const kept = state.persisted.sensesLayer;
  return kept === undefined ? max : Math.max(0, Math.min(max, kept));
}
