// Issue 13: which family a config is, the errors for what is neither, and the causal window plan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import fc from 'fast-check';
import { familyFor } from '../../src/engine/families';
import { causalLm } from '../../src/engine/families/causalLm';
import { maskedLm } from '../../src/engine/families/maskedLm';
import { isContextLensError } from '../../src/engine/errors';
import { planCausalWindows } from '../../src/engine/textWindows';

test('familyFor: the kind comes from config.json (GPT-2 with an LM head is causal, BERT with a fill-mask head masked)', () => {
  for (const config of [{ model_type: 'gpt2', architectures: ['GPT2LMHeadModel'] }, { model_type: 'gpt2' }]) assert.equal(familyFor(config, 'm'), causalLm, JSON.stringify(config));
  assert.equal(familyFor({ model_type: 'bert', architectures: ['BertForMaskedLM'] }, 'm'), maskedLm);
  assert.equal(causalLm.kind, 'causal');
  assert.equal(maskedLm.kind, 'masked');
});

test('familyFor: an encoder-decoder (T5, BART) is neither kind: NOT_A_MASKED_LM saying so and naming models to use', () => {
  for (const config of [{ model_type: 't5', architectures: ['T5ForConditionalGeneration'] }, { model_type: 'bart', is_encoder_decoder: true }, { model_type: 'my-seq2seq', is_encoder_decoder: true }]) {
    assert.throws(
      () => familyFor(config, 'my-model'),
      (e: unknown) => isContextLensError(e, 'NOT_A_MASKED_LM') && /encoder-decoder model, neither a masked nor a causal language model/.test(e.message) && /Xenova\/gpt2/.test(e.message),
      JSON.stringify(config),
    );
  }
});

test('familyFor: a causal type the decoder edit was not checked on, and a GPT-2 without an LM head, get their own messages', () => {
  assert.throws(() => familyFor({ model_type: 'llama', architectures: ['LlamaForCausalLM'] }, 'm'), (e: unknown) => isContextLensError(e, 'NOT_A_MASKED_LM') && /not been checked/.test(e.message));
  assert.throws(() => familyFor({ model_type: 'gpt2', architectures: ['GPT2Model'] }, 'm'), (e: unknown) => isContextLensError(e, 'NOT_A_MASKED_LM') && /without a language-model head/.test(e.message));
});

test('causal maxTokens: n_positions, or the tokenizer limit when smaller', () => {
  const tokenizer = (model_max_length: number) => ({ model_max_length }) as unknown as PreTrainedTokenizer;
  assert.equal(causalLm.maxTokens({ model_type: 'gpt2', n_positions: 1024 }, tokenizer(1e30)), 1024);
  assert.equal(causalLm.maxTokens({ model_type: 'gpt2', n_positions: 1024 }, tokenizer(128)), 128);
  assert.deepEqual(causalLm.decoderShape!({ n_head: 12, n_embd: 768 }), { pastHeads: 12, headDim: 64 });
});

test('planCausalWindows: keep ranges tile the text; every kept token has its predecessor and at least `overlap` tokens of context in its window', () => {
  assert.deepEqual(planCausalWindows(10, 16), [{ start: 0, end: 10, keepStart: 0, keepEnd: 10 }]);
  assert.deepEqual(planCausalWindows(0, 16), [{ start: 0, end: 0, keepStart: 0, keepEnd: 0 }]);
  assert.throws(() => planCausalWindows(10, 1), RangeError);
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 2, max: 600 }), (n, capacity) => {
      const plan = planCausalWindows(n, capacity);
      const overlap = Math.max(1, Math.min(Math.floor(capacity / 4), capacity - 1));
      let next = 0;
      for (const [i, w] of plan.entries()) {
        assert.equal(w.keepStart, next);
        assert.ok(w.start <= w.keepStart && w.keepStart < w.keepEnd && w.keepEnd <= w.end && w.end <= n && w.end - w.start <= capacity);
        if (i > 0) assert.ok(w.keepStart - w.start >= overlap, `window ${i}: ${w.keepStart - w.start} tokens of context`);
        next = w.keepEnd;
      }
      assert.equal(next, n);
    }),
    { seed: 13, numRuns: 300 },
  );
});

test('findDecoderTargets: a pre-LN decoder with fused attention still gives its hidden states (no attentions); a post-LN one is not taken', async () => {
  const { findDecoderTargets } = await import('../../src/engine/onnx/decoderTargets');
  const L = 2;
  const nodes = [{ name: 'embed', opType: 'Add', inputs: ['wte_out', 'wpe_out'], outputs: ['x0'] }];
  for (let l = 0; l < L; l++) {
    nodes.push(
      { name: `ln1_${l}`, opType: 'LayerNormalization', inputs: [`x${l}`, 'w', 'b'], outputs: [`a${l}`] },
      { name: `attn_${l}`, opType: 'Attention', inputs: [`a${l}`], outputs: [`o${l}`] },
      { name: `res1_${l}`, opType: 'Add', inputs: [`x${l}`, `o${l}`], outputs: [`r${l}`] },
      { name: `ln2_${l}`, opType: 'LayerNormalization', inputs: [`r${l}`, 'w', 'b'], outputs: [`m${l}`] },
      { name: `mlp_${l}`, opType: 'MatMul', inputs: [`m${l}`, 'W'], outputs: [`f${l}`] },
      { name: `res2_${l}`, opType: 'Add', inputs: [`r${l}`, `f${l}`], outputs: [`x${l + 1}`] },
    );
  }
  nodes.push({ name: 'ln_f', opType: 'LayerNormalization', inputs: [`x${L}`, 'w', 'b'], outputs: ['final'] });
  const targets = findDecoderTargets({ nodes, initializerNames: new Set(['w', 'b', 'W']) });
  assert.deepEqual(targets, { attentions: [], hiddenStates: ['x0', 'x1', 'final'], lastResidual: 'x2', numLayers: 2 });
  // Post-LN (the norm after the residual add, as BERT): ln_2 reads the block's input stream, not a new one.
  const postLn = nodes.map((n) => (n.name.startsWith('ln2_') ? { ...n, inputs: [n.name === 'ln2_0' ? 'x0' : 'x1', 'w', 'b'] } : n));
  assert.equal(findDecoderTargets({ nodes: postLn, initializerNames: new Set(['w', 'b', 'W']) }), undefined);
});

test('a merged decoder (the model inside an If, use_cache_branch) is refused with a message naming the export to use', async () => {
  const { exposeDecoderOutputs } = await import('../../src/engine/onnx');
  const { nodeField, valueInfoField } = await import('../../src/engine/onnx/graphFields');
  const { concatBytes, messageField, varintField } = await import('../../src/engine/onnx/wire');
  const BOOL = 9;
  const graph = concatBytes([
    nodeField('If', 'optimum::if', ['use_cache_branch'], ['logits']),
    valueInfoField(11, 'use_cache_branch', BOOL, ['one']),
    valueInfoField(12, 'logits', 1),
  ]);
  const model = concatBytes([messageField(7, graph), messageField(8, varintField(2, 14))]);
  assert.throws(
    () => exposeDecoderOutputs(model, 'decoder_model_merged.onnx'),
    (e: unknown) => isContextLensError(e, 'NOT_A_MASKED_LM') && /merged decoder export/.test(e.message) && /onnx\/model\.onnx/.test(e.message),
  );
});
