/**
 * Which text Guess Masked Span reads, and where the span lies in it: the selection's line (clipped around
 * the span when long). No `vscode` import: unit-tested in plain Node (test/unit/spanSource.test.ts).
 */

/** A selection as line/character pairs (UTF-16), as vscode.Selection gives them. */
export interface LineSpan {
  startLine: number;
  startChar: number;
  endLine: number;
  endChar: number;
}

export interface SpanSource {
  /** The text the engine reads: the span's line, or a window of it. */
  text: string;
  /** [start, end) of the span in `text`, UTF-16 code units. */
  start: number;
  end: number;
  /** Character (in the line) where `text` begins. */
  lineChar: number;
}

/**
 * The span's one line, or 'MULTI_LINE' when the selection crosses a line break. A selection that ends
 * at the start of the next line (a whole line selected with its line break) counts as its first line.
 */
export function spanLine(sel: LineSpan, lineLength: (line: number) => number): { line: number; startChar: number; endChar: number } | 'MULTI_LINE' {
  if (sel.startLine === sel.endLine) return { line: sel.startLine, startChar: sel.startChar, endChar: sel.endChar };
  if (sel.endLine === sel.startLine + 1 && sel.endChar === 0) return { line: sel.startLine, startChar: sel.startChar, endChar: lineLength(sel.startLine) };
  return 'MULTI_LINE';
}

/**
 * The text around [startChar, endChar) of `line`: the whole line when it has at most `maxChars`
 * characters, else a `maxChars` window centred on the span (the span whole even when longer: the engine
 * refuses it with its own message), never cutting a surrogate pair.
 */
export function spanSource(line: string, startChar: number, endChar: number, maxChars: number): SpanSource {
  const s = Math.max(0, Math.min(startChar, line.length));
  const e = Math.max(s, Math.min(endChar, line.length));
  if (line.length <= maxChars) return { text: line, start: s, end: e, lineChar: 0 };
  const room = Math.max(0, maxChars - (e - s));
  let from = Math.max(0, s - Math.floor(room / 2));
  let to = Math.min(line.length, from + (e - s) + room);
  from = Math.max(0, Math.min(from, to - (e - s) - room));
  if (from > 0 && isLowSurrogate(line.charCodeAt(from))) from += from < s ? 1 : 0;
  if (to < line.length && isLowSurrogate(line.charCodeAt(to))) to -= to > e ? 1 : 0;
  return { text: line.slice(from, to), start: s - from, end: e - from, lineChar: from };
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
