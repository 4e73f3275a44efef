/**
 * One model's map in the Compare tab: a point per token at its layer, coloured by where its row lies in the
 * text (the same colour in both maps for the same span), hover: the piece and the row's text (data, escaped).
 */
import type { CompareModelView, CompareRow } from '../../src/protocol';
import { el } from '../dom';
import { baseConfig, baseLayout, projectionAxis, purge, react, resize, type Layout, type PlotlyDiv, type Trace } from '../plotting';
import { escapePlotly } from '../plotlyText';
import { t } from '../strings';
import { readTheme } from '../theme';
import { visibleText } from './model';

/** Up to this many points carry their text as a label (beyond, labels would cover each other). */
const MAX_LABELLED_POINTS = 60;

export interface CompareScatter {
  root: HTMLElement;
  render(model: CompareModelView, rows: CompareRow[], highlighted: number | null): Promise<void>;
  clear(): void;
  resize(): void;
}

export function createCompareScatter(side: 'a' | 'b', onPick: (row: number) => void): CompareScatter {
  const plot = el('div', { class: 'compare-scatter', 'data-testid': `compare-map-${side}`, role: 'figure', 'data-point-count': 0 }) as PlotlyDiv;
  let drawn = false;

  function figure(model: CompareModelView, rows: CompareRow[], highlighted: number | null): { data: Trace[]; layout: Layout; count: number } {
    const theme = readTheme();
    const labelled = model.points.length <= MAX_LABELLED_POINTS;
    const rowOf = new Map<number, number>();
    rows.forEach((r, i) => r[side]?.tokens.forEach((k) => rowOf.set(k, i)));
    const x: number[] = [];
    const y: number[] = [];
    const colour: number[] = [];
    const hover: string[] = [];
    const labels: string[] = [];
    const rowIds: number[] = [];
    const hx: number[] = [];
    const hy: number[] = [];
    for (const p of model.points) {
      const token = model.tokens[p.tokenIndex];
      const row = rowOf.get(p.tokenIndex);
      if (!token || token.special || row === undefined || !Number.isFinite(p.x) || !Number.isFinite(p.y)) continue;
      x.push(p.x);
      y.push(p.y);
      colour.push(rows.length > 1 ? row / (rows.length - 1) : 0);
      rowIds.push(row);
      hover.push(`<b>${escapePlotly(token.piece)}</b>  ${escapePlotly(visibleText(rows[row].text))}`);
      labels.push(escapePlotly(visibleText(rows[row].text).trim() || token.piece));
      if (row === highlighted) {
        hx.push(p.x);
        hy.push(p.y);
      }
    }
    const data: Trace[] = [
      {
        type: 'scatter',
        mode: labelled ? 'markers+text' : 'markers',
        x,
        y,
        text: labels,
        textposition: 'top center',
        textfont: { size: theme.fontSize - 2, color: theme.foreground },
        hovertext: hover,
        hoverinfo: 'text',
        customdata: rowIds,
        marker: { color: colour, colorscale: 'Viridis', cmin: 0, cmax: 1, size: 10, opacity: 0.9, line: { color: theme.background, width: 1 } },
        showlegend: false,
      },
      { type: 'scatter', mode: 'markers', x: hx, y: hy, hoverinfo: 'skip', marker: { size: 18, color: 'rgba(0,0,0,0)', line: { color: theme.focus, width: 3 } }, showlegend: false },
    ];
    const axis = projectionAxis(theme);
    const layout: Layout = { ...baseLayout(theme), margin: { l: 8, r: 8, t: 8, b: 8 }, xaxis: axis, yaxis: axis, hovermode: 'closest', dragmode: 'pan', uirevision: `${model.model}:${model.hiddenLayer}:${model.method}` };
    return { data, layout, count: x.length };
  }

  return {
    root: plot,
    async render(model, rows, highlighted) {
      plot.setAttribute('aria-label', t('compareMapAria', { model: model.label, layer: model.hiddenLayer }));
      const fig = figure(model, rows, highlighted);
      try {
        await react(plot, fig.data, fig.layout, baseConfig);
      } catch (err) {
        console.error('[context-lens] compare map failed', err);
        return;
      }
      if (!drawn) {
        drawn = true;
        plot.on?.('plotly_click', (ev: { points?: { customdata?: unknown }[] }) => {
          const row = ev.points?.[0]?.customdata;
          if (typeof row === 'number') onPick(row);
        });
      }
      plot.dataset.pointCount = String(fig.count);
      plot.dataset.layer = String(model.hiddenLayer);
    },
    clear() {
      if (drawn) purge(plot);
      drawn = false;
      plot.dataset.pointCount = '0';
    },
    resize() {
      if (drawn) resize(plot);
    },
  };
}
