/**
 * engine-death, its plain-Node part (layer 'worker'): the extension's EngineClient with the real engine
 * worker (dist/engineWorker.js) on the masked demo model, the worker thread ended abruptly (as a crash
 * ends it: terminate, not restart()) the moment a model load, an analysis, a projection or one call of a
 * guess stream is in flight, or between requests. Each case asserts that the death is told once (onDied)
 * and that every call waiting on the worker fails with that one error, ENGINE_STOPPED
 * and a message that says what to do next, and that the next call starts a new worker by itself and gives
 * the same analysis as before the death. The extension-host part (stress/host/engineDeath.ts) does the
 * same through VS Code's commands, and checks what the user sees.
 */
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isContextLensError } from '../../src/engine/errors';
import type { AnalysisSummary, EngineMethod } from '../../src/engine/workerProtocol';
import { EngineClient } from '../../src/extension/engineClient';
import { MODELS, REPO, type StressContext } from '../context';
import { expect } from '../record';

export const families = ['engine-death'] as const;

const TEXTS = ['我用苹果手机。我爱吃苹果。', 'i put money in the bank . the river bank is green .'];
/** A load of the demo model, an analysis and a projection take a second or two: this leaves room for a slow machine. */
const BOUND_MS = 60_000;

/** The request in flight when the worker dies ('idle': none, between requests). */
type Killed = 'load' | 'analyze' | 'project' | 'guesses' | 'idle';
const KILLED: readonly Killed[] = ['load', 'analyze', 'project', 'guesses', 'idle'];

