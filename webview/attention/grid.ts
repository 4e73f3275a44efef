/**
 * All layers × heads at once, one button per head that shows that layer and head: a small canvas of its
 * attention, or (issue 12) a swatch coloured by one of its statistics (statScale.ts) with a legend.
 */
import type { AttentionGridView, HeadStat, SnippetView } from '../../src/protocol';
import { mix, parseColor, rgba, type Rgb } from '../color';
import { clear as clearNode, el } from '../dom';
import { moveFocus, rovingIndex } from '../keyboard';
import { state } from '../state';
import { t } from '../strings';
import { readTheme } from '../theme';
import { isShownInAttention } from './shown';
import { STAT_UNITS, formatStat, scalePosition, statScale, type StatColouring, type StatScale } from './statScale';

/** What colours the cells: the thumbnails, or one statistic of every head (undefined while they are computed). */
export type GridPaint = { kind: 'attention' } | { kind: 'stat'; key: StatColouring; stats: HeadStat[] | undefined };

export interface AttentionGrid {
  root: HTMLElement;
  /** The colour scale of a statistic (empty for the thumbnails). */
  legend: HTMLElement;
  /** Draws `grid` (or "loading" while it is undefined) with the cell of (`attentionLayer`, `head`) marked. */
  draw(snippet: SnippetView, grid: AttentionGridView | undefined, attentionLayer: number, head: number, paint?: GridPaint): void;
  clear(): void;
}

/** `onPick(attentionLayer, head)`: the user chose a cell (the caller shows it, then the cell keeps the focus). */
export function createAttentionGrid(onPick: (attentionLayer: number, head: number) => void): AttentionGrid {
  const root = el('div', { class: 'att-grid', 'data-testid': 'attention-grid', role: 'grid' });
  const legend = el('div', { class: 'grid-legend', 'data-testid': 'grid-legend' });
  let focusIndex = 0;
  let cells: HTMLButtonElement[] = [];
  let heads = 1;
  /** What the drawn cells show; the same key and data only re-mark the current cell. */
  let drawnKey = '';
  let drawnData: AttentionGridView | undefined;
  let drawnStats: HeadStat[] | undefined;

  // Arrows move within a row (wrapping) and up/down a layer; Home/End go to the first/last cell.
  root.addEventListener('keydown', (e) => {
    const i = cells.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0) return;
    let next: number | null = null;
    if (e.key === 'ArrowUp') next = i - heads >= 0 ? i - heads : i;
    else if (e.key === 'ArrowDown') next = i + heads < cells.length ? i + heads : i;
    else next = rovingIndex(e.key, i, cells.length);
    if (next === null) return;
    e.preventDefault();
    moveFocus(cells, i, next);
    focusIndex = next;
  });

  function mark(curLayer: number, curHead: number): void {
    for (const cell of cells) {
      const l = Number(cell.dataset.layer);
      const h = Number(cell.dataset.head);
      const active = l === curLayer && h === curHead;
      cell.classList.toggle('active', active);
      cell.classList.toggle('layer', !active && l === curLayer);
      cell.setAttribute('aria-pressed', String(active));
    }
  }

  function draw(snippet: SnippetView, g: AttentionGridView | undefined, curLayer: number, curHead: number, paint: GridPaint = { kind: 'attention' }): void {
    const theme = readTheme();
    const paintKey = paint.kind === 'attention' ? 'attention' : `${paint.key}:${paint.stats ? 'stats' : 'none'}`;
    const key = g ? [snippet.id, state.persisted.hideSpecial, theme.heatLow, theme.heatHigh, g.numLayers, g.numHeads, g.size, paintKey].join('|') : '';
    if (g && key === drawnKey && drawnData === g && (paint.kind === 'attention' || drawnStats === paint.stats)) {
      mark(curLayer, curHead);
      return;
    }
    const focused = cells.indexOf(document.activeElement as HTMLButtonElement);
    clearNode(root);
    clearNode(legend);
    drawnKey = key;
    drawnData = g;
    drawnStats = paint.kind === 'stat' ? paint.stats : undefined;
    if (!g) {
      cells = [];
      root.appendChild(el('p', { class: 'hint' }, t('loading')));
      return;
    }
    const low = parseColor(theme.heatLow)!;
    const high = parseColor(theme.heatHigh)!;
    const n = g.size;
    // A pooled grid (size < tokens) has no per-token rows to drop.
    const canDrop = g.tokenIndices.length === n;
    const keep: number[] = [];
    for (let i = 0; i < n; i++) if (!canDrop || isShownInAttention(snippet.tokens[g.tokenIndices[i]])) keep.push(i);
    const k = keep.length;
    root.style.setProperty('--heads', String(g.numHeads));
    const stats = paint.kind === 'stat' ? paint.stats : undefined;
    const statsByCell = stats && paint.kind === 'stat' ? new Map(stats.map((x) => [`${x.layer}:${x.head}`, x[paint.key]])) : undefined;
    const scale = stats && paint.kind === 'stat' ? statScale(stats, paint.key) : null;
    if (paint.kind === 'stat') drawLegend(legend, paint.key, scale, low, high);
    const next: HTMLButtonElement[] = [];
    root.appendChild(el('span', { class: 'grid-corner' }));
    for (let h = 0; h < g.numHeads; h++) root.appendChild(el('span', { class: 'grid-col', 'aria-hidden': 'true' }, `H${h + 1}`));
    for (let l = 1; l <= g.numLayers; l++) {
      root.appendChild(el('span', { class: 'grid-row', 'aria-hidden': 'true' }, `L${l}`));
      for (let h = 0; h < g.numHeads; h++) {
        const active = l === curLayer && h === curHead;
        const stat = statsByCell?.get(`${l}:${h}`);
        const name = stat !== undefined && paint.kind === 'stat' ? t('gridCellValue', { layer: l, head: h + 1, value: formatStat(stat, paint.key) }) : t('gridCell', { layer: l, head: h + 1 });
        const cell = el('button', {
          type: 'button',
          class: active ? 'grid-cell active' : l === curLayer ? 'grid-cell layer' : 'grid-cell',
          'data-layer': l,
          'data-head': h,
          'aria-label': name,
          title: name,
          'aria-pressed': active ? 'true' : 'false',
          tabindex: -1,
        });
        if (paint.kind === 'attention') {
          const canvas = el('canvas', { width: Math.max(1, k), height: Math.max(1, k), 'aria-hidden': 'true' });
          drawCell(canvas, g, l, h, keep, low, high);
          cell.appendChild(canvas);
        } else {
          const swatch = el('span', { class: 'grid-swatch', 'aria-hidden': 'true' });
          if (stat !== undefined && scale) {
            swatch.style.setProperty('background-color', rgba(mix(low, high, scalePosition(stat, scale)), 1));
            cell.dataset.value = String(stat);
          }
          cell.appendChild(swatch);
        }
        const index = next.length;
        cell.addEventListener('click', () => {
          focusIndex = index;
          onPick(l, h);
          cells.forEach((c, i) => (c.tabIndex = i === index ? 0 : -1));
          cells[index]?.focus();
        });
        next.push(cell);
        root.appendChild(cell);
      }
    }
    const activeIndex = next.findIndex((c) => c.classList.contains('active'));
    const tabStop = Math.min(next.length - 1, activeIndex >= 0 ? activeIndex : focusIndex);
    if (next[tabStop]) next[tabStop].tabIndex = 0;
    cells = next;
    heads = g.numHeads;
    if (focused >= 0 && next[focused]) {
      next.forEach((c, i) => (c.tabIndex = i === focused ? 0 : -1));
      next[focused].focus();
    }
  }

  function clear(): void {
    clearNode(root);
    clearNode(legend);
    cells = [];
    drawnKey = '';
  }

  return { root, legend, draw, clear };
}

