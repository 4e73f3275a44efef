/** load: a cold load (fresh cache: graph edit + session) and a warm one, against a raw InferenceSession.create. */
import { rmSync } from 'node:fs';
import { AnalysisSession } from '../../src/engine/session';
import type { Dtype } from '../../src/engine/types';
import type { BenchContext } from '../context';
import { freshCacheDir, specFor } from '../options';
import { onnxFile, ort, type OrtSession } from '../rawOrt';
import { figure, round, summarize, timeOnce } from '../stats';

export async function part(c: BenchContext): Promise<void> {
  const repeats = c.o.quick ? 1 : 3;
  for (const dtype of ['q8', 'fp32'] as Dtype[]) {
    const ours: number[] = [];
    const raw: number[] = [];
    const editMs: number[] = [];
    const warm: number[] = [];
    const warmCheckMs: number[] = [];
    const sessionMs: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const dir = freshCacheDir();
      const s = new AnalysisSession();
      const at: Record<string, number> = {};
      const onProgress = (e: { phase: string; fraction?: number }): void => void (at[`${e.phase}:${e.fraction}`] ??= performance.now());
      ours.push(await timeOnce(() => s.load(specFor(c.o, dtype, dir), { onProgress })));
      editMs.push(at['graph-edit:1'] - at['graph-edit:0']);
      sessionMs.push(at['load:1'] - at['load:0']);
      await s.dispose();
      // Warm: the same cache folder again, as on the next VS Code start (the edit is reused).
      const s2 = new AnalysisSession();
      const at2: Record<string, number> = {};
      warm.push(await timeOnce(() => s2.load(specFor(c.o, dtype, dir), { onProgress: (e) => void (at2[`${e.phase}:${e.fraction}`] ??= performance.now()) })));
      warmCheckMs.push(at2['graph-edit:1'] - at2['graph-edit:0']);
      await s2.dispose();
      rmSync(dir, { recursive: true, force: true });
      let session: OrtSession | undefined;
      raw.push(await timeOnce(async () => (session = await ort().InferenceSession.create(onnxFile(c.o.model, dtype)))));
      await session?.release();
    }
    const r = summarize(raw);
    c.add(figure(`cold load ${dtype} (fresh cache: copy + graph edit + tokenizer + session)`, summarize(ours), 'ms', {
      floor: r,
      note: `${repeats} run(s), each with a new empty cache folder, so the graph edit runs every time (the OS file cache is warm); transformers.js was imported before (see its row); of which copy small files + graph edit ${round(summarize(editMs).median, 0)} ms, tokenizer + transformers.js session ${round(summarize(sessionMs).median, 0)} ms; ratio = / raw InferenceSession.create on the unedited file`,
    }));
    c.add(figure(`warm load ${dtype} (edited graph cached)`, summarize(warm), 'ms', {
      floor: r,
      note: `same cache folder loaded again by a new session; of which checking the cached edit ${round(summarize(warmCheckMs).median, 0)} ms; ratio = / raw InferenceSession.create`,
    }));
    c.add(figure(`raw InferenceSession.create ${dtype} (floor)`, r, 'ms', { note: 'onnxruntime-node, default session options, same source file' }));
  }
}
