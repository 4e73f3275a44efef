import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hubCacheDirFor, loadModel, type LoadedModel } from '../../src/engine/modelStore';
import { isContextLensError, type ContextLensErrorCode } from '../../src/engine/errors';
import { ortSession } from '../../src/engine/hfInternals';
import { LAYER_POSITIONS_INPUT } from '../../src/engine/onnx';
import type { DevicePreference, Dtype, ModelSpec, ProgressEvent } from '../../src/engine/types';
import { FIXTURE_MODEL, FIXTURE_MODEL_OPSET17, loadReference, maxAbsDiff } from './helpers/fixture';
import { startHubServer, type HubServer } from './helpers/hubServer';

const MASK_TEXT = '我喜欢吃苹[MASK]。';
const HUB_ID = 'test-org/tiny-bert';
const CHILD_SCENARIO_ENV = 'CONTEXT_LENS_MODELSTORE_CHILD';
const CHILD_RESULT_PREFIX = 'CHILD_RESULT ';

interface TensorLike {
  dims: number[];
  data: Float32Array;
}
type Outputs = Record<string, TensorLike>;

async function forward(lm: LoadedModel, text: string): Promise<{ ids: number[]; out: Outputs }> {
  const encode = lm.tokenizer as unknown as (t: string) => Promise<Record<string, { tolist(): bigint[][] }>> | Record<string, { tolist(): bigint[][] }>;
  const inputs = await encode(text);
  const ids = inputs.input_ids.tolist()[0].map(Number);
  const feeds: Record<string, unknown> = { ...inputs };
  if (lm.maskedPositionsInput) {
    // Every position's logits, so that they compare with torch's [1, seq, vocab] row for row.
    // The CommonJS build, as the engine loads it: transformers.js checks inputs with instanceof.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Tensor } = require('@huggingface/transformers') as typeof import('@huggingface/transformers');
    feeds[lm.maskedPositionsInput] = new Tensor('int64', BigInt64Array.from(ids, (_, i) => BigInt(i)), [ids.length]);
    // The head's copy over every layer (predictions.test.ts) is not asked for here.
    if (ortSession(lm.model).inputNames.includes(LAYER_POSITIONS_INPUT)) feeds[LAYER_POSITIONS_INPUT] = new Tensor('int64', new BigInt64Array(0), [0]);
  }
  const out = (await lm.model.forward(feeds)) as unknown as Outputs;
  return { ids, out };
}

async function topGuessAtMask(lm: LoadedModel): Promise<string> {
  const { ids, out } = await forward(lm, MASK_TEXT);
  const vocab = lm.info.vocabSize;
  const pos = ids.indexOf(lm.specialIds.mask);
  const row = Array.from(out.logits.data.subarray(pos * vocab, (pos + 1) * vocab));
  const tokenizer = lm.tokenizer as unknown as { decode(ids: number[]): string };
  return tokenizer.decode([row.indexOf(Math.max(...row))]);
}

// ---------------------------------------------------------------------------------------------------
// Scenarios that need a fresh process: the onnxruntime choice is made once per process.
// ---------------------------------------------------------------------------------------------------

