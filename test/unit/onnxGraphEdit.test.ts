import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { exposeAttentionsAndHiddenStates, LAYER_LOGITS_OUTPUT, LAYER_POSITIONS_INPUT, MASKED_POSITIONS_INPUT, prepareEditedModelFile, summarizeOnnxModel } from '../../src/engine/onnx';
import { findMaskedLmHead } from '../../src/engine/onnx/head';
import { findTargetsByName, findTargetsByStructure } from '../../src/engine/onnx/targets';
import { isContextLensError } from '../../src/engine/errors';
import { FIXTURE_MODEL, FIXTURE_MODEL_OPSET17, loadReference, maxAbsDiff, type ReferenceText } from './helpers/fixture';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ort = require('onnxruntime-node') as typeof Ort;

const tempRoot = mkdtempSync(join(tmpdir(), 'context-lens-graph-edit-'));
after(() => rmSync(tempRoot, { recursive: true, force: true }));

const FIXTURES = [
  { folder: FIXTURE_MODEL, opset: 14 },
  { folder: FIXTURE_MODEL_OPSET17, opset: 17 },
];
const MASK_TEXT = '我喜欢吃苹[MASK]。';

function feedsFor(rows: number[][], masks?: number[][]): Record<string, Ort.Tensor> {
  const batch = rows.length;
  const n = rows[0].length;
  const flat = (m: number[][]) => BigInt64Array.from(m.flat().map(BigInt));
  return {
    input_ids: new ort.Tensor('int64', flat(rows), [batch, n]),
    attention_mask: new ort.Tensor('int64', flat(masks ?? rows.map((r) => r.map(() => 1))), [batch, n]),
    token_type_ids: new ort.Tensor('int64', new BigInt64Array(batch * n), [batch, n]),
  };
}

/** One forward; a narrowed head is asked for every position (`logitsAt` picks some), so `logits` has the full layout. */
async function run(bytes: Uint8Array, rows: number[][], masks?: number[][], logitsAt?: number[]): Promise<Record<string, Ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const feeds = feedsFor(rows, masks);
    if (session.inputNames.includes(MASKED_POSITIONS_INPUT)) {
      const at = logitsAt ?? Array.from({ length: rows.length * rows[0].length }, (_, i) => i);
      feeds[MASKED_POSITIONS_INPUT] = new ort.Tensor('int64', BigInt64Array.from(at, BigInt), [at.length]);
    }
    // The head's copy over every layer (predictions.test.ts tests it) is not asked for here.
    if (session.inputNames.includes(LAYER_POSITIONS_INPUT)) feeds[LAYER_POSITIONS_INPUT] = new ort.Tensor('int64', new BigInt64Array(0), [0]);
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

const f32 = (t: Ort.Tensor): Float32Array => {
  assert.equal(t.type, 'float32');
  return t.data as Float32Array;
};

function assertMatchesReference(out: Record<string, Ort.Tensor>, ref: ReferenceText, numLayers: number, numHeads: number, hidden: number, label: string): void {
  const T = ref.input_ids.length;
  assert.ok(maxAbsDiff(f32(out.logits), ref.logits) <= 1e-4, `${label}: logits`);
  for (let l = 0; l < numLayers; l++) {
    const expected = ref.attentions.subarray(l * numHeads * T * T, (l + 1) * numHeads * T * T);
    assert.deepEqual(out[`attentions.${l}`].dims, [1, numHeads, T, T]);
    assert.ok(maxAbsDiff(f32(out[`attentions.${l}`]), expected) <= 1e-4, `${label}: attentions.${l}`);
  }
  for (let i = 0; i <= numLayers; i++) {
    const expected = ref.hidden_states.subarray(i * T * hidden, (i + 1) * T * hidden);
    assert.deepEqual(out[`hidden_states.${i}`].dims, [1, T, hidden]);
    assert.ok(maxAbsDiff(f32(out[`hidden_states.${i}`]), expected) <= 1e-4, `${label}: hidden_states.${i}`);
  }
}

