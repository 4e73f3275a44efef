/** The campaign's table (stdout) and its JSON (--json FILE). */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { FAMILY_TITLES, type CaseResult, type FamilyResult } from './record';

export interface StressReport {
  date: string;
  quick: boolean;
  machine: { cpu: string; cores: number; memoryGB: number; node: string; platform: string };
  seconds: number;
  families: FamilyResult[];
}

export function machine(): StressReport['machine'] {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

const slowest = (cases: CaseResult[]): CaseResult | undefined => cases.reduce<CaseResult | undefined>((a, c) => (!a || c.ms > a.ms ? c : a), undefined);
const seconds = (ms: number): string => (ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`);

/** The table's rows: family, tried, passed, failed, slowest case. */
export function tableRows(families: FamilyResult[]): string[][] {
  return families.map((f) => {
    const failed = f.cases.filter((c) => !c.ok).length;
    const s = slowest(f.cases);
    return [FAMILY_TITLES[f.family], String(f.cases.length), String(f.cases.length - failed), String(failed), s ? `${seconds(s.ms)} (${s.name})` : '—'];
  });
}

export const HEADER = ['family', 'tried', 'passed', 'failed', 'slowest case'];

function table(rows: string[][]): string {
  const all = [HEADER, ...rows];
  const widths = HEADER.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r: string[]): string => r.map((c, i) => (i > 0 && i < 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(HEADER), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The memory curve of a long run, as `step: rss MB` pairs on one line (every point when few). */
function memoryLine(f: FamilyResult): string | undefined {
  if (!f.memory?.length) return undefined;
  const pts = f.memory;
  const every = Math.max(1, Math.ceil(pts.length / 12));
  const shown = pts.filter((_, i) => i % every === 0 || i === pts.length - 1);
  return `${FAMILY_TITLES[f.family]}: resident memory (MB) by step: ${shown.map((p) => `${p.step}: ${p.rssMB}`).join(', ')}`;
}

export function printReport(r: StressReport): void {
  const out: string[] = [];
  out.push(`Context Lens stress campaign${r.quick ? ' (--quick)' : ''}, ${r.date}, ${r.machine.cpu} × ${r.machine.cores}, ${r.machine.memoryGB} GB, Node ${r.machine.node}, ${r.seconds.toFixed(0)} s`);
  out.push('');
  out.push(table(tableRows(r.families)));
  for (const f of r.families) {
    const m = memoryLine(f);
    if (m) out.push('', m);
    for (const [k, v] of Object.entries(f.figures ?? {})) out.push(`${FAMILY_TITLES[f.family]}: ${k}: ${v}`);
    for (const n of f.notes ?? []) out.push(`${FAMILY_TITLES[f.family]}: ${n}`);
  }
  const failures = r.families.flatMap((f) => f.cases.filter((c) => !c.ok));
  if (failures.length) {
    out.push('', `${failures.length} case(s) failed:`);
    for (const c of failures) out.push(`  ${FAMILY_TITLES[c.family]} · ${c.name} [${c.layer}]: ${c.problem}`);
  } else out.push('', 'every case passed');
  console.log(out.join('\n'));
}

export function writeJson(file: string, r: StressReport): void {
  writeFileSync(file, `${JSON.stringify(r, null, 1)}\n`);
}

/** The report as Markdown: the table, then each family's figures, notes and memory curve (RELIABILITY.md). */
export function writeMarkdown(file: string, r: StressReport): void {
  const out: string[] = [];
  out.push(`${r.quick ? 'Quick campaign' : 'Full campaign'}, ${r.date.slice(0, 10)}: ${r.machine.cpu} × ${r.machine.cores}, ${r.machine.memoryGB} GB, Node ${r.machine.node} (${r.machine.platform}), ${r.seconds.toFixed(0)} s.`, '');
  out.push(`| ${HEADER.join(' | ')} |`, `|${HEADER.map((_, i) => (i > 0 && i < 4 ? '---:' : '---')).join('|')}|`);
  for (const row of tableRows(r.families)) out.push(`| ${row.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`);
  for (const f of r.families) {
    const lines = [...Object.entries(f.figures ?? {}).map(([k, v]) => `${k}: ${v}`), ...(f.notes ?? [])];
    const m = memoryLine(f);
    if (m) lines.push(m.slice(m.indexOf(': ') + 2));
    if (!lines.length) continue;
    out.push('', `**${FAMILY_TITLES[f.family]}**`, '', ...lines.map((l) => `- ${l}`));
  }
  const failures = r.families.flatMap((f) => f.cases.filter((c) => !c.ok));
  out.push('', failures.length ? `${failures.length} case(s) failed:` : 'Every case passed.');
  for (const c of failures) out.push(`- ${FAMILY_TITLES[c.family]} · ${c.name} [${c.layer}]: ${c.problem}`);
  writeFileSync(file, `${out.join('\n')}\n`);
}
