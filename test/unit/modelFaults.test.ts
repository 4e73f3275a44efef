/**
 * The model faults of issue 14 that needed product changes: the write-fault seam (fsUtil), a full disk or an
 * unwritable cache (CACHE_WRITE_FAILED, nothing half-written), a tokenizer larger than the model's
 * vocabulary, a JSON file cut short, and a Hub that answers 5xx or goes silent. The whole catalogue runs in
 * `npm run stress -- --only model-faults` (stress/families/modelFaults.ts).
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isContextLensError, type ContextLensErrorCode } from '../../src/engine/errors';
import { diskFullError, injectWriteFault, isWriteFailure, writeFileAtomic } from '../../src/engine/fsUtil';
import { hubCacheDirFor, loadModel } from '../../src/engine/modelStore';
import { prepareEditedModelFile } from '../../src/engine/onnx';
import type { ModelSpec } from '../../src/engine/types';
import { FIXTURE_MODEL } from './helpers/fixture';
import { startHubServer, type HubServer } from './helpers/hubServer';

const GPT2_FIXTURE = resolve('test/fixtures/tiny-gpt2');
const HUB_ID = 'test-org/tiny-bert';
const ONNX_KEY = `${HUB_ID}/onnx/model.onnx`;

const tempRoot = mkdtempSync(join(tmpdir(), 'context-lens-model-faults-'));
let counter = 0;
const freshDir = (label: string): string => mkdtempSync(join(tempRoot, `${label}-${counter++}-`));
after(() => rmSync(tempRoot, { recursive: true, force: true }));

const specFor = (model: string, cacheDir: string, extra: Partial<ModelSpec> = {}): ModelSpec => ({ model, dtype: 'fp32', device: 'cpu', cacheDir, ...extra });

/** Every file under `dir`, relative to it. */
const filesIn = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort() : []);

