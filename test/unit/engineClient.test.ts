// EngineClient (src/extension/engineClient.ts), the host's handle on the engine worker: a worker that ends
// fails the calls waiting on it with the typed ENGINE_STOPPED code (Ctx.noteEngineFailure keys on it), and
// the parameters the host passes through (maxChars, the map on screen) reach the engine in the real worker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isContextLensError } from '../../src/engine/errors';
import { maxCharsForTokens } from '../../src/engine/inputCheck';
import { EngineClient } from '../../src/extension/engineClient';
import { toExportedProjection, toProjectionView } from '../../src/extension/panel/projectionView';
import { FIXTURE_MODEL } from './helpers/fixture';

const dir = mkdtempSync(join(tmpdir(), 'context-lens-client-'));
// The client unrefs its worker (it must not keep VS Code or the CLI alive), so the tests hold the event loop open.
let keepAlive: ReturnType<typeof setInterval>;
before(() => {
  keepAlive = setInterval(() => undefined, 60_000);
});
after(() => {
  clearInterval(keepAlive);
  rmSync(dir, { recursive: true, force: true });
});

/** A worker script (CommonJS) whose message handler is `onMessage`. */
function fakeWorker(name: string, onMessage: string): string {
  const file = join(dir, `${name}.cjs`);
  writeFileSync(file, `const { parentPort } = require('node:worker_threads');\nparentPort.on('message', (m) => { ${onMessage} });\n`);
  return file;
}

function codeOf(e: unknown): string {
  assert.ok(isContextLensError(e), `a ContextLensError, not ${String(e)}`);
  return e.code;
}

test('a worker that exits fails the pending call with ENGINE_STOPPED and its exit code', async () => {
  const logged: string[] = [];
  const client = new EngineClient(fakeWorker('exits', 'process.exit(3);'), (line) => logged.push(line));
  await assert.rejects(client.call('release', { analysisIds: [] }), (e: unknown) => {
    assert.equal(codeOf(e), 'ENGINE_STOPPED');
    assert.match((e as Error).message, /^The analysis engine stopped \(exit code 3\)\. The model and the analyses it held are gone: run the command again/);
    return true;
  });
  assert.deepEqual(logged, ['engine worker exited with code 3']);
  client.dispose();
});

test('a worker that throws fails the pending call with ENGINE_STOPPED, the error in its message', async () => {
  const client = new EngineClient(fakeWorker('throws', "throw new Error('tokenizer exploded');"), () => undefined);
  await assert.rejects(client.call('release', { analysisIds: [] }), (e: unknown) => {
    assert.equal(codeOf(e), 'ENGINE_STOPPED');
    assert.match((e as Error).message, /^The analysis engine stopped: tokenizer exploded\. The model and the analyses it held are gone: run the command again/);
    return true;
  });
  client.dispose();
});

test('restart() fails the calls in flight with ENGINE_STOPPED; the next call gets a fresh worker', async () => {
  // Answers every call but the first (which it leaves hanging), so the restart finds one in flight.
  const file = fakeWorker('answers-later', "if (m.kind === 'call' && globalThis.seen) parentPort.postMessage({ kind: 'result', id: m.id, value: 'ok' }); globalThis.seen = true;");
  const client = new EngineClient(file, () => undefined);
  const failed = assert.rejects(client.call('exportJson', { analysisIds: [] }), (e: unknown) => codeOf(e) === 'ENGINE_STOPPED' && /was restarted/.test((e as Error).message) && client.isRestart(e));
  const told: unknown[] = [];
  client.onDied = (e) => told.push(e);
  await client.restart();
  await failed;
  assert.deepEqual(told, [], 'a restart asked for is no death');
  // A fresh worker: its first call hangs too, the second is answered.
  void client.call('exportJson', { analysisIds: [] }).catch(() => undefined);
  assert.equal(await client.call('exportJson', { analysisIds: [] }), 'ok');
  client.dispose();
});

