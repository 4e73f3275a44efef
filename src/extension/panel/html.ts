/**
 * The Embedding Map's page and its Content-Security-Policy, as pure functions: no vscode import, so that
 * test/webview/harness.mjs serves the standalone webview under this very policy.
 */

/**
 * The policy of the panel's page. `cspSource` is `webview.cspSource` (where asWebviewUri resources come from).
 *
 * - Scripts: only those carrying this page's nonce (dist/webview.js). No 'unsafe-eval', no 'unsafe-inline'.
 * - Styles: `'unsafe-inline'` stays because Plotly needs it (plotly.js issues #2355 and #7543). Its
 *   `addStyleRule` writes its rules into a `<style>` element it creates; registering the map trace type at
 *   load injects MapLibre's stylesheet as another `<style>`; and the heat map (attention) and colour bars set
 *   `style` attributes with setAttribute. Checked in Chromium with plotly.js-dist 4.1.1: under
 *   `style-src 'nonce-…'` (even with Plotly's own `<style>` created beforehand with the nonce) a scatter plus
 *   a heat map raise one style-src-elem and three style-src-attr violations; under `'unsafe-inline'`, none.
 *   No nonce is added to style-src either: a browser ignores 'unsafe-inline' in a directive that also holds
 *   a nonce or hash (CSP Level 3), so a nonce there would switch Plotly's styles off. A `<style nonce>` of
 *   the app's own is allowed as it is.
 * - Images: the map is drawn to data:/blob: URLs for PNG/SVG export.
 */
export function contentSecurityPolicy(nonce: string, cspSource: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'unsafe-inline'`,
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
