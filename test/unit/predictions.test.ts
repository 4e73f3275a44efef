// Predictions beyond the final-layer guess (issue 11) on the demo model, against the torch values
// scripts/predictions_reference.py computed on the same fp32 weights (test/fixtures/predictions-reference.json).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { isContextLensError } from '../../src/engine/errors';
import { exposeAttentionsAndHiddenStates, LAYER_LOGITS_OUTPUT, LAYER_POSITIONS_INPUT, MASKED_POSITIONS_INPUT } from '../../src/engine/onnx';
import { topKFromLogits, topKFromProbabilities } from '../../src/engine/maskedGuesses';
import { firstSettledLayer, MAX_SPAN_TOKENS, SPAN_BEAM_WIDTH } from '../../src/engine/predictions';
import { AnalysisSession } from '../../src/engine/session';
import type { Guess } from '../../src/engine/types';
import { FIXTURE_MODEL, FIXTURE_MODEL_OPSET17, maxAbsDiff } from './helpers/fixture';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ort = require('onnxruntime-node') as typeof Ort;

interface Fill {
  ids: number[];
  tokens: string[];
  score: number;
  steps: [number, number, number][];
}
const raw = JSON.parse(readFileSync(resolve('test/fixtures/predictions-reference.json'), 'utf8'));
const rows = (b64: string): Float32Array => {
  const buf = Buffer.from(b64, 'base64');
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
};
const V: number = raw.vocab_size;
const L: number = raw.num_layers;
const SPECIAL_IDS = new Set([0, 1, 2, 3, 4]);

/** Softmax of one torch row (float64) and its ids by decreasing logit, special tokens left out as the engine does. */
function torchRow(data: Float32Array, row: number): { probs: number[]; order: number[] } {
  const x = Array.from(data.subarray(row * V, (row + 1) * V));
  const max = Math.max(...x);
  const e = x.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  const order = x.map((_, i) => i).filter((i) => !SPECIAL_IDS.has(i)).sort((a, b) => x[b] - x[a]);
  return { probs: e.map((v) => v / sum), order };
}

function assertGuessesMatch(guesses: Guess[], data: Float32Array, row: number, label: string): void {
  const { probs, order } = torchRow(data, row);
  assert.deepEqual(guesses.map((g) => g.id), order.slice(0, guesses.length), `${label}: ids`);
  guesses.forEach((g) => assert.ok(Math.abs(g.probability - probs[g.id]) <= 1e-5, `${label}: p(${g.token}) ${g.probability} vs ${probs[g.id]}`));
}

const cacheDir = mkdtempSync(join(tmpdir(), 'context-lens-predictions-'));
const session = new AnalysisSession();
const q8 = new AnalysisSession();
before(async () => {
  await session.load({ model: FIXTURE_MODEL, dtype: 'fp32', device: 'cpu', cacheDir });
  await q8.load({ model: FIXTURE_MODEL, dtype: 'q8', device: 'cpu', cacheDir });
});
after(async () => {
  await session.dispose();
  await q8.dispose();
  rmSync(cacheDir, { recursive: true, force: true });
});

test('guesses at every layer: the head at each hidden layer gives torch\'s probabilities; rank and probability of the final guess per layer', async () => {
  for (const ref of raw.layer_guesses) {
    const data = rows(ref.layer_logits);
    const result = await session.layerGuesses(ref.text, ref.offset, 8);
    assert.ok(result, ref.text);
    assert.equal(result.token.index, ref.token_index, `${ref.text}: the token under the offset`);
    assert.equal(result.layers.length, L + 1, 'layers 0 (embeddings) … L');
    const final = result.layers[L].guesses[0].id;
    for (const row of result.layers) {
      assertGuessesMatch(row.guesses, data, row.layer, `${ref.text} layer ${row.layer}`);
      const { probs, order } = torchRow(data, row.layer);
      assert.equal(row.finalRank, order.indexOf(final) + 1, `${ref.text} layer ${row.layer}: rank of the final guess`);
      assert.ok(Math.abs(row.finalProbability - probs[final]) <= 1e-5, `${ref.text} layer ${row.layer}: probability of the final guess`);
    }
    assert.equal(result.layers[L].finalRank, 1);
    assert.equal(result.firstLayer, firstSettledLayer(result.layers));
    assert.ok(result.layers.slice(result.firstLayer).every((r) => r.guesses[0].id === final), 'settled from firstLayer on');
    if (result.firstLayer > 0) assert.notEqual(result.layers[result.firstLayer - 1].guesses[0].id, final, 'and not just before it');
  }
});

