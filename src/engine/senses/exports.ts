/** A word-senses result as the files a user takes away: `senses --json` (and the panel's JSON export) and CSV. */
import type { SensesResult } from './types';

/**
 * The `senses --json` object (field names are a contract: other programs read them):
 * { word, also?, model, standardized, search, layers: [{ layer, selfSimilarity, anisotropy,
 * adjustedSelfSimilarity, silhouette, k, alignment? }], occurrences: [{ word, file, start, end, line,
 * column, context, contextStart, count, cluster, substitutes, vectors? }], clusters: [{ layer, id, size,
 * substitutes, collocates }] }, pretty-printed with 2 spaces. `vectors[i]` (one array per hidden layer) is
 * occurrence i's, written on one line each so that 200 × 13 × 768 numbers stay a file an editor opens.
 * NaN (self-similarity of fewer than 2 occurrences) is written as null, as JSON.stringify does.
 */
export function sensesToJson(result: SensesResult, vectors?: number[][][]): string {
  // Placeholders for the vectors, spliced in compact after pretty-printing: a marker no string of the
  // result holds, so user text (a context) can never be taken for one.
  const plain = JSON.stringify(result);
  let marker = 'context-lens-vectors';
  while (plain.includes(marker)) marker += '~';
  const object = {
    word: result.word,
    ...(result.also !== undefined ? { also: result.also } : {}),
    model: result.model,
    standardized: result.standardized,
    search: result.search,
    layers: result.layers.map((l) => ({
      layer: l.layer,
      selfSimilarity: l.selfSimilarity,
      anisotropy: l.anisotropy,
      adjustedSelfSimilarity: l.adjustedSelfSimilarity,
      silhouette: l.silhouette,
      k: l.k,
      ...(l.alignment !== undefined ? { alignment: l.alignment } : {}),
    })),
    occurrences: result.occurrences.map((o, i) => ({
      word: o.word,
      file: o.file,
      start: o.start,
      end: o.end,
      line: o.line,
      column: o.column,
      context: o.context,
      contextStart: o.contextStart,
      count: o.count,
      cluster: o.cluster,
      substitutes: o.substitutes.map((g) => ({ token: g.token, probability: g.probability })),
      ...(vectors?.[i] ? { vectors: `${marker}:${i}` } : {}),
    })),
    clusters: result.clusters.map((c) => ({ layer: c.layer, id: c.id, size: c.size, substitutes: c.substitutes, collocates: c.collocates })),
  };
  const pretty = JSON.stringify(object, null, 2);
  if (!vectors) return pretty;
  return pretty.replace(new RegExp(`^( *)"vectors": "${marker}:(\\d+)"`, 'gm'), (_, indent: string, i: string) => {
    const rows = vectors[Number(i)].map((row) => `${indent}  ${JSON.stringify(row)}`);
    return `${indent}"vectors": [\n${rows.join(',\n')}\n${indent}]`;
  });
}

/**
 * A CSV cell (RFC 4180): quoted when it holds a comma, a quote, CR or LF, quotes doubled. A cell starting
 * with = + - @ (or tab, CR) would run as a formula in a spreadsheet (OWASP "CSV injection"): it gets a
 * leading apostrophe, which spreadsheets show as text.
 */
function csvCell(value: string | number): string {
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const SENSES_CSV_HEADER = ['word', 'file', 'line', 'column', 'start', 'end', 'count', 'cluster', 'context'] as const;

/** One row per occurrence, its cluster at `hiddenLayer` (empty when that layer has none yet); CRLF line ends. */
export function sensesToCsv(result: SensesResult, hiddenLayer: number): string {
  const lines = [SENSES_CSV_HEADER.join(',')];
  for (const o of result.occurrences) {
    const cluster = o.cluster[hiddenLayer];
    lines.push([o.word, o.file, o.line, o.column, o.start, o.end, o.count, cluster ?? '', o.context].map(csvCell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