test('a worker killed with calls in flight fails them all with ONE error object; the next call starts a new worker and is answered', async () => {
  // Answers every call at once except 'analyze' and 'project', which it holds (as a long forward would): a
  // 'project' answered at once could beat terminate() and make the test a race.
  const file = fakeWorker('holds-analyze', "if (m.kind === 'call' && m.method !== 'analyze' && m.method !== 'project') parentPort.postMessage({ kind: 'result', id: m.id, value: 'ok' });");
  const logged: string[] = [];
  const client = new EngineClient(file, (line) => logged.push(line));
  assert.equal(await client.call('release', { analysisIds: [] }), 'ok');
  assert.equal(client.workersStarted, 1);
  const held = client.call('analyze', { text: 'a', topK: 1 }).catch((e: unknown) => e);
  // Armed: the worker ends the moment the next 'project' call has been posted (it is in flight).
  assert.equal(client.killWorker('project'), true);
  const killed = client.call('project', { analysisIds: [], hiddenLayer: 0, method: 'pca' }).catch((e: unknown) => e);
  const told: unknown[] = [];
  client.onDied = (e) => told.push(e);
  const [a, b] = await Promise.all([held, killed]);
  assert.equal(codeOf(a), 'ENGINE_STOPPED');
  assert.equal(a, b, 'the same error object: the host tells the user once per death');
  assert.deepEqual(told, [a], 'onDied: once, with that error');
  assert.equal(client.isRestart(a), false, 'a death is no restart');
  assert.match((a as Error).message, /^The analysis engine stopped \(exit code 1\)\..*run the command again/);
  assert.equal(client.running, false);
  assert.equal(client.pendingCount, 0);
  assert.deepEqual(logged, ['engine worker ended on purpose (a crash, for a test)', 'engine worker exited with code 1']);
  // The next call starts a new worker by itself.
  assert.equal(await client.call('release', { analysisIds: [] }), 'ok');
  assert.equal(client.workersStarted, 2);
  assert.equal(client.killWorker(), true, 'ends the running worker now');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(client.running, false);
  assert.equal(told.length, 2, 'a worker that dies with nothing in flight is told too');
  assert.equal(client.killWorker(), false, 'no worker: nothing to end');
  client.dispose();
});

test('a worker that throws then exits fails its calls once ("error" then "exit" is one death), and the next call gets a fresh worker', async () => {
  // Throws on 'analyze' (an uncaught exception ends the thread), answers anything else.
  const file = fakeWorker('throws-on-analyze', "if (m.method === 'analyze') throw new Error('boom'); parentPort.postMessage({ kind: 'result', id: m.id, value: 'ok' });");
  const logged: string[] = [];
  const client = new EngineClient(file, (line) => logged.push(line));
  const errors = await Promise.all([client.call('analyze', { text: 'a', topK: 1 }).catch((e: unknown) => e), client.call('release', { analysisIds: [] }).catch((e: unknown) => e)]);
  // The release may be answered before the throw: whatever was still waiting failed with the one error.
  const failed = errors.filter((e) => e !== 'ok');
  assert.ok(failed.length >= 1 && failed.every((e) => e === failed[0] && codeOf(e) === 'ENGINE_STOPPED'));
  assert.equal(logged.filter((l) => l.startsWith('engine worker')).length, 1, `one log line per death: ${logged.join(' | ')}`);
  assert.equal(await client.call('release', { analysisIds: [] }), 'ok');
  assert.equal(client.workersStarted, 2);
  client.dispose();
});

test('errors the engine raises keep their own codes (only a dead worker is ENGINE_STOPPED)', async () => {
  const client = new EngineClient(
    fakeWorker('refuses', "parentPort.postMessage({ kind: 'error', id: m.id, error: { code: 'BINARY_INPUT', message: 'binary' } });"),
    () => undefined,
  );
  await assert.rejects(client.call('release', { analysisIds: [] }), (e: unknown) => codeOf(e) === 'BINARY_INPUT');
  client.dispose();
});

