/**
 * The word's contextuality over layers (Plotly line chart, SVG): self-similarity, the anisotropy baseline,
 * their difference, the silhouette of the sense clusters and, with a compared word, the centroids'
 * alignment. The current layer is a vertical line; a click on a layer, or ←/→ on the focused chart, selects one.
 */
import type { SensesResult } from '../../src/protocol';
// Type only, like src/protocol.ts: the webview bundle stays free of engine code.
import type { SenseLayerStats } from '../../src/engine/senses/types';
import { el } from '../dom';
import { rovingIndex } from '../keyboard';
import { baseConfig, baseLayout, type Layout, type PlotlyDiv, type Trace } from '../plotting';
import { escapePlotly } from '../plotlyText';
import { t, type StringKey } from '../strings';
import { readTheme, type Theme } from '../theme';
import { sensesPlot } from './plot';

export interface SensesChart {
  root: HTMLElement;
  plot: PlotlyDiv;
  /** Draws `result` with `layer` marked (the figure is diffed by Plotly: a redraw per batch is cheap). */
  render(result: SensesResult, layer: number): Promise<void>;
  clear(): void;
  resize(): void;
}

interface Series {
  key: StringKey;
  value: (l: SenseLayerStats) => number | undefined;
  color: (theme: Theme) => string;
  dash?: string;
}

const SERIES: Series[] = [
  { key: 'sensesSelfSimilarity', value: (l) => l.selfSimilarity, color: (th) => th.palette[0] },
  { key: 'sensesAnisotropy', value: (l) => l.anisotropy, color: (th) => th.muted, dash: 'dash' },
  { key: 'sensesAdjusted', value: (l) => l.adjustedSelfSimilarity, color: (th) => th.palette[2] },
  { key: 'sensesSilhouette', value: (l) => l.silhouette, color: (th) => th.palette[5], dash: 'dot' },
  { key: 'sensesAlignment', value: (l) => l.alignment, color: (th) => th.palette[4], dash: 'dashdot' },
];

const finite = (v: number | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** `onSelect`: the user picked hidden layer `layer` (0 … numLayers). */
export function createSensesChart(onSelect: (layer: number) => void): SensesChart {
  const plot = el('div', { class: 'senses-chart', 'data-testid': 'senses-chart', role: 'figure', tabindex: 0, 'data-layer': '' }) as PlotlyDiv;
  const drawn = sensesPlot(plot, 'chart', ({ x }) => {
    if (typeof x === 'number' && Number.isInteger(x)) onSelect(x);
  });
  let rendered = false;
  let numLayers = 0;
  let current = 0;

  plot.addEventListener('keydown', (e) => {
    if (!rendered) return;
    const next = rovingIndex(e.key, current, numLayers + 1);
    if (next === null || (e.key === 'ArrowLeft' && current === 0) || (e.key === 'ArrowRight' && current === numLayers)) return;
    e.preventDefault();
    onSelect(next);
  });

  function figure(result: SensesResult, layer: number): { data: Trace[]; layout: Layout } {
    const theme = readTheme();
    const layers = [...result.layers].sort((a, b) => a.layer - b.layer);
    const x = layers.map((l) => l.layer);
    const data: Trace[] = [];
    for (const s of SERIES) {
      const y = layers.map((l) => finite(s.value(l)));
      if (s.key === 'sensesAlignment' && (!result.also || y.every((v) => v === null))) continue;
      const name = s.key === 'sensesAlignment' ? `${t(s.key)} (${escapePlotly(result.word)} ↔ ${escapePlotly(result.also ?? '')})` : t(s.key);
      data.push({
        type: 'scatter',
        mode: 'lines+markers',
        name: escapePlotly(name),
        x,
        y,
        line: { color: s.color(theme), width: 2, dash: s.dash ?? 'solid' },
        marker: { color: s.color(theme), size: layers.map((l) => (l.layer === layer ? 9 : 5)) },
        hovertemplate: '%{y:.3f}',
      });
    }
    const axis = { gridcolor: theme.grid, zerolinecolor: theme.muted, linecolor: theme.border, tickfont: { color: theme.foreground }, fixedrange: true };
    const layout: Layout = {
      ...baseLayout(theme),
      margin: { l: 44, r: 12, t: 8, b: 44 },
      xaxis: { ...axis, title: { text: escapePlotly(t('sensesAxisLayer')), font: { color: theme.muted } }, dtick: 1, range: [-0.3, result.numLayers + 0.3], zeroline: false },
      yaxis: { ...axis, zeroline: true, range: yRange(data) },
      showlegend: true,
      // Above the plot: Plotly makes room for it however many rows it wraps to.
      legend: { orientation: 'h', x: 0, y: 1.02, xanchor: 'left', yanchor: 'bottom', font: { color: theme.foreground, size: theme.fontSize - 2 }, bgcolor: 'rgba(0,0,0,0)' },
      hovermode: 'x unified',
      dragmode: false,
      shapes: [{ type: 'line', xref: 'x', yref: 'paper', x0: layer, x1: layer, y0: 0, y1: 1, line: { color: theme.accent, width: 2 } }],
      uirevision: 'senses-chart',
    };
    return { data, layout };
  }

  return {
    root: plot,
    plot,
    async render(result, layer) {
      numLayers = result.numLayers;
      current = layer;
      plot.dataset.layer = String(layer);
      plot.setAttribute('aria-label', `${t('sensesChartAria')} ${t('layerValue', { layer, max: numLayers })}`);
      const fig = figure(result, layer);
      rendered = await drawn.draw(fig.data, fig.layout, { ...baseConfig, scrollZoom: false, displayModeBar: false });
    },
    clear() {
      drawn.clear();
      rendered = false;
      plot.dataset.layer = '';
    },
    resize: drawn.resize,
  };
}

/** Room for every value and 0 (silhouettes may be negative), a little padding. */
function yRange(data: Trace[]): [number, number] {
  const ys = data.flatMap((d) => (d.y as (number | null)[]).filter((v): v is number => v !== null));
  const lo = Math.min(0, ...ys);
  const hi = Math.max(1, ...ys);
  const pad = (hi - lo) * 0.04;
  return [lo - pad, hi + pad];
}
