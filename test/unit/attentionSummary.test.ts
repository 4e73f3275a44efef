// Attention over heads and layers, rollout, head statistics and word-pooled attention (issue 12), against
// the NumPy values scripts/words_reference.py computed on torch attentions of the demo model
// (test/fixtures/words-reference.json, attentions included: the pure functions need no model), then through
// the session on the demo model's own ONNX attentions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { attentionRollout, headStatistics, isPunctuationPiece, meanOverHeads, meanOverLayers, type HeadStat } from '../../src/engine/attentionSummary';
import { isContextLensError } from '../../src/engine/errors';
import { poolAttention } from '../../src/engine/words';
import { demoSession } from './helpers/demoSession';
import { maxAbsDiff } from './helpers/fixture';

interface RefText {
  text: string;
  input_ids: number[];
  tokens: string[];
  shape: [number, number, number, number];
  attentions: string;
  mean_heads: string;
  mean_layers: string;
  rollout: string;
  head_stats: HeadStat[];
  word_groups?: number[][];
  pooled_heads?: string;
  pooled_mean_heads_last?: string;
  pooled_rollout?: string;
}
const raw = JSON.parse(readFileSync(resolve('test/fixtures/words-reference.json'), 'utf8')) as { num_layers: number; num_heads: number; texts: RefText[] };
const f32 = (b64: string): Float32Array => {
  const buf = Buffer.from(b64, 'base64');
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
};
const L = raw.num_layers;
const NH = raw.num_heads;
const CLS = 2;
const SEP = 3;
const session = demoSession('attention-summary');

function layersOf(t: RefText): { n: number; layers: Float32Array[] } {
  const n = t.shape[2];
  const all = f32(t.attentions);
  return { n, layers: Array.from({ length: L }, (_, l) => all.slice(l * NH * n * n, (l + 1) * NH * n * n)) };
}

function assertRowsSumToOne(m: Float32Array, n: number, label: string, tolerance = 1e-5): void {
  for (let i = 0; i < n; i++) {
    const sum = m.subarray(i * n, (i + 1) * n).reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(sum - 1) <= tolerance, `${label}: row ${i} sums to ${sum}`);
  }
}

function assertStatsMatch(got: HeadStat[], expected: HeadStat[], tolerance: number, label: string): void {
  assert.equal(got.length, expected.length);
  got.forEach((g, k) => {
    const e = expected[k];
    assert.deepEqual([g.layer, g.head], [e.layer, e.head]);
    for (const key of ['entropy', 'distance', 'toCls', 'toSep', 'toPrev', 'toNext', 'toPunct'] as const) {
      assert.ok(Math.abs(g[key] - e[key]) <= tolerance, `${label} layer ${g.layer} head ${g.head} ${key}: ${g[key]} vs ${e[key]}`);
    }
  });
}

test('mean over heads, mean over layers and rollout equal NumPy\'s (≤ 1e-5); rollout rows sum to 1', async () => {
  for (const t of raw.texts) {
    const { n, layers } = layersOf(t);
    const meanHeads = f32(t.mean_heads);
    layers.forEach((layer, l) => assert.ok(maxAbsDiff(meanOverHeads(layer, NH, n), meanHeads.subarray(l * n * n, (l + 1) * n * n)) <= 1e-5, `${t.text} mean-heads ${l + 1}`));
    assert.ok(maxAbsDiff(meanOverLayers(layers, NH, n), f32(t.mean_layers)) <= 1e-5, `${t.text} mean-layers`);
    const rolled = await attentionRollout(layers, NH, n);
    assert.ok(maxAbsDiff(rolled, f32(t.rollout)) <= 1e-5, `${t.text} rollout`);
    assertRowsSumToOne(rolled, n, `${t.text} rollout`);
  }
});

test('head statistics equal NumPy\'s (≤ 1e-5): entropy, distance, to [CLS] / [SEP] / previous / next / punctuation', () => {
  for (const t of raw.texts) {
    const { n, layers } = layersOf(t);
    const kinds = {
      cls: t.input_ids.map((id) => id === CLS),
      sep: t.input_ids.map((id) => id === SEP),
      punct: t.tokens.map((piece, p) => p > 0 && p < n - 1 && isPunctuationPiece(piece)),
    };
    assertStatsMatch(headStatistics(layers, NH, n, kinds), t.head_stats, 1e-5, t.text);
  }
  assert.deepEqual(['.', '。', '##,', '!?', '"', '-', 'a', '$', '[SEP]', '3.5'].map(isPunctuationPiece), [true, true, true, true, true, true, false, false, false, false]);
});

test('word-pooled attention equals NumPy\'s for the fixed groupings (every head, the last layer\'s head mean, the rollout); rows sum to 1', async () => {
  for (const t of raw.texts.filter((x) => x.word_groups)) {
    const { n, layers } = layersOf(t);
    const groups = t.word_groups!;
    const m = groups.length;
    const pooled = f32(t.pooled_heads!);
    layers.forEach((layer, l) => {
      for (let h = 0; h < NH; h++) {
        const got = poolAttention(layer.subarray(h * n * n, (h + 1) * n * n), n, groups);
        const k = (l * NH + h) * m * m;
        assert.ok(maxAbsDiff(got, pooled.subarray(k, k + m * m)) <= 1e-5, `${t.text} layer ${l + 1} head ${h}`);
        assertRowsSumToOne(got, m, `${t.text} pooled ${l + 1}/${h}`);
      }
    });
    assert.ok(maxAbsDiff(poolAttention(meanOverHeads(layers[L - 1], NH, n), n, groups), f32(t.pooled_mean_heads_last!)) <= 1e-5);
    assert.ok(maxAbsDiff(poolAttention(await attentionRollout(layers, NH, n), n, groups), f32(t.pooled_rollout!)) <= 1e-5);
  }
});