async function expectError(p: Promise<unknown>, code: ContextLensErrorCode, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isContextLensError(e), `a ContextLensError, got ${e instanceof Error ? e.stack : String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
    return true;
  });
}

async function loadsAndDisposes(spec: ModelSpec): Promise<void> {
  const lm = await loadModel(spec);
  await lm.dispose();
}

// ---------------------------------------------------------------------------------------------------
// The seam
// ---------------------------------------------------------------------------------------------------

test('injectWriteFault: the write fails with ENOSPC after half the data, no temporary file is left, the old file stays whole', async () => {
  const dir = freshDir('seam');
  const path = join(dir, 'graph.onnx');
  await writeFileAtomic(path, 'the old, complete contents');
  const remove = injectWriteFault((p) => (p === path ? diskFullError(p) : undefined));
  try {
    await assert.rejects(writeFileAtomic(path, 'x'.repeat(1000)), (e: unknown) => {
      assert.ok(isWriteFailure(e));
      assert.equal(e.code, 'ENOSPC');
      assert.equal(e.path, path);
      return true;
    });
    // Another path is not affected.
    await writeFileAtomic(join(dir, 'other.json'), '{}');
  } finally {
    remove();
  }
  assert.deepEqual(filesIn(dir), ['graph.onnx', 'other.json']);
  assert.equal(readFileSync(path, 'utf8'), 'the old, complete contents');
  await writeFileAtomic(path, 'new');
  assert.equal(readFileSync(path, 'utf8'), 'new', 'the fault is gone once removed');
});

test('isWriteFailure: write errors of where (full, read-only, permissions, a file in the path), not other errors', () => {
  for (const code of ['ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST', 'EISDIR']) assert.ok(isWriteFailure(Object.assign(new Error(code), { code })), code);
  for (const e of [Object.assign(new Error('ENOENT'), { code: 'ENOENT' }), new Error('plain'), { code: 'ENOSPC' }, undefined]) assert.ok(!isWriteFailure(e), String(e));
});

test('prepareEditedModelFile under a full disk: no edited graph, no manifest; after the fault, the edit is made and then reused', async () => {
  const dir = freshDir('edit');
  const dest = join(dir, 'prepared', 'model_attn.onnx');
  const edits = join(dir, 'edits');
  const source = join(FIXTURE_MODEL, 'onnx/model.onnx');
  const remove = injectWriteFault((p) => (p === dest ? diskFullError(p) : undefined));
  try {
    await assert.rejects(prepareEditedModelFile(source, dest, edits), (e: unknown) => isWriteFailure(e) && e.code === 'ENOSPC');
  } finally {
    remove();
  }
  assert.deepEqual(filesIn(dir), ['prepared'], 'nothing but the empty folder');
  const made = await prepareEditedModelFile(source, dest, edits);
  assert.equal(made.cached, false);
  assert.deepEqual(made.attentionOutputs, ['attentions.0', 'attentions.1']);
  assert.equal((await prepareEditedModelFile(source, dest, edits)).cached, true);
});

// ---------------------------------------------------------------------------------------------------
// Loading: the cache cannot be written
// ---------------------------------------------------------------------------------------------------

for (const [what, pattern] of [
  ['the edited graph', /model_attn\.onnx$/],
  ['the edit manifest', /[\\/]edits[\\/][0-9a-f]+\.json$/],
  ['the copy of tokenizer.json', /[\\/]prepared[\\/][0-9a-f]+[\\/]tokenizer\.json$/],
] as const) {
  test(`disk full while ${what} is written → CACHE_WRITE_FAILED "free disk space", nothing half-written; the next load works`, async () => {
    const cacheDir = freshDir('full');
    const remove = injectWriteFault((p) => (pattern.test(p) ? diskFullError(p) : undefined));
    try {
      await expectError(loadModel(specFor(FIXTURE_MODEL, cacheDir)), 'CACHE_WRITE_FAILED', /disk that holds the model cache .* is full.*Free disk space .*Nothing half-written was kept/);
    } finally {
      remove();
    }
    const left = filesIn(cacheDir);
    assert.deepEqual(left.filter((f) => f.includes('.tmp-')), [], 'no temporary file');
    assert.deepEqual(left.filter((f) => pattern.test(join(cacheDir, f))), [], `no ${what}`);
    if (what === 'the edited graph') assert.deepEqual(left.filter((f) => f.startsWith('edits')), [], 'no manifest for a graph that was not written');
    await loadsAndDisposes(specFor(FIXTURE_MODEL, cacheDir));
  });
}

test('a cache folder whose path runs through a file → CACHE_WRITE_FAILED naming it; the next load (file removed) works', async () => {
  const blocker = join(freshDir('blocked'), 'blocker');
  writeFileSync(blocker, 'not a folder');
  const cacheDir = join(blocker, 'cache');
  await expectError(loadModel(specFor(FIXTURE_MODEL, cacheDir)), 'CACHE_WRITE_FAILED', /cannot write its model cache .*blocker[\\/]cache: a part of its path is a file, not a folder.*Make that folder writable/);
  rmSync(blocker);
  await loadsAndDisposes(specFor(FIXTURE_MODEL, cacheDir));
});

// ---------------------------------------------------------------------------------------------------
// Loading: model files that do not belong together or are cut short
// ---------------------------------------------------------------------------------------------------

test('a tokenizer larger than the model (tiny-gpt2\'s beside the demo BERT) → CORRUPT_MODEL at load, not an onnxruntime error at the first analysis', async () => {
  const folder = freshDir('mismatch');
  cpSync(FIXTURE_MODEL, folder, { recursive: true });
  for (const f of ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']) cpSync(join(GPT2_FIXTURE, f), join(folder, f));
  await expectError(
    loadModel(specFor(folder, freshDir('mismatch-cache'))),
    'CORRUPT_MODEL',
    /tokenizer of .* does not belong to its model: it has token ids up to 506, but the model knows 233 tokens \(vocab_size in config\.json\)\. Put the tokenizer\.json/,
  );
});

test('a tokenizer smaller than the embedding (a padded vocabulary) still loads', async () => {
  const folder = freshDir('padded');
  cpSync(FIXTURE_MODEL, folder, { recursive: true });
  const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
  // The graph's embedding has 233 rows; config.json saying more only loosens the check.
  writeFileSync(join(folder, 'config.json'), JSON.stringify({ ...config, vocab_size: 240 }));
  await loadsAndDisposes(specFor(folder, freshDir('padded-cache')));
});

test('special_tokens_map.json cut short → CORRUPT_MODEL naming it, and no copy of it in the cache', async () => {
  const folder = freshDir('cut-json');
  cpSync(FIXTURE_MODEL, folder, { recursive: true });
  writeFileSync(join(folder, 'special_tokens_map.json'), '{"cls_token": "[CL');
  const cacheDir = freshDir('cut-json-cache');
  await expectError(loadModel(specFor(folder, cacheDir)), 'CORRUPT_MODEL', /The special_tokens_map\.json of .* cannot be read as JSON\. Put back the special_tokens_map\.json/);
  assert.deepEqual(filesIn(cacheDir), []);
});

// ---------------------------------------------------------------------------------------------------
// The Hub: errors and silence
// ---------------------------------------------------------------------------------------------------

let hub: HubServer;
before(async () => {
  hub = await startHubServer({ models: { [HUB_ID]: FIXTURE_MODEL } });
});
after(async () => {
  await hub.stop();
});

const hubSpec = (cacheDir: string, extra: Partial<ModelSpec> = {}): ModelSpec => specFor(HUB_ID, cacheDir, { remoteHost: hub.url, ...extra });

test('hub: HTTP 500 for the ONNX file → DOWNLOAD_FAILED naming the status and "try again"; the retry works', async () => {
  const cacheDir = freshDir('hub-500');
  hub.fail(ONNX_KEY, 500, 100);
  try {
    await expectError(loadModel(hubSpec(cacheDir)), 'DOWNLOAD_FAILED', /answered HTTP 500 \(an error on the Hub's side\) for onnx\/model\.onnx of test-org\/tiny-bert\. Try again in a few minutes/);
  } finally {
    hub.fail(ONNX_KEY, 500, 0);
  }
  assert.deepEqual(filesIn(join(hubCacheDirFor(cacheDir, HUB_ID, 'main'), 'onnx')), []);
  await loadsAndDisposes(hubSpec(cacheDir));
});

test('hub: no answer at all → DOWNLOAD_FAILED after the stall bound (not Node\'s 5 minutes), saying so', async () => {
  const cacheDir = freshDir('hub-silent');
  hub.stall(`${HUB_ID}/config.json`);
  const t0 = performance.now();
  await expectError(loadModel(hubSpec(cacheDir), { hubStallMs: 500 }), 'DOWNLOAD_FAILED', /sent nothing for 1 s while Context Lens was downloading config\.json of test-org\/tiny-bert.*try again later/);
  const ms = performance.now() - t0;
  assert.ok(ms >= 450 && ms < 10_000, `gave up after ${Math.round(ms)} ms`);
  // The abort closes the connection; the server hears of it a moment later.
  for (let i = 0; i < 50 && hub.stalledCount() > 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(hub.stalledCount(), 0, 'the request was closed, not left open');
  await loadsAndDisposes(hubSpec(cacheDir));
});

test('hub: a download that stops mid-file → DOWNLOAD_FAILED after the stall bound, no partial file; the retry works', async () => {
  const cacheDir = freshDir('hub-stall');
  hub.stall(ONNX_KEY, 0.4);
  await expectError(loadModel(hubSpec(cacheDir), { hubStallMs: 500 }), 'DOWNLOAD_FAILED', /sent nothing for 1 s while Context Lens was downloading onnx\/model\.onnx/);
  assert.deepEqual(filesIn(join(hubCacheDirFor(cacheDir, HUB_ID, 'main'), 'onnx')), [], 'no partial or temporary file');
  await loadsAndDisposes(hubSpec(cacheDir));
  assert.ok(readFileSync(join(hubCacheDirFor(cacheDir, HUB_ID, 'main'), 'onnx/model.onnx')).equals(readFileSync(join(FIXTURE_MODEL, 'onnx/model.onnx'))));
});

test('hub: a download slower than the stall bound in all, but never silent that long, is not stopped', async () => {
  const cacheDir = freshDir('hub-slow');
  // 8 pieces 150 ms apart: over a second in all, against a bound of 500 ms of silence.
  hub.trickle(ONNX_KEY, 8, 150);
  const t0 = performance.now();
  await (await loadModel(hubSpec(cacheDir), { hubStallMs: 500 })).dispose();
  assert.ok(performance.now() - t0 > 1000, 'the download was slow');
  assert.ok(readFileSync(join(hubCacheDirFor(cacheDir, HUB_ID, 'main'), 'onnx/model.onnx')).equals(readFileSync(join(FIXTURE_MODEL, 'onnx/model.onnx'))));
});

test('hub: a cache that cannot be written → CACHE_WRITE_FAILED before anything is requested', async () => {
  const blocker = join(freshDir('hub-blocked'), 'blocker');
  writeFileSync(blocker, 'not a folder');
  hub.resetCounts();
  await expectError(loadModel(hubSpec(join(blocker, 'cache'))), 'CACHE_WRITE_FAILED', /a part of its path is a file, not a folder/);
  assert.equal(hub.requests.size, 0, [...hub.requests.keys()].join(', '));
});
