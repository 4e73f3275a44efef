/**
 * Number formatting shown to the user, the same in the editor hover and the Embedding Map.
 * No `vscode` and no DOM: both the extension host and the webview bundle import it.
 */

/**
 * A probability as a percentage with one decimal: 0.4213 → `42.1%`, 0.996 → `99.6%`. What rounds to
 * 100.0 reads `100%` (no false precision), what is below 0.1% but above 0 reads `<0.1%`, and a
 * non-finite value reads `–`.
 */
export function formatProbability(p: number): string {
  if (!Number.isFinite(p)) return '–';
  if (p > 0 && p < 0.001) return '<0.1%';
  const pct = (p * 100).toFixed(1);
  return pct === '100.0' ? '100%' : `${pct}%`;
}

/** A cosine similarity with two decimals; a non-finite value reads `–`. */
export function formatCosine(c: number): string {
  return Number.isFinite(c) ? c.toFixed(2) : '–';
}
