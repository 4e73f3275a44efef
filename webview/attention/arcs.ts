/**
 * Geometry of the horizontal head view: tokens left to right, each as wide as its label, and arcs between
 * them. An arc to an earlier token goes above the line, to a later one below it, so that the two directions
 * between a pair never overlap; its height grows with the distance it spans, up to a maximum.
 */

export interface TokenSlot {
  /** Left edge and width of the token's box; `centre` is where its arcs start and end. */
  x: number;
  width: number;
  centre: number;
}

const FULL_WIDTH = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]/u;

/**
 * A label's width without measuring the page's font (the SVG is built before it is attached): full-width
 * characters (CJK, their punctuation) one em, others 0.62 em, plus `padding` either side.
 */
export function labelWidth(label: string, fontSize: number, padding = 4): number {
  let em = 0;
  for (const ch of label) em += FULL_WIDTH.test(ch) ? 1 : 0.62;
  return Math.ceil(em * fontSize) + 2 * padding;
}

/** Slots for the labels in order, `gap` apart after a left margin of `gap`; `width`: the whole line's. */
export function layoutSlots(labels: readonly string[], fontSize: number, gap = 6, minWidth = 18): { slots: TokenSlot[]; width: number } {
  const slots: TokenSlot[] = [];
  let x = gap;
  for (const label of labels) {
    const width = Math.max(minWidth, labelWidth(label, fontSize));
    slots.push({ x, width, centre: x + width / 2 });
    x += width + gap;
  }
  return { slots, width: x };
}

/** An arc's height: half the distance it spans (a half-circle's look), at least `min`, at most `max`. */
export function arcHeight(fromX: number, toX: number, max: number, min = 6): number {
  return Math.max(min, Math.min(max, Math.abs(toX - fromX) / 2));
}

/**
 * The SVG path of an arc from `fromX` to `toX` that leaves the line at `baseline`: a quadratic Bézier whose
 * control point lies 2 × arcHeight away, so that its apex is arcHeight from the line (above it, y smaller,
 * for an earlier token; below it for a later one).
 */
export function arcPath(fromX: number, toX: number, baseline: number, max: number): string {
  const h = arcHeight(fromX, toX, max);
  const controlY = toX < fromX ? baseline - 2 * h : baseline + 2 * h;
  return `M${fromX.toFixed(1)},${baseline.toFixed(1)} Q${((fromX + toX) / 2).toFixed(1)},${controlY.toFixed(1)} ${toX.toFixed(1)},${baseline.toFixed(1)}`;
}

/**
 * Each row's `k` heaviest lines (self-attention left out: it has no arc). Arcs over one line cross far more
 * than two columns' lines do, so without a selection the horizontal view keeps only these.
 */
export function strongestPerRow<L extends { from: number; to: number; weight: number }>(lines: readonly L[], k: number): L[] {
  const byRow = new Map<number, L[]>();
  for (const l of lines) {
    if (l.from === l.to) continue;
    let row = byRow.get(l.from);
    if (!row) byRow.set(l.from, (row = []));
    row.push(l);
  }
  return [...byRow.values()].flatMap((row) => row.sort((a, b) => b.weight - a.weight).slice(0, k));
}
