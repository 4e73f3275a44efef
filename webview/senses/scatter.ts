/**
 * The occurrences at the current layer laid out in 2-D (the host's UMAP or PCA of the word's vectors),
 * one colour per sense cluster at that layer, a marker shape per word. Hover: the occurrence's line with
 * the word highlighted (all of it data, escaped for Plotly); click: reveal it in its editor.
 */
import type { SensesProjection, SensesResult } from '../../src/protocol';
import { el } from '../dom';
import { baseConfig, baseLayout, legendAbove, projectionAxis, type Layout, type PlotlyDiv, type Trace } from '../plotting';
import { escapePlotly } from '../plotlyText';
import { t } from '../strings';
import { readTheme } from '../theme';
import { clusterAt, kwicLine } from './kwic';
import { senseColor, senseName, wordSymbol } from './look';
import { sensesPlot } from './plot';

const HOVER_CONTEXT_CHARS = 40;

export interface SensesScatter {
  root: HTMLElement;
  plot: PlotlyDiv;
  render(result: SensesResult, projection: SensesProjection | null, layer: number): Promise<void>;
  clear(): void;
  resize(): void;
}

/** `onReveal`: the user clicked occurrence `index`. */
export function createSensesScatter(onReveal: (index: number) => void): SensesScatter {
  const plot = el('div', { class: 'senses-scatter', 'data-testid': 'senses-scatter', role: 'figure', 'data-point-count': 0, 'data-layer': '' }) as PlotlyDiv;
  const drawn = sensesPlot(plot, 'scatter', ({ customdata }) => {
    if (typeof customdata === 'number' && Number.isInteger(customdata)) onReveal(customdata);
  });

  function figure(result: SensesResult, projection: SensesProjection, layer: number): { data: Trace[]; layout: Layout; count: number } {
    const theme = readTheme();
    const traces = new Map<string, { id: number; also: boolean; x: number[]; y: number[]; hover: string[]; index: number[]; size: number[] }>();
    const n = Math.min(projection.points.length, result.occurrences.length);
    let count = 0;
    for (let i = 0; i < n; i++) {
      const p = projection.points[i];
      if (!p || !Number.isFinite(p.x) || !Number.isFinite(p.y)) continue;
      const o = result.occurrences[i];
      const id = clusterAt(o, layer);
      const also = !!result.also && o.word === result.also && o.word !== result.word;
      const key = `${id}|${also}`;
      let tr = traces.get(key);
      if (!tr) traces.set(key, (tr = { id, also, x: [], y: [], hover: [], index: [], size: [] }));
      const line = kwicLine(o, i, HOVER_CONTEXT_CHARS);
      tr.x.push(p.x);
      tr.y.push(p.y);
      tr.index.push(i);
      tr.size.push(9 + 2 * Math.log2(line.count));
      const times = line.count > 1 ? `  ${escapePlotly(t('sensesCount', { n: line.count }))}` : '';
      tr.hover.push(
        `<b>${escapePlotly(line.where)}</b>  <i>${escapePlotly(senseName(id))}</i>${times}<br>` +
          `${escapePlotly(line.left)}<b>[${escapePlotly(line.keyword)}]</b>${escapePlotly(line.right)}`,
      );
      count++;
    }
    const data: Trace[] = [...traces.values()]
      .sort((a, b) => a.id - b.id || Number(a.also) - Number(b.also))
      .map((tr) => {
        const color = senseColor(theme, tr.id);
        const name = result.also ? `${senseName(tr.id)} · ${tr.also ? result.also : result.word}` : senseName(tr.id);
        return {
          type: 'scatter',
          mode: 'markers',
          name: escapePlotly(name),
          x: tr.x,
          y: tr.y,
          hovertext: tr.hover,
          hoverinfo: 'text',
          customdata: tr.index,
          marker: { color, size: tr.size, symbol: wordSymbol(tr.also), opacity: 0.9, line: { color: theme.background, width: 1 } },
          hoverlabel: { bordercolor: color },
        };
      });
    const axis = projectionAxis(theme);
    const layout: Layout = {
      ...baseLayout(theme),
      margin: { l: 8, r: 8, t: 8, b: 8 },
      xaxis: axis,
      yaxis: axis,
      showlegend: true,
      legend: legendAbove(theme, 1.02),
      hovermode: 'closest',
      dragmode: 'pan',
      uirevision: `${projection.method}:${projection.hiddenLayer}:${result.word}`,
    };
    return { data, layout, count };
  }

  return {
    root: plot,
    plot,
    async render(result, projection, layer) {
      plot.setAttribute('aria-label', t('sensesScatterAria'));
      if (!projection) {
        this.clear();
        return;
      }
      const fig = figure(result, projection, layer);
      if (!(await drawn.draw(fig.data, fig.layout, baseConfig))) return;
      plot.dataset.pointCount = String(fig.count);
      plot.dataset.layer = String(projection.hiddenLayer);
      plot.dataset.method = projection.method;
    },
    clear() {
      drawn.clear();
      plot.dataset.pointCount = '0';
      plot.dataset.layer = '';
    },
    resize: drawn.resize,
  };
}
