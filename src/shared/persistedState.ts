/**
 * Reading back what the webview kept with vscode.setState (WebviewPersistedState, src/protocol.ts): it may be malformed,
 * or saved by an earlier version. Pure, so that the host reads a restored panel's state by the same rule
 * (MapPanel.restore) and the unit tests run it in Node.
 */
import { GRID_COLOURINGS, PANEL_TABS, type WebviewPersistedState } from '../protocol';

const DEFAULTS: WebviewPersistedState = {
  tab: 'map',
  hiddenLayer: 0,
  projection: 'umap',
  hideSpecial: true,
  selectedTokens: [],
  head: -1,
  snippets: [],
};

/**
 * Versions before the two layer names saved the map's layer as `layer` (always: it was a default) and
 * the Attention tab's layer as a 0-based `attentionLayer`. Today's state always has `hiddenLayer`, so a
 * state with `layer` and without `hiddenLayer` is such an old one.
 */
function isBeforeLayerNames(r: Record<string, unknown>): boolean {
  return !('hiddenLayer' in r) && 'layer' in r;
}

function isLayer(x: unknown, min: number): x is number {
  return Number.isInteger(x) && (x as number) >= min;
}

/** The map's layer (0 = embeddings … numLayers) the state keeps, under today's name or the old one. */
export function savedHiddenLayer(raw: unknown): number | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as Record<string, unknown>;
  const layer = isBeforeLayerNames(r) ? r.layer : r.hiddenLayer;
  return isLayer(layer, 0) ? layer : undefined;
}

/** The Attention tab's layer (1 … numLayers), counted from 1 also when an old version saved it from 0. */
function savedAttentionLayer(r: Record<string, unknown>): number | undefined {
  if (!Number.isInteger(r.attentionLayer)) return undefined;
  return isBeforeLayerNames(r) ? (r.attentionLayer as number) + 1 : (r.attentionLayer as number);
}

/** Merge whatever getState() returned over the defaults, dropping anything malformed. */
export function restorePersisted(raw: unknown): WebviewPersistedState {
  const s = { ...DEFAULTS, selectedTokens: [] as number[], snippets: [] as WebviewPersistedState['snippets'] };
  if (!raw || typeof raw !== 'object') return s;
  const r = raw as Partial<WebviewPersistedState>;
  if ((PANEL_TABS as readonly unknown[]).includes(r.tab)) s.tab = r.tab as WebviewPersistedState['tab'];
  const hiddenLayer = savedHiddenLayer(raw);
  if (hiddenLayer !== undefined) s.hiddenLayer = hiddenLayer;
  if (r.projection === 'umap' || r.projection === 'pca') s.projection = r.projection;
  if (typeof r.hideSpecial === 'boolean') s.hideSpecial = r.hideSpecial;
  if (typeof r.selectedSnippetId === 'string') s.selectedSnippetId = r.selectedSnippetId;
  if (Array.isArray(r.selectedTokens)) s.selectedTokens = r.selectedTokens.filter((n) => Number.isInteger(n));
  if (Number.isInteger(r.head)) s.head = r.head as number;
  const attentionLayer = savedAttentionLayer(raw as Record<string, unknown>);
  if (attentionLayer !== undefined) s.attentionLayer = attentionLayer;
  if (isLayer(r.sensesLayer, 0)) s.sensesLayer = r.sensesLayer;
  if (r.guessMode === 'masked' || r.guessMode === 'unmasked') s.guessMode = r.guessMode;
  // Words and heads (issue 12, heads-ui): the Attention tab's summary, renormalisation, grid colouring and head layout.
  if (r.attentionSummary === 'rollout' || r.attentionSummary === 'mean-layers') s.attentionSummary = r.attentionSummary;
  if (typeof r.renormalizeHidden === 'boolean') s.renormalizeHidden = r.renormalizeHidden;
  if ((GRID_COLOURINGS as readonly unknown[]).includes(r.gridColouring)) s.gridColouring = r.gridColouring;
  if (r.headLayout === 'auto' || r.headLayout === 'vertical' || r.headLayout === 'horizontal') s.headLayout = r.headLayout;
  if (typeof r.surprisalColour === 'boolean') s.surprisalColour = r.surprisalColour;
  if (typeof r.compareDepth === 'number' && r.compareDepth >= 0 && r.compareDepth <= 1) s.compareDepth = r.compareDepth;
  if (Array.isArray(r.snippets)) s.snippets = r.snippets.filter((x) => x && typeof x.text === 'string');
  return s;
}
