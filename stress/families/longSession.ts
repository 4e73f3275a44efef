/**
 * long-session: many Explores of different texts in ONE engine, as the extension drives it (longSessionHost.ts:
 * the EngineClient on dist/engineWorker.js, the panel's projection and masked-guess stream, the snippet store),
 * sampling the process's resident memory after each (the worker is a thread of this process: one RSS).
 *
 * Cases (each can fail):
 * - every Explore answers with an analysis whose token ranges keep the range rules (one case per model kind);
 * - resident memory after the first `warmup` Explores grows by at most `rssBoundMB`: the highest sample
 *   after step `warmup` against the median of the 10 samples around it (the allocators grow in steps and
 *   now and then give memory back, so the peak, not the last sample, is what is bounded). Full: 500 Explores, warm-up 50, ≤ 50 MB
 *   (the bound). Quick: 60 Explores, warm-up 10, ≤ 100 MB: a smoke check only (50 steps cannot show
 *   a slow leak; the cache bounds below are the quick run's real check);
 * - the engine holds only the map's analysis at the end: every analysis id made is asked for, and all but
 *   the last answer "no longer held";
 * - the edited-graph cache (the files under the cache folder) is what the load wrote, no more;
 * - the snippet store's file holds the map's one snippet (its size bounded by that text), and so does its
 *   workspaceState copy;
 * - the panel's guess stream remembers no more keys than the map's tokens.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isContextLensError } from '../../src/engine/errors';
import { loadRuntime } from '../../src/engine/modelRuntime';
import type { ModelInfo } from '../../src/engine/types';
import { EngineClient } from '../../src/extension/engineClient';
import { MODELS, REPO, type ModelKindName, type StressContext } from '../context';
import { rangeRules, type RangeRules } from '../rangeCheck';
import { CaseFailure, expect, memoryNow, type FamilyRecorder, type MemoryPoint } from '../record';
import { ExploreHost } from './longSessionHost';
import { sessionTexts } from './longSessionTexts';

export const families = ['long-session'] as const;

interface Plan {
  explores: number;
  warmup: number;
  rssBoundMB: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.floor((s.length - 1) / 2)] + s[Math.ceil((s.length - 1) / 2)]) / 2 : NaN;
};

/** Every file under `dir` with its size. */
function filesUnder(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(p.slice(dir.length + 1), statSync(p).size);
    }
  };
  walk(dir);
  return out;
}

/** The range rules of a model's own tokenizer, read in this process (the analyses come from the worker). */
async function rulesFor(model: string): Promise<RangeRules> {
  const { AutoTokenizer, env } = loadRuntime('auto').transformers;
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  return rangeRules(await AutoTokenizer.from_pretrained(model));
}

export async function run(c: StressContext): Promise<void> {
  const rec = c.family('long-session');
  const plan: Plan = c.o.quick ? { explores: 60, warmup: 10, rssBoundMB: 100 } : { explores: 500, warmup: 50, rssBoundMB: 50 };
  rec.note(`memory curve: steps 1–${plan.explores} the masked session, ${plan.explores + 1}–${2 * plan.explores} the causal one (a new worker)`);
  rec.note(`${plan.explores} Explores per model kind in one engine; RSS growth measured from Explore ${plan.warmup} (median of 10 samples at each end), bound ${plan.rssBoundMB} MB${c.o.quick ? ' (quick: a smoke bound; the cache bounds are the real check)' : ''}`);
  await session(c, rec, 'masked', plan);
  await session(c, rec, 'causal', plan);
}

