/**
 * `context-lens senses`: one word across many files, its contextuality over layers and its sense clusters.
 * `--json` prints sensesToJson (the issue's field names); otherwise a readable table: the per-layer
 * figures, then each cluster at `--layer` (default the last) with its label and a few concordance lines.
 */
import { ContextLensError } from '../engine/errors';
import { sensesToJson } from '../engine/senses/exports';
import type { SenseCluster, SenseOccurrence, SensesProgress, SensesResult } from '../engine/senses/types';
import type { AnalysisSession } from '../engine/session';
import { parseSensesArgs, sensesSourcesOf, type SensesCliOptions } from './sensesArgs';

/** Concordance lines shown per cluster in the table. */
const CONCORDANCE_LINES = 5;
/** Columns of context on each side of the word in a concordance line. */
const SIDE_COLUMNS = 36;

const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/;
/** Terminal columns of a character: CJK takes two. */
const columnsOf = (ch: string): number => (WIDE.test(ch) ? 2 : 1);
const widthOf = (s: string): number => [...s].reduce((n, ch) => n + columnsOf(ch), 0);
const padEnd = (s: string, width: number): string => s + ' '.repeat(Math.max(0, width - widthOf(s)));
const padStart = (s: string, width: number): string => ' '.repeat(Math.max(0, width - widthOf(s))) + s;
/** Whitespace runs (line breaks included) as one space: a concordance line stays one line. */
const oneLine = (s: string): string => s.replace(/\s+/gu, ' ');

/** The last `width` columns of `s` (… when cut). */
function tail(s: string, width: number): string {
  const chars = [...s];
  let w = 0;
  let i = chars.length;
  while (i > 0 && w + columnsOf(chars[i - 1]) <= width) w += columnsOf(chars[--i]);
  return i > 0 ? '…' + chars.slice(i + 1).join('') : s;
}

/** The first `width` columns of `s` (… when cut). */
function head(s: string, width: number): string {
  const chars = [...s];
  let w = 0;
  let i = 0;
  while (i < chars.length && w + columnsOf(chars[i]) <= width) w += columnsOf(chars[i++]);
  return i < chars.length ? chars.slice(0, i - 1).join('') + '…' : s;
}

/** left context | word | right context, the word's column aligned from line to line. */
export function concordanceLine(o: SenseOccurrence): string {
  const at = o.start - o.contextStart;
  const left = tail(oneLine(o.context.slice(0, at)).trimEnd(), SIDE_COLUMNS);
  const word = o.context.slice(at, at + (o.end - o.start));
  const right = head(oneLine(o.context.slice(at + (o.end - o.start))).trimStart(), SIDE_COLUMNS);
  return `${padStart(left, SIDE_COLUMNS)} | ${word} | ${right}`;
}

const fixed = (x: number, digits = 3): string => (Number.isFinite(x) ? x.toFixed(digits) : '—');
const percent = (p: number): string => `${(p * 100).toFixed(1)}%`;

function clusterLabel(c: SenseCluster): string {
  const subs = c.substitutes.map((g) => `${g.token} ${percent(g.probability)}`).join(', ');
  return `substitutes: ${subs || '—'}; collocates: ${c.collocates.join(', ') || '—'}`;
}

