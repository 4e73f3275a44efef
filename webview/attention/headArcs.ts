/**
 * The horizontal head view (SVG): the tokens on one line, left to right, and arcs from each token to those it
 * attends to: above the line to an earlier token, below it to a later one (arcs.ts). For CJK and long texts,
 * where two columns of tokens would run far down the page; its box scrolls sideways.
 */
import type { Matrix } from '../attentionMath';
import { setStyles, svgEl } from '../dom';
import { t } from '../strings';
import { readTheme } from '../theme';
import { headPaint, highlightRowOnHover } from './headPaint';
import { arcPath, layoutSlots, strongestPerRow } from './arcs';

const FONT_SIZE = 12;
const BOX_HEIGHT = 22;
const MAX_ARC = 80;
const ARCS_PER_ROW = 3;

/** Same arguments as headViewSvg (headView.ts): selected tokens draw only their rows and shade what they attend to. */
export function headArcsSvg(label: (tokenIndex: number) => string, matrix: Matrix, selected: readonly number[], head: number): SVGSVGElement {
  const theme = readTheme();
  const labels = matrix.tokens.map(label);
  const { slots, width } = layoutSlots(labels, FONT_SIZE);
  const top = MAX_ARC + 4;
  const bottom = top + BOX_HEIGHT;
  const height = bottom + MAX_ARC + 4;
  const svg = svgEl('svg', {
    'data-testid': 'head-view',
    'data-layout': 'horizontal',
    class: 'head-view head-arcs',
    width: Math.ceil(width),
    height,
    viewBox: `0 0 ${Math.ceil(width)} ${height}`,
    role: 'img',
    'aria-label': t('headView'),
  });
  const { lines, color, colSum, colMax } = headPaint(theme, matrix, selected, head);
  const gLines = svgEl('g', { class: 'hv-lines' });
  // A token's attention to itself has no arc (the vertical view's straight line across); without a selection
  // every token keeps its ARCS_PER_ROW strongest arcs, with one its rows keep every arc above the threshold.
  // Widths are relative to the heaviest arc drawn: a rollout's large diagonal would otherwise fade them all.
  const arcs = strongestPerRow(lines, selected.length ? Infinity : ARCS_PER_ROW);
  const maxW = Math.max(1e-9, ...arcs.map((l) => l.weight));
  for (const l of arcs) {
    const w = l.weight / maxW;
    const back = l.to < l.from;
    const path = svgEl('path', { d: arcPath(slots[l.from].centre, slots[l.to].centre, back ? top : bottom, MAX_ARC), 'data-from': l.from, 'data-to': l.to, class: 'hv-line' });
    setStyles(path, { stroke: color, 'stroke-width': (0.4 + 3.6 * w).toFixed(2), 'stroke-opacity': (0.08 + 0.85 * w).toFixed(3) });
    gLines.appendChild(path);
  }
  const gTokens = svgEl('g', { class: 'hv-tokens' });
  matrix.tokens.forEach((ti, i) => {
    const slot = slots[i];
    const g = svgEl('g', { class: selected.includes(ti) ? 'hv-token selected' : 'hv-token', 'data-row': i });
    const bg = svgEl('rect', { x: slot.x, y: top, width: slot.width, height: BOX_HEIGHT, rx: 3, class: 'hv-bg' });
    if (colSum) setStyles(bg, { fill: color, 'fill-opacity': (0.05 + 0.6 * (colSum[i] / colMax)).toFixed(3) });
    g.append(bg, svgEl('text', { x: slot.centre, y: top + BOX_HEIGHT / 2, 'text-anchor': 'middle', 'dominant-baseline': 'central' }, labels[i]));
    highlightRowOnHover(svg, gLines, g, i);
    gTokens.appendChild(g);
  });
  svg.append(gLines, gTokens);
  return svg;
}
