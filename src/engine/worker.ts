/**
 * The engine's worker thread: receives calls from the extension host (EngineClient), runs them on
 * one AnalysisSession, and answers. Large Float32Arrays are transferred, not copied.
 */
import { parentPort } from 'node:worker_threads';
import { serializeError } from './errors';
import { AnalysisSession, type CallContext } from './session';
import type { EngineMethods, HostToWorker, WorkerToHost } from './workerProtocol';

if (!parentPort) throw new Error('engineWorker must run in a worker thread');
const port = parentPort;
const session = new AnalysisSession();
const running = new Map<number, AbortController>();

type Handlers = { [M in keyof EngineMethods]: (p: EngineMethods[M][0], ctx: CallContext) => Promise<EngineMethods[M][1]> | EngineMethods[M][1] };

const handlers: Handlers = {
  load: (p, ctx) => session.load(p.spec, ctx),
  analyze: (p, ctx) => session.analyze(p.text, p.topK, ctx, p.maxTokens, p.guesses ?? true, p.maxChars),
  guesses: (p, ctx) => session.guesses(p.analysisId, p.tokenIndices, p.topK, ctx),
  guessesAt: (p, ctx) => session.guessesAt(p.text, p.offset, p.topK, ctx),
  project: (p, ctx) => session.project(p.analysisIds, p.hiddenLayer, p.method, p.seed, ctx, p.standardize ?? false, p.words ?? false, p.language),
  attention: (p) => session.attention(p.analysisId, p.attentionLayer, { words: p.words, language: p.language }),
  attentionGrid: (p) => session.attentionGrid(p.analysisId, p.maxSize),
  exportJson: (p) => session.exportJson(p.analysisIds, p.projection),
  exportProjector: (p) => session.exportProjector(p.analysisIds, p.hiddenLayer),
  release: (p) => session.release(p.analysisIds),
  sensesStart: (p, ctx) => session.sensesStart(p.request, ctx),
  sensesStep: (p, ctx) => session.sensesStep(p.jobId, p.standardize, ctx),
  sensesView: (p) => session.sensesView(p.jobId, p.standardize),
  sensesProject: (p, ctx) => session.sensesProject(p.jobId, p.hiddenLayer, p.method, p.standardize, p.seed, ctx),
  sensesRelease: (p) => session.sensesRelease(p.jobId),
  layerGuesses: (p, ctx) => session.layerGuesses(p.text, p.offset, p.topK, ctx),
  unmasked: (p, ctx) => session.unmasked(p.analysisId, p.topK, ctx),
  spanGuesses: (p, ctx) => session.spanGuesses(p.text, p.start, p.end, p.topK, ctx),
  words: (p) => session.words(p.analysisId, p.language),
  attentionSummary: (p, ctx) => session.attentionSummary(p.analysisId, p.kind, { attentionLayer: p.attentionLayer, words: p.words, language: p.language }, ctx),
  headStats: (p) => session.headStats(p.analysisId),
};


function post(message: WorkerToHost, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function transferablesOf(value: unknown): ArrayBuffer[] {
  if (value && typeof value === 'object' && 'weights' in value && (value as { weights: unknown }).weights instanceof Float32Array) {
    return [((value as { weights: Float32Array }).weights.buffer as ArrayBuffer)];
  }
  return [];
}

port.on('message', async (m: HostToWorker) => {
  if (m.kind === 'cancel') {
    running.get(m.id)?.abort();
    return;
  }
  const controller = new AbortController();
  running.set(m.id, controller);
  const started = performance.now();
  try {
    const handler = handlers[m.method] as (p: unknown, ctx: CallContext) => unknown;
    const value = await handler(m.params, {
      signal: controller.signal,
      onProgress: (event) => post({ kind: 'progress', id: m.id, event }),
    });
    post({ kind: 'result', id: m.id, value }, transferablesOf(value));
    if (m.method === 'load' || m.method === 'analyze' || m.method === 'project') {
      post({ kind: 'log', line: `${m.method} done in ${(performance.now() - started).toFixed(0)} ms` });
    }
  } catch (e) {
    post({ kind: 'error', id: m.id, error: serializeError(e) });
  } finally {
    running.delete(m.id);
  }
});
