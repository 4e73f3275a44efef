/** Tab "Map": every token a point (Plotly scatter, SVG), same-token links, and the link list. */
import type { SnippetView, TokenLink, TokenView } from '../src/protocol';
import { formatCosine } from '../src/shared/format';
import { emit, on } from './bus';
import { clear, el } from './dom';
import { pointKey } from './keys';
import { sortLinks } from './links';
import { baseConfig, baseLayout, legendAbove, projectionAxis, purge, react, resize, restyle, toImage, type Layout, type PlotlyDiv, type Trace } from './plotting';
import { escapePlotly, hoverHtml } from './plotlyText';
import { isVisibleToken, persist, projectionIsWords, state, tokenOf } from './state';
import { t } from './strings';
import { readTheme } from './theme';
import { displayPiece, tokenContext } from './tokenText';
import { sendRequest, wantGuesses } from './requests';
import { requestAllWords, wordAt, wordsOf } from './words/words';
import { wordContext, wordHoverHtml, wordLabel } from './words/wordText';
import { isCausalView } from './causal/causalFacts';
import { MAP_LABEL_LIMIT, mapLabelsHidden } from './mapLabels';

const GUESS_REDRAW_MS = 1500;

interface PlacedPoint {
  x: number;
  y: number;
}

/** What one point of a snippet shows: a token, or in words mode a word (`token`: its first piece). */
interface PointItem {
  token: TokenView;
  text: string;
  hover: string;
}

export interface MapView {
  root: HTMLElement;
  show(): void;
  hide(): void;
  exportImage(format: 'png' | 'svg'): Promise<void>;
}

