// Issue 13: optimum's merged decoder (the blocks inside an If on use_cache_branch) through the engine. The
// edit inlines the If's no-cache branch (src/engine/onnx/merged.ts); the fixture test/fixtures/tiny-gpt2-merged
// has the weights of tiny-gpt2, so its analysis must equal torch's reference for tiny-gpt2 and the unmerged
// fixture's analysis.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { isContextLensError } from '../../src/engine/errors';
import { exposeDecoderOutputs, summarizeOnnxModel } from '../../src/engine/onnx';
import { ELEM_TYPE_FLOAT, GRAPH_INITIALIZER, GRAPH_INPUT, GRAPH_NODE, GRAPH_OUTPUT, MODEL_GRAPH, MODEL_OPSET_IMPORT, NODE_ATTRIBUTE, OPSET_VERSION, TENSOR_NAME } from '../../src/engine/onnx/fields';
import { nodeField, valueInfoField } from '../../src/engine/onnx/graphFields';
import { inlineNoCacheBranch } from '../../src/engine/onnx/merged';
import { concatBytes, messageField, stringField, varintField } from '../../src/engine/onnx/wire';
import { AnalysisSession } from '../../src/engine/session';
import type { Analysis } from '../../src/engine/types';
import { maxAbsDiff } from './helpers/fixture';
import { GPT2_FIXTURE, GPT2_MERGED_FIXTURE, loadGpt2Reference } from './helpers/gpt2Reference';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ort = require('onnxruntime-node') as typeof Ort;

const ref = loadGpt2Reference();
const V = ref.vocabSize;
const L = ref.numLayers;
const H = ref.hiddenSize;
const TOL = 1e-4;

const cacheDir = mkdtempSync(join(tmpdir(), 'context-lens-merged-'));
const merged = new AnalysisSession();
const plain = new AnalysisSession();
before(async () => {
  await merged.load({ model: GPT2_MERGED_FIXTURE, dtype: 'fp32', device: 'cpu', cacheDir });
  await plain.load({ model: GPT2_FIXTURE, dtype: 'fp32', device: 'cpu', cacheDir });
});
after(async () => {
  await merged.dispose();
  await plain.dispose();
  rmSync(cacheDir, { recursive: true, force: true });
});

async function analyzed(session: AnalysisSession, text: string): Promise<Analysis> {
  return session.get((await session.analyze(text, 5)).analysisId);
}

