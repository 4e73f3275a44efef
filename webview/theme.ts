/**
 * Colours for Plotly and canvas, read from VS Code's CSS variables at render time. VS Code changes the
 * variables (on <html style>) and the body class (vscode-light / vscode-dark / vscode-high-contrast)
 * when the theme changes; `watchTheme` calls back once per change.
 */
import { mix, parseColor, rgba, type Rgb } from './color';

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

export interface Theme {
  kind: ThemeKind;
  foreground: string;
  muted: string;
  background: string;
  widgetBackground: string;
  border: string;
  focus: string;
  accent: string;
  grid: string;
  fontFamily: string;
  fontSize: number;
  palette: string[];
  /** Heat map scale from "no attention" to "all attention". */
  heatLow: string;
  heatHigh: string;
  fgRgb: Rgb;
  bgRgb: Rgb;
}

export function themeKind(): ThemeKind {
  const c = document.body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (c.contains('vscode-high-contrast')) return 'high-contrast';
  if (c.contains('vscode-light')) return 'light';
  return 'dark';
}

const FALLBACK: Record<ThemeKind, { fg: string; bg: string; palette: string[] }> = {
  dark: { fg: '#cccccc', bg: '#1e1e1e', palette: ['#3794ff', '#f14c4c', '#89d185', '#cca700', '#b180d7', '#d18616'] },
  light: { fg: '#3b3b3b', bg: '#ffffff', palette: ['#1a85ff', '#e51400', '#388a34', '#bf8803', '#652d90', '#d18616'] },
  'high-contrast': { fg: '#ffffff', bg: '#000000', palette: ['#3794ff', '#f48771', '#89d185', '#ffd700', '#d670d6', '#ff8c00'] },
  'high-contrast-light': { fg: '#292929', bg: '#ffffff', palette: ['#0f4a85', '#b5200d', '#2d7a3a', '#895503', '#652d90', '#a34d00'] },
};

function cssVar(style: CSSStyleDeclaration, name: string): string {
  return style.getPropertyValue(name).trim();
}

export function readTheme(): Theme {
  const kind = themeKind();
  const fb = FALLBACK[kind];
  const style = getComputedStyle(document.documentElement);
  const bodyStyle = getComputedStyle(document.body);
  const pick = (...names: string[]): string => {
    for (const n of names) {
      const v = cssVar(style, n) || cssVar(bodyStyle, n);
      if (v && parseColor(v)) return v;
    }
    return '';
  };
  const foreground = pick('--vscode-editor-foreground', '--vscode-foreground') || fb.fg;
  const background = pick('--vscode-editor-background', '--vscode-sideBar-background') || fb.bg;
  const fgRgb = parseColor(foreground) ?? parseColor(fb.fg)!;
  const bgRgb = parseColor(background) ?? parseColor(fb.bg)!;
  const charts = ['blue', 'red', 'green', 'yellow', 'purple', 'orange'].map((c, i) => pick(`--vscode-charts-${c}`) || fb.palette[i]);
  const hc = kind.startsWith('high-contrast');
  const accent = pick('--vscode-focusBorder', '--vscode-textLink-foreground') || charts[0];
  const accentRgb = parseColor(accent) ?? parseColor(charts[0])!;
  const fontSize = parseFloat(cssVar(bodyStyle, '--vscode-font-size')) || 13;
  return {
    kind,
    foreground,
    muted: pick('--vscode-descriptionForeground') || rgba(fgRgb, 0.7),
    background,
    widgetBackground: pick('--vscode-editorHoverWidget-background', '--vscode-editorWidget-background') || background,
    border: pick('--vscode-contrastBorder', '--vscode-editorHoverWidget-border', '--vscode-panel-border', '--vscode-widget-border') || rgba(fgRgb, 0.3),
    focus: accent,
    accent,
    grid: rgba(fgRgb, hc ? 0.35 : 0.1),
    fontFamily: cssVar(bodyStyle, '--vscode-font-family') || bodyStyle.fontFamily || 'sans-serif',
    fontSize,
    palette: charts,
    heatLow: rgba(mix(bgRgb, fgRgb, hc ? 0 : 0.04), 1),
    heatHigh: rgba(mix(accentRgb, fgRgb, kind === 'dark' ? 0.15 : 0), 1),
    fgRgb,
    bgRgb,
  };
}

/** Calls `onChange` (at most once per frame) whenever the body class or the <html> style changes. */
export function watchTheme(onChange: () => void): () => void {
  let pending = false;
  let lastKey = themeKey();
  const fire = (): void => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      const key = themeKey();
      if (key === lastKey) return;
      lastKey = key;
      onChange();
    });
  };
  const observer = new MutationObserver(fire);
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  return () => observer.disconnect();
}

function themeKey(): string {
  return `${document.body.className}|${document.documentElement.getAttribute('style') ?? ''}`;
}
