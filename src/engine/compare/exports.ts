/** The Compare rows as CSV (one row per aligned span) and as the JSON `context-lens compare --json` prints. */
import type { CompareResult, CompareSide } from './types';

/** RFC 4180 quoting; a leading =, +, - or @ is prefixed with ' so that a spreadsheet does not run token text as a formula. */
function cell(value: string | number | null): string {
  if (value === null) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function sideCells(s: CompareSide | null): (string | number | null)[] {
  return [s?.token ?? null, s?.guess ?? null, s?.probability ?? null];
}

export function compareCsv(result: CompareResult): string {
  const header = ['start', 'end', 'text', 'a_token', 'a_guess', 'a_probability', 'b_token', 'b_guess', 'b_probability'];
  const lines = [
    header.join(','),
    ...result.rows.map((r) => [r.start, r.end, r.text, ...sideCells(r.a), ...sideCells(r.b)].map(cell).join(',')),
  ];
  return lines.join('\r\n') + '\r\n';
}

export function compareJson(result: CompareResult): string {
  return JSON.stringify(result, null, 2) + '\n';
}
