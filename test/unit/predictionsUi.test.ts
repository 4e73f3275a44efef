// The pure parts of the predictions UI (issue 11): which text Guess Masked Span reads, the hover's per-layer
// line, the Tokens tab's layers × top-k rows and the sparkline's geometry.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import fc from 'fast-check';
import type { LayerGuessesResult } from '../../src/protocol';
import { spanLine, spanSource } from '../../src/extension/predictions/spanSource';
import { layerSummary, layerTableRows } from '../../webview/predictions/layerRows';
import { sparklineGeometry } from '../../webview/predictions/sparklineGeometry';

const lineLength = (lines: string[]) => (n: number) => lines[n].length;

test('spanLine: one line as is; a whole line with its line break is that line; two lines are refused', () => {
  const lines = ['我用苹果手机。', '我爱吃苹果。'];
  assert.deepEqual(spanLine({ startLine: 0, startChar: 2, endLine: 0, endChar: 4 }, lineLength(lines)), { line: 0, startChar: 2, endChar: 4 });
  assert.deepEqual(spanLine({ startLine: 0, startChar: 0, endLine: 1, endChar: 0 }, lineLength(lines)), { line: 0, startChar: 0, endChar: 7 });
  assert.equal(spanLine({ startLine: 0, startChar: 5, endLine: 1, endChar: 2 }, lineLength(lines)), 'MULTI_LINE');
  assert.equal(spanLine({ startLine: 0, startChar: 0, endLine: 2, endChar: 0 }, lineLength([...lines, ''])), 'MULTI_LINE');
});

test('spanSource: a short line whole, the span at its own offsets', () => {
  assert.deepEqual(spanSource('我用苹果手机。', 2, 4, 100), { text: '我用苹果手机。', start: 2, end: 4, lineChar: 0 });
  // Offsets past the line are clamped, an inverted span is empty (the engine refuses it with BAD_SPAN).
  assert.deepEqual(spanSource('abc', 5, 9, 100), { text: 'abc', start: 3, end: 3, lineChar: 0 });
});

test('spanSource: a long line is windowed around the span, which stays whole and at the same text', () => {
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 300, unit: 'grapheme' }), fc.nat(), fc.nat(20), fc.integer({ min: 8, max: 120 }), (line, a, len, maxChars) => {
      const start = a % (line.length + 1);
      const end = Math.min(line.length, start + len);
      const src = spanSource(line, start, end, maxChars);
      assert.equal(src.text.slice(src.start, src.end), line.slice(start, end), 'the span is the same text');
      assert.equal(line.slice(src.lineChar, src.lineChar + src.text.length), src.text, 'the text is a piece of the line');
      assert.equal(src.lineChar + src.start, start);
      assert.ok(src.text.length <= Math.max(maxChars, end - start), `window ${src.text.length} ≤ ${maxChars}`);
      // Never a lone surrogate at a cut end (unless the span itself starts or ends there).
      if (src.lineChar > 0 && src.start > 0) assert.ok(!/^[\uDC00-\uDFFF]/.test(src.text), 'no low surrogate first');
      if (src.lineChar + src.text.length < line.length && src.end < src.text.length) assert.ok(!/[\uD800-\uDBFF]$/.test(src.text), 'no high surrogate last');
    }),
  );
});

/** Three layers of a made-up model: 苹 becomes the top guess at layer 1 and stays. */
function threeLayers(): LayerGuessesResult {
  const token = { index: 3, id: 0, piece: '苹', start: 2, end: 3, special: false };
  return {
    token,
    firstLayer: 1,
    layers: [
      { layer: 0, guesses: [{ token: '的', id: 0, probability: 0.3 }, { token: '苹', id: 0, probability: 0.1 }, { token: '我', id: 0, probability: 0.05 }, { token: '了', id: 0, probability: 0.01 }], finalRank: 2, finalProbability: 0.1 },
      { layer: 1, guesses: [{ token: '苹', id: 0, probability: 0.4 }, { token: '的', id: 0, probability: 0.2 }], finalRank: 1, finalProbability: 0.4 },
      { layer: 2, guesses: [{ token: '苹', id: 0, probability: 0.61 }, { token: '香', id: 0, probability: 0.1 }], finalRank: 1, finalProbability: 0.61 },
    ],
  };
}

test('layerSummary: the last layer’s top guess, where it first came out on top, its final probability', () => {
  assert.deepEqual(layerSummary(threeLayers()), { token: '苹', firstLayer: 1, finalProbability: 0.61 });
  assert.equal(layerSummary(null), undefined);
  assert.equal(layerSummary({ ...threeLayers(), layers: [] }), undefined);
});

test('layerTableRows: last layer first, top-k cells, the final guess marked in every row, settled from firstLayer', () => {
  const rows = layerTableRows(threeLayers(), 3);
  assert.deepEqual(rows.map((r) => r.layer), [2, 1, 0]);
  assert.deepEqual(rows.map((r) => r.cells.length), [2, 2, 3]);
  assert.deepEqual(rows.map((r) => r.settled), [true, true, false]);
  assert.deepEqual(rows[2].cells.map((c) => c.final), [false, true, false]);
  assert.deepEqual(rows.map((r) => [r.finalRank, r.finalProbability]), [[1, 0.61], [1, 0.4], [2, 0.1]]);
});

test('sparklineGeometry: layers left to right, probability 1 at the top, 0 on the baseline', () => {
  const box = { width: 110, height: 30, pad: 5 };
  const g = sparklineGeometry([0, 0.5, 1], box);
  assert.deepEqual(g.points, [{ x: 5, y: 25 }, { x: 55, y: 15 }, { x: 105, y: 5 }]);
  assert.equal(g.path, 'M5 25 L55 15 L105 5');
  assert.equal(g.baseline, 25);
  // Out-of-range and non-finite values stay inside the box; one value sits in the middle.
  assert.deepEqual(sparklineGeometry([1.5, -1, NaN], box).points.map((p) => p.y), [5, 25, 25]);
  assert.deepEqual(sparklineGeometry([0.25], box).points, [{ x: 55, y: 20 }]);
  assert.equal(sparklineGeometry([], box).path, '');
});