async function session(c: StressContext, rec: FamilyRecorder, kind: ModelKindName, plan: Plan): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), `context-lens-stress-long-${kind}-`));
  const cacheDir = join(tmp, 'cache');
  const storage = join(tmp, 'storage');
  const client = new EngineClient(join(REPO, 'dist', 'engineWorker.js'), () => undefined);
  // EngineClient unrefs its worker (it must not keep the extension host alive): keep this process alive as a host would.
  const keepAlive = setInterval(() => undefined, 1000);
  let host: ExploreHost | undefined;
  const tag = `${kind} (${plan.explores} Explores)`;
  try {
    let info: ModelInfo | undefined;
    let cacheAfterLoad = new Map<string, number>();
    await rec.run(`${kind} · load once`, 'worker', 120_000, async () => {
      info = await client.call('load', { spec: { model: MODELS[kind], dtype: 'q8', device: 'auto', cacheDir } });
      cacheAfterLoad = filesUnder(cacheDir);
      expect(cacheAfterLoad.size > 0, `the load wrote nothing under ${cacheDir}`);
      return `${info.kind ?? 'masked'}, ${cacheAfterLoad.size} cache files`;
    });
    if (!info) return;
    host = new ExploreHost(client, info, storage);
    const rules = await rulesFor(MODELS[kind]);
    const texts = sessionTexts(plan.explores, kind === 'masked' ? 6 : 7);
    const ids: string[] = [];
    const points: MemoryPoint[] = [];
    let tokens = 0;
    await rec.run(`${kind} · ${plan.explores} Explores, every analysis's ranges exact`, 'worker', plan.explores * 6_000, async (signal) => {
      for (const [step, text] of texts.entries()) {
        if (signal.aborted) throw new CaseFailure(`stopped after ${step} Explores`);
        const a = await host!.explore(text);
        ids.push(a.analysisId);
        tokens += a.tokens.length;
        const problems = rules.check(text, a.tokens);
        if (problems.length) throw new CaseFailure(`Explore ${step + 1} ${JSON.stringify(text.slice(0, 60))}: ${problems.slice(0, 3).join('; ')}`);
        const point = memoryNow(step + 1, { tokens: a.tokens.length, streamRemembers: host!.streamRemembers });
        points.push(point);
        // One curve for the family: the causal session's steps follow the masked one's (extra.causal marks them).
        rec.memory({ ...point, step: point.step + (kind === 'causal' ? plan.explores : 0), extra: { ...point.extra, ...(kind === 'causal' ? { causal: 1 } : {}) } });
      }
      return `${ids.length} analyses, ${tokens} tokens, ${host!.guessesPosted} guesses streamed`;
    });
    if (points.length < plan.explores) return;

    const rss = points.map((p) => p.rssMB);
    const round = (x: number): number => Math.round(x * 10) / 10;
    const at = median(rss.slice(Math.max(0, plan.warmup - 5), plan.warmup + 5));
    const end = median(rss.slice(-10));
    const peak = Math.max(...rss.slice(plan.warmup));
    // The bound is on the highest sample after the warm-up, not only the last ones: RSS falls back now and then.
    const growth = round(peak - at);
    rec.figure(`${kind} · rss at Explore ${plan.warmup} (MB)`, at);
    rec.figure(`${kind} · rss at Explore ${plan.explores} (MB)`, end);
    rec.figure(`${kind} · rss max after Explore ${plan.warmup} (MB)`, peak);
    rec.figure(`${kind} · rss growth after ${plan.warmup} (MB)`, growth);
    rec.figure(`${kind} · rss growth after ${plan.warmup}, end (MB)`, round(end - at));
    if (kind === 'masked' && plan.warmup === 50) rec.figure('rss growth after 50 (MB)', growth);
    await rec.run(`${tag} · resident memory after Explore ${plan.warmup} grows ≤ ${plan.rssBoundMB} MB`, 'worker', 1000, async () => {
      expect(growth <= plan.rssBoundMB, `RSS rose ${growth} MB after Explore ${plan.warmup} (${at} MB, at most ${peak} MB later; ${end} MB at the end)`);
      return `${growth} MB`;
    });

    await rec.run(`${tag} · the engine holds only the map's analysis`, 'worker', 60_000, async () => {
      const held: string[] = [];
      for (const id of ids) {
        try {
          await client.call('words', { analysisId: id });
          held.push(id);
        } catch (e) {
          if (!isContextLensError(e, 'CANCELLED')) throw e;
        }
      }
      rec.figure(`${kind} · analyses held at the end`, held.length);
      expect(held.length === 1 && held[0] === ids[ids.length - 1], `the engine still holds ${held.length} of ${ids.length} analyses (${held.slice(0, 5).join(', ')}…); only the map's ${ids[ids.length - 1]} should be`);
      return `1 of ${ids.length}`;
    });

    await rec.run(`${tag} · the edited-graph cache is what the load wrote`, 'worker', 10_000, async () => {
      const now = filesUnder(cacheDir);
      const bytes = [...now.values()].reduce((a, b) => a + b, 0);
      rec.figure(`${kind} · cache folder files / MB`, `${now.size} / ${(bytes / 1024 / 1024).toFixed(1)}`);
      const added = [...now.keys()].filter((f) => !cacheAfterLoad.has(f));
      const changed = [...now].filter(([f, size]) => cacheAfterLoad.has(f) && cacheAfterLoad.get(f) !== size).map(([f]) => f);
      expect(!added.length && !changed.length, `the cache changed after the load: new ${added.join(', ') || 'none'}; changed ${changed.join(', ') || 'none'}`);
      return `${now.size} files`;
    });

    await rec.run(`${tag} · the snippet store holds the map's one snippet`, 'host', 10_000, async () => {
      await host!.store.flushed();
      const file = join(storage, 'map-snippets.json');
      const raw = readFileSync(file, 'utf8');
      const want = host!.persisted();
      rec.figure(`${kind} · snippet store file (bytes)`, raw.length);
      expect(JSON.stringify(JSON.parse(raw)) === JSON.stringify(want), `map-snippets.json holds ${raw.slice(0, 120)}…, not the map's last snippet`);
      // The list's JSON is the text and a few short fields: bounded by the last text, never the session's.
      expect(raw.length <= 200 + 2 * texts[texts.length - 1].length * 6, `map-snippets.json is ${raw.length} bytes for one snippet of ${texts[texts.length - 1].length} characters`);
      const state = host!.workspaceState.get('contextLens.mapSnippets');
      expect(JSON.stringify(state) === JSON.stringify(want), 'workspaceState does not hold the map\'s one snippet');
      return `${raw.length} bytes`;
    });

    await rec.run(`${tag} · the guess stream remembers only the map's tokens`, 'host', 1000, async () => {
      const remembers = host!.streamRemembers;
      const mapTokens = points[points.length - 1].extra?.tokens ?? 0;
      rec.figure(`${kind} · guess stream keys at the end`, remembers);
      expect(remembers <= mapTokens, `MaskedGuessStream (src/extension/guessStream.ts) remembers ${remembers} asked tokens after ${ids.length} Explores; the map has ${mapTokens}: its \`asked\` set keeps every released analysis's keys`);
      return `${remembers} keys`;
    });
    c.log(`long-session ${kind}: rss ${at} → ${end} MB (growth ${growth} MB), ${tokens} tokens`);
  } finally {
    clearInterval(keepAlive);
    host?.dispose();
    await client.restart().catch(() => undefined);
    rmSync(tmp, { recursive: true, force: true });
  }
}
