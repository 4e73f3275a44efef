/**
 * The Embedding Map panel. mapPanel.ts: lifecycle and message routing; html.ts: the page and its
 * Content-Security-Policy (pure); mapProjection.ts and projectionView.ts: the 2-D map; attention.ts: the
 * attention tab's data; mapExports.ts: JSON, Projector TSV and image exports; reveal.ts: a token back in its
 * editor; snippetStore.ts: the snippet list across window reloads.
 */
export { MapPanel, registerMapPanelSerializer } from './mapPanel';
export { SnippetStore } from './snippetStore';
