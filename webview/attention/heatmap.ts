/** The attention matrix as a Plotly heat map (SVG): rows attend ("from") to columns ("to"). */
import type { Matrix } from '../attentionMath';
import { el } from '../dom';
import { baseConfig, baseLayout, purge, react, resize, type PlotlyDiv } from '../plotting';
import { escapePlotly } from '../plotlyText';
import { t } from '../strings';
import { readTheme } from '../theme';

export interface Heatmap {
  root: PlotlyDiv;
  /** Draws `matrix` when the tab is visible (Plotly measures the element). */
  draw(label: (tokenIndex: number) => string, matrix: Matrix): Promise<void>;
  clear(): void;
}

export function createHeatmap(isVisible: () => boolean): Heatmap {
  const root = el('div', { class: 'heatmap', 'data-testid': 'heatmap' }) as PlotlyDiv;
  let rendered = false;
  const ro = new ResizeObserver(() => {
    if (rendered && isVisible()) resize(root);
  });
  ro.observe(root);

  async function draw(label: (tokenIndex: number) => string, matrix: Matrix): Promise<void> {
    if (!isVisible()) return;
    const theme = readTheme();
    const m = matrix.tokens.length;
    const labels = matrix.tokens.map((ti) => escapePlotly(label(ti)));
    const z: number[][] = [];
    const hover: string[][] = [];
    let max = 0;
    for (let r = 0; r < m; r++) {
      const row: number[] = [];
      const hrow: string[] = [];
      for (let c = 0; c < m; c++) {
        const v = matrix.values[r * m + c];
        max = Math.max(max, v);
        row.push(v);
        hrow.push(`${labels[r]} → ${labels[c]}<br>${v.toFixed(3)}`);
      }
      z.push(row);
      hover.push(hrow);
    }
    const idx = matrix.tokens.map((_, i) => i);
    const side = Math.min(620, Math.max(260, 90 + m * 18));
    root.style.height = `${side}px`;
    const axis = { tickvals: idx, ticktext: labels, tickfont: { size: Math.max(9, theme.fontSize - 2) }, showgrid: false, zeroline: false, automargin: true };
    await react(
      root,
      [
        {
          type: 'heatmap',
          z,
          x: idx,
          y: idx,
          hovertext: hover,
          hoverinfo: 'text',
          zmin: 0,
          zmax: max || 1,
          colorscale: [
            [0, theme.heatLow],
            [1, theme.heatHigh],
          ],
          xgap: m <= 40 ? 1 : 0,
          ygap: m <= 40 ? 1 : 0,
          colorbar: { thickness: 10, outlinewidth: 0, tickfont: { color: theme.foreground } },
        },
      ],
      {
        ...baseLayout(theme),
        margin: { l: 8, r: 8, t: 8, b: 8 },
        xaxis: { ...axis, side: 'top', tickangle: -60, title: { text: escapePlotly(t('heatmapTo')), standoff: 4 } },
        yaxis: { ...axis, autorange: 'reversed', title: { text: escapePlotly(t('heatmapFrom')), standoff: 4 } },
      },
      { ...baseConfig, scrollZoom: false },
    );
    rendered = true;
  }

  function clear(): void {
    if (rendered) purge(root);
    rendered = false;
  }

  return { root, draw, clear };
}
