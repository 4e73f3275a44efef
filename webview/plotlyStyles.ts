/**
 * Imported by plotting.ts before Plotly, so this runs before Plotly's bundle initialises. When it loads,
 * Plotly creates <style> elements without the page's nonce, which the Content-Security-Policy blocks
 * (there is no 'unsafe-inline' for style elements). Elements with their ids made here first stop that:
 * - `plotly.js-style-global`: Plotly inserts its rules (mode bar, hover labels) into this element's sheet
 *   through the CSSOM; with the nonce the sheet exists, so the rules apply.
 * - MapLibre's stylesheet, bundled in plotly.js-dist for map traces (this app draws none): Plotly skips
 *   injecting it when an element with its id exists. The id is plotly.js-dist's; after an upgrade that
 *   changes it, the webview e2e test reports the blocked <style> as a CSP violation.
 */
import { pageNonce } from './pageNonce';

const PLOTLY_GLOBAL_STYLE_ID = 'plotly.js-style-global';
const MAPLIBRE_STYLE_ID = '9f215cf04c5486422605d13261cb87401f4e7763b6296af81e98efbc0130da53';

for (const id of [PLOTLY_GLOBAL_STYLE_ID, MAPLIBRE_STYLE_ID]) {
  if (document.getElementById(id)) continue;
  const style = document.createElement('style');
  style.id = id;
  if (pageNonce) style.nonce = pageNonce;
  document.head.appendChild(style);
}
