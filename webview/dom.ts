/**
 * DOM building and escaping helpers. Token text is DATA from the user's files: it only ever reaches the
 * DOM through textContent / attributes set by createElement, and reaches Plotly (which renders its text
 * as a small HTML dialect) only through `escapePlotly`.
 * Everything above `el` is pure (no DOM) so the unit tests run in Node.
 */
import type { SnippetView, TokenLink, TokenView } from '../src/protocol';

const PLOTLY_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&#34;',
  "'": '&#39;',
  // `$…$` would be handed to MathJax when a page has it; `%{…}` is template syntax. Neutralise both.
  $: '&#36;',
  '%': '&#37;',
};

/** Escape text for Plotly's pseudo-HTML (text labels, hover text, legend names, tick labels). */
export function escapePlotly(text: string): string {
  return String(text).replace(/[&<>"'$%]/g, (c) => PLOTLY_ESCAPES[c]).replace(/\r\n?|\n/g, ' ');
}

/** The text a token shows: its surface text, or the piece without `##` (special tokens keep `[CLS]`). */
export function displayPiece(token: Pick<TokenView, 'piece' | 'surface' | 'special'>): string {
  if (token.special) return token.piece;
  if (token.surface) return token.surface;
  return token.piece.startsWith('##') ? token.piece.slice(2) : token.piece;
}

/** True for a WordPiece continuation (`##ing`): it is drawn joined to the previous chip. */
export function isContinuation(token: Pick<TokenView, 'piece' | 'special'>): boolean {
  return !token.special && token.piece.startsWith('##');
}

export interface TokenContext {
  before: string;
  token: string;
  after: string;
}

/** A sentence ends after 。！？!?; or a newline, or after `.` followed by whitespace or the end. */
function isSentenceEnd(text: string, i: number): boolean {
  const c = text[i];
  if (/[。！？；!?;\n]/.test(c)) return true;
  return c === '.' && (i + 1 >= text.length || /\s/.test(text[i + 1]));
}

/** Collapse whitespace runs (newlines included) to one space. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ');
}

/**
 * The token inside its sentence: up to `radius` characters either side (cut at the ends with `…`),
 * whitespace collapsed. Special tokens get the snippet's start ([CLS]) or end ([SEP]) as context.
 */
export function tokenContext(snippet: Pick<SnippetView, 'text'>, token: TokenView, radius = 24): TokenContext {
  const text = snippet.text;
  let start = token.start;
  let end = token.end;
  const special = token.special || end <= start;
  if (special) {
    const atEnd = token.piece === '[SEP]' || token.index > 0;
    start = end = atEnd ? text.length : 0;
  }
  start = Math.max(0, Math.min(start, text.length));
  end = Math.max(start, Math.min(end, text.length));
  // Stay inside the token's own sentence (special tokens see the whole text).
  let lo = 0;
  let hi = text.length;
  if (!special) {
    for (let i = start - 1; i >= 0; i--) if (isSentenceEnd(text, i)) { lo = i + 1; break; }
    for (let i = end; i < text.length; i++) if (isSentenceEnd(text, i)) { hi = i + 1; break; }
  }
  const from = Math.max(lo, start - radius);
  const to = Math.min(hi, end + radius);
  const before = (from > lo ? '…' : '') + oneLine(text.slice(from, start)).trimStart();
  const after = oneLine(text.slice(end, to)).trimEnd() + (to < hi ? '…' : '');
  const surface = token.special ? token.piece : oneLine(text.slice(start, end)) || displayPiece(token);
  return { before, token: surface, after };
}

/** Plotly hover HTML: the token bold and bracketed inside its context, then its guesses. All data escaped. */
export function hoverHtml(
  label: string,
  ctx: TokenContext,
  guesses: { token: string; probability: number }[],
  guessesTitle: string,
  maxGuesses = 5,
  /** Shown instead of the guesses while they are being computed. */
  pendingNote?: string,
): string {
  const lines = [
    `<b>${escapePlotly(ctx.token)}</b>  <i>${escapePlotly(label)}</i>`,
    `${escapePlotly(ctx.before)}<b>[${escapePlotly(ctx.token)}]</b>${escapePlotly(ctx.after)}`,
  ];
  if (!guesses.length && pendingNote) lines.push(`<i>${escapePlotly(pendingNote)}</i>`);
  if (guesses.length) {
    lines.push(escapePlotly(guessesTitle));
    for (const g of guesses.slice(0, maxGuesses)) lines.push(`  ${escapePlotly(g.token)}  ${formatProbability(g.probability)}`);
  }
  return lines.join('<br>');
}

/** 0.4213 → `42.1%`, tiny values → `<0.1%`. */
export function formatProbability(p: number): string {
  if (!Number.isFinite(p)) return '–';
  if (p > 0 && p < 0.001) return '<0.1%';
  return `${(p * 100).toFixed(p >= 0.995 ? 0 : 1)}%`;
}

export function formatCosine(c: number): string {
  return Number.isFinite(c) ? c.toFixed(2) : '–';
}

/** Links sorted most different first (lowest cosine), ties by piece. Does not mutate. */
export function sortLinks<T extends Pick<TokenLink, 'cosine' | 'piece'>>(links: readonly T[]): T[] {
  return [...links].sort((a, b) => a.cosine - b.cosine || a.piece.localeCompare(b.piece));
}

export function pointKey(snippetId: string, tokenIndex: number): string {
  return `${snippetId}\u0000${tokenIndex}`;
}

export interface Matrix {
  /** Kept token indices (rows and columns), in order. */
  tokens: number[];
  /** rows × cols, row-major. */
  values: Float64Array;
}

/**
 * One head's (or the mean over heads') attention matrix from `[head][from][to]` weights, with the
 * positions whose token is dropped (`keep(tokenIndex) === false`) removed. Nothing is renormalised.
 */
export function attentionMatrix(
  weights: ArrayLike<number>,
  numHeads: number,
  tokenIndices: readonly number[],
  head: number,
  keep: (tokenIndex: number) => boolean = () => true,
): Matrix {
  const n = tokenIndices.length;
  const kept: number[] = [];
  for (let i = 0; i < n; i++) if (keep(tokenIndices[i])) kept.push(i);
  const m = kept.length;
  const values = new Float64Array(m * m);
  const heads = head < 0 ? Array.from({ length: numHeads }, (_, h) => h) : [Math.min(head, numHeads - 1)];
  const scale = 1 / heads.length;
  for (const h of heads) {
    const base = h * n * n;
    for (let r = 0; r < m; r++) {
      const row = base + kept[r] * n;
      for (let c = 0; c < m; c++) values[r * m + c] += (weights[row + kept[c]] ?? 0) * scale;
    }
  }
  return { tokens: kept.map((i) => tokenIndices[i]), values };
}

/**
 * The head view's lines: for each kept `from` row (only the selected tokens' rows when any are
 * selected and present, summed into one source per selected token), the weight to each `to` column.
 */
export function headViewLines(
  matrix: Matrix,
  selected: readonly number[],
  minWeight = 0.01,
): { from: number; to: number; weight: number }[] {
  const m = matrix.tokens.length;
  const sel = new Set(selected);
  const rows = sel.size ? matrix.tokens.map((t, i) => (sel.has(t) ? i : -1)).filter((i) => i >= 0) : [];
  const useRows = rows.length ? rows : matrix.tokens.map((_, i) => i);
  const lines: { from: number; to: number; weight: number }[] = [];
  for (const r of useRows) {
    for (let c = 0; c < m; c++) {
      const w = matrix.values[r * m + c];
      if (w >= minWeight) lines.push({ from: r, to: c, weight: w });
    }
  }
  return lines;
}

/** Sum of the selected rows (what the selected tokens attend to, together). */
export function sumRows(matrix: Matrix, selected: readonly number[]): Float64Array {
  const m = matrix.tokens.length;
  const out = new Float64Array(m);
  const sel = new Set(selected);
  matrix.tokens.forEach((t, r) => {
    if (!sel.has(t)) return;
    for (let c = 0; c < m; c++) out[c] += matrix.values[r * m + c];
  });
  return out;
}

export interface Rgb {
  r: number;
  g: number;
  b: number;
  a: number;
}

/** Parse `#rgb`, `#rrggbb`, `#rrggbbaa`, `rgb()`/`rgba()`; null when not understood. */
export function parseColor(css: string): Rgb | null {
  const s = css.trim().toLowerCase();
  let m = /^#([0-9a-f]{3,8})$/.exec(s);
  if (m) {
    const h = m[1];
    if (h.length === 3 || h.length === 4) {
      const v = [...h].map((c) => parseInt(c + c, 16));
      return { r: v[0], g: v[1], b: v[2], a: h.length === 4 ? v[3] / 255 : 1 };
    }
    if (h.length === 6 || h.length === 8) {
      const v = [0, 2, 4, 6].map((i) => parseInt(h.slice(i, i + 2), 16));
      return { r: v[0], g: v[1], b: v[2], a: h.length === 8 ? v[3] / 255 : 1 };
    }
    return null;
  }
  m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:[\s,/]+([\d.]+%?))?\s*\)$/.exec(s);
  if (m) {
    let a = 1;
    if (m[4] !== undefined) a = m[4].endsWith('%') ? parseFloat(m[4]) / 100 : parseFloat(m[4]);
    return { r: +m[1], g: +m[2], b: +m[3], a };
  }
  return null;
}

