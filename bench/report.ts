/** The benchmark's output: the machine it ran on, the table and notes, and the --markdown / --json files. */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, freemem, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { log, REPO, type Options } from './options';
import { noteLines, round, tableLines, type Figure } from './stats';

function machineInfo(o: Options, blas: string) {
  const ver = (p: string): string => {
    try {
      return JSON.parse(readFileSync(join(REPO, 'node_modules', p, 'package.json'), 'utf8')).version;
    } catch {
      return 'missing';
    }
  };
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    ramGB: round(totalmem() / 2 ** 30, 1),
    freeRamGB: round(freemem() / 2 ** 30, 1),
    node: process.version,
    onnxruntimeNode: ver('onnxruntime-node'),
    onnxruntimeWeb: ver('onnxruntime-web'),
    transformers: ver('@huggingface/transformers'),
    umapJs: ver('umap-js'),
    torchBlas: blas,
    model: o.model,
    quick: o.quick,
  };
}

export type RunMeta = ReturnType<typeof machineInfo> & { loadavgStart: number[]; loadavgEnd: number[]; seconds: number; date: string };

export function runMeta(o: Options, blas: string, run: { loadavgStart: number[]; loadavgEnd: number[]; seconds: number }): RunMeta {
  return { ...machineInfo(o, blas), loadavgStart: run.loadavgStart.map((x) => round(x, 2)), loadavgEnd: run.loadavgEnd.map((x) => round(x, 2)), seconds: round(run.seconds, 0), date: new Date().toISOString() };
}

/** Prints the table, notes and targets; writes --markdown and --json when asked. */
export function report(o: Options, meta: RunMeta, figures: Figure[]): void {
  const blas = meta.torchBlas;
  const out = [
    '',
    `Context Lens benchmark${o.quick ? ' (--quick)' : ''}: ${meta.cpu}, ${meta.cores} cores, ${meta.ramGB} GB, Node ${meta.node}, onnxruntime-node ${meta.onnxruntimeNode}, onnxruntime-web ${meta.onnxruntimeWeb}, transformers.js ${meta.transformers}`,
    `PyTorch BLAS: ${blas}; load average at start ${meta.loadavgStart.join(' ')}, at end ${meta.loadavgEnd.join(' ')}; ${meta.seconds} s`,
    '',
    ...tableLines(figures, false),
    '',
    'Notes:',
    ...noteLines(figures),
    '',
  ];
  process.stdout.write(out.join('\n'));
  const missed = figures.filter((f) => f.met === false).map((f) => f.name);
  process.stdout.write(`\nTargets met: ${figures.filter((f) => f.met === true).length}, missed: ${missed.length}${missed.length ? ` (${missed.join('; ')})` : ''}\n`);
  if (o.markdown) {
    const md = [`Machine: ${meta.cpu}, ${meta.cores} cores, ${meta.ramGB} GB RAM, Node ${meta.node}, onnxruntime-node ${meta.onnxruntimeNode}, onnxruntime-web ${meta.onnxruntimeWeb}, transformers.js ${meta.transformers}, umap-js ${meta.umapJs}; PyTorch BLAS: ${blas}. Load average at start ${meta.loadavgStart.join(' ')}, at end ${meta.loadavgEnd.join(' ')}; run took ${meta.seconds} s${o.quick ? ' (--quick)' : ''}; ${meta.date}.`, '', ...tableLines(figures, true), '', 'Notes (by row number):', '', ...noteLines(figures).map((l) => `- ${l}`), ''];
    writeFileSync(resolve(o.markdown), md.join('\n'));
  }
  if (o.json) {
    writeFileSync(resolve(o.json), JSON.stringify({ meta, figures }, null, 2));
    log(`wrote ${resolve(o.json)}`);
  }
}