test('the real worker: analyze applies the caller\'s maxChars; the JSON export gives each token the x, y of the map shown', async () => {
  const client = new EngineClient(resolve('dist/engineWorker.js'), () => undefined);
  try {
    const info = await client.call('load', { spec: { model: FIXTURE_MODEL, dtype: 'fp32', device: 'cpu', cacheDir: join(dir, 'cache') } });
    const text = '我用苹果手机。我爱吃苹果。';
    await assert.rejects(client.call('analyze', { text, topK: 2, maxChars: text.length - 1, guesses: false }), (e: unknown) => codeOf(e) === 'INPUT_TOO_LARGE');
    const a = await client.call('analyze', { text, topK: 2, maxChars: maxCharsForTokens(info.maxTokens), guesses: false });
    const b = await client.call('analyze', { text: 'i put money in the bank .', topK: 2, guesses: false });
    const projection = await client.call('project', { analysisIds: [a.analysisId, b.analysisId], hiddenLayer: 1, method: 'pca' });
    // Through the panel's conversions: the map the webview draws (by snippet id), and back for the export.
    const snippetOf = new Map([[a.analysisId, 'sA'], [b.analysisId, 'sB']]);
    const analysisOf = new Map([...snippetOf].map(([analysisId, snippetId]) => [snippetId, analysisId]));
    const shown = toProjectionView(projection, (analysisId) => snippetOf.get(analysisId));
    assert.equal(shown.points.length, a.tokens.length + b.tokens.length);
    const exportedProjection = toExportedProjection(shown, (snippetId) => analysisOf.get(snippetId));

    const json = JSON.parse(await client.call('exportJson', { analysisIds: [a.analysisId, b.analysisId], projection: exportedProjection }));
    assert.deepEqual(json.projection, { layer: 1, method: 'pca' });
    const exported = [a, b].flatMap((s, i) => json.snippets[i].tokens.map((t: { index: number; x: number; y: number }) => ({ analysisId: s.analysisId, tokenIndex: t.index, x: t.x, y: t.y })));
    assert.equal(exported.length, a.tokens.length + b.tokens.length, 'every token');
    assert.deepEqual(exported, projection.points, 'each token at its point of the projection');
    // Everything the export held before is still there.
    assert.equal(json.format, 'context-lens-analysis/1');
    assert.equal(json.snippets[0].text, text);
    assert.equal(json.snippets[0].hiddenStates.length, info.numLayers + 1);

    const plain = JSON.parse(await client.call('exportJson', { analysisIds: [a.analysisId] }));
    assert.equal(plain.projection, undefined, 'no map: no projection');
    assert.ok(plain.snippets[0].tokens.every((t: object) => !('x' in t) && !('y' in t)));
  } finally {
    client.dispose();
  }
});

test('an analyze cancelled after it was posted is released when its reply comes anyway (no analysis left held)', async () => {
  // Answers analyze late with an analysis; remembers releases; 'exportJson' reports what was released.
  const file = fakeWorker('late-analyze', [
    "globalThis.released ??= [];",
    "if (m.kind !== 'call') return;",
    "if (m.method === 'analyze') setTimeout(() => parentPort.postMessage({ kind: 'result', id: m.id, value: { analysisId: 'a' + m.id } }), 100);",
    "else if (m.method === 'release') { globalThis.released.push(...m.params.analysisIds); parentPort.postMessage({ kind: 'result', id: m.id, value: null }); }",
    "else parentPort.postMessage({ kind: 'result', id: m.id, value: globalThis.released });",
  ].join('\n'));
  const client = new EngineClient(file, () => undefined);
  const ac = new AbortController();
  const cancelled = client.call('analyze', { text: 'a', topK: 1 }, { signal: ac.signal }).catch((e: unknown) => e);
  ac.abort();
  assert.equal(codeOf(await cancelled), 'CANCELLED');
  const kept = await client.call('analyze', { text: 'b', topK: 1 });
  await new Promise((r) => setTimeout(r, 50));
  const released = (await client.call('exportJson', { analysisIds: [] })) as unknown as string[];
  assert.deepEqual(released, ['a1'], 'the abandoned analysis, and only it');
  assert.deepEqual(kept, { analysisId: 'a2' });
  client.dispose();
});