function assertRowsSumToOne(t: Ort.Tensor, label: string): void {
  const data = f32(t);
  const n = t.dims[t.dims.length - 1];
  for (let r = 0; r < data.length / n; r++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += data[r * n + j];
    assert.ok(Math.abs(sum - 1) <= 1e-5, `${label}: row ${r} sums to ${sum}`);
  }
}

for (const { folder, opset } of FIXTURES) {
  const reference = loadReference(folder);
  const { numLayers, numHeads, hiddenSize } = reference;

  test(`opset ${opset} fp32: the edited graph gives torch's logits, attentions and hidden states (≤ 1e-4)`, async () => {
    const original = readFileSync(join(folder, 'onnx/model.onnx'));
    const edited = exposeAttentionsAndHiddenStates(original);
    assert.equal(edited.opset, opset);
    assert.deepEqual(edited.attentionOutputs, ['attentions.0', 'attentions.1']);
    assert.deepEqual(edited.hiddenStateOutputs, ['hidden_states.0', 'hidden_states.1', 'hidden_states.2']);
    // Written again around the graph: the exposed tensors are renamed where they are made (no copies),
    // the head reads the hidden state at the asked positions; every original node and initializer is
    // still there, and the size changes by a few hundred bytes.
    assert.equal(edited.maskedPositionsInput, MASKED_POSITIONS_INPUT);
    const before = summarizeOnnxModel(original);
    const after = summarizeOnnxModel(edited.bytes);
    // No new initializer: the head's copy shares its weights.
    assert.deepEqual(after.initializerNames, before.initializerNames);
    assert.deepEqual(after.nodes.slice(0, before.nodes.length).map((n) => n.name), before.nodes.map((n) => n.name));
    const added = after.nodes.slice(before.nodes.length).map((n) => n.opType);
    const headOps = findMaskedLmHead(before, findTargetsByName(before.nodes)!.hiddenStates[numLayers])!.nodes.map((i) => before.nodes[i].opType);
    const flattenGather = [...Array(numLayers).fill('Flatten'), ...Array(numLayers + 1).fill('Gather'), 'Concat'];
    assert.deepEqual(added, ['Flatten', 'Gather', 'Softmax', ...flattenGather, ...headOps], 'no Identity copies; the head\'s softmax; the head copied once for every layer');
    const produced = new Set(after.nodes.flatMap((n) => n.outputs));
    for (const name of [...edited.attentionOutputs, ...edited.hiddenStateOutputs]) assert.ok(produced.has(name), `${name} is made by the node that computes it`);
    assert.deepEqual(after.inputNames, [...before.inputNames, MASKED_POSITIONS_INPUT, LAYER_POSITIONS_INPUT]);
    assert.ok(after.outputNames.includes(LAYER_LOGITS_OUTPUT));
    const change = edited.bytes.length - original.length;
    assert.ok(Math.abs(change) < 8192, `size changed by ${change} bytes`);

    for (const ref of reference.texts) {
      const out = await run(edited.bytes, [ref.input_ids]);
      assertMatchesReference(out, ref, numLayers, numHeads, hiddenSize, `${ref.text} (opset ${opset})`);
      for (const name of edited.attentionOutputs) assertRowsSumToOne(out[name], name);
    }
  });

  test(`opset ${opset} q8: LayerNorm outputs are the float results, not the quantizer's; 苹[MASK] → 果`, async () => {
    const original = readFileSync(join(folder, 'onnx/model_quantized.onnx'));
    const summary = summarizeOnnxModel(original);
    // The trap this guards against is really in the fixture: a quantizer inside a LayerNorm name scope.
    assert.ok(
      summary.nodes.some((n) => /\/output\/LayerNorm\//.test(n.name) && n.opType.includes('QuantizeLinear')),
      'the quantized fixture has a QuantizeLinear node in an output/LayerNorm scope',
    );
    const edited = exposeAttentionsAndHiddenStates(original);
    const ref = reference.texts.find((t) => t.text === MASK_TEXT);
    assert.ok(ref, 'reference has the [MASK] sentence');
    const T = ref.input_ids.length;
    const out = await run(edited.bytes, [ref.input_ids]);
    for (let l = 0; l < numLayers; l++) {
      assert.deepEqual(out[`attentions.${l}`].dims, [1, numHeads, T, T]);
      assertRowsSumToOne(out[`attentions.${l}`], `q8 attentions.${l}`);
    }
    for (let i = 0; i <= numLayers; i++) {
      assert.deepEqual(out[`hidden_states.${i}`].dims, [1, T, hiddenSize]);
      f32(out[`hidden_states.${i}`]);
    }
    const maskPos = ref.tokens.indexOf('[MASK]');
    const vocab = reference.vocabSize;
    const row = f32(out.logits).subarray(maskPos * vocab, (maskPos + 1) * vocab);
    const best = row.indexOf(Math.max(...row));
    const guo = JSON.parse(readFileSync(join(folder, 'tokenizer.json'), 'utf8')).model.vocab['果'];
    assert.equal(best, guo, 'top-1 at [MASK] is 果');
  });
}

test('narrowed head: logits only at the asked positions, equal to torch\'s rows, across a batch (fp32 and q8)', async () => {
  const reference = loadReference();
  const vocab = reference.vocabSize;
  const [a, b] = [...reference.texts].filter((t) => t.input_ids.length === reference.texts[0].input_ids.length).concat(reference.texts).slice(0, 2);
  const n = a.input_ids.length;
  const rows = [a.input_ids, b.input_ids.length === n ? b.input_ids : a.input_ids];
  const second = rows[1] === a.input_ids ? a : b;
  const asked = [1, n + n - 2, 0]; // row 0 position 1, row 1 position n-2, row 0 [CLS]
  const edited = exposeAttentionsAndHiddenStates(readFileSync(join(FIXTURE_MODEL, 'onnx/model.onnx')));
  const out = await run(edited.bytes, rows, undefined, asked);
  assert.deepEqual(out.logits.dims, [asked.length, vocab]);
  const expectedRow = (ref: ReferenceText, pos: number) => ref.logits.subarray(pos * vocab, (pos + 1) * vocab);
  const got = f32(out.logits);
  assert.ok(maxAbsDiff(got.subarray(0, vocab), expectedRow(a, 1)) <= 1e-4, 'row 0, position 1');
  assert.ok(maxAbsDiff(got.subarray(vocab, 2 * vocab), expectedRow(second, n - 2)) <= 1e-4, 'row 1, position n-2');
  assert.ok(maxAbsDiff(got.subarray(2 * vocab, 3 * vocab), expectedRow(a, 0)) <= 1e-4, 'row 0, [CLS]');
  // Hidden states are untouched by the narrowing.
  assert.deepEqual(out[`hidden_states.${reference.numLayers}`].dims, [2, n, reference.hiddenSize]);

  // q8: the [MASK] row alone still guesses 果.
  const q8 = exposeAttentionsAndHiddenStates(readFileSync(join(FIXTURE_MODEL, 'onnx/model_quantized.onnx')));
  assert.equal(q8.maskedPositionsInput, MASKED_POSITIONS_INPUT);
  const ref = reference.texts.find((t) => t.text === MASK_TEXT)!;
  const q8out = await run(q8.bytes, [ref.input_ids], undefined, [ref.tokens.indexOf('[MASK]')]);
  const row = f32(q8out.logits);
  assert.equal(row.length, vocab);
  const guo = JSON.parse(readFileSync(join(FIXTURE_MODEL, 'tokenizer.json'), 'utf8')).model.vocab['果'];
  assert.equal(row.indexOf(Math.max(...row)), guo);
});

test('the head to narrow: per-position nodes after the last hidden state, constants folded in; anything else is left alone', () => {
  const node = (opType: string, inputs: string[], outputs: string[]) => ({ name: `${opType}_${outputs[0]}`, opType, inputs, outputs });
  const graph = (nodes: ReturnType<typeof node>[], outputNames = ['logits']) => ({ nodes, outputNames, inputNames: ['input_ids'], initializerNames: new Set(['w_dense', 'ln_w', 'w_dec', 'bias']), opset: 14 });
  const encoder = node('Add', ['input_ids', 'bias'], ['h']);
  const head = [
    node('Identity', ['ln_w'], ['ln_w_dup']), // torch's exporter dedupes equal initializers this way
    node('MatMul', ['h', 'w_dense'], ['d']),
    node('Mul', ['d', 'ln_w_dup'], ['n']),
    node('Constant', [], ['c']),
    node('Add', ['n', 'c'], ['m']),
    node('MatMul', ['m', 'w_dec'], ['logits']),
  ];
  const found = findMaskedLmHead(graph([encoder, ...head]), 'h');
  assert.deepEqual(found && { readers: [...found.readers], output: found.output }, { readers: [2], output: 'logits' });
  // A pooler beside the head (a second output), or an activation from elsewhere: not a per-position head.
  assert.equal(findMaskedLmHead(graph([encoder, ...head, node('Tanh', ['h'], ['pooled'])], ['logits', 'pooled']), 'h'), undefined);
  assert.equal(findMaskedLmHead(graph([encoder, ...head.slice(0, 5), node('MatMul', ['m', 'input_ids'], ['logits'])]), 'h'), undefined);
});

test('a model the head rewrite does not take (two graph fields) gets the appended exposures and full logits', async () => {
  const reference = loadReference();
  const original = readFileSync(join(FIXTURE_MODEL, 'onnx/model.onnx'));
  // An empty second ModelProto.graph field: protobuf merges it into nothing, but the file is no longer one
  // graph field, which the field-by-field rewrite refuses.
  const twoGraphs = Buffer.concat([original, Buffer.from([(7 << 3) | 2, 0])]);
  const edited = exposeAttentionsAndHiddenStates(twoGraphs);
  assert.equal(edited.maskedPositionsInput, undefined, 'no narrowed head');
  assert.ok(Buffer.from(edited.bytes.subarray(0, twoGraphs.length)).equals(twoGraphs), 'appended: the input bytes are a prefix');
  const ref = reference.texts[0];
  const out = await run(edited.bytes, [ref.input_ids]);
  assertMatchesReference(out, ref, reference.numLayers, reference.numHeads, reference.hiddenSize, 'appended edit');
  assert.deepEqual(out.logits.dims, [1, ref.input_ids.length, reference.vocabSize], 'logits at every position');
});

test('padded batch: padded key columns get zero attention, real positions are unchanged', async () => {
  const reference = loadReference();
  const [long, short] = [...reference.texts].sort((a, b) => b.input_ids.length - a.input_ids.length);
  const n = long.input_ids.length;
  const m = short.input_ids.length;
  assert.ok(m < n, 'two texts of different length');
  const edited = exposeAttentionsAndHiddenStates(readFileSync(join(FIXTURE_MODEL, 'onnx/model.onnx')));
  const rows = [long.input_ids, [...short.input_ids, ...Array(n - m).fill(0)]];
  const masks = [Array(n).fill(1), [...Array(m).fill(1), ...Array(n - m).fill(0)]];
  const out = await run(edited.bytes, rows, masks);
  const { numHeads, hiddenSize } = reference;
  for (const name of edited.attentionOutputs) {
    const data = f32(out[name]);
    assertRowsSumToOne(out[name], name);
    for (let h = 0; h < numHeads; h++) {
      for (let q = 0; q < n; q++) {
        for (let k = m; k < n; k++) {
          const a = data[(((1 * numHeads + h) * n + q) * n) + k];
          assert.ok(a <= 1e-7, `${name} head ${h} query ${q} → padded key ${k}: ${a}`);
        }
      }
    }
  }
  // The shorter text's real tokens see exactly what they see unpadded.
  const last = f32(out[`hidden_states.${reference.numLayers}`]).subarray(n * hiddenSize, (n + m) * hiddenSize);
  const expected = short.hidden_states.subarray(reference.numLayers * m * hiddenSize, (reference.numLayers + 1) * m * hiddenSize);
  assert.ok(maxAbsDiff(last, expected) <= 1e-4);
});

/** Same-length byte replacement keeps the protobuf valid while renaming nodes and tensors everywhere. */
function replaceAll(bytes: Uint8Array, from: string, to: string): Buffer {
  assert.equal(from.length, to.length);
  const out = Buffer.from(bytes);
  const needle = Buffer.from(from);
  for (let i = out.indexOf(needle); i >= 0; i = out.indexOf(needle, i + 1)) out.write(to, i);
  return out;
}

test('a graph with other node names is matched by structure and gives the same outputs', async () => {
  const reference = loadReference();
  const original = readFileSync(join(FIXTURE_MODEL, 'onnx/model.onnx'));
  const renamed = replaceAll(replaceAll(replaceAll(original, 'layer.', 'block.'), 'LayerNorm', 'NormLayer'), 'embeddings', 'embeddingz');
  const summary = summarizeOnnxModel(renamed);
  assert.equal(findTargetsByName(summary.nodes), undefined, 'names no longer match');
  const structural = findTargetsByStructure(summary);
  assert.equal(structural?.method, 'structure');

  // On the original names both matchers agree.
  const originalSummary = summarizeOnnxModel(original);
  const byName = findTargetsByName(originalSummary.nodes);
  const byStructure = findTargetsByStructure(originalSummary);
  assert.deepEqual(byName?.attentions, byStructure?.attentions);
  assert.deepEqual(byName?.hiddenStates, byStructure?.hiddenStates);

  const edited = exposeAttentionsAndHiddenStates(renamed);
  const ref = reference.texts[0];
  const out = await run(edited.bytes, [ref.input_ids]);
  assertMatchesReference(out, ref, reference.numLayers, reference.numHeads, reference.hiddenSize, 'renamed graph');
});

test('editing an edited model changes nothing', () => {
  const once = exposeAttentionsAndHiddenStates(readFileSync(join(FIXTURE_MODEL, 'onnx/model.onnx')));
  const twice = exposeAttentionsAndHiddenStates(once.bytes);
  assert.equal(twice.bytes.length, once.bytes.length);
  assert.deepEqual(twice.attentionOutputs, once.attentionOutputs);
});

test('truncated or non-ONNX bytes → CORRUPT_MODEL with a plain message', () => {
  const original = readFileSync(join(FIXTURE_MODEL, 'onnx/model.onnx'));
  const cuts = [0, 1, 7, 100, Math.floor(original.length / 2), original.length - 1];
  for (const cut of cuts) {
    assert.throws(
      () => exposeAttentionsAndHiddenStates(original.subarray(0, cut), 'model.onnx'),
      (e: unknown) => isContextLensError(e, 'CORRUPT_MODEL') && /model\.onnx is corrupt or truncated/.test(e.message),
      `cut at ${cut}`,
    );
  }
  assert.throws(() => exposeAttentionsAndHiddenStates(Buffer.from('{"not": "onnx"}')), (e: unknown) => isContextLensError(e, 'CORRUPT_MODEL'));
});

// Minimal protobuf writer for hand-built test models.
const varint = (v: number): number[] => {
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  return [...out, v];
};
const field = (n: number, payload: Uint8Array | string): Buffer => {
  const p = typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload);
  return Buffer.concat([Buffer.from(varint((n << 3) | 2)), Buffer.from(varint(p.length)), p]);
};

