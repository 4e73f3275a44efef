/**
 * Aligning two tokenizations of one text by character ranges (hand-written: no library aligns token
 * ranges of two different tokenizers; tokenizers' own `offsets` only give each side's ranges).
 *
 * The rule: a row per shortest span of text at whose two ends both tokenizations have a boundary.
 * A position is a boundary of a tokenization when none of its tokens straddles it (start < p < end); the
 * rows are cut at every token start or end that is a boundary of both. So:
 * - Chinese: BERT's one token per character against byte-level BPE's pieces, where a character split into
 *   several byte tokens gives each of them the whole character's range: one row per character, with one
 *   BERT token and every byte token of that character (and one row for two characters BPE merged).
 * - English: `play ##ing` against `Ġplaying`, whose range starts at the space: one row " playing".
 * Why not a row per model-A token with the overlapping model-B tokens: a B token that spans two A tokens
 * (a BPE merge of two characters) would show in two rows and its probability would be counted twice; with
 * shared boundaries every token of both models is in exactly one row, so a row's probabilities compare.
 * Special tokens (start === end: [CLS], [SEP]) cover no text and are in no row.
 */

/** A token's [start, end) in the text, UTF-16 code units. */
export interface TokenRange {
  start: number;
  end: number;
}

export interface AlignedSpan {
  start: number;
  end: number;
  /** Indices into the first list of ranges (in order), empty where it has no token in the span. */
  a: number[];
  b: number[];
}

/** The rows of two tokenizations of a text of `length` UTF-16 units (see the rule above). */
export function alignTokenRanges(length: number, a: readonly TokenRange[], b: readonly TokenRange[]): AlignedSpan[] {
  const inText = (r: TokenRange): boolean => r.end > r.start && r.start >= 0 && r.end <= length;
  // straddled[p] = 1: some token of either side has start < p < end.
  const straddled = new Uint8Array(length + 1);
  const candidates = new Set<number>([0, length]);
  for (const side of [a, b]) {
    for (const r of side) {
      if (!inText(r)) continue;
      candidates.add(r.start).add(r.end);
      for (let p = r.start + 1; p < r.end; p++) straddled[p] = 1;
    }
  }
  const cuts = [...candidates].filter((p) => straddled[p] === 0).sort((x, y) => x - y);
  const spans: AlignedSpan[] = cuts.slice(0, -1).map((start, i) => ({ start, end: cuts[i + 1], a: [], b: [] }));
  const place = (side: readonly TokenRange[], key: 'a' | 'b'): void => {
    side.forEach((r, i) => {
      if (inText(r)) spans[spanIndexAt(cuts, r.start)][key].push(i);
    });
  };
  place(a, 'a');
  place(b, 'b');
  return spans.filter((s) => s.a.length > 0 || s.b.length > 0);
}

/** The index of the span [cuts[i], cuts[i+1]) holding `p` (binary search; no token straddles a cut). */
function spanIndexAt(cuts: readonly number[], p: number): number {
  let lo = 0;
  let hi = cuts.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (cuts[mid] <= p) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
