/**
 * Model faults (issue 14 item 3): every fault of modelFaultCatalogue.ts, through the real loading path
 * (AnalysisSession.load → modelStore: folder checks, Hub download from a local Hub, the graph edit and its
 * cache, onnxruntime). Each case must end in the fault's typed error with a message naming the next step,
 * leave nothing half-written in the cache (modelFaultCache.ts), and, once the fault is mended, the next load
 * in the same process with the same cache must give the same analysis as a clean load.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isContextLensError } from '../../src/engine/errors';
import { loadModel } from '../../src/engine/modelStore';
import { AnalysisSession } from '../../src/engine/session';
import type { Dtype, ModelSpec } from '../../src/engine/types';
import { startHubServer, type HubServer } from '../../test/unit/helpers/hubServer';
import { MODELS, type ModelKindName, type StressContext } from '../context';
import { expect, type FamilyRecorder } from '../record';
import { cacheProblems } from './modelFaultCache';
import { FAULTS, HUB_IDS, type Fault, type FaultCase } from './modelFaultCatalogue';
import { runReadOnlyCache } from './modelFaultReadOnly';

export const families = ['model-faults'] as const;

/** Text with words the tiny models know (CJK for the demo BERT, English for tiny-gpt2). */
const TEXT: Record<ModelKindName, string> = { masked: '我喜欢吃苹果。', causal: 'The cat sat on the mat.' };
const TOP_K = 3;

/** What the good load must reproduce: the token ids and every token's top guesses. */
async function fingerprint(spec: ModelSpec, kind: ModelKindName, signal: AbortSignal): Promise<string> {
  const session = new AnalysisSession();
  try {
    await session.load(spec, { signal });
    const a = await session.analyze(TEXT[kind], TOP_K, { signal });
    expect(a.tokens.length > 2, `the analysis has ${a.tokens.length} tokens`);
    expect(a.guesses.some((g) => g.length === TOP_K) || (a.next?.length ?? 0) > 0, 'the analysis has guesses');
    return JSON.stringify({ ids: a.tokens.map((t) => t.id), guesses: a.guesses.map((g) => g.map((x) => x.id)), next: a.next?.map((g) => g.map((x) => x.id)) });
  } finally {
    await session.dispose();
  }
}

/** Loads `spec` expecting `fault`'s error; returns its code. */
async function loadExpectingFault(fault: Fault, spec: ModelSpec, hubStallMs: number | undefined, signal: AbortSignal): Promise<string> {
  let loaded = false;
  try {
    if (hubStallMs !== undefined) {
      // The stall bound is modelStore's option (the session loads with the 30 s default).
      await (await loadModel(spec, { signal, hubStallMs })).dispose();
    } else {
      const session = new AnalysisSession();
      await session.load(spec, { signal });
      await session.dispose();
    }
    loaded = true;
  } catch (e) {
    expect(isContextLensError(e), `not a typed error: ${e instanceof Error ? e.stack : String(e)}`);
    expect(e.code === fault.code, `${e.code} instead of ${fault.code}: ${e.message}`);
    expect(fault.says.test(e.message), `the message does not say what to do (${fault.says}): ${e.message}`);
    return e.code;
  }
  expect(!loaded, `the load worked, though it should have ended in ${fault.code}`);
  return 'loaded';
}

export async function run(c: StressContext): Promise<void> {
  const rec = c.family('model-faults');
  const root = mkdtempSync(join(tmpdir(), 'context-lens-stress-faults-'));
  const hub = await startHubServer({ models: { [HUB_IDS.masked]: MODELS.masked, [HUB_IDS.causal]: MODELS.causal } });
  const hubSources = { [HUB_IDS.masked]: MODELS.masked, [HUB_IDS.causal]: MODELS.causal };
  const stallMs = c.o.quick ? 800 : 2000;
  const bound = c.o.quick ? 20_000 : 60_000;
  const t0 = performance.now();
  try {
    const dtypes: Dtype[] = c.o.quick ? ['fp32'] : ['fp32', 'q8'];
    const baselines = new Map<string, string>();
    for (const kind of ['masked', 'causal'] as const) {
      for (const dtype of dtypes) {
        await rec.run(`no fault (the clean load the others are compared with) · ${kind} · ${dtype}`, 'engine', bound, async (signal) => {
          const dir = mkdtempSync(join(root, 'baseline-'));
          baselines.set(`${kind}/${dtype}`, await fingerprint({ model: MODELS[kind], dtype, device: 'cpu', cacheDir: dir }, kind, signal));
          return 'analysis';
        });
      }
    }
    let n = 0;
    for (const fault of FAULTS) {
      // The quick variant runs every fault once, the kinds taking turns; the full one every kind and dtype.
      const kinds = c.o.quick ? [fault.kinds[n++ % fault.kinds.length]] : fault.kinds;
      const faultDtypes = c.o.quick ? ['fp32' as Dtype] : (fault.dtypes ?? ['fp32' as Dtype]);
      for (const kind of kinds) {
        for (const dtype of faultDtypes) {
          const k: FaultCase = { kind, dtype, root: mkdtempSync(join(root, 'case-')), hub, stallMs };
          await runCase(rec, fault, k, baselines.get(`${kind}/${dtype}`), hubSources, bound);
        }
      }
    }
    for (const kind of c.o.quick ? (['masked'] as const) : (['masked', 'causal'] as const)) await runReadOnlyCache(rec, kind, root, bound);
    rec.figure('distinct faults', FAULTS.length + 1);
    rec.figure('seconds', Math.round((performance.now() - t0) / 100) / 10);
  } finally {
    await hub.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

async function runCase(rec: FamilyRecorder, fault: Fault, k: FaultCase, baseline: string | undefined, hubSources: Record<string, string>, bound: number): Promise<void> {
  const name = `${fault.name} · ${k.kind}${k.dtype === 'fp32' ? '' : ` · ${k.dtype}`}`;
  let mend: (() => void) | undefined;
  await rec.run(name, 'engine', bound, async (signal) => {
    const arranged = await fault.arrange(k);
    mend = arranged.mend;
    const outcome = await loadExpectingFault(fault, arranged.spec, arranged.hubStallMs, signal);
    const caches = [arranged.spec.cacheDir, ...(arranged.after && arranged.after.cacheDir !== arranged.spec.cacheDir ? [arranged.after.cacheDir] : [])];
    const left = [...caches.flatMap((dir) => cacheProblems(dir, hubSources)), ...(arranged.leftovers?.() ?? [])];
    expect(left.length === 0, `after the fault: ${left.join('; ')}`);
    arranged.mend();
    mend = undefined;
    expect(baseline !== undefined, 'no clean load to compare with');
    const again = await fingerprint(arranged.after ?? arranged.spec, k.kind, signal);
    expect(again === baseline, `the next good load gave another analysis: ${again} instead of ${baseline}`);
    const after = caches.flatMap((dir) => cacheProblems(dir, hubSources));
    expect(after.length === 0, `after the good load: ${after.join('; ')}`);
    return outcome;
  });
  // A case that failed before mending must not leave its fault (an injected write fault) to the next.
  mend?.();
}
