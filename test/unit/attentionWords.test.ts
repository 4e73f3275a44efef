// The Attention tab's words mode (issue 12): session.attention({ words: true }) pools every head of the layer
// into words by Clark et al.'s rule, against the NumPy values of scripts/words_reference.py
// (test/fixtures/words-reference.json `pooled_heads`, every layer × head for the texts with fixed word groupings).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { demoSession } from './helpers/demoSession';
import { maxAbsDiff } from './helpers/fixture';

interface RefText {
  text: string;
  input_ids: number[];
  word_groups?: number[][];
  pooled_heads?: string;
}
const raw = JSON.parse(readFileSync(resolve('test/fixtures/words-reference.json'), 'utf8')) as { num_layers: number; num_heads: number; texts: RefText[] };
const f32 = (b64: string): Float32Array => {
  const buf = Buffer.from(b64, 'base64');
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
};
const session = demoSession('attention-words');

test('attention with words: every head of every layer equals NumPy\'s pooling (≤ 1e-4, ONNX vs torch); rows sum to 1; wordIndices and first pieces', async () => {
  const grouped = raw.texts.filter((t) => t.word_groups);
  assert.ok(grouped.length >= 2, 'the fixture has texts with word groupings');
  for (const t of grouped) {
    const summary = await session.analyze(t.text, 1);
    const groups = t.word_groups!;
    const m = groups.length;
    const pooled = f32(t.pooled_heads!);
    for (let layer = 1; layer <= raw.num_layers; layer++) {
      const slice = session.attention(summary.analysisId, layer, { words: true });
      assert.equal(slice.numHeads, raw.num_heads);
      assert.deepEqual(slice.wordIndices, groups.map((_, k) => k), t.text);
      assert.deepEqual(slice.tokenIndices, groups.map((g) => g[0]), t.text);
      assert.equal(slice.weights.length, raw.num_heads * m * m);
      const k = (layer - 1) * raw.num_heads * m * m;
      const diff = maxAbsDiff(slice.weights, pooled.subarray(k, k + raw.num_heads * m * m));
      assert.ok(diff <= 1e-4, `${t.text} layer ${layer}: ${diff}`);
      for (let r = 0; r < raw.num_heads * m; r++) {
        const sum = slice.weights.subarray(r * m, (r + 1) * m).reduce((s, v) => s + v, 0);
        assert.ok(Math.abs(sum - 1) <= 1e-4, `${t.text} layer ${layer} row ${r} sums to ${sum}`);
      }
    }
    // Without words the slice is the pieces' (n × n per head, no wordIndices), as before.
    const pieces = session.attention(summary.analysisId, 1);
    assert.equal(pieces.wordIndices, undefined);
    assert.equal(pieces.weights.length, raw.num_heads * t.input_ids.length ** 2);
    session.release([summary.analysisId]);
  }
});

test('attention with words on a windowed text: the widest window\'s words, first pieces inside the window, rows sum to 1', async () => {
  const summary = await session.analyze('我用苹果手机。我爱吃苹果。'.repeat(8), 1, {}, 40, false);
  assert.ok(summary.windowed);
  const pieces = session.attention(summary.analysisId, 2);
  const words = session.attention(summary.analysisId, 2, { words: true, language: 'zh' });
  const m = words.tokenIndices.length;
  assert.ok(m > 10 && m < pieces.tokenIndices.length, `${m} words of ${pieces.tokenIndices.length} pieces`);
  assert.equal(words.wordIndices!.length, m);
  assert.ok(words.tokenIndices.every((t) => pieces.tokenIndices.includes(t)));
  for (let r = 0; r < words.numHeads * m; r++) {
    const sum = words.weights.subarray(r * m, (r + 1) * m).reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(sum - 1) <= 1e-4, `row ${r} sums to ${sum}`);
  }
  session.release([summary.analysisId]);
});
