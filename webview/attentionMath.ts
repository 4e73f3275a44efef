/** Attention weights → what the Attention tab draws: one head's (or the mean) matrix, head-view lines, row sums. */

export interface Matrix {
  /** Kept token indices (rows and columns), in order. */
  tokens: number[];
  /** rows × cols, row-major. */
  values: Float64Array;
}

/**
 * One head's (or the mean over heads') attention matrix from `[head][from][to]` weights, with the
 * positions whose token is dropped (`keep(tokenIndex) === false`) removed. Nothing is renormalised.
 */
export function attentionMatrix(
  weights: ArrayLike<number>,
  numHeads: number,
  tokenIndices: readonly number[],
  head: number,
  keep: (tokenIndex: number) => boolean = () => true,
): Matrix {
  const n = tokenIndices.length;
  const kept: number[] = [];
  for (let i = 0; i < n; i++) if (keep(tokenIndices[i])) kept.push(i);
  const m = kept.length;
  const values = new Float64Array(m * m);
  const heads = head < 0 ? Array.from({ length: numHeads }, (_, h) => h) : [Math.min(head, numHeads - 1)];
  const scale = 1 / heads.length;
  for (const h of heads) {
    const base = h * n * n;
    for (let r = 0; r < m; r++) {
      const row = base + kept[r] * n;
      for (let c = 0; c < m; c++) values[r * m + c] += (weights[row + kept[c]] ?? 0) * scale;
    }
  }
  return { tokens: kept.map((i) => tokenIndices[i]), values };
}

/**
 * The head view's lines: for each kept `from` row (only the selected tokens' rows when any are
 * selected and present, summed into one source per selected token), the weight to each `to` column.
 */
export function headViewLines(
  matrix: Matrix,
  selected: readonly number[],
  minWeight = 0.01,
): { from: number; to: number; weight: number }[] {
  const m = matrix.tokens.length;
  const sel = new Set(selected);
  const rows = sel.size ? matrix.tokens.map((t, i) => (sel.has(t) ? i : -1)).filter((i) => i >= 0) : [];
  const useRows = rows.length ? rows : matrix.tokens.map((_, i) => i);
  const lines: { from: number; to: number; weight: number }[] = [];
  for (const r of useRows) {
    for (let c = 0; c < m; c++) {
      const w = matrix.values[r * m + c];
      if (w >= minWeight) lines.push({ from: r, to: c, weight: w });
    }
  }
  return lines;
}

/** Sum of the selected rows (what the selected tokens attend to, together). */
export function sumRows(matrix: Matrix, selected: readonly number[]): Float64Array {
  const m = matrix.tokens.length;
  const out = new Float64Array(m);
  const sel = new Set(selected);
  matrix.tokens.forEach((t, r) => {
    if (!sel.has(t)) return;
    for (let c = 0; c < m; c++) out[c] += matrix.values[r * m + c];
  });
  return out;
}

// Words and heads (issue 12): rows renormalised over the tokens shown.

/**
 * Every row divided by its sum over the columns kept, so that it sums to 1 again once hidden tokens are
 * dropped (what the user opts into with "Renormalise rows"); a row with nothing left stays all zero.
 */
export function renormalizeRows(matrix: Matrix): Matrix {
  const m = matrix.tokens.length;
  const values = new Float64Array(matrix.values.length);
  for (let r = 0; r < m; r++) {
    let sum = 0;
    for (let c = 0; c < m; c++) sum += matrix.values[r * m + c];
    if (sum > 0) for (let c = 0; c < m; c++) values[r * m + c] = matrix.values[r * m + c] / sum;
  }
  return { tokens: matrix.tokens, values };
}

/** The smallest and largest row sum (what the caption reports when hidden tokens' shares are left out); null for no rows. */
export function rowSumRange(matrix: Matrix): { min: number; max: number } | null {
  const m = matrix.tokens.length;
  if (!m) return null;
  let min = Infinity;
  let max = -Infinity;
  for (let r = 0; r < m; r++) {
    let sum = 0;
    for (let c = 0; c < m; c++) sum += matrix.values[r * m + c];
    min = Math.min(min, sum);
    max = Math.max(max, sum);
  }
  return { min, max };
}