test('the edited graph: the head\'s copy gives torch\'s logits at every hidden layer (fp32 ≤ 1e-4, both opsets), no rows when fed none', async () => {
  for (const folder of [FIXTURE_MODEL, FIXTURE_MODEL_OPSET17]) {
    const edited = exposeAttentionsAndHiddenStates(readFileSync(join(folder, 'onnx/model.onnx')));
    assert.equal(edited.layerPositionsInput, LAYER_POSITIONS_INPUT);
    const onnx = await ort.InferenceSession.create(edited.bytes);
    try {
      // Two rows in one batch, each with its token masked: row r's position p is the flat index r × n + p.
      const cases = raw.layer_guesses.filter((r: { input_ids: number[] }) => r.input_ids.length === raw.layer_guesses[0].input_ids.length).slice(0, 2);
      const n = cases[0].input_ids.length;
      const ids = cases.map((c: { input_ids: number[]; token_index: number }) => c.input_ids.map((id, i) => (i === c.token_index ? 4 : id)));
      const int64 = (values: number[], dims: number[]) => new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), dims);
      const feeds: Record<string, Ort.Tensor> = {
        input_ids: int64(ids.flat(), [ids.length, n]),
        attention_mask: int64(ids.flat().map(() => 1), [ids.length, n]),
        token_type_ids: int64(ids.flat().map(() => 0), [ids.length, n]),
        [MASKED_POSITIONS_INPUT]: int64([0], [1]),
      };
      const none = await onnx.run({ ...feeds, [LAYER_POSITIONS_INPUT]: int64([], [0]) }, [LAYER_LOGITS_OUTPUT]);
      assert.deepEqual(none[LAYER_LOGITS_OUTPUT].dims, [0, V], 'fed empty: no rows computed');
      const asked = cases.map((c: { token_index: number }, r: number) => r * n + c.token_index);
      const out = await onnx.run({ ...feeds, [LAYER_POSITIONS_INPUT]: int64(asked, [asked.length]) }, [LAYER_LOGITS_OUTPUT]);
      assert.deepEqual(out[LAYER_LOGITS_OUTPUT].dims, [(L + 1) * asked.length, V], 'row layer × J + j');
      const got = out[LAYER_LOGITS_OUTPUT].data as Float32Array;
      cases.forEach((c: { text: string; layer_logits: string }, j: number) => {
        const expected = rows(c.layer_logits);
        for (let layer = 0; layer <= L; layer++) {
          const row = got.subarray((layer * asked.length + j) * V, (layer * asked.length + j + 1) * V);
          assert.ok(maxAbsDiff(row, expected.subarray(layer * V, (layer + 1) * V)) <= 1e-4, `${folder}: ${c.text} layer ${layer}`);
        }
      });
    } finally {
      await onnx.release();
    }
  }
});

test('the last layer\'s row is the ordinary masked guess, exactly', async () => {
  for (const ref of raw.layer_guesses) {
    const layered = await session.layerGuesses(ref.text, ref.offset, 5);
    const hover = await session.guessesAt(ref.text, ref.offset, 5);
    assert.ok(layered && hover);
    assert.deepEqual(layered.layers[L].guesses, hover.guesses, ref.text);
    assert.equal(layered.layers[L].finalProbability, hover.guesses[0].probability);
  }
  assert.equal(await session.layerGuesses('我喜欢吃苹果。 ', 7, 5), null, 'no token under a space');
  assert.equal(await session.layerGuesses('   ', 1, 5), null, 'whitespace only');
});

test('topKFromProbabilities on a softmax row picks what topKFromLogits picks from its logits', () => {
  const logits = Float32Array.from([2, -1, 5, 0.5, 5, 3, -4, 1]);
  const exp = Array.from(logits, (x) => Math.exp(x - 5));
  const sum = exp.reduce((a, b) => a + b, 0);
  const probabilities = Float32Array.from(exp, (e) => e / sum);
  const name = (id: number) => `t${id}`;
  for (const exclude of [new Set<number>(), new Set([2, 5])]) {
    const fromLogits = topKFromLogits(logits, 0, logits.length, 4, name, exclude);
    const fromProbabilities = topKFromProbabilities(probabilities, 0, logits.length, 4, { idToText: name, exclude });
    assert.deepEqual(fromProbabilities.map((g) => g.id), fromLogits.map((g) => g.id));
    fromProbabilities.forEach((g, i) => assert.ok(Math.abs(g.probability - fromLogits[i].probability) < 1e-7));
  }
});

