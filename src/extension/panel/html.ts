/**
 * The Embedding Map's page and its Content-Security-Policy, as pure functions: no vscode import, so that
 * test/webview/harness.mjs serves the standalone webview under this very policy.
 */

/**
 * The policy of the panel's page. `cspSource` is `webview.cspSource` (where asWebviewUri resources come from).
 *
 * - Scripts: only those carrying this page's nonce (dist/webview.js). No 'unsafe-eval', no 'unsafe-inline'.
 * - Style elements: only those carrying this page's nonce: the app's own stylesheet (webview/main.ts) and the
 *   two elements webview/plotlyStyles.ts makes before Plotly loads (Plotly then writes its rules into their
 *   sheets through the CSSOM, which the policy does not govern).
 * - Style attributes (`style-src-attr 'unsafe-inline'`): Plotly itself writes `style` attributes that cannot
 *   carry a nonce: bold and italic in hover and label text, the colour bar's fill and `image-rendering:
 *   pixelated` on heat maps of more than 40 tokens (plotly.js issues #2355 and #7543). The app's own element
 *   styles go through the CSSOM (`el.style.x = …`) and need no attribute. Hashes of Plotly's four values
 *   (`'unsafe-hashes'`) would break silently on its next new value, so the attribute rule stays open; an
 *   attribute can restyle but not run anything, and `script-src` stays nonce-only.
 * - Images: the map is drawn to data:/blob: URLs for PNG/SVG export.
 */
export function contentSecurityPolicy(nonce: string, cspSource: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    `img-src ${cspSource} data: blob:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

export interface PanelPage {
  nonce: string;
  cspSource: string;
  /** asWebviewUri of dist/webview.js. */
  scriptUri: string;
  /** The display language (vscode.env.language). */
  lang: string;
  title: string;
  /** The webview's UI strings in the display language (l10n.ts), for the first paint. */
  strings: Record<string, string>;
}

export function panelHtml(page: PanelPage): string {
  const csp = contentSecurityPolicy(page.nonce, page.cspSource);
  return `<!DOCTYPE html>
<html lang="${escapeHtml(page.lang)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)};">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(page.title)}</title>
</head>
<body>
<div id="app" data-strings="${escapeHtml(JSON.stringify(page.strings))}"></div>
<script nonce="${escapeHtml(page.nonce)}" src="${escapeHtml(page.scriptUri)}"></script>
</body>
</html>`;
}

/** Text for an HTML text node or a double- or single-quoted attribute value. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
