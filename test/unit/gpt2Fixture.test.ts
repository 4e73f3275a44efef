/**
 * The tiny GPT-2 fixture (test/fixtures/tiny-gpt2, scripts/make_gpt2_model.py) agrees with the torch
 * reference committed beside it: transformers.js loads it as a GPT-2 (tokenizer and causal LM), its ids are
 * the generator's BPE ids and the Hugging Face `tokenizers` (Rust) ids, its logits are torch's, and the
 * optimum signature works both with empty pasts and with a real cache. The engine's own tests check its
 * attentions, hidden states and lens outputs against the same reference.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync, statSync, readdirSync } from 'node:fs';
import type * as Ort from 'onnxruntime-node';
import type { PreTrainedModel, PreTrainedTokenizer, Tensor } from '@huggingface/transformers';
import { GPT2_FIXTURE, loadGpt2Reference } from './helpers/gpt2Reference';
import { maxAbsDiff } from './helpers/fixture';
import { causalSpaceWords, causalTextOf } from '../../bench/causalBenchModel';
import { withAppendedExposures } from '../../src/engine/onnx/rewrite';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AutoModelForCausalLM, AutoTokenizer, env } = require('@huggingface/transformers') as typeof import('@huggingface/transformers');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Tokenizer: ReferenceTokenizer } = require('tokenizers') as typeof import('tokenizers');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ort = require('onnxruntime-node') as typeof Ort;
env.allowRemoteModels = false;
env.allowLocalModels = true;

const reference = loadGpt2Reference();
const L = reference.numLayers;
const headDim = reference.hiddenSize / reference.numHeads;
let tokenizer: PreTrainedTokenizer;
let model: PreTrainedModel;

before(async () => {
  tokenizer = await AutoTokenizer.from_pretrained(GPT2_FIXTURE);
  model = await AutoModelForCausalLM.from_pretrained(GPT2_FIXTURE, { dtype: 'fp32', device: 'cpu' });
});
after(async () => {
  await model?.dispose();
});

const idsOf = (text: string): number[] => Array.from(tokenizer.encode(text));

async function logitsOf(m: PreTrainedModel, ids: number[]): Promise<Float32Array> {
  const inputs = tokenizer(tokenizer.decode(ids)) as { input_ids: Tensor; attention_mask: Tensor };
  assert.deepEqual(Array.from(inputs.input_ids.data as BigInt64Array, Number), ids, 'the ids round-trip through decode');
  const out = (await m(inputs)) as { logits: Tensor };
  assert.deepEqual(out.logits.dims, [1, ids.length, reference.vocabSize]);
  return out.logits.data as Float32Array;
}

test('the folder is under 2 MB and has the Hub layout of a GPT-2 transformers.js can load', () => {
  const size = (dir: string): number => readdirSync(dir, { withFileTypes: true }).reduce((s, e) => s + (e.isDirectory() ? size(join(dir, e.name)) : statSync(join(dir, e.name)).size), 0);
  assert.ok(size(GPT2_FIXTURE) < 2 * 1024 * 1024, `${size(GPT2_FIXTURE)} bytes`);
  assert.equal(model.config.model_type, 'gpt2');
  assert.equal(model.constructor.name, 'GPT2LMHeadModel');
  const session = (model as unknown as { sessions: Record<string, Ort.InferenceSession> }).sessions.model;
  const pasts = Array.from({ length: L }, (_, i) => [`past_key_values.${i}.key`, `past_key_values.${i}.value`]).flat();
  assert.deepEqual([...session.inputNames].sort(), ['attention_mask', 'input_ids', 'position_ids', ...pasts].sort());
  assert.deepEqual([...session.outputNames].sort(), ['logits', ...pasts.map((n) => n.replace('past_key_values', 'present'))].sort());
});

test('transformers.js and HF tokenizers (Rust) give the generator\'s ids for the tricky texts, byte-split CJK and emoji', async () => {
  const rust = ReferenceTokenizer.fromFile(join(GPT2_FIXTURE, 'tokenizer.json'));
  const cases = [...reference.tokenizerCases, ...reference.texts.map((t) => ({ text: t.text, ids: t.input_ids }))];
  for (const { text, ids } of cases) {
    assert.deepEqual(idsOf(text), ids, `transformers.js ids for ${JSON.stringify(text)}`);
    const enc = await rust.encode(text, null, { addSpecialTokens: true });
    assert.deepEqual(enc.getIds(), ids, `HF tokenizers ids for ${JSON.stringify(text)}`);
    if (ids.length) assert.equal(tokenizer.decode(ids), text, `decode round-trips ${JSON.stringify(text)}`);
  }
  // The fixture has what the engine must handle: characters spread over several byte tokens, whole ones,
  // a leading-space marker on a CJK character, and no token that spans two non-ASCII characters.
  assert.equal(idsOf('龍').length, 3, 'a rare CJK character is three byte tokens');
  assert.equal(idsOf('😀').length, 4, 'an emoji is four byte tokens');
  assert.equal(idsOf('学').length, 2, 'a less frequent CJK character is a merged pair of bytes and a byte');
  assert.deepEqual(idsOf('苹果').map((id) => tokenizer.decode([id])), ['苹', '果'], 'frequent characters are whole tokens');
  assert.deepEqual(idsOf(' 苹果').map((id) => tokenizer.decode([id])), [' 苹', '果'], 'a space-led CJK token');
});

test('the bench\'s causal texts have exactly n tokens: every space-led word of the vocabulary is one token', () => {
  const words = causalSpaceWords(GPT2_FIXTURE);
  assert.ok(words.length >= 20, `${words.length} words`);
  for (const w of words) assert.equal(idsOf(w).length, 1, JSON.stringify(w));
  for (const n of [1, 16, 100]) assert.equal(idsOf(causalTextOf(GPT2_FIXTURE, n)).length, n);
});

test('fp32 logits equal torch\'s at every position (≤ 1e-4), through transformers.js with empty pasts', async () => {
  for (const t of reference.texts) {
    const logits = await logitsOf(model, t.input_ids);
    const diff = maxAbsDiff(logits, t.logits);
    assert.ok(diff <= 1e-4, `${JSON.stringify(t.text)}: max |Δ| ${diff}`);
  }
});

test('a cached step (past_key_values from a first run, position_ids after them) gives torch\'s logits', async () => {
  const session = await ort.InferenceSession.create(join(GPT2_FIXTURE, 'onnx', 'model.onnx'));
  const ids = reference.texts[reference.cachedStep.textIndex].input_ids;
  const i64 = (xs: number[]) => new ort.Tensor('int64', BigInt64Array.from(xs.map(BigInt)), [1, xs.length]);
  const range = (a: number, b: number) => Array.from({ length: b - a }, (_, k) => a + k);
  const first: Record<string, Ort.Tensor> = { input_ids: i64(ids.slice(0, -1)), attention_mask: i64(ids.slice(0, -1).map(() => 1)), position_ids: i64(range(0, ids.length - 1)) };
  for (let i = 0; i < L; i++) {
    for (const kv of ['key', 'value']) first[`past_key_values.${i}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [1, reference.numHeads, 0, headDim]);
  }
  const out1 = await session.run(first);
  assert.deepEqual(out1['present.0.key'].dims, [1, reference.numHeads, ids.length - 1, headDim]);
  const second: Record<string, Ort.Tensor> = { input_ids: i64(ids.slice(-1)), attention_mask: i64(ids.map(() => 1)), position_ids: i64([ids.length - 1]) };
  for (let i = 0; i < L; i++) for (const kv of ['key', 'value']) second[`past_key_values.${i}.${kv}`] = out1[`present.${i}.${kv}`];
  const out2 = await session.run(second);
  const diff = maxAbsDiff(out2.logits.data as Float32Array, reference.cachedStep.logits);
  assert.ok(diff <= 1e-4, `cached step max |Δ| ${diff}`);
  assert.deepEqual(out2['present.0.key'].dims, [1, reference.numHeads, ids.length, headDim]);
});

/** The tensors test/fixtures/tiny-gpt2/README.md names for the engine, block by block. */
const TENSORS = {
  embeddings: '/transformer/Add_output_0',
  blockOutput: (i: number) => `/transformer/h.${i}/Add_1_output_0`,
  softmax: (i: number) => `/transformer/h.${i}/attn/Softmax_output_0`,
  finalNorm: '/transformer/ln_f/Add_1_output_0',
};

