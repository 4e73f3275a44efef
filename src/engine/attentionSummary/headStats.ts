/**
 * Per-head statistics of Clark et al. (2019), "What does BERT look at? An Analysis of BERT's Attention":
 * entropy, mean attention distance, attention to [CLS], [SEP], the previous and next position, and
 * punctuation. Definitions and the row rule: types.ts (HeadStat).
 */
import type { HeadStat } from './types';

/** Which columns of the window are [CLS], [SEP] or punctuation. */
export interface ColumnKinds {
  cls: readonly boolean[];
  sep: readonly boolean[];
  punct: readonly boolean[];
}

/** A piece that is punctuation: every character \p{P}, a "##" continuation mark aside. */
export function isPunctuationPiece(piece: string): boolean {
  return /^(?:##)?\p{P}+$/u.test(piece);
}

/** One head's matrix `data[base …]` (n × n, rows = attending positions). */
function statsOfHead(data: Float32Array, base: number, n: number, kinds: ColumnKinds): Omit<HeadStat, 'layer' | 'head'> {
  let entropy = 0, distance = 0, toCls = 0, toSep = 0, toPrev = 0, toNext = 0, toPunct = 0;
  for (let i = 0; i < n; i++) {
    const row = base + i * n;
    for (let j = 0; j < n; j++) {
      const a = data[row + j];
      if (a > 0) entropy -= a * Math.log(a);
      distance += a * Math.abs(i - j);
      if (kinds.cls[j]) toCls += a;
      if (kinds.sep[j]) toSep += a;
      if (kinds.punct[j]) toPunct += a;
    }
    if (i > 0) toPrev += data[row + i - 1];
    if (i < n - 1) toNext += data[row + i + 1];
  }
  const neighbours = Math.max(1, n - 1);
  return { entropy: entropy / n, distance: distance / n, toCls: toCls / n, toSep: toSep / n, toPrev: toPrev / neighbours, toNext: toNext / neighbours, toPunct: toPunct / n };
}

/** Every layer × head, layer-major. `attentions[l]`: [heads][n][n]. */
export function headStatistics(attentions: readonly Float32Array[], numHeads: number, n: number, kinds: ColumnKinds): HeadStat[] {
  const out: HeadStat[] = [];
  attentions.forEach((layer, l) => {
    for (let h = 0; h < numHeads; h++) out.push({ layer: l + 1, head: h, ...statsOfHead(layer, h * n * n, n, kinds) });
  });
  return out;
}
