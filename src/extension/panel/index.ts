/**
 * The Embedding Map panel. mapPanel.ts: lifecycle and message routing; html.ts: the page and its
 * Content-Security-Policy (pure); mapProjection.ts: the 2-D layout; mapExports.ts: JSON, Projector TSV and
 * image exports; reveal.ts: a token back in its editor; snippetStore.ts: the snippet list across reloads.
 */
export { MapPanel, registerMapPanelSerializer } from './mapPanel';
export { SnippetStore } from './snippetStore';
