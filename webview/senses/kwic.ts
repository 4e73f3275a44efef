/**
 * The concordance's data, pure (tested in test/unit/sensesView.test.ts): each occurrence as keyword in
 * context (left | word | right, cut to a width on code-point boundaries), grouped by its sense cluster
 * at one layer, each group with its label.
 */
// Type only, like src/protocol.ts: the webview bundle stays free of engine code.
import type { SenseCluster, SenseGuess, SenseOccurrence, SensesResult } from '../../src/engine/senses/types';
import { formatProbability } from '../../src/shared/format';

export interface KwicLine {
  /** Index into SensesResult.occurrences (what revealOccurrence names). */
  index: number;
  left: string;
  keyword: string;
  right: string;
  /** Which word it is an occurrence of (the request's word or `also`). */
  word: string;
  count: number;
  /** `file:line` as an editor names the place. */
  where: string;
}

/** Whitespace runs (newlines included) as one space: a concordance line is one line. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ');
}

/** The last `max` code points of `text`, with an ellipsis where it was cut. */
function keepEnd(text: string, max: number): string {
  const cps = Array.from(text);
  return cps.length <= max ? text : `…${cps.slice(cps.length - max).join('')}`;
}

/** The first `max` code points of `text`, with an ellipsis where it was cut. */
function keepStart(text: string, max: number): string {
  const cps = Array.from(text);
  return cps.length <= max ? text : `${cps.slice(0, max).join('')}…`;
}

/**
 * One occurrence as a concordance line: the word is `[start, end)` of the file's text, and its context
 * starts at `contextStart`; offsets outside the context (a malformed result) are clamped to it.
 */
export function kwicLine(o: SenseOccurrence, index: number, maxChars = 60): KwicLine {
  const ctx = typeof o.context === 'string' ? o.context : '';
  const from = Math.max(0, Math.min(ctx.length, o.start - o.contextStart));
  const to = Math.max(from, Math.min(ctx.length, o.end - o.contextStart));
  return {
    index,
    left: keepEnd(oneLine(ctx.slice(0, from)).trimStart(), maxChars),
    keyword: oneLine(ctx.slice(from, to)),
    right: keepStart(oneLine(ctx.slice(to)).trimEnd(), maxChars),
    word: o.word,
    count: Number.isInteger(o.count) && o.count > 0 ? o.count : 1,
    where: `${o.file}:${o.line}`,
  };
}

export interface SenseGroup {
  /** The cluster id at the layer (-1: occurrences not clustered yet). */
  id: number;
  /** Occurrences in it, each counted with its `count`. */
  size: number;
  cluster?: SenseCluster;
  lines: KwicLine[];
}

/** The cluster of occurrence `o` at `layer`; -1 when it has none (yet). */
export function clusterAt(o: SenseOccurrence, layer: number): number {
  const id = Array.isArray(o.cluster) ? o.cluster[layer] : undefined;
  return Number.isInteger(id) && (id as number) >= 0 ? (id as number) : -1;
}

/**
 * The occurrences grouped by their cluster at `layer`: largest group first (ties by id), lines in the
 * order of the result (files as searched). The size is the result's cluster size when it has one.
 */
export function groupByCluster(result: SensesResult, layer: number, maxChars = 60): SenseGroup[] {
  const groups = new Map<number, SenseGroup>();
  result.occurrences.forEach((o, i) => {
    const id = clusterAt(o, layer);
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { id, size: 0, lines: [] }));
    const line = kwicLine(o, i, maxChars);
    g.size += line.count;
    g.lines.push(line);
  });
  for (const c of result.clusters ?? []) {
    const g = c.layer === layer ? groups.get(c.id) : undefined;
    if (g) g.cluster = c;
  }
  return [...groups.values()].sort((a, b) => (a.id < 0) !== (b.id < 0) ? (a.id < 0 ? 1 : -1) : b.size - a.size || a.id - b.id);
}

/** `bank 52.0% · shore 11.0%`: the cluster's top substitutes with their share. */
export function substitutesLabel(subs: readonly SenseGuess[] | undefined, top = 4): string {
  return (subs ?? []).slice(0, top).map((g) => `${g.token} ${formatProbability(g.probability)}`).join(' · ');
}

/** `river, water, along`: the cluster's most characteristic context words. */
export function collocatesLabel(words: readonly string[] | undefined, top = 6): string {
  return (words ?? []).slice(0, top).join(', ');
}
