/** One Plotly figure of the Senses tab: drawn with react (diffed), its click handler bound once, purged when cleared. */
import { purge, react, resize, type Layout, type PlotlyDiv, type Trace } from '../plotting';

export interface SensesPlot {
  /** Draws the figure; false when Plotly failed (logged). */
  draw(data: Trace[], layout: Layout, config: Record<string, unknown>): Promise<boolean>;
  clear(): void;
  resize(): void;
}

/** `onClick`: Plotly's click event on a point of `div`. */
export function sensesPlot(div: PlotlyDiv, name: string, onClick: (point: { x?: unknown; customdata?: unknown }) => void): SensesPlot {
  let rendered = false;
  return {
    async draw(data, layout, config) {
      try {
        await react(div, data, layout, config);
      } catch (err) {
        console.error(`[context-lens] senses ${name} failed`, err);
        return false;
      }
      if (!rendered) {
        rendered = true;
        div.on?.('plotly_click', (ev: { points?: { x?: unknown; customdata?: unknown }[] }) => {
          const point = ev.points?.[0];
          if (point) onClick(point);
        });
      }
      return true;
    },
    clear() {
      if (rendered) purge(div);
      rendered = false;
    },
    resize() {
      if (rendered) resize(div);
    },
  };
}
