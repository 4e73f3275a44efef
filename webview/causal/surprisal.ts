/**
 * Surprisal, −log2 p in bits: how unexpected a causal model found a token that is there (Shannon's
 * self-information; Hale 2001, Levy 2008 use it as a model of reading difficulty). The token strip is
 * coloured by it in bins on a fixed scale, the same for every snippet and model, so that colours compare.
 * Pure: the webview and the extension host's hover share it; unit-tested in Node.
 */

/** Upper edges (bits, exclusive) of the bins below the last: 0–1, 1–3, 3–6, 6–10, 10–15, ≥ 15. */
export const SURPRISAL_EDGES = [1, 3, 6, 10, 15] as const;
export const SURPRISAL_BINS = SURPRISAL_EDGES.length + 1;

/** −log2 p; Infinity for p = 0, NaN for a p that is not a probability. */
export function surprisalBits(p: number): number {
  if (!Number.isFinite(p) || p < 0 || p > 1) return NaN;
  return p === 0 ? Infinity : -Math.log2(p) + 0; // + 0: −0 for p = 1 reads 0
}

/** The bin (0 … SURPRISAL_BINS − 1) of a surprisal; −1 for NaN (no probability: the first token). */
export function surprisalBin(bits: number): number {
  if (Number.isNaN(bits)) return -1;
  const i = SURPRISAL_EDGES.findIndex((edge) => bits < edge);
  return i < 0 ? SURPRISAL_EDGES.length : i;
}

/** The legend's label of a bin: "0–1", "15+". */
export function surprisalBinLabel(bin: number): string {
  const lo = bin === 0 ? 0 : SURPRISAL_EDGES[bin - 1];
  return bin >= SURPRISAL_EDGES.length ? `${lo}+` : `${lo}–${SURPRISAL_EDGES[bin]}`;
}

/** Bits with two significant decimals below 10 ("4.32", "12.1"); "∞" for p = 0. */
export function formatBits(bits: number): string {
  if (bits === Infinity) return '∞';
  if (!Number.isFinite(bits)) return '–';
  return bits < 10 ? bits.toFixed(2) : bits.toFixed(1);
}