test('a valid graph without attention → NOT_A_MASKED_LM; an empty graph → CORRUPT_MODEL', () => {
  const node = field(1, Buffer.concat([field(1, 'x'), field(2, 'y'), field(3, 'relu'), field(4, 'Relu')]));
  const opset = field(8, Buffer.concat([field(1, ''), Buffer.from([0x10, 14])]));
  const noAttention = Buffer.concat([Buffer.from([0x08, 7]), field(7, Buffer.concat([node, field(2, 'g')])), opset]);
  assert.throws(
    () => exposeAttentionsAndHiddenStates(noAttention),
    (e: unknown) => isContextLensError(e, 'NOT_A_MASKED_LM') && /no attention layers/.test(e.message),
  );
  const emptyGraph = Buffer.concat([Buffer.from([0x08, 7]), field(7, field(2, 'g')), opset]);
  assert.throws(() => exposeAttentionsAndHiddenStates(emptyGraph), (e: unknown) => isContextLensError(e, 'CORRUPT_MODEL'));
});

test('prepareEditedModelFile caches the edit by source content and redoes it when the source changes', async () => {
  const dir = mkdtempSync(join(tempRoot, 'prepare-'));
  const source = join(dir, 'model.onnx');
  const dest = join(dir, 'prepared/onnx/model_attn.onnx');
  const cacheDir = join(dir, 'edits');
  copyFileSync(join(FIXTURE_MODEL, 'onnx/model.onnx'), source);

  const first = await prepareEditedModelFile(source, dest, cacheDir);
  assert.equal(first.cached, false);
  assert.deepEqual(first.attentionOutputs, ['attentions.0', 'attentions.1']);
  assert.deepEqual(first.hiddenStateOutputs, ['hidden_states.0', 'hidden_states.1', 'hidden_states.2']);
  const expected = exposeAttentionsAndHiddenStates(readFileSync(source)).bytes;
  assert.ok(readFileSync(dest).equals(Buffer.from(expected)));

  const second = await prepareEditedModelFile(source, dest, cacheDir);
  assert.equal(second.cached, true);
  assert.equal(second.sourceHashed, false, 'an untouched source is not read again');
  assert.equal(second.sourceSha256, first.sourceSha256);
  assert.deepEqual(second.attentionOutputs, first.attentionOutputs);
  assert.deepEqual(second.maskedPositionsInput, first.maskedPositionsInput);

  // Touched but the same bytes: hashed again, and the edit is still reused.
  const later = new Date(Date.now() + 5000);
  utimesSync(source, later, later);
  const touched = await prepareEditedModelFile(source, dest, cacheDir);
  assert.deepEqual([touched.cached, touched.sourceHashed, touched.sourceSha256], [true, true, first.sourceSha256]);
  assert.equal((await prepareEditedModelFile(source, dest, cacheDir)).sourceHashed, false);

  copyFileSync(join(FIXTURE_MODEL, 'onnx/model_quantized.onnx'), source);
  const changed = await prepareEditedModelFile(source, dest, cacheDir);
  assert.equal(changed.cached, false);
  assert.notEqual(changed.sourceSha256, first.sourceSha256);
  assert.ok(readFileSync(dest).equals(Buffer.from(exposeAttentionsAndHiddenStates(readFileSync(source)).bytes)));

  // Back to the first content: its old record must not be trusted, the file at dest was overwritten since.
  copyFileSync(join(FIXTURE_MODEL, 'onnx/model.onnx'), source);
  const reverted = await prepareEditedModelFile(source, dest, cacheDir);
  assert.equal(reverted.cached, false);
  assert.ok(readFileSync(dest).equals(Buffer.from(expected)));
  assert.equal((await prepareEditedModelFile(source, dest, cacheDir)).cached, true);
});

test('prepareEditedModelFile on a truncated file → CORRUPT_MODEL naming the file, nothing written', async () => {
  const dir = mkdtempSync(join(tempRoot, 'truncated-'));
  const source = join(dir, 'model.onnx');
  const original = readFileSync(join(FIXTURE_MODEL, 'onnx/model.onnx'));
  writeFileSync(source, original.subarray(0, Math.floor(original.length * 0.6)));
  const dest = join(dir, 'out/model_attn.onnx');
  await assert.rejects(prepareEditedModelFile(source, dest, join(dir, 'edits')), (e: unknown) => {
    return isContextLensError(e, 'CORRUPT_MODEL') && e.message.includes(source);
  });
  assert.throws(() => readFileSync(dest));
});
