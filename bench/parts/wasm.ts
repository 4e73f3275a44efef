/**
 * wasm: the engine on onnxruntime-web's WebAssembly build. Swapping the runtime is process-wide, so the
 * rows are measured in a child process (`child`) and divided here by the native rows of this run.
 */
import { rmSync } from 'node:fs';
import { analyze, guessesAt } from '../../src/engine/analyze';
import { AnalysisSession } from '../../src/engine/session';
import { textOf } from '../benchModel';
import { emit, peakRssMb, runChild } from '../child';
import type { BenchContext } from '../context';
import { freshCacheDir, specFor, type Options } from '../options';
import { figure, repeated, round, single, timeOnce } from '../stats';

export async function part(c: BenchContext): Promise<void> {
  const { figures, code, stderr } = await runChild(c.o, 'wasm', [], { timeoutMs: 8 * 60_000 });
  if (!c.o.quick) figures.push(...(await runChild(c.o, 'wasm', ['--wasm-threads', '1'], { timeoutMs: 8 * 60_000 })).figures);
  if (!figures.length) {
    c.add(figure('WASM rows failed', single(NaN), '', { note: `child exit ${code}: ${stderr.trim().split('\n').slice(-3).join(' / ')}` }));
    return;
  }
  for (const f of figures) {
    const n = f.tokens;
    const native = n ? c.native.get(`q8:${n}`) : f.name.startsWith('hover') ? c.native.get('hover') : undefined;
    if (native) {
      f.ratio = round(f.median / native.median, 2);
      f.note = `${f.note}; ratio = WASM / native q8 (${round(native.median, 0)} ms, main run)`;
    }
    c.add(f);
  }
}

/** In the child process: load on WASM, analyze at a few lengths, one hover. */
export async function child(o: Options): Promise<void> {
  const dir = freshCacheDir();
  const threads = Number(process.argv[process.argv.indexOf('--wasm-threads') + 1]) || 0;
  if (threads) {
    // Diagnostic only: onnxruntime-web's own default in Node (one thread), against the engine's choice.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require('onnxruntime-web') as { env: { wasm: { numThreads?: number } } }).env.wasm.numThreads = threads;
  }
  const tag = threads ? ` [diagnostic: numThreads ${threads} set by the benchmark]` : '';
  try {
    const s = new AnalysisSession();
    const loadMs = await timeOnce(() => s.load(specFor(o, 'q8', dir, 'wasm')));
    const ortWeb = (globalThis as Record<symbol, unknown>)[Symbol.for('onnxruntime')] as { env?: { wasm?: { numThreads?: number; simd?: unknown } } } | undefined;
    const what = `onnxruntime-web WASM (process-wide swap through Symbol.for('onnxruntime'), device 'wasm'), env.wasm.numThreads ${ortWeb?.env?.wasm?.numThreads ?? 'default'}, backend ${s.model.info.backend}`;
    if (!threads) emit(figure('WASM cold load q8 (fresh cache, incl. transformers.js import)', single(loadMs), 'ms', { note: what }));
    const lm = s.model;
    const lengths = threads ? [64, 256] : o.quick ? [16, 64] : [16, 64, 256];
    for (const n of lengths) {
      const text = textOf(o.model, n);
      const t = await repeated(() => analyze(lm, text, { guesses: false }), 3);
      emit(figure(`${threads ? '  ' : ''}WASM analyze q8, ${n} tokens (no guesses)${tag}`, t, 'ms', { tokens: n, series: threads ? undefined : 'ours q8 WASM', note: `3 runs; ${what}` }));
    }
    if (threads) {
      await s.dispose();
      return;
    }
    const text = textOf(o.model, 64);
    emit(figure('hover guessesAt WASM q8, 64-token text', await repeated(() => guessesAt(lm, text, 31, 5), 3), 'ms', { note: '3 runs' }));
    emit(figure('WASM process peak RSS', single(peakRssMb()), 'MB', { digits: 0, note: 'VmHWM of the child process that ran the WASM rows' }));
    await s.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
