/**
 * senses: Explore Word Senses on the bert-base-sized model. 200 occurrences in 64-token contexts (the
 * defaults), vectors + substitutes: the whole job (search, contexts, batched forwards, the result rebuilt
 * after every batch) against raw onnxruntime-node running the same forwards, interleaved; the time to the
 * first batch's result (the first chart); and, in a child process of its own, the peak RSS of a job of
 * 1,000 occurrences.
 */
import { rmSync } from 'node:fs';
import type { LoadedModel } from '../../src/engine/modelStore';
import { forwardFeeds } from '../../src/engine/forward';
import { MASKED_POSITIONS_INPUT } from '../../src/engine/onnx';
import { forwardRows, nextBatchForwards, planJob, type SensesJob } from '../../src/engine/senses';
import type { SensesSource } from '../../src/engine/senses/types';
import { AnalysisSession } from '../../src/engine/session';
import { textOf } from '../benchModel';
import { emit, peakRssMb, runChild } from '../child';
import type { BenchContext } from '../context';
import { freshCacheDir, specFor, type Options } from '../options';
import { ort } from '../rawOrt';
import { editedFileIn } from './analyze';
import { figure, interleaved, single, summarize, timeOnce } from '../stats';

const CONTEXT_TOKENS = 64;

/**
 * `occurrences` paragraphs of CONTEXT_TOKENS tokens (one token per CJK character), each with the word in
 * its middle, in files of 20 paragraphs: every context is its whole paragraph, none cut, none alike.
 */
export function sensesCorpus(modelDir: string, occurrences: number): { word: string; sources: SensesSource[] } {
  const chars = [...textOf(modelDir, 4096)];
  const word = chars[0] + chars[1];
  const pool = chars.filter((ch) => !word.includes(ch));
  const paragraphs = Array.from({ length: occurrences }, (_, i) => {
    const around = Array.from({ length: CONTEXT_TOKENS - 2 }, (_, k) => pool[(i * 61 + k * 7) % pool.length]);
    return [...around.slice(0, 31), word, ...around.slice(31)].join('');
  });
  const sources: SensesSource[] = [];
  for (let f = 0; f * 20 < occurrences; f++) {
    sources.push({ label: `f${f}.txt`, uri: `untitled:f${f}`, text: paragraphs.slice(f * 20, f * 20 + 20).join('\n\n') });
  }
  return { word, sources };
}

async function wholeJob(session: AnalysisSession, request: Parameters<AnalysisSession['sensesStart']>[0]): Promise<{ firstMs: number; totalMs: number; contexts: number }> {
  const t0 = performance.now();
  const { jobId, search } = await session.sensesStart(request);
  let firstMs = 0;
  for (;;) {
    const r = await session.sensesStep(jobId, false);
    firstMs ||= performance.now() - t0;
    if (r.done) break;
  }
  const totalMs = performance.now() - t0;
  session.sensesRelease(jobId);
  return { firstMs, totalMs, contexts: search.toAnalyse };
}

/** The same forwards as the job, batch by batch, as feeds of a raw onnxruntime-node session on the edited graph. */
function plannedFeeds(lm: LoadedModel, job: SensesJob, inputNames: readonly string[]): Record<string, unknown>[] {
  const { Tensor } = ort();
  const feeds: Record<string, unknown>[] = [];
  const cursor = { contexts: job.contexts, analysed: 0, batches: 0 };
  while (cursor.analysed < job.contexts.length) {
    for (const indices of nextBatchForwards(cursor)) {
      const { rows, logitsAt } = forwardRows(indices.map((i) => job.contexts[i]), lm.specialIds.mask);
      feeds.push(forwardFeeds(inputNames, rows, (data, dims) => new Tensor('int64', data, dims), MASKED_POSITIONS_INPUT, logitsAt));
      cursor.analysed += indices.length;
    }
    cursor.batches++;
  }
  return feeds;
}