export function createMapView(): MapView {
  const plot = el('div', { class: 'map-plot', 'data-testid': 'map', 'data-point-count': 0, 'data-layer': '', role: 'figure', 'aria-label': t('mapAria') }) as PlotlyDiv;
  const caption = el('div', { class: 'map-caption', 'aria-live': 'polite' });
  const empty = buildEmpty();
  const listTitle = el('h2', { class: 'side-title' }, t('linksTitle'));
  const listHint = el('p', { class: 'hint' });
  const list = el('ol', { class: 'link-list', 'data-testid': 'link-list' });
  const side = el('aside', { class: 'map-side', 'aria-label': t('linksTitle') }, listTitle, listHint, list);
  const main = el('div', { class: 'map-main' }, caption, plot, empty);
  const root = el('div', { class: 'map-layout' }, main, side);

  let visible = false;
  let dirty = true;
  let seq = 0;
  let rendered = false;
  let placed = new Map<string, PlacedPoint>();
  let highlightTrace = -1;
  /** The pointer is on a point (its hover label is open). */
  let hovering = false;
  let redrawAfterHover = false;

  document.body.dataset.mapReady = 'false';

  const ro = new ResizeObserver(() => {
    if (rendered && visible) resize(plot);
  });
  ro.observe(plot);

  function buildEmpty(): HTMLElement {
    return el(
      'div',
      { class: 'empty', 'data-testid': 'map-empty' },
      el('h2', {}, t('emptyTitle')),
      el('ol', {}, el('li', {}, t('emptyStep1')), el('li', {}, t('emptyStep2')), el('li', {}, t('emptyStep3'))),
      el('p', { class: 'hint' }, t('emptyExample')),
    );
  }

  function figure(): { data: Trace[]; layout: Layout; count: number; placed: Map<string, PlacedPoint>; highlight: number; labels: boolean } {
    const theme = readTheme();
    const proj = state.projection!;
    const labels = !mapLabelsHidden(proj.points.length);
    const byKey = new Map(proj.points.map((p) => [pointKey(p.snippetId, p.tokenIndex), p]));
    const data: Trace[] = [];
    const placedNow = new Map<string, PlacedPoint>();
    let count = 0;
    const linked = new Set<string>();
    for (const l of proj.links) {
      linked.add(pointKey(l.a.snippetId, l.a.tokenIndex));
      linked.add(pointKey(l.b.snippetId, l.b.tokenIndex));
    }
    const pointTraces: Trace[] = [];
    state.snippets.forEach((snippet, si) => {
      const x: number[] = [];
      const y: number[] = [];
      const text: string[] = [];
      const hover: string[] = [];
      const custom: [string, number, number][] = [];
      const lineWidth: number[] = [];
      for (const { token, text: label, hover: hoverText } of pointItems(snippet)) {
        const key = pointKey(snippet.id, token.index);
        const p = byKey.get(key);
        if (!p || !Number.isFinite(p.x) || !Number.isFinite(p.y)) continue;
        x.push(p.x);
        y.push(p.y);
        placedNow.set(key, { x: p.x, y: p.y });
        text.push(escapePlotly(label));
        hover.push(hoverText);
        custom.push([snippet.id, token.index, p.wordIndex ?? -1]);
        lineWidth.push(linked.has(key) ? 2 : 0.5);
      }
      count += x.length;
      const color = theme.palette[si % theme.palette.length];
      pointTraces.push({
        type: 'scatter',
        mode: labels ? 'markers+text' : 'markers',
        name: escapePlotly(snippet.label),
        x,
        y,
        ...(labels ? { text } : {}),
        textposition: 'top center',
        textfont: { color: theme.foreground, size: theme.fontSize },
        hovertext: hover,
        hoverinfo: 'text',
        customdata: custom,
        cliponaxis: false,
        marker: { color, size: 10, opacity: 0.9, line: { color: theme.foreground, width: lineWidth } },
        hoverlabel: { bordercolor: color },
      });
    });
    // Links under the points.
    const lx: (number | null)[] = [];
    const ly: (number | null)[] = [];
    for (const l of proj.links) {
      const a = placedNow.get(pointKey(l.a.snippetId, l.a.tokenIndex));
      const b = placedNow.get(pointKey(l.b.snippetId, l.b.tokenIndex));
      if (!a || !b) continue;
      lx.push(a.x, b.x, null);
      ly.push(a.y, b.y, null);
    }
    data.push({
      type: 'scatter',
      mode: 'lines',
      name: 'links',
      x: lx,
      y: ly,
      hoverinfo: 'skip',
      showlegend: false,
      line: { color: theme.muted, width: 1.4, dash: 'dot' },
      opacity: 0.85,
    });
    data.push(...pointTraces);
    data.push({
      type: 'scatter',
      mode: 'lines+markers',
      name: 'highlight',
      x: [],
      y: [],
      hoverinfo: 'skip',
      showlegend: false,
      line: { color: theme.accent, width: 3 },
      marker: { size: 20, color: 'rgba(0,0,0,0)', line: { color: theme.accent, width: 3 } },
    });
    const axis = { ...projectionAxis(theme), fixedrange: false };
    const layout: Layout = {
      ...baseLayout(theme),
      margin: { l: 16, r: 16, t: 40, b: 16 },
      xaxis: axis,
      yaxis: axis,
      showlegend: true,
      legend: legendAbove(theme, 1),
      hovermode: 'closest',
      dragmode: 'pan',
      uirevision: `${proj.method}:${proj.hiddenLayer}`,
    };
    return { data, layout, count, placed: placedNow, highlight: data.length - 1, labels };
  }

  /** The snippet's points: every visible token, or in words mode every visible word (once its words are here). */
  function pointItems(snippet: SnippetView): PointItem[] {
    const words = projectionIsWords() ? wordsOf(snippet.id) : undefined;
    if (words) {
      const strings = { label: snippet.label, piecesTitle: t('mapWordPieces'), pending: t('guessesPending') };
      return words.flatMap((w) => {
        const token = snippet.tokens[w.tokenIndices[0]];
        return token && isVisibleToken(token) ? [{ token, text: wordLabel(w, token), hover: wordHoverHtml(snippet, w, strings) }] : [];
      });
    }
    // Pieces, or words still on their way (the points, each word's first piece, show under their piece meanwhile).
    // A causal model's guesses are what it expected at the token before seeing it.
    const causal = isCausalView(state.model, snippet);
    return snippet.tokens.filter(isVisibleToken).map((token) => ({
      token,
      text: displayPiece(token),
      hover: hoverHtml(snippet.label, tokenContext(snippet, token), token.guesses, t(causal ? 'mapHoverExpected' : 'mapHoverGuesses'), 5, token.guessesPending ? t('guessesPending') : undefined),
    }));
  }

  /** A click on a point shows it in its editor; a word-point also selects its pieces (for the Attention tab). */
  function pointClicked(snippetId: string, tokenIndex: number, wordIndex: number | undefined): void {
    const word = wordAt(snippetId, wordIndex);
    if (word) {
      state.persisted.selectedSnippetId = snippetId;
      state.persisted.selectedTokens = [...word.tokenIndices];
      persist();
      emit('selection');
    }
    sendRequest({ type: 'revealToken', ref: { snippetId, tokenIndex } });
  }

  async function render(): Promise<void> {
    const my = ++seq;
    // A redraw closes any open hover label, and Plotly sends no unhover for it.
    hovering = false;
    redrawAfterHover = false;
    const hasData = state.snippets.length > 0 && !!state.projection;
    if (hasData && projectionIsWords()) requestAllWords();
    empty.hidden = state.snippets.length > 0;
    plot.hidden = !hasData;
    renderList();
    renderCaption();
    if (!visible) {
      dirty = true;
      if (!hasData) document.body.dataset.mapReady = 'true';
      return;
    }
    dirty = false;
    document.body.dataset.mapReady = 'false';
    if (!hasData) {
      if (rendered) purge(plot);
      rendered = false;
      placed = new Map();
      plot.dataset.pointCount = '0';
      plot.dataset.layer = state.projection ? String(state.projection.hiddenLayer) : '';
      document.body.dataset.mapReady = 'true';
      return;
    }
    const fig = figure();
    try {
      await react(plot, fig.data, fig.layout, baseConfig);
    } catch (err) {
      console.error('[context-lens] map render failed', err);
    }
    if (my !== seq) return;
    if (!rendered) {
      rendered = true;
      plot.on?.('plotly_click', (ev: { points?: { customdata?: unknown }[] }) => {
        const cd = ev.points?.[0]?.customdata;
        if (Array.isArray(cd) && typeof cd[0] === 'string' && typeof cd[1] === 'number') pointClicked(cd[0], cd[1], typeof cd[2] === 'number' && cd[2] >= 0 ? cd[2] : undefined);
      });
      plot.on?.('plotly_hover', (ev: { points?: { customdata?: unknown }[] }) => {
        hovering = true;
        const cd = ev.points?.[0]?.customdata;
        if (Array.isArray(cd) && typeof cd[0] === 'string' && typeof cd[1] === 'number') wantGuesses(cd[0], cd[1]);
      });
      plot.on?.('plotly_unhover', () => {
        hovering = false;
        if (redrawAfterHover) {
          redrawAfterHover = false;
          scheduleGuessRedraw();
        }
      });
    }
    placed = fig.placed;
    highlightTrace = fig.highlight;
    plot.dataset.pointCount = String(fig.count);
    plot.dataset.labels = fig.labels ? 'shown' : 'hidden';
    plot.dataset.layer = String(state.projection!.hiddenLayer);
    plot.dataset.method = state.projection!.method;
    plot.dataset.unit = projectionIsWords() ? 'words' : 'pieces';
    plot.setAttribute('aria-label', t(projectionIsWords() ? 'mapAriaWords' : 'mapAria'));
    document.body.dataset.mapReady = 'true';
  }

  function renderCaption(): void {
    const proj = state.projection;
    if (!proj || !state.snippets.length) {
      caption.textContent = '';
      return;
    }
    const method = t(proj.method === 'pca' ? 'projection.pca' : 'projection.umap');
    caption.textContent = proj.hiddenLayer === 0 ? t('mapLayerTitleEmb', { method }) : t('mapLayerTitle', { layer: proj.hiddenLayer, method });
    if (projectionIsWords()) caption.textContent += ` · ${t('unit.words')}`;
    if (mapLabelsHidden(proj.points.length)) caption.textContent += ` · ${t('mapLabelsHidden', { limit: MAP_LABEL_LIMIT.toLocaleString() })}`;
    caption.classList.toggle('stale', state.pendingLayer !== null);
  }

  function highlight(link: TokenLink | null): void {
    if (!rendered || highlightTrace < 0) return;
    const a = link && placed.get(pointKey(link.a.snippetId, link.a.tokenIndex));
    const b = link && placed.get(pointKey(link.b.snippetId, link.b.tokenIndex));
    const x = a && b ? [a.x, b.x] : [];
    const y = a && b ? [a.y, b.y] : [];
    void restyle(plot, { x: [x], y: [y] }, [highlightTrace]);
  }

  function contextButton(snippetId: string, tokenIndex: number, wordIndex: number | undefined): HTMLElement | null {
    const found = tokenOf(snippetId, tokenIndex);
    if (!found) return null;
    const radius = /[\u3000-\u9fff]/.test(found.snippet.text) ? 8 : 14;
    const word = projectionIsWords() ? wordAt(snippetId, wordIndex) : undefined;
    const ctx = word ? wordContext(found.snippet, word, radius) : tokenContext(found.snippet, found.token, radius);
    const btn = el('button', { class: 'ctx', type: 'button', title: `${t('revealTitle')} — ${found.snippet.label}` }, ctx.before, el('mark', {}, ctx.token), ctx.after);
    btn.addEventListener('click', () => pointClicked(snippetId, tokenIndex, word ? wordIndex : undefined));
    return btn;
  }

  function renderList(): void {
    clear(list);
    const proj = state.projection;
    listHint.textContent = proj ? t('linksHint', { layer: proj.hiddenLayer }) : '';
    listTitle.textContent = t(projectionIsWords() ? 'linksTitleWords' : 'linksTitle');
    side.classList.toggle('stale', state.pendingLayer !== null);
    side.hidden = state.snippets.length === 0;
    if (!proj) return;
    const links = sortLinks(
      proj.links.filter((l) => {
        const a = tokenOf(l.a.snippetId, l.a.tokenIndex);
        const b = tokenOf(l.b.snippetId, l.b.tokenIndex);
        return a && b && isVisibleToken(a.token) && isVisibleToken(b.token);
      }),
    ).slice(0, 300);
    if (!links.length) {
      list.appendChild(el('li', { class: 'hint none' }, t(projectionIsWords() ? 'linksNoneWords' : 'linksNone')));
      return;
    }
    for (const link of links) {
      const a = contextButton(link.a.snippetId, link.a.tokenIndex, link.a.wordIndex);
      const b = contextButton(link.b.snippetId, link.b.tokenIndex, link.b.wordIndex);
      const tok = tokenOf(link.a.snippetId, link.a.tokenIndex)!;
      const diff = Math.max(0, Math.min(1, 1 - link.cosine));
      const fill = el('span', { class: 'cos-fill' });
      fill.style.width = `${(link.cosine * 100).toFixed(1)}%`;
      const bar = el('span', { class: 'cos-bar', 'aria-hidden': 'true' }, fill);
      const row = el(
        'li',
        { class: 'link-row', 'data-testid': 'link-row', 'data-piece': link.piece, 'data-cosine': link.cosine.toFixed(4) },
        el('span', { class: 'piece', title: link.piece }, projectionIsWords() ? link.piece : tok.token.piece.startsWith('##') ? tok.token.piece : displayPiece(tok.token)),
        el('span', { class: 'pair' }, a, el('span', { class: 'arrow', 'aria-hidden': 'true' }, '↔'), b),
        el('span', { class: 'cos', title: `1 − cos = ${diff.toFixed(2)}` }, `${t('cosine')} ${formatCosine(link.cosine)}`, bar),
      );
      const on = (): void => {
        row.classList.add('active');
        highlight(link);
      };
      const off = (): void => {
        row.classList.remove('active');
        highlight(null);
      };
      row.addEventListener('mouseenter', on);
      row.addEventListener('mouseleave', off);
      row.addEventListener('focusin', on);
      row.addEventListener('focusout', (e) => {
        if (!row.contains(e.relatedTarget as Node | null)) off();
      });
      list.appendChild(row);
    }
  }

  const rerender = (): void => void render();
  // Guesses stream in a few tokens at a time: redraw the hover texts at most every GUESS_REDRAW_MS, and
  // never under the pointer (a redraw closes the hover label the user is reading).
  let guessRedraw: ReturnType<typeof setTimeout> | undefined;
  function scheduleGuessRedraw(): void {
    guessRedraw ??= setTimeout(() => {
      guessRedraw = undefined;
      if (hovering) redrawAfterHover = true;
      else void render();
    }, GUESS_REDRAW_MS);
  }
  on('guesses', () => {
    if (!visible) {
      dirty = true;
      return;
    }
    scheduleGuessRedraw();
  });
  on('snippets', rerender);
  on('projection', rerender);
  on('hideSpecial', rerender);
  // Pieces / Words (issue 12): the words the word-points are labelled with arrived.
  on('words', () => {
    if (projectionIsWords()) rerender();
  });
  on('theme', rerender);
  on('strings', () => {
    listTitle.textContent = t('linksTitle');
    plot.setAttribute('aria-label', t(projectionIsWords() ? 'mapAriaWords' : 'mapAria'));
    const fresh = buildEmpty();
    empty.replaceChildren(...Array.from(fresh.childNodes));
    rerender();
  });
  on('layer', () => renderCaption());

  return {
    root,
    show() {
      visible = true;
      if (dirty) void render();
      else if (rendered) resize(plot);
    },
    hide() {
      visible = false;
    },
    async exportImage(format) {
      if (!state.projection || !state.snippets.length) return;
      const fig = figure();
      const theme = readTheme();
      fig.layout.paper_bgcolor = theme.background;
      fig.layout.plot_bgcolor = theme.background;
      fig.data.pop(); // the empty highlight trace
      const width = Math.max(640, plot.clientWidth || 900);
      const height = Math.max(420, plot.clientHeight || 600);
      try {
        const dataUrl = await toImage({ data: fig.data, layout: fig.layout }, { format, width, height, scale: format === 'png' ? 2 : 1 });
        sendRequest({ type: 'saveImage', format, dataUrl });
      } catch (err) {
        state.error = String(err instanceof Error ? err.message : err);
        emit('error');
      }
    },
  };
}

