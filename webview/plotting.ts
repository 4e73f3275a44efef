/**
 * Plotly, bundled. Only SVG traces (`scatter`, `heatmap`) are used, so no WebGL.
 * Content-Security-Policy: Plotly's <style> elements are made ahead of it with the page's nonce
 * (plotlyStyles.ts). The `style` attributes Plotly writes itself (`font-weight:bold` and
 * `font-style:italic` for <b>/<i> in labels and hover text, an empty one on the colour bar's fill) carry
 * no nonce: they are the inline styles the panel's policy still has to allow (style-src-attr).
 */
import './plotlyStyles';
import Plotly from 'plotly.js-dist';
import type { Theme } from './theme';

export { Plotly };

/** Plotly's figure types are strict per trace; traces here are plain objects checked by use. */
export type Trace = Record<string, unknown>;
export type Layout = Record<string, unknown>;

export interface PlotlyDiv extends HTMLDivElement {
  data?: Trace[];
  layout?: Layout;
  on?(event: string, fn: (ev: any) => void): void;
}

export const baseConfig = {
  displaylogo: false,
  responsive: false,
  scrollZoom: true,
  doubleClick: 'reset' as const,
  // Only view controls: exports go through the top bar (a webview cannot download files itself).
  modeBarButtons: [['zoom2d', 'pan2d', 'zoomIn2d', 'zoomOut2d', 'resetScale2d']],
  showTips: false,
};

export function baseLayout(theme: Theme): Layout {
  return {
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    font: { family: theme.fontFamily, size: theme.fontSize - 1, color: theme.foreground },
    hoverlabel: {
      bgcolor: theme.widgetBackground,
      bordercolor: theme.border,
      font: { family: theme.fontFamily, size: theme.fontSize, color: theme.foreground },
      align: 'left',
    },
    modebar: { bgcolor: 'rgba(0,0,0,0)', color: theme.muted, activecolor: theme.foreground },
  };
}

export async function react(div: PlotlyDiv, data: Trace[], layout: Layout, config: Record<string, unknown> = baseConfig): Promise<void> {
  await (Plotly as any).react(div, data, layout, config);
}

export function purge(div: PlotlyDiv): void {
  (Plotly as any).purge(div);
}

export function resize(div: PlotlyDiv): void {
  if (div.data && div.offsetWidth > 0) void (Plotly as any).Plots.resize(div);
}

export async function restyle(div: PlotlyDiv, update: Record<string, unknown>, traces: number[]): Promise<void> {
  if (div.data) await (Plotly as any).restyle(div, update, traces);
}

export async function toImage(figure: { data: Trace[]; layout: Layout }, opts: { format: 'png' | 'svg'; width: number; height: number; scale?: number }): Promise<string> {
  return (Plotly as any).toImage(figure, opts);
}

/** The axes of a 2-D projection: a light grid, no ticks (its coordinates mean nothing on their own). */
export function projectionAxis(theme: Theme): Layout {
  return { showgrid: true, gridcolor: theme.grid, zeroline: false, showticklabels: false, ticks: '', showline: false };
}

/** A horizontal legend above the plot, on the page's background. */
export function legendAbove(theme: Theme, y: number): Layout {
  return { orientation: 'h', x: 0, y, xanchor: 'left', yanchor: 'bottom', font: { color: theme.foreground }, bgcolor: 'rgba(0,0,0,0)' };
}
