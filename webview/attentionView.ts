/** Tab "Attention": head view (SVG), heat map (Plotly heatmap), all layers × heads grid (canvas). */
import type { AttentionGridView, SnippetView } from '../src/protocol';
import { attentionMatrix, clear, displayPiece, el, escapePlotly, headViewLines, mix, parseColor, rovingIndex, sumRows, svgEl, type Matrix } from './dom';
import { baseConfig, baseLayout, purge, react, resize, type PlotlyDiv } from './plotting';
import { attentionKey, emit, on, persist, post, snippetById, state } from './state';
import { t } from './strings';
import { readTheme } from './theme';

export interface AttentionView {
  root: HTMLElement;
  show(): void;
  hide(): void;
}

const MAX_LABEL = 14;
function shortLabel(s: string): string {
  return s.length > MAX_LABEL ? `${s.slice(0, MAX_LABEL - 1)}…` : s;
}

export function createAttentionView(): AttentionView {
  const snippetSelect = el('select', { 'data-testid': 'attention-snippet', id: 'att-snippet' });
  const layerSelect = el('select', { 'data-testid': 'attention-layer', id: 'att-layer' });
  const headSelect = el('select', { 'data-testid': 'attention-head', id: 'att-head' });
  const snippetLabel = el('label', { for: 'att-snippet' });
  const layerLabel = el('label', { for: 'att-layer' });
  const headLabel = el('label', { for: 'att-head' });
  const controls = el('div', { class: 'toolbar' }, snippetLabel, snippetSelect, layerLabel, layerSelect, headLabel, headSelect);
  const status = el('p', { class: 'hint status', 'aria-live': 'polite' });

  const headTitle = el('h2', { class: 'side-title' });
  const headHint = el('p', { class: 'hint' });
  const headBox = el('div', { class: 'head-view-box' });
  const heatTitle = el('h2', { class: 'side-title' });
  const heat = el('div', { class: 'heatmap', 'data-testid': 'heatmap' }) as PlotlyDiv;
  const gridTitle = el('h2', { class: 'side-title' });
  const gridHint = el('p', { class: 'hint' });
  const grid = el('div', { class: 'att-grid', 'data-testid': 'attention-grid', role: 'grid' });
  const empty = el('div', { class: 'empty' });

  const root = el(
    'div',
    { class: 'attention-layout' },
    controls,
    status,
    empty,
    el(
      'div',
      { class: 'att-panels' },
      el('section', { class: 'att-panel head-panel' }, headTitle, headHint, headBox),
      el('section', { class: 'att-panel heat-panel' }, heatTitle, heat),
    ),
    el('section', { class: 'att-panel grid-panel' }, gridTitle, gridHint, grid),
  );

  let visible = false;
  let heatRendered = false;
  let gridFocus = 0;
  let gridCells: HTMLButtonElement[] = [];
  let gridHeads = 1;
  let gridKey = '';
  let gridData: AttentionGridView | undefined;
  grid.addEventListener('keydown', (e) => {
    const cells = gridCells;
    const i = cells.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0) return;
    let next: number | null = null;
    if (e.key === 'ArrowUp') next = i - gridHeads >= 0 ? i - gridHeads : i;
    else if (e.key === 'ArrowDown') next = i + gridHeads < cells.length ? i + gridHeads : i;
    else next = rovingIndex(e.key, i, cells.length);
    if (next === null) return;
    e.preventDefault();
    cells[i].tabIndex = -1;
    cells[next].tabIndex = 0;
    cells[next].focus();
    gridFocus = next;
  });

  const ro = new ResizeObserver(() => {
    if (heatRendered && visible) resize(heat);
  });
  ro.observe(heat);

  function currentSnippet(): SnippetView | undefined {
    const p = state.persisted;
    let s = snippetById(p.selectedSnippetId);
    if (!s && state.snippets.length) {
      s = state.snippets[0];
      p.selectedSnippetId = s.id;
      p.selectedTokens = [];
    }
    return s;
  }
  function layerCount(): number {
    return Math.max(1, state.model?.numLayers ?? Math.max((state.persisted.attentionLayer ?? 0) + 1, state.persisted.layer));
  }
  function headCount(snippetId?: string): number {
    const fromData = snippetId ? state.attention.get(attentionKey(snippetId, currentLayer()))?.numHeads : undefined;
    return Math.max(1, state.model?.numHeads ?? fromData ?? 1);
  }
  function currentLayer(): number {
    const p = state.persisted;
    const l = p.attentionLayer ?? Math.max(0, p.layer - 1);
    return Math.min(Math.max(0, l), layerCount() - 1);
  }

  function fillSelect(select: HTMLSelectElement, options: [string, string][], value: string): void {
    const same = select.options.length === options.length && options.every(([v, l], i) => select.options[i].value === v && select.options[i].text === l);
    if (!same) {
      clear(select);
      for (const [v, l] of options) select.appendChild(el('option', { value: v }, l));
    }
    select.value = value;
  }

  function renderControls(): void {
    snippetLabel.textContent = t('snippet');
    layerLabel.textContent = t('layer');
    headLabel.textContent = t('head');
    const s = currentSnippet();
    fillSelect(snippetSelect, state.snippets.map((x) => [x.id, x.label]), s?.id ?? '');
    fillSelect(layerSelect, Array.from({ length: layerCount() }, (_, i) => [String(i), t('layerN', { n: i + 1 })]), String(currentLayer()));
    const heads = headCount(s?.id);
    const known = !!state.model || (s ? state.attention.has(attentionKey(s.id, currentLayer())) : false);
    if (known && state.persisted.head >= heads) state.persisted.head = -1;
    fillSelect(headSelect, [['-1', t('allHeads')], ...Array.from({ length: Math.max(heads, state.persisted.head + 1) }, (_, i): [string, string] => [String(i), t('headN', { n: i + 1 })])], String(state.persisted.head));
    headTitle.textContent = t('headView');
    heatTitle.textContent = t('heatmap');
    gridTitle.textContent = t('grid');
    gridHint.textContent = t('gridHint');
  }

  function request(): void {
    const s = currentSnippet();
    if (!s || !visible) return;
    const layer = currentLayer();
    const key = attentionKey(s.id, layer);
    if (!state.attention.has(key) && !state.attentionRequested.has(key)) {
      state.attentionRequested.add(key);
      post({ type: 'requestAttention', snippetId: s.id, layer });
    }
    if (!state.grids.has(s.id) && !state.gridRequested.has(s.id)) {
      state.gridRequested.add(s.id);
      post({ type: 'requestAttentionGrid', snippetId: s.id });
    }
  }

  function keepFn(s: SnippetView): (i: number) => boolean {
    return (i) => {
      const tok = s.tokens[i];
      return !(state.persisted.hideSpecial && tok?.special);
    };
  }

  function render(): void {
    renderControls();
    const s = currentSnippet();
    empty.hidden = !!s;
    root.classList.toggle('no-data', !s);
    if (!s) {
      clear(empty);
      empty.append(el('h2', {}, t('emptyTitle')), el('ol', {}, el('li', {}, t('emptyStep1')), el('li', {}, t('emptyStep2'))));
      clear(headBox);
      clear(grid);
      gridCells = [];
      gridKey = '';
      if (heatRendered) purge(heat);
      heatRendered = false;
      status.textContent = '';
      return;
    }
    request();
    const att = state.attention.get(attentionKey(s.id, currentLayer()));
    status.textContent = att ? '' : t('loading');
    if (att) {
      const matrix = attentionMatrix(att.weights, att.numHeads, att.tokenIndices, state.persisted.head, keepFn(s));
      const selected = state.persisted.selectedSnippetId === s.id ? state.persisted.selectedTokens.filter((i) => matrix.tokens.includes(i)) : [];
      headHint.textContent = selected.length ? t('headViewSelected', { n: selected.length }) : t('headViewHint');
      renderHeadView(s, matrix, selected);
      void renderHeat(s, matrix);
    } else {
      clear(headBox);
      headHint.textContent = t('headViewHint');
    }
    renderGrid(s);
  }

  function renderHeadView(s: SnippetView, matrix: Matrix, selected: number[]): void {
    clear(headBox);
    const theme = readTheme();
    const m = matrix.tokens.length;
    const rowH = 20;
    const width = 380;
    const leftX = 130;
    const rightX = width - 130;
    const height = m * rowH + 12;
    const svg = svgEl('svg', {
      'data-testid': 'head-view',
      class: 'head-view',
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: 'img',
      'aria-label': t('headView'),
    });
    const y = (i: number): number => 6 + i * rowH + rowH / 2;
    const lines = headViewLines(matrix, selected, selected.length ? 0.005 : 0.02);
    const maxW = Math.max(1e-9, ...lines.map((l) => l.weight));
    const color = state.persisted.head >= 0 ? theme.palette[state.persisted.head % theme.palette.length] : theme.accent;
    // Column intensity on the right: what the selected tokens (or all) attend to.
    const colSum = selected.length ? sumRows(matrix, selected) : null;
    const colMax = colSum ? Math.max(1e-9, ...colSum) : 1;
    const gLines = svgEl('g', { class: 'hv-lines' });
    for (const l of lines) {
      const w = l.weight / maxW;
      gLines.appendChild(
        svgEl('path', {
          d: `M${leftX + 4},${y(l.from)} C${(leftX + rightX) / 2},${y(l.from)} ${(leftX + rightX) / 2},${y(l.to)} ${rightX - 4},${y(l.to)}`,
          'data-from': l.from,
          class: 'hv-line',
          style: `stroke:${color};stroke-width:${(0.4 + 4.6 * w).toFixed(2)};stroke-opacity:${(0.08 + 0.85 * w).toFixed(3)}`,
        }),
      );
    }
    svg.appendChild(gLines);
    const gLeft = svgEl('g', { class: 'hv-left' });
    const gRight = svgEl('g', { class: 'hv-right' });
    matrix.tokens.forEach((ti, i) => {
      const tok = s.tokens[ti];
      const label = shortLabel(tok ? displayPiece(tok) : String(ti));
      const isSel = selected.includes(ti);
      const left = svgEl('g', { class: isSel ? 'hv-token selected' : 'hv-token', 'data-row': i });
      left.append(
        svgEl('rect', { x: 4, y: y(i) - rowH / 2 + 1, width: leftX - 4, height: rowH - 2, rx: 3, class: 'hv-bg' }),
        svgEl('text', { x: leftX - 4, y: y(i), 'text-anchor': 'end', 'dominant-baseline': 'central' }, label),
      );
      left.addEventListener('mouseenter', () => {
        svg.classList.add('row-focus');
        gLines.querySelectorAll(`[data-from="${i}"]`).forEach((p) => p.classList.add('on'));
      });
      left.addEventListener('mouseleave', () => {
        svg.classList.remove('row-focus');
        gLines.querySelectorAll('.on').forEach((p) => p.classList.remove('on'));
      });
      gLeft.appendChild(left);
      const right = svgEl('g', { class: 'hv-token' });
      const intensity = colSum ? colSum[i] / colMax : 0;
      const bg = svgEl('rect', { x: rightX, y: y(i) - rowH / 2 + 1, width: width - rightX - 4, height: rowH - 2, rx: 3, class: 'hv-bg' });
      if (colSum) bg.setAttribute('style', `fill:${color};fill-opacity:${(0.05 + 0.6 * intensity).toFixed(3)}`);
      right.append(bg, svgEl('text', { x: rightX + 4, y: y(i), 'text-anchor': 'start', 'dominant-baseline': 'central' }, label));
      gRight.appendChild(right);
    });
    svg.append(gLeft, gRight);
    headBox.appendChild(svg);
  }

  async function renderHeat(s: SnippetView, matrix: Matrix): Promise<void> {
    if (!visible) return;
    const theme = readTheme();
    const m = matrix.tokens.length;
    const labels = matrix.tokens.map((ti) => escapePlotly(shortLabel(s.tokens[ti] ? displayPiece(s.tokens[ti]) : String(ti))));
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
    heat.style.height = `${side}px`;
    const axis = { tickvals: idx, ticktext: labels, tickfont: { size: Math.max(9, theme.fontSize - 2) }, showgrid: false, zeroline: false, automargin: true };
    await react(
      heat,
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
    heatRendered = true;
  }

  function markGrid(): void {
    const curLayer = currentLayer();
    const curHead = state.persisted.head;
    for (const cell of gridCells) {
      const l = Number(cell.dataset.layer);
      const h = Number(cell.dataset.head);
      const active = l === curLayer && h === curHead;
      cell.classList.toggle('active', active);
      cell.classList.toggle('layer', !active && l === curLayer);
      cell.setAttribute('aria-pressed', String(active));
    }
  }

  function renderGrid(s: SnippetView): void {
    const g = state.grids.get(s.id);
    const theme = readTheme();
    const key = g ? [s.id, state.persisted.hideSpecial, theme.heatLow, theme.heatHigh, g.numLayers, g.numHeads, g.size].join('|') : '';
    if (g && key === gridKey && gridData === g) {
      markGrid();
      return;
    }
    const focused = gridCells.indexOf(document.activeElement as HTMLButtonElement);
    clear(grid);
    gridKey = key;
    gridData = g;
    if (!g) {
      gridCells = [];
      grid.appendChild(el('p', { class: 'hint' }, t('loading')));
      return;
    }
    const low = parseColor(theme.heatLow)!;
    const high = parseColor(theme.heatHigh)!;
    const n = g.size;
    const canDrop = g.tokenIndices.length === n;
    const keep: number[] = [];
    for (let i = 0; i < n; i++) if (!canDrop || keepFn(s)(g.tokenIndices[i])) keep.push(i);
    const k = keep.length;
    grid.style.setProperty('--heads', String(g.numHeads));
    const cells: HTMLButtonElement[] = [];
    const curLayer = currentLayer();
    const curHead = state.persisted.head;
    grid.appendChild(el('span', { class: 'grid-corner' }));
    for (let h = 0; h < g.numHeads; h++) grid.appendChild(el('span', { class: 'grid-col', 'aria-hidden': 'true' }, `H${h + 1}`));
    for (let l = 0; l < g.numLayers; l++) {
      grid.appendChild(el('span', { class: 'grid-row', 'aria-hidden': 'true' }, `L${l + 1}`));
      for (let h = 0; h < g.numHeads; h++) {
        const canvas = el('canvas', { width: Math.max(1, k), height: Math.max(1, k), 'aria-hidden': 'true' });
        drawCell(canvas, g, l, h, keep, low, high);
        const active = l === curLayer && h === curHead;
        const cell = el(
          'button',
          {
            type: 'button',
            class: active ? 'grid-cell active' : l === curLayer ? 'grid-cell layer' : 'grid-cell',
            'data-layer': l,
            'data-head': h,
            'aria-label': t('gridCell', { layer: l + 1, head: h + 1 }),
            title: t('gridCell', { layer: l + 1, head: h + 1 }),
            'aria-pressed': active ? 'true' : 'false',
            tabindex: -1,
          },
          canvas,
        );
        const index = cells.length;
        cell.addEventListener('click', () => {
          gridFocus = index;
          state.persisted.attentionLayer = l;
          state.persisted.head = h;
          persist();
          render();
          gridCells.forEach((c, i) => (c.tabIndex = i === index ? 0 : -1));
          gridCells[index]?.focus();
        });
        cells.push(cell);
        grid.appendChild(cell);
      }
    }
    const activeIndex = cells.findIndex((c) => c.classList.contains('active'));
    const focusIndex = Math.min(cells.length - 1, activeIndex >= 0 ? activeIndex : gridFocus);
    if (cells[focusIndex]) cells[focusIndex].tabIndex = 0;
    gridCells = cells;
    gridHeads = g.numHeads;
    if (focused >= 0 && cells[focused]) {
      cells.forEach((c, i) => (c.tabIndex = i === focused ? 0 : -1));
      cells[focused].focus();
    }
  }

  function drawCell(canvas: HTMLCanvasElement, g: AttentionGridView, layer: number, head: number, keep: number[], low: ReturnType<typeof parseColor> & object, high: ReturnType<typeof parseColor> & object): void {
    const ctx = canvas.getContext('2d');
    const k = keep.length;
    if (!ctx || !k) return;
    const n = g.size;
    const base = (layer * g.numHeads + head) * n * n;
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

  snippetSelect.addEventListener('change', () => {
    if (state.persisted.selectedSnippetId !== snippetSelect.value) {
      state.persisted.selectedSnippetId = snippetSelect.value;
      state.persisted.selectedTokens = [];
      persist();
      emit('selection');
    }
  });
  layerSelect.addEventListener('change', () => {
    state.persisted.attentionLayer = Number(layerSelect.value);
    persist();
    render();
  });
  headSelect.addEventListener('change', () => {
    state.persisted.head = Number(headSelect.value);
    persist();
    render();
  });

  const rerender = (): void => {
    if (visible) render();
  };
  on('snippets', rerender);
  on('attention', rerender);
  on('grid', rerender);
  on('selection', rerender);
  on('hideSpecial', rerender);
  on('theme', rerender);
  on('strings', rerender);
  on('model', rerender);

  return {
    root,
    show() {
      visible = true;
      render();
    },
    hide() {
      visible = false;
    },
  };
}