export async function run(c: StressContext): Promise<void> {
  const rec = c.family('engine-death');
  const repeats = c.o.quick ? 1 : 5;
  const cacheDir = mkdtempSync(join(tmpdir(), 'context-lens-stress-death-'));
  // The client unrefs its worker (it must not keep VS Code alive): hold the event loop open meanwhile.
  const keepAlive = setInterval(() => undefined, 60_000);
  const client = new EngineClient(join(REPO, 'dist', 'engineWorker.js'), () => undefined);
  const spec = { model: MODELS.masked, dtype: 'fp32' as const, device: 'cpu' as const, cacheDir };
  try {
    const reference = await loadAndAnalyze(client, spec);
    for (let i = 1; i <= repeats; i++) {
      for (const killed of KILLED) {
        await rec.run(`killed ${killed === 'idle' ? 'while idle' : `mid ${killed}`} · ${i}`, 'worker', BOUND_MS, () => killMid(client, spec, killed, reference));
      }
    }
    rec.figure('engine workers started (worker part)', client.workersStarted);
  } finally {
    client.dispose();
    clearInterval(keepAlive);
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

type Spec = { model: string; dtype: 'fp32'; device: 'cpu'; cacheDir: string };

async function loadAndAnalyze(client: EngineClient, spec: Spec): Promise<AnalysisSummary[]> {
  await client.call('load', { spec });
  const out: AnalysisSummary[] = [];
  for (const text of TEXTS) out.push(await client.call('analyze', { text, topK: 3, guesses: false }));
  return out;
}

/** The engine's request of kind `killed`, with the worker ended while it is in flight; then the recovery. */
async function killMid(client: EngineClient, spec: Spec, killed: Killed, reference: AnalysisSummary[]): Promise<string> {
  // A worker with the model and two analyses, as the map holds them.
  const before = await loadAndAnalyze(client, spec);
  const started = client.workersStarted;
  // A second request waits behind the one killed (the hover, the next batch): it must fail with the same error.
  const waiting = (method: EngineMethod): Promise<unknown> => client.call('layerGuesses', { text: TEXTS[0], offset: 2, topK: 3 }).then(() => `answered before the ${method} call`, (e: unknown) => e);
  const told: unknown[] = [];
  client.onDied = (e) => told.push(e);
  let failures: unknown[];
  if (killed === 'guesses') {
    failures = await guessStream(client, before[1]);
  } else if (killed === 'idle') {
    client.killWorker();
    failures = [await until(() => told[0])];
  } else {
    client.killWorker(killed);
    const request =
      killed === 'load'
        ? // A cache folder of its own: a load of the model already loaded could answer before the worker ends.
          client.call('load', { spec: { ...spec, cacheDir: join(spec.cacheDir, `reload-${Date.now()}`) } })
        : killed === 'analyze'
          ? client.call('analyze', { text: TEXTS[1], topK: 3, guesses: false })
          : client.call('project', { analysisIds: before.map((a) => a.analysisId), hiddenLayer: 1, method: 'umap' });
    const behind = waiting(killed);
    failures = [await request.then(() => 'answered', (e: unknown) => e), await behind];
  }
  client.onDied = undefined;
  expect(told.length === 1 && told[0] === failures[0], `the death was told ${told.length} times (onDied), not once with the calls' error`);
  const first = failures[0];
  expect(isContextLensError(first, 'ENGINE_STOPPED'), `the ${killed} in flight ended with ${describe(first)}, not ENGINE_STOPPED`);
  expect(failures.every((e) => e === first), `the calls in flight failed with ${failures.length} different errors (${failures.map(describe).join(' / ')}): the user would hear of one death more than once`);
  expect(/run the command again/.test(first.message), `the message says no next step: ${first.message}`);
  expect(!client.running && client.pendingCount === 0, `after the death: worker running ${client.running}, ${client.pendingCount} calls still pending`);
  // The next request starts a new engine by itself, and it answers as the old one did.
  const after = await loadAndAnalyze(client, spec);
  expect(client.workersStarted === started + 1, `${client.workersStarted - started} workers started after the death, not 1`);
  for (const [i, a] of after.entries()) {
    const same = JSON.stringify(a.tokens) === JSON.stringify(reference[i].tokens);
    expect(same, `the analysis of text ${i + 1} after the restart differs from the one before the death`);
  }
  const projected = await client.call('project', { analysisIds: after.map((a) => a.analysisId), hiddenLayer: 1, method: killed === 'project' ? 'umap' : 'pca' });
  const tokens = after.reduce((n, a) => n + a.tokens.length, 0);
  expect(projected.points.length === tokens, `the projection after the restart has ${projected.points.length} points for ${tokens} tokens`);
  await client.call('release', { analysisIds: after.map((a) => a.analysisId) });
  return `ENGINE_STOPPED once (${killed === 'idle' ? 'no call waiting' : `${failures.length} calls`}), restarted`;
}

/** The map's guess stream: a few tokens per call, in order; the worker dies during the third call. */
async function guessStream(client: EngineClient, analysis: AnalysisSummary): Promise<unknown[]> {
  const tokens = analysis.tokens.filter((t) => !t.special).map((t) => t.index);
  expect(tokens.length >= 8, `the stream needs 8 tokens, the text has ${tokens.length}`);
  const failures: unknown[] = [];
  for (let call = 0; call * 2 < tokens.length; call++) {
    if (call === 2) client.killWorker('guesses');
    const found = await client.call('guesses', { analysisId: analysis.analysisId, tokenIndices: tokens.slice(call * 2, call * 2 + 2), topK: 3 }).catch((e: unknown) => {
      failures.push(e);
      return undefined;
    });
    if (!found) break; // the stream stops at its first failure, as MaskedGuessStream does
    expect(call < 2, `the guesses call ${call + 1} was answered after the worker was killed`);
    expect(found.length === 2 && found.every((g) => g.guesses.length > 0), `guesses call ${call + 1}: ${found.length} tokens answered`);
  }
  expect(failures.length === 1, `the stream ended with ${failures.length} failures`);
  return failures;
}

async function until<T>(probe: () => T | undefined): Promise<T> {
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

function describe(e: unknown): string {
  if (typeof e === 'string') return e;
  return isContextLensError(e) ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
}