/** One head's weights over the kept rows/columns, scaled to its own maximum (square root: weak links stay visible). */
function drawCell(canvas: HTMLCanvasElement, g: AttentionGridView, attentionLayer: number, head: number, keep: number[], low: Rgb, high: Rgb): void {
  const ctx = canvas.getContext('2d');
  const k = keep.length;
  if (!ctx || !k) return;
  const n = g.size;
  const base = ((attentionLayer - 1) * g.numHeads + head) * n * n;
  let max = 1e-9;
  for (const r of keep) for (const c of keep) max = Math.max(max, g.weights[base + r * n + c] ?? 0);
  const img = ctx.createImageData(k, k);
  keep.forEach((r, ri) => {
    keep.forEach((c, ci) => {
      const v = Math.sqrt((g.weights[base + r * n + c] ?? 0) / max);
      const col = mix(low, high, v);
      const o = (ri * k + ci) * 4;
      img.data[o] = col.r;
      img.data[o + 1] = col.g;
      img.data[o + 2] = col.b;
      img.data[o + 3] = 255;
    });
  });
  ctx.putImageData(img, 0, 0);
}

/** The legend of a statistic: its name and unit, a bar from the low to the high colour, the min and max values under it. */
function drawLegend(legend: HTMLElement, key: StatColouring, scale: StatScale | null, low: Rgb, high: Rgb): void {
  const unit = t(`statUnit.${STAT_UNITS[key]}`);
  legend.appendChild(el('p', { class: 'legend-title' }, t('gridLegendTitle', { stat: t(`gridColouring.${key}`), unit })));
  if (!scale) {
    legend.appendChild(el('p', { class: 'hint' }, t('headStatsLoading')));
    return;
  }
  const bar = el('span', { class: 'legend-bar', 'aria-hidden': 'true' });
  bar.style.setProperty('background-image', `linear-gradient(to right, ${rgba(low, 1)}, ${rgba(high, 1)})`);
  legend.append(
    el('span', { class: 'legend-value', 'data-testid': 'grid-legend-min' }, formatStat(scale.min, key)),
    bar,
    el('span', { class: 'legend-value', 'data-testid': 'grid-legend-max' }, formatStat(scale.max, key)),
  );
}