test('property: rollout of random row-stochastic layers has rows summing to 1 and equals the product computed term by term', async () => {
  const n = 5;
  const heads = 2;
  const row = fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: n, maxLength: n }).map((r) => r.map((v) => v / r.reduce((s, x) => s + x, 0)));
  const layer = fc.array(row, { minLength: n * heads, maxLength: n * heads }).map((rows) => Float32Array.from(rows.flat()));
  await fc.assert(
    fc.asyncProperty(fc.array(layer, { minLength: 1, maxLength: 4 }), async (layers) => {
      const got = await attentionRollout(layers, heads, n);
      assertRowsSumToOne(got, n, 'random rollout');
      let product: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
      for (const a of layers) {
        const hat = Array.from({ length: n }, (_, i) => {
          const r = Array.from({ length: n }, (_, j) => 0.5 * ((a[i * n + j] + a[n * n + i * n + j]) / heads) + (i === j ? 0.5 : 0));
          const s = r.reduce((x, y) => x + y, 0);
          return r.map((v) => v / s);
        });
        product = hat.map((r) => product[0].map((_, j) => r.reduce((s, v, k) => s + v * product[k][j], 0)));
      }
      assert.ok(maxAbsDiff(got, product.flat()) <= 1e-5);
    }),
    { numRuns: 40, seed: 12 },
  );
});

test('through the session on the demo model: summaries, words and head statistics match the reference (≤ 1e-4, ONNX vs torch)', async () => {
  for (const t of raw.texts) {
    const summary = await session.analyze(t.text, 1);
    assert.deepEqual(summary.tokens.map((x) => x.id), t.input_ids, t.text);
    const n = t.input_ids.length;
    const rollout = await session.attentionSummary(summary.analysisId, 'rollout');
    assert.deepEqual([rollout.kind, rollout.size, rollout.layer, rollout.tokenIndices], ['rollout', n, undefined, t.input_ids.map((_, i) => i)]);
    assert.ok(maxAbsDiff(rollout.weights, f32(t.rollout)) <= 1e-4, `${t.text} rollout`);
    assertRowsSumToOne(rollout.weights, n, 'session rollout', 1e-4);
    const last = await session.attentionSummary(summary.analysisId, 'mean-heads');
    assert.equal(last.layer, L);
    assert.ok(maxAbsDiff(last.weights, f32(t.mean_heads).subarray((L - 1) * n * n, L * n * n)) <= 1e-4);
    const first = await session.attentionSummary(summary.analysisId, 'mean-heads', { attentionLayer: 0 });
    assert.equal(first.layer, 1, 'clamped to 1 … numLayers');
    const layersMean = await session.attentionSummary(summary.analysisId, 'mean-layers');
    assert.ok(maxAbsDiff(layersMean.weights, f32(t.mean_layers)) <= 1e-4);
    assertStatsMatch(session.headStats(summary.analysisId), t.head_stats, 1e-4, t.text);
    if (t.word_groups) {
      const words = await session.attentionSummary(summary.analysisId, 'rollout', { words: true });
      assert.equal(words.size, t.word_groups.length);
      assert.deepEqual(words.wordIndices, t.word_groups.map((_, k) => k));
      assert.deepEqual(words.tokenIndices, t.word_groups.map((g) => g[0]));
      assert.ok(maxAbsDiff(words.weights, f32(t.pooled_rollout!)) <= 1e-4, `${t.text} word rollout`);
      const lastWords = await session.attentionSummary(summary.analysisId, 'mean-heads', { words: true });
      assert.ok(maxAbsDiff(lastWords.weights, f32(t.pooled_mean_heads_last!)) <= 1e-4);
    }
    await assert.rejects(session.attentionSummary(summary.analysisId, 'max-heads' as never), (e) => isContextLensError(e, 'BAD_ARGUMENTS') && /rollout, mean-heads, mean-layers/.test(e.message));
    session.release([summary.analysisId]);
  }
});

test('a windowed analysis: the summaries cover its widest window, rows still sum to 1', async () => {
  const summary = await session.analyze('我用苹果手机。我爱吃苹果。'.repeat(8), 1, {}, 40, false);
  assert.ok(summary.windowed);
  const slice = await session.attentionSummary(summary.analysisId, 'rollout', { words: true });
  const tokensSlice = session.attention(summary.analysisId, 1);
  assert.ok(slice.size < tokensSlice.tokenIndices.length && slice.size > 10);
  assert.ok(slice.tokenIndices.every((t) => tokensSlice.tokenIndices.includes(t)));
  assertRowsSumToOne(slice.weights, slice.size, 'windowed word rollout', 1e-4);
  session.release([summary.analysisId]);
});