/** torch's next-token distribution at position t (float64 softmax of the reference logits). */
function torchProbabilities(logits: Float32Array, t: number): number[] {
  const x = Array.from(logits.subarray(t * V, (t + 1) * V));
  const max = Math.max(...x);
  const e = x.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

test('the decoder edit inlines the merged decoder\'s no-cache branch: no If left, use_cache_branch gone, pasts kept, every output exposed', () => {
  const source = readFileSync(join(GPT2_MERGED_FIXTURE, 'onnx/model.onnx'));
  assert.ok(summarizeOnnxModel(source).nodes.every((n) => n.opType === 'If'), 'the fixture is merged');
  const edited = exposeDecoderOutputs(source);
  assert.deepEqual(edited.attentionOutputs, Array.from({ length: L }, (_, l) => `attentions.${l}`));
  assert.deepEqual(edited.hiddenStateOutputs, Array.from({ length: L + 1 }, (_, l) => `hidden_states.${l}`));
  assert.ok(edited.maskedPositionsInput && edited.layerPositionsInput, 'lm_head narrowed and the lens added');
  const graph = summarizeOnnxModel(edited.bytes);
  assert.ok(!graph.nodes.some((n) => n.opType === 'If'));
  assert.ok(!graph.inputNames.includes('use_cache_branch'));
  for (const name of ['input_ids', 'position_ids', 'past_key_values.0.key']) assert.ok(graph.inputNames.includes(name), name);
  for (const name of ['present.0.key', `present.${L - 1}.value`]) assert.ok(graph.outputNames.includes(name), name);
  // The same graph as the unmerged fixture's edit.
  const unmerged = summarizeOnnxModel(exposeDecoderOutputs(readFileSync(join(GPT2_FIXTURE, 'onnx/model.onnx'))).bytes);
  assert.deepEqual(graph.nodes, unmerged.nodes);
  assert.deepEqual(new Set(graph.outputNames), new Set(unmerged.outputNames));
  assert.equal(exposeDecoderOutputs(edited.bytes).bytes, edited.bytes, 'editing the edited file changes nothing');
});

/** y = If(use_cache_branch) then x else x + c: the else branch has its own initializer c and returns under another name. */
function tinyMergedModel(elseBranchBytes?: Uint8Array): Uint8Array {
  const c = messageField(
    GRAPH_INITIALIZER,
    concatBytes([varintField(1, 2), varintField(2, ELEM_TYPE_FLOAT), messageField(4, new Uint8Array(new Float32Array([10, 20]).buffer)), stringField(TENSOR_NAME, 'c')]),
  );
  const branch = (name: string, nodes: Uint8Array[], output: string, extra: Uint8Array[] = []) =>
    concatBytes([...nodes, stringField(2, name), ...extra, valueInfoField(GRAPH_OUTPUT, output, ELEM_TYPE_FLOAT)]);
  const graphAttribute = (name: string, graph: Uint8Array) => messageField(NODE_ATTRIBUTE, concatBytes([stringField(1, name), messageField(6, graph), varintField(20, 5)]));
  const thenBranch = branch('with_past', [nodeField('Identity', 'copy', ['x'], ['with_past_y'])], 'with_past_y');
  const elseBranch = branch('first_step', [nodeField('Add', 'add', ['x', 'c'], ['first_step_y'])], 'first_step_y', [c]);
  const ifNode = messageField(GRAPH_NODE, concatBytes([stringField(1, 'use_cache_branch'), stringField(2, 'y'), stringField(3, 'optimum::if'), stringField(4, 'If'), graphAttribute('then_branch', thenBranch), graphAttribute('else_branch', elseBranchBytes ?? elseBranch)]));
  const graph = concatBytes([ifNode, stringField(2, 'merged'), valueInfoField(GRAPH_INPUT, 'x', ELEM_TYPE_FLOAT, ['two']), valueInfoField(GRAPH_INPUT, 'use_cache_branch', 9, ['one']), valueInfoField(GRAPH_OUTPUT, 'y', ELEM_TYPE_FLOAT)]);
  return concatBytes([varintField(1, 8), messageField(MODEL_GRAPH, graph), messageField(MODEL_OPSET_IMPORT, varintField(OPSET_VERSION, 14))]);
}

test('inlining runs the else branch (use_cache_branch false), moves its initializer up and renames its output to the If\'s', async () => {
  const source = tinyMergedModel();
  const original = await ort.InferenceSession.create(source);
  const x = new ort.Tensor('float32', Float32Array.of(1, 2), [2]);
  const ran = await original.run({ x, use_cache_branch: new ort.Tensor('bool', [false], [1]) });
  const flat = inlineNoCacheBranch(source, summarizeOnnxModel(source))!;
  const graph = summarizeOnnxModel(flat);
  assert.deepEqual(graph.nodes.map((n) => [n.opType, n.outputs]), [['Add', ['y']]]);
  assert.deepEqual(graph.inputNames, ['x']);
  assert.ok(graph.initializerNames.has('c'));
  const inlined = await ort.InferenceSession.create(flat);
  const out = await inlined.run({ x });
  assert.deepEqual(Array.from(out.y.data as Float32Array), [11, 22]);
  assert.deepEqual(Array.from(out.y.data as Float32Array), Array.from(ran.y.data as Float32Array));
  // Bytes that are not a graph where the else branch should be: CORRUPT_MODEL, not a crash.
  assert.throws(() => exposeDecoderOutputs(tinyMergedModel(Uint8Array.of(0xff)), 'merged.onnx'), (e: unknown) => isContextLensError(e, 'CORRUPT_MODEL') && /merged\.onnx/.test(e.message));
  // A plain graph is left alone.
  const plainGraph = readFileSync(join(GPT2_FIXTURE, 'onnx/model.onnx'));
  assert.equal(inlineNoCacheBranch(plainGraph, summarizeOnnxModel(plainGraph)), undefined);
});

test('merged fp32: kind causal, attentions available, next-token top-k and token probabilities equal torch (≤ 1e-4) and the unmerged fixture', async () => {
  assert.equal(merged.model.info.kind, 'causal');
  assert.notEqual(merged.model.info.attentionAvailable, false);
  assert.equal(merged.model.info.numLayers, L);
  for (const r of ref.texts) {
    const a = await analyzed(merged, r.text);
    const b = await analyzed(plain, r.text);
    assert.deepEqual(a.tokens.map((t) => t.id), r.input_ids, r.text);
    const T = r.input_ids.length;
    for (let t = 0; t < T; t++) {
      const probs = torchProbabilities(r.logits, t);
      assert.deepEqual(a.next![t].map((g) => g.id), b.next![t].map((g) => g.id), `${r.text} next[${t}] as unmerged`);
      for (const g of a.next![t]) assert.ok(Math.abs(g.probability - probs[g.id]) <= TOL, `${r.text} next[${t}] p(${g.token})`);
      assert.ok(a.next![t].every((g, k) => k === 0 || a.next![t][k - 1].probability >= g.probability), 'top-k in order');
      assert.equal(a.next![t][0].id, probs.indexOf(Math.max(...probs)), `${r.text} next[${t}] top`);
      const p = a.tokenProbabilities![t];
      if (t === 0) assert.equal(p, null);
      else {
        assert.ok(Math.abs(p!.probability - torchProbabilities(r.logits, t - 1)[r.input_ids[t]]) <= TOL, `${r.text} p(token ${t})`);
        assert.equal(p!.rank, b.tokenProbabilities![t]!.rank);
      }
    }
  }
});

test('merged fp32: attentions (causal, rows sum to 1) and hidden states equal torch (≤ 1e-4) and the unmerged fixture', async () => {
  const heads = ref.numHeads;
  for (const r of ref.texts) {
    const a = await analyzed(merged, r.text);
    const b = await analyzed(plain, r.text);
    const T = r.input_ids.length;
    a.windows[0].attentions.forEach((layer, l) => {
      assert.ok(maxAbsDiff(layer, r.attentions.subarray(l * heads * T * T, (l + 1) * heads * T * T)) <= TOL, `${r.text} attention ${l}`);
      assert.ok(maxAbsDiff(layer, b.windows[0].attentions[l]) <= 1e-6, `${r.text} attention ${l} as unmerged`);
      for (let row = 0; row < heads * T; row++) {
        const i = row % T;
        const weights = layer.subarray(row * T, (row + 1) * T);
        assert.ok(weights.subarray(i + 1).every((w) => w === 0), `${r.text} layer ${l}: ${i} sees no later token`);
        assert.ok(Math.abs(weights.reduce((s, w) => s + w, 0) - 1) < 1e-5);
      }
    });
    for (let l = 0; l < L; l++) assert.ok(maxAbsDiff(a.hiddenStates[l], r.hidden_states.subarray(l * T * H, (l + 1) * T * H)) <= TOL, `${r.text} hidden ${l}`);
    assert.ok(maxAbsDiff(a.hiddenStates[L], r.final_hidden) <= TOL, `${r.text} hidden ${L} = ln_f(last block)`);
    a.hiddenStates.forEach((h, l) => assert.ok(maxAbsDiff(h, b.hiddenStates[l]) <= 1e-6, `${r.text} hidden ${l} as unmerged`));
  }
});

test('merged fp32: the logit lens equals torch\'s at every layer and the unmerged fixture\'s', async () => {
  for (const r of ref.texts) {
    const tokens = (await analyzed(merged, r.text)).tokens;
    for (const [t, tok] of tokens.entries()) {
      // Byte tokens of one character share its range, and an offset there names the last of them.
      if (tokens.some((o) => o !== tok && o.start === tok.start && o.index > tok.index) || tok.end === tok.start) continue;
      const lens = (await merged.layerGuesses(r.text, tok.start, 5))!;
      const unmerged = (await plain.layerGuesses(r.text, tok.start, 5))!;
      assert.equal(lens.layers.length, L + 1);
      lens.layers.forEach((row, l) => {
        assert.deepEqual(row.guesses.map((g) => g.id), r.lens[l].ids[t], `${r.text} token ${t} layer ${l}`);
        row.guesses.forEach((g, k) => assert.ok(Math.abs(g.probability - r.lens[l].probs[t][k]) <= TOL, `${r.text} token ${t} layer ${l}: p`));
        assert.equal(row.finalRank, r.lens_rank[l][t] + 1);
        assert.deepEqual(row.guesses.map((g) => g.id), unmerged.layers[l].guesses.map((g) => g.id));
      });
    }
  }
});
