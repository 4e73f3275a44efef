/**
 * torch: PyTorch eager fp32 on the same weights, twice: with Debian's defaults, where torch's OpenMP
 * threads spin-wait while OpenBLAS's own pthreads do the matrix products (they fight over the 2 cores),
 * and with OMP_WAIT_POLICY=PASSIVE, the best setting found here. The target compares with the best.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pythonHasTorch } from '../benchModel';
import type { BenchContext } from '../context';
import { PY, REPO, SIZE_ARGS } from '../options';
import { figure, round, single, summarize } from '../stats';

function torchBlas(): string {
  const r = spawnSync(PY, ['-c', "import torch\na=torch.randn(256,256); a@a\nprint(sorted({l.split()[-1] for l in open('/proc/self/maps') if 'blas' in l.lower()}))"], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

interface TorchRuns {
  threads: number;
  torch: string;
  runs: Record<string, number[]>;
}

function runTorch(c: BenchContext, repeats: number, env: Record<string, string>): TorchRuns | string {
  const r = spawnSync(PY, [join(REPO, 'scripts/make_bert_model.py'), c.o.model, ...SIZE_ARGS, '--torch-bench', c.o.lengths.join(','), '--repeats', String(repeats)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    env: { ...process.env, ...env },
  });
  if (r.status !== 0) return r.stderr.slice(-300);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as TorchRuns;
}

/** Returns the BLAS library torch loaded (for the report's header), or why torch was not measured. */
export async function part(c: BenchContext, torchState: boolean): Promise<string> {
  if (!torchState || !pythonHasTorch()) {
    const why = !torchState ? 'torch_state.pt missing (regenerate the model with --save-torch)' : `${PY} cannot import torch`;
    c.add(figure('PyTorch eager fp32 rows skipped', single(NaN), '', { note: why }));
    return `not measured: ${why}`;
  }
  const blas = torchBlas();
  const repeats = c.o.quick ? 3 : 5;
  const best = runTorch(c, repeats, { OMP_WAIT_POLICY: 'PASSIVE' });
  const plain = runTorch(c, repeats, {});
  if (typeof best === 'string') {
    c.add(figure('PyTorch eager fp32 failed', single(NaN), '', { note: best }));
    return blas;
  }
  for (const n of c.o.lengths) {
    const t = summarize(best.runs[String(n)]);
    c.add(figure(`PyTorch eager fp32, ${n} tokens (attentions + hidden states), OMP_WAIT_POLICY=PASSIVE`, t, 'ms', {
      series: 'PyTorch fp32 eager',
      tokens: n,
      note: `torch ${best.torch}, ${best.threads} threads, BLAS loaded: ${blas}; ${repeats} runs after 1 warm-up, same weights as the ONNX files; passive OpenMP waiting (the fastest setting found on this machine)`,
    }));
    if (typeof plain !== 'string') {
      const d = summarize(plain.runs[String(n)]);
      c.add(figure(`  PyTorch eager fp32, ${n} tokens, Debian defaults`, d, 'ms', {
        floor: t,
        series: 'PyTorch fp32 eager (default env)',
        tokens: n,
        note: 'no OMP_* settings: OpenMP threads spin-wait against OpenBLAS pthreads; ratio = / the PASSIVE run',
      }));
    }
    const q8 = c.native.get(`q8:${n}`);
    if (q8) {
      const fp32 = c.native.get(`fp32:${n}`);
      c.add(figure(`native q8 analyze vs PyTorch fp32, ${n} tokens`, q8, 'ms', {
        floor: t,
        target: '≤ 0.5× torch',
        met: q8.median / t.median <= 0.5,
        note: `ratio = our q8 analyze / PyTorch eager fp32 with OMP_WAIT_POLICY=PASSIVE (both with attentions + hidden states)${fp32 ? `; our fp32 analyze / torch = ${round(fp32.median / t.median, 2)}×` : ''}${typeof plain !== 'string' ? `; vs torch with Debian defaults ${round(q8.median / summarize(plain.runs[String(n)]).median, 2)}×` : ''}`,
      }));
    }
  }
  return blas;
}
