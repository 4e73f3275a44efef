/**
 * The inspector's per-layer guesses: a sparkline of the final guess's probability over layers 0 … L and a
 * compact layers × top-k table (last layer on top, where the answer is). Token text is data: text nodes only.
 * For a causal model (`lens`, issue 13) the same table and sparkline are the logit lens: the final layer norm
 * and the LM head applied to every layer's hidden state, predicting the token after `lens.after`.
 */
import type { LayerGuessesResult } from '../../src/protocol';
import { formatProbability } from '../../src/shared/format';
import { el, svgEl } from '../dom';
import { t } from '../strings';
import { displayGuessToken } from '../causal/causalFacts';
import { layerSummary, layerTableRows } from './layerRows';
import { sparklineGeometry } from './sparklineGeometry';

/** Columns of the table: the panel is narrow. */
const TABLE_TOP_K = 3;
const BOX = { width: 260, height: 52, pad: 5 };

export function layerGuessesSection(result: LayerGuessesResult, lens?: { after: string }): HTMLElement {
  const summary = layerSummary(result);
  const title = lens ? t('lensTitle', { token: lens.after }) : t('layerGuessesTitle');
  const section = el('section', { class: 'layer-guesses', 'data-testid': 'layer-guesses', 'data-lens': lens ? 'logit' : 'masked' }, el('h3', { class: 'side-title' }, title));
  if (!summary) {
    section.appendChild(el('p', { class: 'hint' }, t('layerGuessesNone')));
    return section;
  }
  const p = formatProbability(summary.finalProbability);
  // GPT-2's pieces write a leading space as Ġ: shown as ␣ (causalFacts.ts).
  const show = lens ? displayGuessToken : (s: string) => s;
  const token = show(summary.token);
  section.append(
    el('p', { class: 'layer-summary', 'data-testid': 'layer-guesses-summary' }, t(lens ? 'lensSummary' : 'finalSummary', { token, first: summary.firstLayer, p })),
    sparkline(result, token),
    table(result, token, show),
    el('p', { class: 'hint' }, t(lens ? 'lensHint' : 'layerGuessesHint')),
  );
  return section;
}

function sparkline(result: LayerGuessesResult, token: string): SVGSVGElement {
  const geo = sparklineGeometry(result.layers.map((r) => r.finalProbability), BOX);
  const last = result.layers[result.layers.length - 1];
  const label = t('sparklineLabel', { token, last: last?.layer ?? 0, first: result.firstLayer, p: formatProbability(last?.finalProbability ?? NaN) });
  const svg = svgEl('svg', {
    class: 'sparkline',
    'data-testid': 'layer-guesses-sparkline',
    'data-points': geo.points.length,
    viewBox: `0 0 ${BOX.width} ${BOX.height}`,
    width: BOX.width,
    height: BOX.height,
    role: 'img',
    'aria-label': label,
  });
  svg.append(
    svgEl('title', {}, label),
    svgEl('line', { class: 'spark-base', x1: BOX.pad, x2: BOX.width - BOX.pad, y1: geo.baseline, y2: geo.baseline }),
    svgEl('path', { class: 'spark-line', d: geo.path }),
  );
  geo.points.forEach((pt, i) => {
    const row = result.layers[i];
    const settled = row.layer >= result.firstLayer;
    svg.appendChild(
      svgEl(
        'circle',
        { class: settled ? 'spark-dot settled' : 'spark-dot', cx: pt.x, cy: pt.y, r: row.layer === result.firstLayer ? 3.5 : 2, 'data-layer': row.layer },
        svgEl('title', {}, t('sparklinePoint', { layer: row.layer, p: formatProbability(row.finalProbability), rank: row.finalRank })),
      ),
    );
  });
  return svg;
}

function table(result: LayerGuessesResult, token: string, show: (token: string) => string): HTMLTableElement {
  const rows = layerTableRows(result, TABLE_TOP_K);
  const k = Math.max(1, ...rows.map((r) => r.cells.length));
  const head = el('tr', {}, el('th', { scope: 'col' }, t('layerColumn')));
  for (let i = 1; i <= k; i++) head.appendChild(el('th', { scope: 'col' }, `#${i}`));
  head.appendChild(el('th', { scope: 'col', class: 'rank' }, t('rankColumn', { token })));
  const body = el('tbody');
  for (const row of rows) {
    const tr = el('tr', { class: row.settled ? 'settled' : '', 'data-layer': row.layer }, el('th', { scope: 'row' }, String(row.layer)));
    for (let i = 0; i < k; i++) {
      const c = row.cells[i];
      tr.appendChild(
        c
          ? el('td', { class: c.final ? 'final' : '' }, el('span', { class: 'lg-token' }, show(c.token)), el('span', { class: 'lg-prob' }, formatProbability(c.probability)))
          : el('td'),
      );
    }
    tr.appendChild(el('td', { class: 'rank' }, String(row.finalRank)));
    body.appendChild(tr);
  }
  return el('table', { class: 'layer-table', 'data-testid': 'layer-guesses-table' }, el('thead', {}, head), body);
}
