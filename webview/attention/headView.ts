/** The head view (SVG): each token on the left joined to the tokens it attends to on the right. */
import type { Matrix } from '../attentionMath';
import { setStyles, svgEl } from '../dom';
import { t } from '../strings';
import { readTheme } from '../theme';
import { headPaint, highlightRowOnHover } from './headPaint';

const ROW_HEIGHT = 20;
const WIDTH = 380;
const LABEL_WIDTH = 130;

/**
 * The head view of `matrix` (its kept tokens, in order). With tokens `selected`, only their rows are
 * drawn and the right column is shaded by what they attend to together. `head` -1 = the mean of all heads.
 */
export function headViewSvg(label: (tokenIndex: number) => string, matrix: Matrix, selected: readonly number[], head: number): SVGSVGElement {
  const theme = readTheme();
  const m = matrix.tokens.length;
  const leftX = LABEL_WIDTH;
  const rightX = WIDTH - LABEL_WIDTH;
  const height = m * ROW_HEIGHT + 12;
  const svg = svgEl('svg', {
    'data-testid': 'head-view',
    'data-layout': 'vertical',
    class: 'head-view',
    width: WIDTH,
    height,
    viewBox: `0 0 ${WIDTH} ${height}`,
    role: 'img',
    'aria-label': t('headView'),
  });
  const y = (i: number): number => 6 + i * ROW_HEIGHT + ROW_HEIGHT / 2;
  // Column intensity on the right (colSum): what the selected tokens attend to.
  const { lines, maxWeight: maxW, color, colSum, colMax } = headPaint(theme, matrix, selected, head);
  const gLines = svgEl('g', { class: 'hv-lines' });
  for (const l of lines) {
    const w = l.weight / maxW;
    const path = svgEl('path', {
      d: `M${leftX + 4},${y(l.from)} C${(leftX + rightX) / 2},${y(l.from)} ${(leftX + rightX) / 2},${y(l.to)} ${rightX - 4},${y(l.to)}`,
      'data-from': l.from,
      class: 'hv-line',
    });
    setStyles(path, { stroke: color, 'stroke-width': (0.4 + 4.6 * w).toFixed(2), 'stroke-opacity': (0.08 + 0.85 * w).toFixed(3) });
    gLines.appendChild(path);
  }
  svg.appendChild(gLines);
  const gLeft = svgEl('g', { class: 'hv-left' });
  const gRight = svgEl('g', { class: 'hv-right' });
  matrix.tokens.forEach((ti, i) => {
    const text = label(ti);
    const isSel = selected.includes(ti);
    const left = svgEl('g', { class: isSel ? 'hv-token selected' : 'hv-token', 'data-row': i });
    left.append(
      svgEl('rect', { x: 4, y: y(i) - ROW_HEIGHT / 2 + 1, width: leftX - 4, height: ROW_HEIGHT - 2, rx: 3, class: 'hv-bg' }),
      svgEl('text', { x: leftX - 4, y: y(i), 'text-anchor': 'end', 'dominant-baseline': 'central' }, text),
    );
    highlightRowOnHover(svg, gLines, left, i);
    gLeft.appendChild(left);
    const right = svgEl('g', { class: 'hv-token' });
    const bg = svgEl('rect', { x: rightX, y: y(i) - ROW_HEIGHT / 2 + 1, width: WIDTH - rightX - 4, height: ROW_HEIGHT - 2, rx: 3, class: 'hv-bg' });
    if (colSum) setStyles(bg, { fill: color, 'fill-opacity': (0.05 + 0.6 * (colSum[i] / colMax)).toFixed(3) });
    right.append(bg, svgEl('text', { x: rightX + 4, y: y(i), 'text-anchor': 'start', 'dominant-baseline': 'central' }, text));
    gRight.appendChild(right);
  });
  svg.append(gLeft, gRight);
  return svg;
}
