/** Figures, timing helpers and the table printer shared by the benchmark's parts. */

export interface Figure {
  name: string;
  median: number;
  min: number;
  max: number;
  unit: string;
  /** This figure / its floor measured in the same run (what the floor is: see note). */
  ratio: number | null;
  target: string | null;
  met: boolean | null;
  note: string;
  /** For the chart: which curve and at which token count. */
  series?: string;
  tokens?: number;
  /** Every measured value, in run order. */
  runs?: number[];
}

export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number[];
  /** Median process CPU time (user + system, all threads) of the runs, when measured. */
  cpu?: number;
}

export function summarize(values: number[]): Summary {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { median: m, min: s[0], max: s[s.length - 1], runs: values };
}

export async function timeOnce(f: () => unknown, cpu?: number[]): Promise<number> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await f();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  cpu?.push((c.user + c.system) / 1000);
  return wall;
}

function withCpu(s: Summary, cpu: number[]): Summary {
  return { ...s, cpu: summarize(cpu).median };
}

/**
 * Times `a` and `b` alternately (a, b, a, b, …) after one untimed warm-up of each, so that load from
 * other processes on a shared machine falls on both about equally.
 */
export async function interleaved(a: () => unknown, b: () => unknown, repeats: number, warmup = 1): Promise<[Summary, Summary]> {
  const [sa, sb] = await interleavedAll([a, b], repeats, warmup);
  return [sa, sb];
}

/** The same for any number of functions, each timed once per round in the given order. */
export async function interleavedAll(fns: (() => unknown)[], repeats: number, warmup = 1): Promise<Summary[]> {
  for (let i = 0; i < warmup; i++) for (const f of fns) await f();
  const t = fns.map(() => [] as number[]);
  const c = fns.map(() => [] as number[]);
  for (let r = 0; r < repeats; r++) for (let k = 0; k < fns.length; k++) t[k].push(await timeOnce(fns[k], c[k]));
  return fns.map((_, k) => withCpu(summarize(t[k]), c[k]));
}

export async function repeated(f: () => unknown, repeats: number, warmup = 1): Promise<Summary> {
  for (let i = 0; i < warmup; i++) await f();
  const t: number[] = [];
  const c: number[] = [];
  for (let r = 0; r < repeats; r++) t.push(await timeOnce(f, c));
  return withCpu(summarize(t), c);
}

export const round = (v: number, digits = 1): number => (Number.isFinite(v) ? Number(v.toFixed(digits)) : v);

/** A figure from a summary; `floor` gives the ratio, `target` a predicate on median and ratio. */
export function figure(
  name: string,
  s: Summary,
  unit: string,
  opts: { floor?: Summary | number; target?: string; met?: boolean | null; note?: string; series?: string; tokens?: number; digits?: number } = {},
): Figure {
  const floor = typeof opts.floor === 'number' ? opts.floor : opts.floor?.median;
  const d = opts.digits ?? 1;
  return {
    name,
    median: round(s.median, d),
    min: round(s.min, d),
    max: round(s.max, d),
    unit,
    ratio: floor ? round(s.median / floor, 2) : null,
    target: opts.target ?? null,
    met: opts.met ?? null,
    note: [opts.note, s.cpu !== undefined ? `CPU ${round(s.cpu, 0)} ms (median, all threads)` : ''].filter(Boolean).join('; '),
    series: opts.series,
    tokens: opts.tokens,
    runs: s.runs.map((v) => round(v, d)),
  };
}

export function single(value: number): Summary {
  return { median: value, min: value, max: value, runs: [value] };
}

function fmt(v: number | null | undefined, unit = ''): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '';
  if (unit === 'fraction') return v.toFixed(3);
  if (Math.abs(v) >= 100) return String(Math.round(v));
  return String(round(v, Math.abs(v) >= 10 ? 1 : 2));
}

export function tableLines(figures: Figure[], markdown: boolean): string[] {
  const head = ['#', 'figure', 'median', 'min', 'max', 'unit', 'ratio', 'target', 'met'];
  const rows = figures.map((f, i) => [
    String(i + 1),
    f.name,
    fmt(f.median, f.unit),
    fmt(f.min, f.unit),
    fmt(f.max, f.unit),
    f.unit,
    f.ratio === null ? '' : `${fmt(f.ratio)}×`,
    f.target ?? '',
    f.met === null ? '' : f.met ? 'yes' : 'NO',
  ]);
  if (markdown) {
    return [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i >= 2 && i <= 4) || i === 6 ? '---:' : '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i >= 2 && i <= 4) || i === 6 ? c.padStart(widths[i]) : c.padEnd(widths[i])).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

export function noteLines(figures: Figure[]): string[] {
  return figures.map((f, i) => (f.note ? `${i + 1}. ${f.note}` : '')).filter(Boolean);
}
