/** What both head views (vertical headView.ts, horizontal headArcs.ts) draw alike: their lines, colour, shading and hover. */
import { headViewLines, sumRows, type Matrix } from '../attentionMath';
import type { Theme } from '../theme';

export interface HeadPaint {
  lines: { from: number; to: number; weight: number }[];
  /** The heaviest line (a line's width and opacity are its weight over this). */
  maxWeight: number;
  /** The head's palette colour; the accent for a mean or summary (head −1). */
  color: string;
  /** With tokens selected: what they attend to together, per column, and its maximum. */
  colSum: Float64Array | null;
  colMax: number;
}

export function headPaint(theme: Theme, matrix: Matrix, selected: readonly number[], head: number): HeadPaint {
  const lines = headViewLines(matrix, selected, selected.length ? 0.005 : 0.02);
  const colSum = selected.length ? sumRows(matrix, selected) : null;
  return {
    lines,
    maxWeight: Math.max(1e-9, ...lines.map((l) => l.weight)),
    color: head >= 0 ? theme.palette[head % theme.palette.length] : theme.accent,
    colSum,
    colMax: colSum ? Math.max(1e-9, ...colSum) : 1,
  };
}

/** Hovering a token's row brings out its lines and dims the others. */
export function highlightRowOnHover(svg: SVGSVGElement, lines: SVGGElement, token: SVGGElement, row: number): void {
  token.addEventListener('mouseenter', () => {
    svg.classList.add('row-focus');
    lines.querySelectorAll(`[data-from="${row}"]`).forEach((p) => p.classList.add('on'));
  });
  token.addEventListener('mouseleave', () => {
    svg.classList.remove('row-focus');
    lines.querySelectorAll('.on').forEach((p) => p.classList.remove('on'));
  });
}