/** `session` holds the q8 model, loaded with `cacheDir`. */
export async function part(c: BenchContext, session: AnalysisSession, cacheDir: string): Promise<void> {
  const lm = session.model;
  const { word, sources } = sensesCorpus(c.o.model, 200);
  const request = { word, sources, maxOccurrences: 200, contextTokens: CONTEXT_TOKENS };
  const job = await planJob(lm, request);
  const editedPath = editedFileIn(cacheDir, 'q8');
  if (!editedPath) throw new Error('senses: the edited q8 graph is not in the cache folder');
  const raw = await ort().InferenceSession.create(editedPath);
  try {
    const feeds = plannedFeeds(lm, job, raw.inputNames);
    const fetches = [...lm.hiddenStateOutputs, 'logits'];
    const first: number[] = [];
    let contexts = 0;
    const repeats = Math.max(3, Math.ceil(c.o.repeats / 2));
    const [ours, floor] = await interleaved(
      async () => {
        const r = await wholeJob(session, request);
        first.push(r.firstMs);
        contexts = r.contexts;
      },
      async () => {
        for (const f of feeds) await raw.run(f, fetches);
      },
      repeats,
    );
    const rows = job.contexts.reduce((s, x) => s + 2 * x.tokens.length, 0);
    c.add(figure(`senses q8: ${contexts} occurrences, ${CONTEXT_TOKENS}-token contexts, vectors + substitutes (whole job)`, ours, 'ms', {
      floor,
      target: '≤ 1.2× raw',
      met: ours.median / floor.median <= 1.2,
      note: `sensesStart (search ${sources.length} texts, contexts) + sensesStep until done (${feeds.length} forwards of 2 rows per context, ${rows} tokens; the result rebuilt after each batch); ratio = / raw onnxruntime-node on the edited graph running the same rows with the same fetches (every hidden state, the narrowed head's logits)`,
    }));
    c.add(figure(`raw ORT q8, the senses job's ${feeds.length} forwards (floor)`, floor, 'ms'));
    const firstChart = summarize(first.slice(1));
    c.add(figure('senses q8: time to the first batch\'s result (the first chart)', firstChart, 'ms', {
      floor: ours,
      note: `sensesStart + the first sensesStep (${nextBatchForwards({ contexts: job.contexts, analysed: 0, batches: 0 }).flat().length} occurrences); ratio = / the whole job`,
    }));
  } finally {
    await raw.release();
  }
  const { figures, code, stderr } = await runChild(c.o, 'senses', [], { timeoutMs: 15 * 60_000 });
  if (!figures.length) c.add(figure('senses: 1,000 occurrences failed', single(NaN), '', { note: `child exit ${code}: ${stderr.slice(-300)}` }));
  figures.forEach((f) => c.add(f));
}

/** In a process of its own: a job of 1,000 occurrences, run to the end; its peak RSS. */
export async function child(o: Options): Promise<void> {
  const dir = freshCacheDir();
  const session = new AnalysisSession();
  try {
    await session.load(specFor(o, 'q8', dir));
    const afterLoad = peakRssMb();
    const { word, sources } = sensesCorpus(o.model, 1000);
    let contexts = 0;
    const ms = await timeOnce(async () => {
      contexts = (await wholeJob(session, { word, sources, maxOccurrences: 1000, contextTokens: CONTEXT_TOKENS })).contexts;
    });
    const peak = peakRssMb();
    emit(figure(`senses q8: peak RSS, ${contexts} occurrences, ${CONTEXT_TOKENS}-token contexts`, single(peak), 'MB', {
      digits: 0,
      target: '< 1024 MB',
      met: peak < 1024,
      note: `VmHWM of a process that loaded the q8 model (${afterLoad.toFixed(0)} MB after the load) and ran the whole job in ${(ms / 1000).toFixed(1)} s; only the word's vectors and the baseline sample are kept`,
    }));
  } finally {
    await session.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}
