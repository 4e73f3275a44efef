/** fp32: the analyze rows on the fp32 model (the torch part compares with them), a few runs fewer than q8. */
import { AnalysisSession } from '../../src/engine/session';
import type { BenchContext } from '../context';
import { specFor } from '../options';
import * as analyzeRows from './analyze';

/** Loads the fp32 model with `cacheDir`, measures, and releases it. */
export async function part(c: BenchContext, cacheDir: string): Promise<void> {
  const session = new AnalysisSession();
  await session.load(specFor(c.o, 'fp32', cacheDir));
  try {
    await analyzeRows.part(c, session.model, 'fp32', cacheDir, Math.max(3, c.o.repeats - 2));
  } finally {
    await session.dispose();
  }
}