export function rgba(c: Rgb, alpha = c.a): string {
  return `rgba(${Math.round(c.r)},${Math.round(c.g)},${Math.round(c.b)},${+alpha.toFixed(3)})`;
}

/** Linear mix of two colours, t = 0 → a, 1 → b. */
export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return { r: a.r + (b.r - a.r) * t, g: a.g + (b.g - a.g) * t, b: a.b + (b.b - a.b) * t, a: a.a + (b.a - a.a) * t };
}

export function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** Next index for roving focus with arrow keys; null when the key is not a navigation key. */
export function rovingIndex(key: string, index: number, count: number, orientation: 'horizontal' | 'vertical' = 'horizontal'): number | null {
  if (count <= 0) return null;
  const prev = orientation === 'horizontal' ? 'ArrowLeft' : 'ArrowUp';
  const next = orientation === 'horizontal' ? 'ArrowRight' : 'ArrowDown';
  if (key === prev) return (index - 1 + count) % count;
  if (key === next) return (index + 1) % count;
  if (key === 'Home') return 0;
  if (key === 'End') return count - 1;
  return null;
}

// ---------------------------------------------------------------------------------------------------
// DOM (browser only)

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined>;

/**
 * createElement with attributes and children. Strings become text nodes (never parsed as HTML).
 * Attribute values are set with setAttribute; `on*` attributes are refused.
 */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  append(node, ...children);
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
export function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  append(node, ...children);
  return node;
}

function setAttrs(node: Element, attrs: Attrs): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (/^on/i.test(k)) throw new Error(`inline handler attribute refused: ${k}`);
    node.setAttribute(k, v === true ? '' : String(v));
  }
}

export function append(node: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}
