// Word senses through the real engine worker (dist/engineWorker.js) as the extension host calls it: the
// worker reads the files itself, the progress events cross the boundary, typed errors keep their code, the
// standardize flag reaches the Map's projection, and a released job is gone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isContextLensError } from '../../src/engine/errors';
import type { SensesProgress, SensesResult } from '../../src/engine/senses/types';
import { EngineClient } from '../../src/extension/engineClient';
import { FIXTURE_MODEL } from './helpers/fixture';

const dir = mkdtempSync(join(tmpdir(), 'context-lens-senses-worker-'));
const client = new EngineClient(resolve('dist/engineWorker.js'), () => undefined);
// The client unrefs its worker: hold the event loop open while the tests run.
let keepAlive: ReturnType<typeof setInterval>;
before(async () => {
  keepAlive = setInterval(() => undefined, 60_000);
  await client.call('load', { spec: { model: FIXTURE_MODEL, dtype: 'fp32', device: 'cpu', cacheDir: join(dir, 'cache') } });
});
after(async () => {
  clearInterval(keepAlive);
  await client.restart();
  rmSync(dir, { recursive: true, force: true });
});

const demo = (name: string) => ({ label: name, uri: `file://${resolve('demo/senses', name)}`, path: resolve('demo/senses', name) });

test('the worker searches the files, reports progress, and steps to the end; a view and a projection follow', async () => {
  const events: SensesProgress[] = [];
  const onProgress = (e: unknown) => events.push(e as SensesProgress);
  const sources = [demo('apple-zh.txt'), demo('bank-en.txt'), demo('apple-en.txt'), { label: 'open.txt', uri: 'untitled:1', text: '我用苹果手机。' }];
  const { jobId, search } = await client.call('sensesStart', { request: { word: '苹果', sources } }, { onProgress });
  assert.deepEqual([search.filesSearched, search.found, search.toAnalyse, search.analysed], [4, 25, 25, 0]);
  const searched = events.filter((e) => e.phase === 'senses-search');
  assert.ok(searched.length >= 1);
  assert.deepEqual(searched[searched.length - 1], { phase: 'senses-search', filesDone: 4, filesTotal: 4, found: 25 });
  let r: SensesResult;
  do r = await client.call('sensesStep', { jobId, standardize: false }, { onProgress });
  while (!r.done);
  const analysed = events.filter((e) => e.phase === 'senses-analyse');
  assert.deepEqual(analysed[analysed.length - 1], { phase: 'senses-analyse', analysed: 25, toAnalyse: 25 });
  assert.equal(r.occurrences.length, 25);
  assert.equal(r.occurrences.find((o) => o.file === 'open.txt')?.uri, 'untitled:1');
  const z = await client.call('sensesView', { jobId, standardize: true });
  assert.equal(z.standardized, true);
  const p = await client.call('sensesProject', { jobId, hiddenLayer: 2, method: 'umap', standardize: true });
  assert.equal(p.points.length, 25);
  await client.call('sensesRelease', { jobId });
  await assert.rejects(client.call('sensesView', { jobId, standardize: false }), (e) => isContextLensError(e, 'CANCELLED'));
});

test('typed errors cross the worker: NO_OCCURRENCES, EMPTY_INPUT; a single occurrence\'s NaN self-similarity arrives as NaN', async () => {
  await assert.rejects(client.call('sensesStart', { request: { word: 'tomorrow', sources: [demo('bank-en.txt')] } }), (e) => isContextLensError(e, 'NO_OCCURRENCES'));
  await assert.rejects(client.call('sensesStart', { request: { word: ' ', sources: [demo('bank-en.txt')] } }), (e) => isContextLensError(e, 'EMPTY_INPUT'));
  const { jobId } = await client.call('sensesStart', { request: { word: 'bank', sources: [{ label: 'one', uri: 'untitled:one', text: 'The bank has my money.' }] } });
  const r = await client.call('sensesStep', { jobId, standardize: false });
  assert.ok(r.done && Number.isNaN(r.layers[0].selfSimilarity));
  await client.call('sensesRelease', { jobId });
});

test('project(standardize) reaches the session: the same-token links change, the layout does not', async () => {
  const a = await client.call('analyze', { text: '我用苹果手机。', topK: 1, guesses: false });
  const b = await client.call('analyze', { text: '我爱吃苹果。', topK: 1, guesses: false });
  const ids = [a.analysisId, b.analysisId];
  const raw = await client.call('project', { analysisIds: ids, hiddenLayer: 2, method: 'pca' });
  const z = await client.call('project', { analysisIds: ids, hiddenLayer: 2, method: 'pca', standardize: true });
  assert.deepEqual(z.points, raw.points);
  const cosine = (links: typeof raw.links) => links.find((l) => l.piece === '果')!.cosine;
  assert.notEqual(cosine(z.links), cosine(raw.links));
});
