/**
 * worker: what the extension host does, measured in a child process (`child`): EngineClient +
 * dist/engineWorker.js load, analyze and project (Explore), then the shipping MaskedGuessStream fills in
 * the masked guesses while a hover runs every 500 ms. The main thread's event-loop delay is recorded
 * throughout.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AnalysisSummary } from '../../src/engine/workerProtocol';
import { EngineClient } from '../../src/extension/engineClient';
import { textOf } from '../benchModel';
import { emit, peakRssMb, runChild } from '../child';
import type { BenchContext } from '../context';
import { streamGuesses } from '../guessStreamHost';
import { sensesCorpus } from './senses';
import { freshCacheDir, REPO, specFor, type Options } from '../options';
import { figure, single, summarize, timeOnce } from '../stats';

/** The extension's default `contextLens.maxTokens`: the stream sizes its calls by it. */
const MAX_TOKENS = 512;

export async function part(c: BenchContext): Promise<void> {
  const { figures, code, stderr } = await runChild(c.o, 'worker', [], { timeoutMs: 10 * 60_000 });
  if (!figures.length) c.add(figure('worker rows failed', single(NaN), '', { note: `child exit ${code}: ${stderr.slice(-300)}` }));
  figures.forEach((f) => c.add(f));
}

export async function child(o: Options): Promise<void> {
  const dir = freshCacheDir();
  const workerPath = join(REPO, 'dist/engineWorker.js');
  const client = new EngineClient(workerPath, () => undefined);
  const ms = (ns: number): number => ns / 1e6;
  // EngineClient unrefs its worker (it must not keep the extension host alive): keep this process alive as a host would.
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    const spec = specFor(o, 'q8', dir);
    const loadMs = await timeOnce(() => client.call('load', { spec }));
    emit(figure('worker: load q8 (worker start + import + graph edit + session)', single(loadMs), 'ms', { digits: 0, note: 'EngineClient + dist/engineWorker.js, fresh cache folder' }));
    emit(figure('peak RSS after load, process + engine worker (q8)', single(peakRssMb()), 'MB', { digits: 0, note: 'VmHWM (high-water mark) right after the load: what loading costs before any analysis' }));

    // From here the main thread only waits for messages, as the extension host does.
    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    // --quick: a 64-token text (62 masked rows instead of 254), projected 16× for the same ~1,000 points.
    const n = o.quick ? 64 : 256;
    const text = textOf(o.model, n);
    // What Explore does: analyze without guesses, project, show the map; then the guess stream.
    let summary: AnalysisSummary | undefined;
    const analyzeMs = await timeOnce(async () => {
      summary = await client.call('analyze', { text, topK: 5, guesses: false });
    });
    const analysis = summary!;
    // ~1,000 points: the same analysis projected several times (UMAP cost depends on the point count).
    const projectIds = Array.from({ length: Math.ceil(1000 / n) }, () => analysis.analysisId);
    let points = 0;
    const projectMs = await timeOnce(async () => {
      points = (await client.call('project', { analysisIds: projectIds, hiddenLayer: 12, method: 'umap' })).points.length;
    });
    // A hover on a 64-token paragraph, idle and then every 500 ms while the guesses stream: what a user
    // who hovers in the editor during the stream waits (the engine holds new stream calls back meanwhile).
    const hoverText = textOf(o.model, 64);
    const hover = () => timeOnce(() => client.call('guessesAt', { text: hoverText, offset: 31, topK: 5 }));
    const idleHoverMs: number[] = [];
    for (let i = 0; i < 5; i++) idleHoverMs.push(await hover());
    const busyHoverMs: number[] = [];
    let streaming = true;
    const hovering = (async () => {
      while (streaming) {
        await new Promise((r) => setTimeout(r, 500));
        if (streaming) busyHoverMs.push(await hover());
      }
    })();
    const streamed = await streamGuesses(client, analysis, 5, MAX_TOKENS).finally(() => (streaming = false));
    await hovering;
    h.disable();
    const idleHover = summarize(idleHoverMs.slice(1));
    emit(figure('worker: hover guessesAt, 64-token text, engine idle', idleHover, 'ms', { note: `${idleHoverMs.length - 1} runs after 1 warm-up` }));
    emit(figure(`worker: hover guessesAt while the ${n}-token guesses stream`, summarize(busyHoverMs), 'ms', {
      floor: idleHover,
      note: `${busyHoverMs.length} hovers, one every 500 ms during the stream; ratio = / the idle hover (waits for at most the stream call in flight)`,
    }));
    const where = `main thread, monitorEventLoopDelay resolution 10 ms (values include the 10 ms timer period), ${h.count} samples`;
    emit(figure(`worker: analyze ${n} tokens q8, no guesses (via EngineClient)`, single(analyzeMs), 'ms', { digits: 0, note: '1 forward with attentions and hidden states; what Explore waits for before the map' }));
    emit(figure(`worker: UMAP projection of ${points} points (via EngineClient)`, single(projectMs), 'ms', { digits: 0, note: `the ${n}-token analysis ×${projectIds.length}, layer 12` }));
    emit(figure(`worker: Explore ${n} tokens, selection to map data (analyze + UMAP)`, single(analyzeMs + projectMs), 'ms', { digits: 0, note: 'the masked guesses follow in the background' }));
    const { callMs, callTokens } = streamed;
    const sorted = [...callMs].sort((a, b) => a - b);
    emit(figure(`worker: masked guesses streamed after the map, ${streamed.tokens} tokens`, single(callMs.reduce((a, b) => a + b, 0)), 'ms', {
      digits: 0,
      note: `MaskedGuessStream, ${callMs.length} calls of ${Math.max(...callTokens)} token(s): median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms, max ${sorted[sorted.length - 1].toFixed(0)} ms per call (the longest a hover or a projection waits behind one)`,
    }));
    emit(figure('event-loop delay p50 during worker analyze + UMAP + guesses', single(ms(h.percentile(50))), 'ms', { note: where }));
    const p99 = ms(h.percentile(99));
    emit(figure('event-loop delay p99 during worker analyze + UMAP + guesses', single(p99), 'ms', { target: '≤ 50 ms', met: p99 <= 50, note: where }));
    emit(figure('event-loop delay max during worker analyze + UMAP + guesses', single(ms(h.max)), 'ms', { note: where }));
    emit(figure(`peak RSS, process + engine worker (q8, ${n}-token analysis, UMAP)`, single(peakRssMb()), 'MB', { digits: 0, note: 'VmHWM of the host-like process (the worker is a thread in it)' }));

    // Explore Word Senses as the extension drives it: sensesStart, then sensesStep until done, a scatter after
    // each batch; the main thread only receives the results.
    const occurrences = o.quick ? 40 : 200;
    const { word, sources } = sensesCorpus(o.model, occurrences);
    const hs = monitorEventLoopDelay({ resolution: 10 });
    hs.enable();
    const sensesMs = await timeOnce(async () => {
      const { jobId } = await client.call('sensesStart', { request: { word, sources, maxOccurrences: occurrences, contextTokens: 64 } });
      for (let done = false; !done; ) {
        done = (await client.call('sensesStep', { jobId, standardize: false })).done;
        await client.call('sensesProject', { jobId, hiddenLayer: 12, method: 'umap', standardize: false });
      }
      await client.call('sensesRelease', { jobId });
    });
    hs.disable();
    const sensesP99 = ms(hs.percentile(99));
    emit(figure(`event-loop delay p99 during a word-senses job (${occurrences} occurrences, a UMAP scatter per batch)`, single(sensesP99), 'ms', {
      target: '≤ 50 ms',
      met: sensesP99 <= 50,
      note: `main thread, monitorEventLoopDelay resolution 10 ms, ${hs.count} samples; the job took ${(sensesMs / 1000).toFixed(1)} s via EngineClient`,
    }));
  } finally {
    clearInterval(keepAlive);
    await client.restart();
    rmSync(dir, { recursive: true, force: true });
  }
}
