/**
 * The Compare tab's part of the webview state and what the host's 'compare' message does to it: pure, so that
 * test/unit/compareWebview.test.ts runs it in Node (reduce.ts hands the message here).
 */
import type { CompareView, HostToWebview } from '../../src/protocol';
import type { Topic } from '../bus';
import type { AppState } from '../state';

export type CompareMessage = Extract<HostToWebview, { type: 'compare' }>;

/** A well-formed comparison, or null (cleared, or malformed). */
function readCompare(c: unknown): CompareView | null {
  if (!c || typeof c !== 'object') return null;
  const v = c as CompareView;
  return Array.isArray(v.rows) && Array.isArray(v.models) && v.models.length === 2 && typeof v.text === 'string' ? v : null;
}

export function applyCompareMessage(state: AppState, msg: CompareMessage): { state: AppState; topics: Topic[] } {
  return { state: { ...state, compare: readCompare(msg.compare) }, topics: ['compare'] };
}

/** The tab's relative depth: the kept choice within 0 … 1, the last layer (1) by default. */
export function compareDepth(state: Pick<AppState, 'persisted'>): number {
  const d = state.persisted.compareDepth;
  return typeof d === 'number' && Number.isFinite(d) ? Math.max(0, Math.min(1, d)) : 1;
}

/** The hidden layer a model shows at `depth` (the host's rule, src/engine/compare/rows.ts layerAtDepth). */
export { layerAtDepth } from '../../src/engine/compare/rows';

/** Whitespace a reader cannot see, shown: a line break as ⏎, a tab as →, a leading or trailing space as ␣. */
export function visibleText(text: string): string {
  return text
    .replace(/\r\n|\r|\n/g, '⏎')
    .replace(/\t/g, '→')
    .replace(/^ +| +$/g, (m) => '␣'.repeat(m.length));
}
