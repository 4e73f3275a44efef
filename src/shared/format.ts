/**
 * Number formatting shown to the user, the same in the editor hover and the Embedding Map.
 * No `vscode` and no DOM: both the extension host and the webview bundle import it.
 */

/**
 * A probability as a percentage: 0.4213 → `42.1%`, tiny values → `<0.1%`. From 0.995 up the decimal is
 * dropped, so a near-certain guess reads `100%` and not `100.0%`; a non-finite value reads `–`.
 */
export function formatProbability(p: number): string {
  if (!Number.isFinite(p)) return '–';
  if (p > 0 && p < 0.001) return '<0.1%';
  return `${(p * 100).toFixed(p >= 0.995 ? 0 : 1)}%`;
}

/** A cosine similarity with two decimals; a non-finite value reads `–`. */
export function formatCosine(c: number): string {
  return Number.isFinite(c) ? c.toFixed(2) : '–';
}
