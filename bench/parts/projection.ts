/** projection: our UMAP and PCA against umap-js (bench/projectionBench.ts), in a child process. */
import { emit, runChild } from '../child';
import type { BenchContext } from '../context';
import { figure, single } from '../stats';

export async function part(c: BenchContext): Promise<void> {
  // projectionBench runs 1,000 then 5,000 points; --quick stops its child after the 1,000-point figures.
  const quick = c.o.quick;
  const { figures, code, stderr } = await runChild(c.o, 'projection', [], {
    stopAfter: quick ? (f) => /trustworthiness.*1000×/.test(f.name) && f.name.includes('our PCA') : undefined,
    timeoutMs: 10 * 60_000,
  });
  if (!figures.length) c.add(figure('projection rows failed', single(NaN), '', { note: `child exit ${code}: ${stderr.slice(-300)}` }));
  for (const f of figures) {
    if (/^projection: our UMAP, 5000×/.test(f.name)) {
      f.target = '≤ 5000 ms';
      f.met = f.median <= 5000;
    }
    c.add(f);
  }
}

export async function child(): Promise<void> {
  const { benchProjection } = await import('../projectionBench');
  await benchProjection((row) =>
    emit({ ...row, ratio: row.ratio ?? null, target: null, met: null, note: row.note ?? '' }),
  );
}