async function childScenario(name: string): Promise<void> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'context-lens-child-'));
  try {
    const device: DevicePreference = name === 'wasm' ? 'wasm' : 'auto';
    const lm = await loadModel({ model: FIXTURE_MODEL, dtype: 'q8', device, cacheDir });
    const guess = await topGuessAtMask(lm);
    const { out } = await forward(lm, MASK_TEXT);
    const ortWeb = (globalThis as Record<symbol, { env?: { wasm?: { numThreads?: number } } } | undefined>)[Symbol.for('onnxruntime')];
    const result = { backend: lm.info.backend, guess, outputs: Object.keys(out).sort(), loadMs: lm.info.loadMs, wasmThreads: ortWeb?.env?.wasm?.numThreads };
    await lm.dispose();
    process.stdout.write(`${CHILD_RESULT_PREFIX}${JSON.stringify(result)}\n`);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

function runChild(scenario: string, extraArgs: string[] = []): { backend: string; guess: string; outputs: string[]; loadMs: number; wasmThreads?: number } {
  const child = spawnSync(process.execPath, [...extraArgs, __filename], {
    env: { ...process.env, [CHILD_SCENARIO_ENV]: scenario },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const line = child.stdout.split('\n').find((l) => l.startsWith(CHILD_RESULT_PREFIX));
  assert.ok(line, `child ${scenario} reported a result; stderr: ${child.stderr.slice(-2000)}`);
  return JSON.parse(line.slice(CHILD_RESULT_PREFIX.length));
}

const scenario = process.env[CHILD_SCENARIO_ENV];
if (scenario) {
  childScenario(scenario).catch((e) => {
    process.stderr.write(`${e?.code ?? ''} ${e?.message ?? e}\n`);
    process.exitCode = 1;
  });
} else {
  registerTests();
}

// ---------------------------------------------------------------------------------------------------

function registerTests(): void {
  const tempRoot = mkdtempSync(join(tmpdir(), 'context-lens-model-store-'));
  const freshDir = (label: string): string => mkdtempSync(join(tempRoot, `${label}-`));
  after(() => rmSync(tempRoot, { recursive: true, force: true }));

  const specFor = (model: string, cacheDir: string, extra: Partial<ModelSpec> = {}): ModelSpec => ({
    model,
    dtype: 'fp32',
    device: 'cpu',
    cacheDir,
    ...extra,
  });

  async function expectError(spec: ModelSpec, code: ContextLensErrorCode, message: RegExp, signal?: AbortSignal): Promise<void> {
    await assert.rejects(loadModel(spec, { signal }), (e: unknown) => {
      assert.ok(isContextLensError(e), `a ContextLensError, got ${String(e)}`);
      assert.equal(e.code, code, e.message);
      assert.match(e.message, message);
      return true;
    });
  }

  for (const folder of [FIXTURE_MODEL, FIXTURE_MODEL_OPSET17]) {
    test(`folder model (${folder.split('/').pop()}, fp32): forward gives torch's logits, attentions and hidden states (≤ 1e-4)`, async () => {
      const reference = loadReference(folder);
      const cacheDir = freshDir('folder');
      const lm = await loadModel(specFor(folder, cacheDir));
      try {
        assert.deepEqual(
          { ...lm.info, loadMs: 0 },
          { model: folder, kind: 'masked', source: 'folder', dtype: 'fp32', backend: 'cpu', numLayers: 2, numHeads: 4, hiddenSize: 64, vocabSize: 233, maxTokens: 128, loadMs: 0 },
        );
        assert.ok(lm.info.loadMs > 0);
        assert.deepEqual(lm.specialIds, { cls: 2, sep: 3, mask: 4, pad: 0, unk: 1 });
        assert.deepEqual(lm.attentionOutputs, ['attentions.0', 'attentions.1']);
        assert.deepEqual(lm.hiddenStateOutputs, ['hidden_states.0', 'hidden_states.1', 'hidden_states.2']);
        const { numLayers, numHeads, hiddenSize } = reference;
        for (const ref of reference.texts) {
          const { ids, out } = await forward(lm, ref.text);
          assert.deepEqual(ids, ref.input_ids, ref.text);
          const T = ids.length;
          assert.ok(maxAbsDiff(out.logits.data, ref.logits) <= 1e-4, `logits of ${ref.text}`);
          for (let l = 0; l < numLayers; l++) {
            const expected = ref.attentions.subarray(l * numHeads * T * T, (l + 1) * numHeads * T * T);
            assert.ok(maxAbsDiff(out[`attentions.${l}`].data, expected) <= 1e-4, `attentions.${l} of ${ref.text}`);
          }
          for (let i = 0; i <= numLayers; i++) {
            const expected = ref.hidden_states.subarray(i * T * hiddenSize, (i + 1) * T * hiddenSize);
            assert.ok(maxAbsDiff(out[`hidden_states.${i}`].data, expected) <= 1e-4, `hidden_states.${i} of ${ref.text}`);
          }
        }
      } finally {
        await lm.dispose();
      }
      // Nothing was written into the model folder.
      assert.deepEqual(readdirSync(join(folder, 'onnx')).sort(), ['model.onnx', 'model_quantized.onnx']);
    });
  }

  test('folder model q8: 苹[MASK] → 果, the edit is reused on the next load', async () => {
    const cacheDir = freshDir('q8');
    const events: ProgressEvent[] = [];
    const lm = await loadModel(specFor(FIXTURE_MODEL, cacheDir, { dtype: 'q8' }), { onProgress: (e) => events.push(e) });
    try {
      assert.equal(lm.info.dtype, 'q8');
      assert.equal(await topGuessAtMask(lm), '果');
      const { out } = await forward(lm, MASK_TEXT);
      assert.deepEqual(out['attentions.1'].dims, [1, 4, 9, 9]);
      assert.deepEqual(out['hidden_states.2'].dims, [1, 9, 64]);
    } finally {
      await lm.dispose();
    }
    assert.deepEqual(
      events.map((e) => `${e.phase}:${e.fraction}`),
      ['graph-edit:0', 'graph-edit:1', 'load:0', 'load:1'],
    );
    const edited = join(cacheDir, 'prepared');
    const [key] = readdirSync(edited);
    assert.ok(existsSync(join(edited, key, 'onnx/model_attn_quantized.onnx')));
    const again = await loadModel(specFor(FIXTURE_MODEL, cacheDir, { dtype: 'q8' }));
    await again.dispose();
    assert.deepEqual(readdirSync(edited), [key], 'same prepared folder');
  });

  // ---------------------------------------------------------------------------------------------
  // Typed errors
  // ---------------------------------------------------------------------------------------------

  test('missing folder → MODEL_FOLDER_MISSING', async () => {
    const missing = join(tempRoot, 'no-such-model');
    await expectError(specFor(missing, freshDir('missing')), 'MODEL_FOLDER_MISSING', /does not exist/);
  });

  test('folder without the ONNX file of the chosen dtype → MODEL_FOLDER_MISSING naming it', async () => {
    const folder = freshDir('no-q8');
    cpSync(FIXTURE_MODEL, folder, { recursive: true });
    rmSync(join(folder, 'onnx/model_quantized.onnx'));
    await expectError(specFor(folder, freshDir('no-q8-cache'), { dtype: 'q8' }), 'MODEL_FOLDER_MISSING', /onnx\/model_quantized\.onnx/);
  });

  test('config model_type xlnet (neither kind) → NOT_A_MASKED_LM', async () => {
    const folder = freshDir('xlnet');
    cpSync(FIXTURE_MODEL, folder, { recursive: true });
    const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
    writeFileSync(join(folder, 'config.json'), JSON.stringify({ ...config, model_type: 'xlnet', architectures: ['XLNetLMHeadModel'] }));
    await expectError(specFor(folder, freshDir('xlnet-cache')), 'NOT_A_MASKED_LM', /"xlnet" model.*not a BERT-style masked language model/);
  });

  test('a BERT without a masked-LM head (BertForSequenceClassification) → NOT_A_MASKED_LM', async () => {
    const folder = freshDir('classifier');
    cpSync(FIXTURE_MODEL, folder, { recursive: true });
    const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
    writeFileSync(join(folder, 'config.json'), JSON.stringify({ ...config, architectures: ['BertForSequenceClassification'] }));
    await expectError(specFor(folder, freshDir('classifier-cache')), 'NOT_A_MASKED_LM', /fill-mask/);
  });

  test('truncated ONNX copy → CORRUPT_MODEL', async () => {
    const folder = freshDir('truncated');
    cpSync(FIXTURE_MODEL, folder, { recursive: true });
    const onnx = readFileSync(join(FIXTURE_MODEL, 'onnx/model.onnx'));
    writeFileSync(join(folder, 'onnx/model.onnx'), onnx.subarray(0, Math.floor(onnx.length * 0.7)));
    await expectError(specFor(folder, freshDir('truncated-cache')), 'CORRUPT_MODEL', /corrupt or truncated/);
  });

  test('an ONNX file that parses but onnxruntime refuses → CORRUPT_MODEL', async () => {
    const folder = freshDir('refused');
    cpSync(FIXTURE_MODEL, folder, { recursive: true });
    // An unknown op type (same length, so the protobuf stays well-formed).
    const onnx = readFileSync(join(FIXTURE_MODEL, 'onnx/model.onnx'));
    const patched = Buffer.from(onnx);
    const needle = Buffer.from('Gather');
    for (let i = patched.indexOf(needle); i >= 0; i = patched.indexOf(needle, i + 1)) patched.write('Gathex', i);
    writeFileSync(join(folder, 'onnx/model.onnx'), patched);
    await expectError(specFor(folder, freshDir('refused-cache')), 'CORRUPT_MODEL', /could not load/);
  });

  test('aborted signal → CANCELLED', async () => {
    const controller = new AbortController();
    controller.abort();
    await expectError(specFor(FIXTURE_MODEL, freshDir('aborted')), 'CANCELLED', /cancelled/, controller.signal);
  });

  test('wasm after the native runtime is in use → BACKEND_UNAVAILABLE; webgpu works or says it is unavailable', async () => {
    const cacheDir = freshDir('backend');
    await (await loadModel(specFor(FIXTURE_MODEL, cacheDir))).dispose();
    await expectError(specFor(FIXTURE_MODEL, cacheDir, { device: 'wasm' }), 'BACKEND_UNAVAILABLE', /before the first model is loaded/);
    try {
      const lm = await loadModel(specFor(FIXTURE_MODEL, cacheDir, { device: 'webgpu' }));
      assert.equal(lm.info.backend, 'webgpu');
      await lm.dispose();
    } catch (e) {
      assert.ok(isContextLensError(e, 'BACKEND_UNAVAILABLE'), String(e));
      assert.match(e.message, /WebGPU is not available/);
    }
  });

  test('device wasm (chosen before the first load, in a fresh process) runs on onnxruntime-web', () => {
    const result = runChild('wasm');
    assert.equal(result.backend, 'wasm');
    assert.equal(result.guess, '果');
    assert.ok(result.outputs.includes('attentions.1') && result.outputs.includes('hidden_states.2'));
    // onnxruntime-web's own default in Node is ceil(cores / 2) threads: one on a 2-core machine.
    assert.equal(result.wasmThreads, Math.min(4, availableParallelism()), 'WASM uses every core (up to 4)');
  });

  test('when the native runtime cannot load, device auto falls back to wasm and says so', () => {
    const preload = join(tempRoot, 'break-native.js');
    writeFileSync(preload, "require('node:module')._extensions['.node'] = () => { throw new Error('simulated: no native binary for this platform'); };\n");
    const result = runChild('native-broken', ['--require', preload]);
    assert.equal(result.backend, 'wasm');
    assert.equal(result.guess, '果');
  });

  // ---------------------------------------------------------------------------------------------
  // Hub ids, from a local server in the Hub's URL layout
  // ---------------------------------------------------------------------------------------------

  let hub: HubServer;
  let hubCacheDir: string;
  const onnxKey = `${HUB_ID}/onnx/model_quantized.onnx`;
  const hubSpec = (cacheDir: string, extra: Partial<ModelSpec> = {}): ModelSpec =>
    specFor(HUB_ID, cacheDir, { dtype: 'q8' as Dtype, remoteHost: hub.url, ...extra });

  before(async () => {
    hub = await startHubServer({ models: { [HUB_ID]: FIXTURE_MODEL } });
    hubCacheDir = freshDir('hub');
  });
  after(async () => {
    await hub.stop();
  });

  test('hub: downloads with progress events and gives a working model', async () => {
    const events: ProgressEvent[] = [];
    const lm = await loadModel(hubSpec(hubCacheDir), { onProgress: (e) => events.push(e) });
    try {
      assert.equal(lm.info.source, 'hub');
      assert.equal(lm.info.model, HUB_ID);
      assert.equal(await topGuessAtMask(lm), '果');
    } finally {
      await lm.dispose();
    }
    const downloads = events.filter((e) => e.phase === 'download');
    const onnxSize = readFileSync(join(FIXTURE_MODEL, 'onnx/model_quantized.onnx')).length;
    const lastOnnx = downloads.filter((e) => e.file === 'onnx/model_quantized.onnx').pop();
    assert.ok(lastOnnx, 'progress for the ONNX file');
    assert.equal(lastOnnx.loaded, onnxSize);
    assert.equal(lastOnnx.total, onnxSize);
    assert.equal(lastOnnx.fraction, 1);
    assert.ok(downloads.some((e) => e.file === 'config.json') && downloads.some((e) => e.file === 'tokenizer.json'));
    assert.equal(hub.downloadCount(onnxKey), 1);
  });

  test('hub: a second load with the same cacheDir makes no request at all', async () => {
    hub.resetCounts();
    const lm = await loadModel(hubSpec(hubCacheDir));
    await lm.dispose();
    assert.equal(hub.requestCount(onnxKey), 0);
    assert.equal(hub.requests.size, 0, [...hub.requests.keys()].join(', '));
  });

  test('hub: a model the Hub does not have → DOWNLOAD_FAILED', async () => {
    await expectError(hubSpec(freshDir('hub-404'), { model: 'test-org/no-such-model' }), 'DOWNLOAD_FAILED', /has no config\.json for test-org\/no-such-model/);
  });

  test('hub: a download cut off mid-file → DOWNLOAD_FAILED, nothing partial kept, a retry succeeds', async () => {
    const cacheDir = freshDir('hub-cut');
    hub.interrupt(onnxKey, 0.5);
    await expectError(hubSpec(cacheDir), 'DOWNLOAD_FAILED', /Downloading test-org\/tiny-bert .*failed/);
    const onnxDir = join(hubCacheDirFor(cacheDir, HUB_ID, 'main'), 'onnx');
    assert.deepEqual(existsSync(onnxDir) ? readdirSync(onnxDir) : [], [], 'no partial or temporary file');
    const lm = await loadModel(hubSpec(cacheDir));
    try {
      assert.equal(await topGuessAtMask(lm), '果');
    } finally {
      await lm.dispose();
    }
    assert.ok(readFileSync(join(onnxDir, 'model_quantized.onnx')).equals(readFileSync(join(FIXTURE_MODEL, 'onnx/model_quantized.onnx'))));
  });

  test('hub: cancelling during the download → CANCELLED', async () => {
    const controller = new AbortController();
    await assert.rejects(
      loadModel(hubSpec(freshDir('hub-cancel')), { signal: controller.signal, onProgress: (e) => e.phase === 'download' && controller.abort() }),
      (e: unknown) => isContextLensError(e, 'CANCELLED'),
    );
  });

  test('hub: with the server down, a cached model loads (offline and online); an uncached one → OFFLINE_NOT_CACHED', async () => {
    await hub.stop();
    for (const offline of [true, false]) {
      const lm = await loadModel(hubSpec(hubCacheDir, { offline }));
      try {
        assert.equal(await topGuessAtMask(lm), '果');
      } finally {
        await lm.dispose();
      }
    }
    await expectError(hubSpec(freshDir('hub-offline'), { offline: true }), 'OFFLINE_NOT_CACHED', /not been downloaded yet.*offline/);
    await expectError(hubSpec(freshDir('hub-down')), 'OFFLINE_NOT_CACHED', /not in the cache and http:\/\/127\.0\.0\.1:\d+\/ cannot be reached/);
  });
}