export function sensesTable(r: SensesResult, layer: number): string {
  const s = r.search;
  const skipped = s.skippedBinary + s.skippedTooLarge + s.skippedUnreadable;
  const lines = [
    `model ${r.model}: ${r.numLayers} layers${r.standardized ? ', standardized dimensions' : ''}`,
    `"${r.word}": ${s.found} found${r.also !== undefined ? `, "${r.also}": ${s.foundAlso ?? 0} found` : ''} in ${s.filesSearched} file${s.filesSearched === 1 ? '' : 's'}` +
      `${skipped ? ` (${skipped} skipped: ${s.skippedBinary} binary, ${s.skippedTooLarge} too large, ${s.skippedUnreadable} unreadable)` : ''}; ${s.analysed} distinct contexts analysed`,
    '',
    ['layer', 'self-sim', 'anisotropy', 'adjusted', 'silhouette', 'k', ...(r.also !== undefined ? ['alignment'] : [])].map((h) => padEnd(h, 11)).join('').trimEnd(),
  ];
  for (const l of r.layers) {
    const cells = [String(l.layer), fixed(l.selfSimilarity), fixed(l.anisotropy), fixed(l.adjustedSelfSimilarity), fixed(l.silhouette), String(l.k)];
    if (r.also !== undefined) cells.push(fixed(l.alignment ?? NaN));
    lines.push(cells.map((c) => padEnd(c, 11)).join('').trimEnd());
  }
  const whereOf = (o: SenseOccurrence): string => `${o.file}:${o.line}:${o.column}`;
  const whereWidth = Math.max(0, ...r.occurrences.map((o) => widthOf(whereOf(o))));
  const stats = r.layers[layer];
  lines.push('', `Senses at layer ${layer} (k = ${stats?.k ?? 1}, silhouette ${fixed(stats?.silhouette ?? 0)}):`);
  for (const c of r.clusters.filter((x) => x.layer === layer)) {
    lines.push('', `[${c.id}] ${c.size} occurrence${c.size === 1 ? '' : 's'}: ${clusterLabel(c)}`);
    const members = r.occurrences.filter((o) => o.cluster[layer] === c.id);
    for (const o of members.slice(0, CONCORDANCE_LINES)) lines.push(`  ${padEnd(whereOf(o), whereWidth)}  ${concordanceLine(o)}${o.count > 1 ? `  ×${o.count}` : ''}`);
    if (members.length > CONCORDANCE_LINES) lines.push(`  … ${members.length - CONCORDANCE_LINES} more`);
  }
  return lines.join('\n') + '\n';
}

/** Runs the job to the end; `progress` gets a line per batch and search report (the caller decides where it goes). */
export async function runSenses(opts: SensesCliOptions, session: AnalysisSession, progress: (line: string) => void): Promise<string> {
  const sources = sensesSourcesOf(opts.paths);
  const { jobId } = await session.sensesStart(
    { word: opts.word, also: opts.also, sources, maxOccurrences: opts.maxOccurrences, contextTokens: opts.contextTokens },
    {
      // The session's senses calls report SensesProgress through the common callback (see session.ts).
      onProgress: (event) => {
        const e = event as unknown as SensesProgress;
        if (e.phase === 'senses-search') progress(`searching: ${e.filesDone}/${e.filesTotal} files, ${e.found} found`);
        else if (e.phase === 'senses-analyse') progress(`analysing: ${e.analysed}/${e.toAnalyse} contexts`);
      },
    },
  );
  try {
    const numLayers = session.model.info.numLayers;
    if (opts.layer !== undefined && opts.layer > numLayers) {
      throw new ContextLensError('BAD_ARGUMENTS', `--layer ${opts.layer}: the model has hidden layers 0 … ${numLayers}.`);
    }
    let result: SensesResult;
    do result = await session.sensesStep(jobId, false);
    while (!result.done);
    if (opts.json) return sensesToJson(result, opts.includeVectors ? session.sensesVectors(jobId) : undefined) + '\n';
    return sensesTable(result, opts.layer ?? numLayers);
  } finally {
    session.sensesRelease(jobId);
  }
}

/** The command as main.ts runs it: progress on a terminal's standard error (nothing when it is a pipe or a file), then the output. */
export async function sensesCommand(flags: Map<string, string | true>, positional: string[], session: AnalysisSession): Promise<string> {
  const tty = process.stderr.isTTY;
  try {
    return await runSenses(parseSensesArgs(flags, positional), session, (line) => tty && process.stderr.write(`\r\x1b[K${line}`));
  } finally {
    if (tty) process.stderr.write('\r\x1b[K');
  }
}
