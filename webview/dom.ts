/**
 * Building DOM nodes. Token text is DATA from the user's files: it only ever reaches the DOM through
 * text nodes and attributes set with setAttribute, never as HTML.
 */

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined>;

/**
 * createElement with attributes and children. Strings become text nodes (never parsed as HTML).
 * Attribute values are set with setAttribute; `on*` attributes are refused, and so is `style`: element
 * styles go through the CSSOM (`node.style`), which the page's Content-Security-Policy allows without
 * 'unsafe-inline'.
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
    if (/^style$/i.test(k)) throw new Error('inline style attribute refused: set node.style instead');
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

/** Sets inline style properties (CSS names: `stroke-width`) through the CSSOM, never as a `style` attribute. */
export function setStyles(node: ElementCSSInlineStyle, styles: Record<string, string>): void {
  for (const [name, value] of Object.entries(styles)) node.style.setProperty(name, value);
}
