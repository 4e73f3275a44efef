// Issue 13: the tiny GPT-2 fixture (scripts/make_gpt2_model.py) through the engine, against torch's outputs
// for the same fp32 weights (test/fixtures/tiny-gpt2/reference.json): next-token predictions and token
// probabilities at every position, attentions, hidden states, the logit lens; q8 with a looser tolerance.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isContextLensError } from '../../src/engine/errors';
import { exposeDecoderOutputs, NEXT_IDS_INPUT, NEXT_TOP_K_INPUT, summarizeOnnxModel } from '../../src/engine/onnx';
import { AnalysisSession } from '../../src/engine/session';
import type { Analysis, Guess } from '../../src/engine/types';
import { GPT2_FIXTURE, loadGpt2Reference, type Gpt2ReferenceText } from './helpers/gpt2Reference';

const ref = loadGpt2Reference();
const V = ref.vocabSize;
const L = ref.numLayers;
const H = ref.hiddenSize;
const TOL = 1e-4;

const cacheDir = mkdtempSync(join(tmpdir(), 'context-lens-causal-'));
const fp32 = new AnalysisSession();
const q8 = new AnalysisSession();
before(async () => {
  await fp32.load({ model: GPT2_FIXTURE, dtype: 'fp32', device: 'cpu', cacheDir });
  await q8.load({ model: GPT2_FIXTURE, dtype: 'q8', device: 'cpu', cacheDir });
});
after(async () => {
  await fp32.dispose();
  await q8.dispose();
  rmSync(cacheDir, { recursive: true, force: true });
});

/** torch's softmax of row t (float64) and the rank (1-based) of `id` in it. */
function torchRow(r: Gpt2ReferenceText, t: number): number[] {
  const x = Array.from(r.logits.subarray(t * V, (t + 1) * V));
  const max = Math.max(...x);
  const e = x.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}
const rankIn = (probs: number[], id: number): number => probs.filter((p) => p > probs[id]).length + 1;
const topIds = (probs: number[], k: number): number[] => probs.map((_, i) => i).sort((a, b) => probs[b] - probs[a]).slice(0, k);