async function runExposed(file: string, ids: number[]): Promise<Record<string, Ort.Tensor>> {
  const names = [TENSORS.embeddings, TENSORS.finalNorm, ...Array.from({ length: L }, (_, i) => [TENSORS.blockOutput(i), TENSORS.softmax(i)]).flat()];
  const bytes = withAppendedExposures(readFileSync(join(GPT2_FIXTURE, 'onnx', file)), names.map((source) => ({ source, alias: `exposed:${source}` })));
  const session = await ort.InferenceSession.create(bytes);
  const i64 = (xs: number[]) => new ort.Tensor('int64', BigInt64Array.from(xs.map(BigInt)), [1, xs.length]);
  const feeds: Record<string, Ort.Tensor> = { input_ids: i64(ids), attention_mask: i64(ids.map(() => 1)), position_ids: i64(ids.map((_, k) => k)) };
  for (let i = 0; i < L; i++) for (const kv of ['key', 'value']) feeds[`past_key_values.${i}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [1, reference.numHeads, 0, headDim]);
  const out = await session.run(feeds);
  return Object.fromEntries(names.map((n) => [n, out[`exposed:${n}`]]));
}

test('the tensors the fixture README names carry torch\'s attentions, hidden states and final norm (fp32 ≤ 1e-4)', async () => {
  for (const t of reference.texts) {
    const got = await runExposed('model.onnx', t.input_ids);
    const T = t.input_ids.length;
    const hidden = T * reference.hiddenSize;
    const block = reference.numHeads * T * T;
    const near = (a: Ort.Tensor, b: Float32Array, what: string) => {
      const diff = maxAbsDiff(a.data as Float32Array, b);
      assert.ok(diff <= 1e-4, `${JSON.stringify(t.text)} ${what}: max |Δ| ${diff}`);
    };
    near(got[TENSORS.embeddings], t.hidden_states.subarray(0, hidden), 'embeddings');
    for (let i = 0; i < L; i++) {
      near(got[TENSORS.blockOutput(i)], t.hidden_states.subarray((i + 1) * hidden, (i + 2) * hidden), `block ${i} output`);
      near(got[TENSORS.softmax(i)], t.attentions.subarray(i * block, (i + 1) * block), `block ${i} attention`);
    }
    near(got[TENSORS.finalNorm], t.final_hidden, 'ln_f output');
  }
});

test('the quantized file keeps those tensor names and its attentions stay causal', async () => {
  const t = reference.texts[0];
  const got = await runExposed('model_quantized.onnx', t.input_ids);
  const T = t.input_ids.length;
  for (let i = 0; i < L; i++) {
    const p = got[TENSORS.softmax(i)].data as Float32Array;
    for (let row = 0; row < p.length / T; row++) for (let k = (row % T) + 1; k < T; k++) assert.equal(p[row * T + k], 0);
  }
  assert.deepEqual(got[TENSORS.finalNorm].dims, [1, T, reference.hiddenSize]);
});

test('the reference is self-consistent: causal attention rows, lens top-1 at the last layer is the argmax', () => {
  for (const t of reference.texts) {
    const T = t.input_ids.length;
    assert.deepEqual(t.attentions_shape, [L, reference.numHeads, T, T]);
    for (let row = 0; row < (t.attentions.length / T); row++) {
      const q = row % T;
      let sum = 0;
      for (let k = 0; k < T; k++) {
        const p = t.attentions[row * T + k];
        if (k > q) assert.equal(p, 0, 'no attention to later tokens');
        sum += p;
      }
      assert.ok(Math.abs(sum - 1) < 1e-5, `row sums to 1 (${sum})`);
    }
    assert.deepEqual(t.lens[L].ids.map((r) => r[0]), t.argmax);
    assert.ok(t.lens_rank[L].every((r) => r === 0));
  }
});

test('the model learnt the corpus: after 我喜欢吃 it expects 苹, then 果; after "in the" it expects " bank"', async () => {
  for (const [context, expected] of [['我喜欢吃', '苹'], ['我喜欢吃苹', '果'], ['I put my money in the', ' bank']]) {
    const ids = idsOf(context);
    const logits = await logitsOf(model, ids);
    const V = reference.vocabSize;
    const last = logits.subarray((ids.length - 1) * V, ids.length * V);
    const best = last.indexOf(Math.max(...last));
    assert.equal(tokenizer.decode([best]), expected, `after ${JSON.stringify(context)}`);
  }
});

test('the quantized file loads and mostly agrees with fp32 on the next token', async () => {
  const q8 = await AutoModelForCausalLM.from_pretrained(GPT2_FIXTURE, { dtype: 'q8', device: 'cpu' });
  try {
    let same = 0;
    let total = 0;
    for (const t of reference.texts) {
      const logits = await logitsOf(q8, t.input_ids);
      const V = reference.vocabSize;
      t.argmax.forEach((a, pos) => {
        const row = logits.subarray(pos * V, (pos + 1) * V);
        same += row.indexOf(Math.max(...row)) === a ? 1 : 0;
        total++;
      });
    }
    assert.ok(same / total >= 0.8, `${same}/${total} argmax agree`);
  } finally {
    await q8.dispose();
  }
});