test('firstSettledLayer: the first layer from which the final guess stays on top', () => {
  const ranks = (...r: number[]) => r.map((finalRank) => ({ finalRank }));
  assert.equal(firstSettledLayer(ranks(3, 1, 2, 1, 1)), 3);
  assert.equal(firstSettledLayer(ranks(1, 1, 1)), 0);
  assert.equal(firstSettledLayer(ranks(5, 4, 1)), 2);
});

test('unmasked predictions: every non-special token\'s top-k is torch\'s head on the unmasked text; one analysis forward per window', async () => {
  for (const ref of raw.unmasked) {
    const data = rows(ref.logits);
    const summary = await session.analyze(ref.text, 3, {}, undefined, false);
    assert.deepEqual(summary.tokens.map((t) => t.id), ref.input_ids, ref.text);
    const unmasked = await session.unmasked(summary.analysisId, 6);
    assert.deepEqual(unmasked.map((u) => u.tokenIndex), summary.tokens.filter((t) => !t.special).map((t) => t.index));
    for (const u of unmasked) assertGuessesMatch(u.guesses, data, u.tokenIndex, `${ref.text} token ${u.tokenIndex}`);
    // Asked again with a smaller k: the kept result, cut.
    assert.deepEqual(await session.unmasked(summary.analysisId, 2), unmasked.map((u) => ({ tokenIndex: u.tokenIndex, guesses: u.guesses.slice(0, 2) })));
  }
  // Windows: a long text in windows of 12 tokens gives what each token's own window gives.
  const sentence = '我喜欢吃苹果。我用苹果手机。';
  const long = await session.analyze(sentence.repeat(3), 3, {}, 12, false);
  assert.ok(long.windowed);
  const windowed = await session.unmasked(long.analysisId, 3);
  assert.equal(windowed.length, long.tokens.length - 2, 'every text token once');
  const short = await session.unmasked((await session.analyze(sentence, 3, {}, undefined, false)).analysisId, 3);
  assert.equal(windowed[0].guesses[0].token, short[0].guesses[0].token);
});

test('a masked span: each position\'s top-k and the joint fills are torch\'s (all span tokens masked at once, beam width 5)', async () => {
  for (const ref of raw.spans) {
    const data = rows(ref.masked_logits);
    const result = await session.spanGuesses(ref.text, ref.start, ref.end, 6);
    assert.deepEqual(result.tokenIndices, ref.positions, `${ref.text} [${ref.start}, ${ref.end})`);
    assert.deepEqual(result.tokens.map((t) => t.index), ref.positions);
    assert.equal(result.positions.length, ref.positions.length);
    result.positions.forEach((g, i) => assertGuessesMatch(g, data, i, `${ref.text} position ${i}`));
    const expected = ref.fills as Fill[];
    assert.equal(result.fills.length, Math.min(SPAN_BEAM_WIDTH, expected.length));
    result.fills.forEach((f, i) => {
      assert.deepEqual(f.tokens, expected[i].tokens, `${ref.text} fill ${i}`);
      assert.ok(Math.abs(f.score - expected[i].score) <= 1e-5 * Math.max(1, expected[i].score), `${ref.text} fill ${i} score ${f.score} vs ${expected[i].score}`);
    });
    for (let i = 1; i < result.fills.length; i++) assert.ok(result.fills[i - 1].score >= result.fills[i].score, 'best first');
  }
  const apple = await session.spanGuesses('我喜欢吃苹果。', 4, 6, 5);
  assert.equal(apple.fills[0].text, '苹果', 'CJK characters join without spaces');
  const english = await session.spanGuesses('the cat is running .', 4, 10, 5);
  assert.equal(english.fills[0].text, 'cat is', 'English words keep their space');
});

test('a one-token span gives the hover\'s guesses, and its fills are those guesses', async () => {
  for (const [text, offset] of [['我喜欢吃苹果。', 5], ['i put money in the bank .', 19], ['the cat is running .', 5]] as const) {
    const hover = await session.guessesAt(text, offset, 5);
    assert.ok(hover);
    const span = await session.spanGuesses(text, hover.token.start, hover.token.end, 5);
    assert.deepEqual(span.tokenIndices, [hover.token.index]);
    assert.deepEqual(span.positions[0], hover.guesses);
    assert.deepEqual(span.fills.map((f) => [f.tokens, f.score]), hover.guesses.map((g) => [[g.token], g.probability]));
  }
});