function assertGuesses(guesses: Guess[], probs: number[], label: string, tol = TOL): void {
  assert.deepEqual(guesses.map((g) => g.id), topIds(probs, guesses.length), `${label}: ids`);
  for (const g of guesses) assert.ok(Math.abs(g.probability - probs[g.id]) <= tol, `${label}: p(${g.token}) ${g.probability} vs ${probs[g.id]}`);
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function analyzed(session: AnalysisSession, text: string): Promise<Analysis> {
  return session.get((await session.analyze(text, 5)).analysisId);
}

test('the decoder edit exposes every block\'s attention and the hidden states, narrows lm_head and adds the logit lens', () => {
  const edited = exposeDecoderOutputs(readFileSync(join(GPT2_FIXTURE, 'onnx/model.onnx')));
  assert.deepEqual(edited.attentionOutputs, Array.from({ length: L }, (_, l) => `attentions.${l}`));
  assert.deepEqual(edited.hiddenStateOutputs, Array.from({ length: L + 1 }, (_, l) => `hidden_states.${l}`));
  assert.ok(edited.maskedPositionsInput && edited.layerPositionsInput, 'head narrowed and lens added');
  const graph = summarizeOnnxModel(edited.bytes);
  for (const name of ['past_key_values.0.key', 'input_ids', 'position_ids', NEXT_TOP_K_INPUT, NEXT_IDS_INPUT]) assert.ok(graph.inputNames.includes(name), name);
  // Editing the edited file again changes nothing.
  assert.equal(exposeDecoderOutputs(edited.bytes).bytes, edited.bytes);
});

test('fp32: kind causal, no template tokens, and the reference ids', async () => {
  const info = fp32.model.info;
  assert.equal(info.kind, 'causal');
  assert.notEqual(info.attentionAvailable, false);
  assert.equal(info.numLayers, L);
  for (const r of ref.texts) {
    const a = await analyzed(fp32, r.text);
    assert.deepEqual(a.tokens.map((t) => t.id), r.input_ids, r.text);
  }
});

test('fp32: next-token top-k and every token\'s probability and rank equal torch (≤ 1e-4), all from the analysis forward', async () => {
  for (const r of ref.texts) {
    const a = await analyzed(fp32, r.text);
    const T = r.input_ids.length;
    assert.equal(a.next!.length, T);
    assert.equal(a.tokenProbabilities![0], null, 'nothing precedes the first token');
    for (let t = 0; t < T; t++) {
      const probs = torchRow(r, t);
      assertGuesses(a.next![t], probs, `${r.text} next[${t}]`);
      if (t + 1 < T) {
        const p = a.tokenProbabilities![t + 1]!;
        const id = r.input_ids[t + 1];
        assert.ok(Math.abs(p.probability - probs[id]) <= TOL, `${r.text} p(token ${t + 1}) ${p.probability} vs ${probs[id]}`);
        assert.equal(p.rank, rankIn(probs, id), `${r.text} rank of token ${t + 1}`);
        // What the model expected at token t + 1 is next[t], from the same forward.
        assert.deepEqual(a.guesses![t + 1], a.next![t]);
      }
    }
  }
});

test('fp32: attentions equal torch (≤ 1e-4), zero above the diagonal, rows sum to 1', async () => {
  for (const r of ref.texts) {
    const a = await analyzed(fp32, r.text);
    const T = r.input_ids.length;
    const heads = ref.numHeads;
    assert.equal(a.windows.length, 1);
    a.windows[0].attentions.forEach((layer, l) => {
      assert.ok(maxAbs(layer, r.attentions.subarray(l * heads * T * T, (l + 1) * heads * T * T)) <= TOL, `${r.text} attention layer ${l}`);
      for (let h = 0; h < heads; h++) {
        for (let i = 0; i < T; i++) {
          let sum = 0;
          for (let j = 0; j < T; j++) {
            const w = layer[(h * T + i) * T + j];
            if (j > i) assert.equal(w, 0, `${r.text} layer ${l} head ${h}: ${i} cannot see ${j}`);
            sum += w;
          }
          assert.ok(Math.abs(sum - 1) < 1e-5, `row ${i} sums to ${sum}`);
        }
      }
    });
  }
});

test('fp32: hidden states equal torch (≤ 1e-4): the embeddings, each block\'s output, and, last, ln_f\'s output as HF returns it', async () => {
  for (const r of ref.texts) {
    const a = await analyzed(fp32, r.text);
    const T = r.input_ids.length;
    for (let l = 0; l < L; l++) assert.ok(maxAbs(a.hiddenStates[l], r.hidden_states.subarray(l * T * H, (l + 1) * T * H)) <= TOL, `${r.text} hidden ${l}`);
    assert.ok(maxAbs(a.hiddenStates[L], r.final_hidden) <= TOL, `${r.text} hidden ${L} = ln_f(last block)`);
  }
});

test('fp32: the logit lens at a token equals torch\'s softmax(lm_head(ln_f(h_l))) at every layer, ranks of the final top guess included', async () => {
  for (const r of ref.texts) {
    const tokens = (await analyzed(fp32, r.text)).tokens;
    for (const [t, tok] of tokens.entries()) {
      // Byte tokens of one character share its range, and an offset there names the last of them.
      if (tokens.some((o) => o !== tok && o.start === tok.start && o.index > tok.index) || tok.end === tok.start) continue;
      const lens = await fp32.layerGuesses(r.text, tok.start, 5);
      assert.ok(lens, `${r.text} token ${t}`);
      assert.equal(lens.token.index, t);
      assert.equal(lens.layers.length, L + 1);
      lens.layers.forEach((row, l) => {
        assert.deepEqual(row.guesses.map((g) => g.id), r.lens[l].ids[t], `${r.text} token ${t} layer ${l}: ids`);
        row.guesses.forEach((g, k) => assert.ok(Math.abs(g.probability - r.lens[l].probs[t][k]) <= TOL, `${r.text} token ${t} layer ${l}: p ${g.probability} vs ${r.lens[l].probs[t][k]}`));
        assert.equal(row.finalRank, r.lens_rank[l][t] + 1, `${r.text} token ${t} layer ${l}: rank of the final top guess`);
      });
    }
  }
});

test('fp32: the hover at a token is what the model expected there before seeing it', async () => {
  const r = ref.texts[1];
  const a = await analyzed(fp32, r.text);
  const t = a.tokens.find((x) => x.index > 0 && !a.tokens.some((o) => o !== x && o.start === x.start))!;
  const hover = await fp32.guessesAt(r.text, t.start, 5);
  assert.deepEqual(hover!.guesses.map((g) => g.id), a.next![t.index - 1].map((g) => g.id));
});

test('a long text is analysed in causal windows: every token but the first scored, each from a window where it has left context', async () => {
  const r = ref.texts[0];
  const text = `${r.text}${r.text}${r.text}`;
  const small = await fp32.analyze(text, 3, {}, 12);
  assert.equal(small.windowed, true);
  assert.equal(small.tokenProbabilities![0], null);
  assert.ok(small.tokenProbabilities!.slice(1).every((p) => p && p.probability > 0 && p.rank >= 1));
  assert.ok(small.next!.every((g) => g.length === 3));
  // The first window's tokens are scored as in a forward of the text's start alone.
  const whole = await fp32.analyze(text, 3);
  for (let i = 1; i < 12; i++) assert.ok(Math.abs(small.tokenProbabilities![i]!.probability - whole.tokenProbabilities![i]!.probability) <= TOL);
});

test('analyze without guesses still fills a causal model\'s (they come from the same forward); streaming them adds nothing', async () => {
  const r = ref.texts[1];
  const s = await fp32.analyze(r.text, 3, {}, undefined, false);
  assert.ok(s.guesses.slice(1).every((g) => g.length === 3));
  assert.deepEqual(await fp32.guesses(s.analysisId, [1, 2], 3), []);
});

test('masked-only views refuse a causal model with BAD_ARGUMENTS, never a crash', async () => {
  const s = await fp32.analyze(ref.texts[1].text, 3);
  await assert.rejects(fp32.unmasked(s.analysisId, 3), (e: unknown) => isContextLensError(e, 'BAD_ARGUMENTS') && /masked language models only/.test(e.message));
  await assert.rejects(fp32.spanGuesses(ref.texts[1].text, 2, 5, 3), (e: unknown) => isContextLensError(e, 'BAD_ARGUMENTS') && /masked language models only/.test(e.message));
  // The attention views work: the export has its softmaxes.
  assert.equal(fp32.attention(s.analysisId, 1).numHeads, ref.numHeads);
  assert.equal(fp32.headStats(s.analysisId).length, L * ref.numHeads);
});

test('q8 loads and runs: hidden states close to fp32\'s, most top next-token guesses the same', async () => {
  let same = 0;
  let total = 0;
  for (const r of ref.texts) {
    const a = await analyzed(fp32, r.text);
    const b = await analyzed(q8, r.text);
    assert.equal(b.model.kind, 'causal');
    assert.ok(maxAbs(a.hiddenStates[L], b.hiddenStates[L]) < 0.5, `${r.text}: q8 last hidden state`);
    b.next!.forEach((g, t) => {
      total++;
      if (g[0].id === a.next![t][0].id) same++;
    });
    b.tokenProbabilities!.forEach((p, t) => t > 0 && assert.ok(Math.abs(p!.probability - a.tokenProbabilities![t]!.probability) < 0.1, `${r.text} token ${t}`));
  }
  assert.ok(same / total >= 0.8, `${same}/${total} top guesses agree`);
});