test('joint fills are consistent with their per-step probabilities: replaying the steps through the hover gives each score', async () => {
  // State of the span as text: each token either [MASK] (typed, which the tokenizer reads as the mask) or its fill.
  const asText = (text: string, tokens: { start: number; end: number }[], filled: (string | undefined)[]): string => {
    let out = '';
    let at = 0;
    tokens.forEach((t, i) => {
      out += text.slice(at, t.start) + (filled[i] ?? '[MASK]');
      at = t.end;
    });
    return out + text.slice(at);
  };
  for (const [text, start, end] of [['我用苹果手机。', 2, 6], ['the cat is running .', 4, 10]] as const) {
    const span = await session.spanGuesses(text, start, end, 5);
    for (const fill of span.fills) {
      const filled: (string | undefined)[] = span.tokens.map(() => undefined);
      let score = 1;
      for (let step = 0; step < span.tokens.length; step++) {
        const state = asText(text, span.tokens, filled);
        const maskStarts: number[] = [];
        for (let i = state.indexOf('[MASK]'); i >= 0; i = state.indexOf('[MASK]', i + 1)) maskStarts.push(i);
        const open = span.tokens.map((_, i) => i).filter((i) => filled[i] === undefined);
        const each = await Promise.all(maskStarts.map((o) => session.guessesAt(state, o, 300)));
        // The most confident still-masked position is the one filled next.
        let best = 0;
        each.forEach((g, i) => (g!.guesses[0].probability > each[best]!.guesses[0].probability ? (best = i) : undefined));
        const i = open[best];
        const chosen = each[best]!.guesses.find((g) => g.token === fill.tokens[i]);
        assert.ok(chosen, `${text}: step ${step} fills ${fill.tokens[i]} among the candidates`);
        assert.ok(each[best]!.guesses.indexOf(chosen) < SPAN_BEAM_WIDTH, 'one of the top 5');
        score *= chosen.probability;
        filled[i] = fill.tokens[i];
      }
      assert.ok(Math.abs(score - fill.score) <= 1e-5 * Math.max(1, fill.score), `${text} fill ${fill.tokens.join('')}: ${score} vs ${fill.score}`);
    }
  }
});

test('spans that cannot be guessed are BAD_SPAN with a message saying what to select', async () => {
  const cases: [string, number, number, RegExp][] = [
    ['我喜欢吃苹果。', 3, 3, /span is empty/],
    ['我喜欢吃苹果。', 5, 2, /span is empty/],
    ['我喜欢 吃苹果。', 3, 4, /only whitespace or special tokens/],
    ['[CLS] 我喜欢', 0, 5, /only whitespace or special tokens/],
    ['我喜欢\n吃苹果。', 2, 5, /across a line break/],
    ['我喜欢吃苹果。我喜欢吃', 0, 11, new RegExp(`11 tokens long; at most ${MAX_SPAN_TOKENS} tokens`)],
    ['我喜欢吃苹果。', 2, 40, /not inside the text/],
    ['我喜欢吃苹果。', 0.5, 2, /not inside the text/],
  ];
  for (const [text, start, end, message] of cases) {
    await assert.rejects(session.spanGuesses(text, start, end, 5), (e: unknown) => isContextLensError(e, 'BAD_SPAN') && message.test(e.message), `${JSON.stringify(text)} [${start}, ${end})`);
  }
  // Eight tokens are allowed.
  assert.equal((await session.spanGuesses('我喜欢吃苹果。我喜欢吃', 0, 8, 1)).tokenIndices.length, MAX_SPAN_TOKENS);
});

test('q8 sanity: the clear cases keep their top guess', async () => {
  const layered = await q8.layerGuesses('我喜欢吃苹果。', 5, 3);
  assert.ok(layered);
  assert.equal(layered.layers[L].guesses[0].token, '果');
  assert.deepEqual(layered.layers[L].guesses, (await q8.guessesAt('我喜欢吃苹果。', 5, 3))!.guesses, 'last layer = the q8 hover');
  // Unmasked: where fp32 is fairly sure (≥ 50 %), q8 agrees.
  const text = '我用苹果手机。我爱吃苹果。';
  const [fp32Top, q8Top] = await Promise.all(
    [session, q8].map(async (s) => s.unmasked((await s.analyze(text, 1, {}, undefined, false)).analysisId, 1)),
  );
  const clear = fp32Top.filter((u) => u.guesses[0].probability >= 0.5);
  assert.ok(clear.length >= 3, `${clear.length} clear positions`);
  for (const u of clear) assert.equal(q8Top.find((x) => x.tokenIndex === u.tokenIndex)!.guesses[0].token, u.guesses[0].token, `token ${u.tokenIndex}`);
  const span = await q8.spanGuesses('我喜欢吃苹果。', 4, 6, 3);
  assert.equal(span.fills[0].text, '苹果');
});
