// The Attention tab's pure parts for words and heads (issue 12): rows renormalised over the tokens shown, the
// head view's automatic layout, the horizontal view's arcs, the grid's colour scale and legend values, word labels.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import fc from 'fast-check';
import type { HeadStat, SnippetView, TokenView } from '../../src/protocol';
import { attentionMatrix, renormalizeRows, rowSumRange } from '../../webview/attentionMath';
import { arcHeight, arcPath, labelWidth, layoutSlots, strongestPerRow } from '../../webview/attention/arcs';
import { wordLabels, wordOfPiece } from '../../webview/attention/labels';
import { LONG_TEXT_ROWS, autoLayoutReason, chooseHeadLayout, cjkShare } from '../../webview/attention/layout';
import { formatStat, legendValues, scalePosition, statScale } from '../../webview/attention/statScale';

test('renormalizeRows: rows with hidden columns dropped sum to 1 again, in the same proportions; an emptied row stays 0', () => {
  // [CLS] a b [SEP], [CLS]/[SEP] dropped: rows a and b keep 0.2+0.2 and 0.5+0.1 of their attention.
  const weights = [0.5, 0.2, 0.2, 0.1, 0.3, 0.2, 0.2, 0.3, 0.2, 0.5, 0.1, 0.2, 1, 0, 0, 0];
  const kept = attentionMatrix(weights, 1, [0, 1, 2, 3], 0, (ti) => ti === 1 || ti === 2);
  assert.deepEqual([...kept.values].map((v) => +v.toFixed(6)), [0.2, 0.2, 0.5, 0.1]);
  const range = rowSumRange(kept)!;
  assert.deepEqual([+range.min.toFixed(6), +range.max.toFixed(6)], [0.4, 0.6]);
  const renorm = renormalizeRows(kept);
  assert.deepEqual([...renorm.values].map((v) => +v.toFixed(6)), [0.5, 0.5, +(5 / 6).toFixed(6), +(1 / 6).toFixed(6)]);
  assert.deepEqual(renorm.tokens, [1, 2]);
  assert.deepEqual([...renormalizeRows({ tokens: [0, 1], values: Float64Array.of(0, 0, 2, 2) }).values], [0, 0, 0.5, 0.5]);
  assert.equal(rowSumRange({ tokens: [], values: new Float64Array(0) }), null);
  fc.assert(
    fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 9, maxLength: 9 }), (vals) => {
      const out = renormalizeRows({ tokens: [0, 1, 2], values: Float64Array.from(vals) });
      for (let r = 0; r < 3; r++) {
        const before = vals.slice(r * 3, r * 3 + 3).reduce((a, b) => a + b, 0);
        const after = out.values.subarray(r * 3, r * 3 + 3).reduce((a, b) => a + b, 0);
        assert.ok(before > 0 ? Math.abs(after - 1) < 1e-9 : after === 0);
      }
    }),
    { seed: 12, numRuns: 100 },
  );
});

test('auto head layout: horizontal when more than half the letters are CJK or more than LONG_TEXT_ROWS rows; the user\'s choice wins', () => {
  assert.equal(cjkShare('我喜欢吃苹果。'), 1);
  assert.equal(cjkShare('i like apples.'), 0);
  assert.equal(cjkShare('123 !?'), 0);
  assert.equal(cjkShare('カタカナ와한국어'), 1);
  assert.equal(cjkShare('我 like'), 0.2);
  assert.equal(chooseHeadLayout('auto', '我喜欢吃苹果。', 9), 'horizontal');
  assert.equal(chooseHeadLayout(undefined, '我用iPhone', 6), 'vertical', '2 of 8 letters are Han');
  assert.equal(chooseHeadLayout('auto', 'the cat sat on the mat', 8), 'vertical');
  assert.equal(chooseHeadLayout('auto', 'the cat sat on the mat', LONG_TEXT_ROWS), 'vertical');
  assert.equal(chooseHeadLayout('auto', 'the cat sat on the mat', LONG_TEXT_ROWS + 1), 'horizontal');
  assert.equal(chooseHeadLayout('vertical', '我喜欢吃苹果。', 200), 'vertical');
  assert.equal(chooseHeadLayout('horizontal', 'the cat', 3), 'horizontal');
  assert.deepEqual([autoLayoutReason('我喜欢吃苹果。', 200), autoLayoutReason('the cat', 200), autoLayoutReason('the cat', 3)], ['cjk', 'long', null]);
});

test('arcs: slots left to right as wide as their labels (CJK one em), arcs above to earlier tokens and below to later, height grows with distance up to a cap', () => {
  assert.equal(labelWidth('苹果', 12, 0), 24);
  assert.equal(labelWidth('ab', 10, 0), Math.ceil(12.4));
  const { slots, width } = layoutSlots(['[CLS]', 'a', '苹果'], 12, 6, 18);
  assert.equal(slots.length, 3);
  assert.equal(slots[0].x, 6);
  for (let i = 1; i < slots.length; i++) assert.equal(slots[i].x, slots[i - 1].x + slots[i - 1].width + 6);
  assert.equal(slots[1].width, 18, 'a one-letter token gets the minimum width');
  assert.equal(slots[2].width, 24 + 8, 'two Han characters: two em and the padding');
  assert.equal(width, slots[2].x + slots[2].width + 6);
  slots.forEach((s) => assert.equal(s.centre, s.x + s.width / 2));

  assert.equal(arcPath(100, 40, 50, 80), 'M100.0,50.0 Q70.0,-10.0 40.0,50.0', 'to an earlier token: control 2 × 30 above the line');
  assert.equal(arcPath(40, 100, 70, 80), 'M40.0,70.0 Q70.0,130.0 100.0,70.0', 'to a later token: below');
  const lines = [
    { from: 0, to: 0, weight: 0.9 },
    { from: 0, to: 1, weight: 0.05 },
    { from: 0, to: 2, weight: 0.03 },
    { from: 0, to: 3, weight: 0.02 },
    { from: 1, to: 0, weight: 0.5 },
  ];
  assert.deepEqual(strongestPerRow(lines, 2).map((l) => [l.from, l.to]), [[0, 1], [0, 2], [1, 0]], 'self-attention has no arc; each row its 2 heaviest');
  assert.equal(strongestPerRow(lines, Infinity).length, 4);
  assert.equal(arcHeight(0, 400, 80), 80, 'capped');
  assert.equal(arcHeight(0, 4, 80), 6, 'at least the minimum');
  fc.assert(
    fc.property(fc.double({ min: 0, max: 2000, noNaN: true }), fc.double({ min: 0, max: 2000, noNaN: true }), fc.double({ min: 0, max: 2000, noNaN: true }), (a, b, c) => {
      const [near, far] = Math.abs(b - a) <= Math.abs(c - a) ? [b, c] : [c, b];
      assert.ok(arcHeight(a, near, 80) <= arcHeight(a, far, 80));
      // The quadratic's apex (t = ½) lies arcHeight from the line.
      const h = arcHeight(a, far, 80);
      const controlOffset = 2 * h;
      assert.ok(Math.abs(0.5 * controlOffset - h) < 1e-9);
    }),
    { seed: 7, numRuns: 200 },
  );
});

function stat(layer: number, head: number, v: Partial<HeadStat>): HeadStat {
  return { layer, head, entropy: 0, distance: 0, toCls: 0, toSep: 0, toPrev: 0, toNext: 0, toPunct: 0, ...v };
}

test('grid colour scale: the snippet\'s own min … max (shares from 0), positions clamped, legend values and units', () => {
  const stats = [stat(1, 0, { entropy: 0.5, toSep: 0.2 }), stat(1, 1, { entropy: 2.5, toSep: 0.6 }), stat(2, 0, { entropy: 1.5, toSep: 0.4 })];
  const entropy = statScale(stats, 'entropy')!;
  assert.deepEqual(entropy, { min: 0.5, max: 2.5 });
  assert.deepEqual(stats.map((s) => scalePosition(s.entropy, entropy)), [0, 1, 0.5]);
  assert.deepEqual(legendValues(entropy), [0.5, 1.5, 2.5]);
  assert.equal(formatStat(1.234, 'entropy'), '1.23');
  assert.equal(formatStat(3.456, 'distance'), '3.46');
  const share = statScale(stats, 'toSep')!;
  assert.deepEqual(share, { min: 0, max: 0.6 }, 'a share starts at 0 %');
  assert.ok(Math.abs(scalePosition(0.3, share) - 0.5) < 1e-12);
  assert.equal(formatStat(0.4235, 'toSep'), '42.4%');
  assert.equal(scalePosition(9, entropy), 1);
  assert.equal(scalePosition(-9, entropy), 0);
  assert.equal(statScale([], 'entropy'), null);
  assert.equal(statScale([stat(1, 0, { distance: Number.NaN })], 'distance'), null);
  const flat = statScale([stat(1, 0, { distance: 2 }), stat(1, 1, { distance: 2 })], 'distance')!;
  assert.equal(scalePosition(2, flat), 1);
  assert.deepEqual(legendValues(flat), [2]);
});

function tok(index: number, piece: string, start: number, end: number): TokenView {
  const special = piece.startsWith('[');
  return { index, piece, surface: special ? '' : piece.replace(/^##/, ''), start, end, special, guesses: [] };
}

test('word labels: each word reads as the text its pieces cover, specials as their piece, cut at 14 characters', () => {
  const text = "the cat's friends";
  const tokens = [tok(0, '[CLS]', 0, 0), tok(1, 'the', 0, 3), tok(2, 'cat', 4, 7), tok(3, "'", 7, 8), tok(4, 's', 8, 9), tok(5, 'friends', 10, 17), tok(6, '[SEP]', 17, 17)];
  const snippet: SnippetView = { id: 's', label: 's', text, tokens, windowed: false };
  assert.deepEqual([...wordLabels(snippet, [0, 1, 2, 5, 6])], [[0, '[CLS]'], [1, 'the'], [2, "cat's"], [5, 'friends'], [6, '[SEP]']]);
  const long: SnippetView = { id: 'l', label: 'l', text: 'internationalisation', tokens: [tok(0, 'international', 0, 13), tok(1, '##isation', 13, 20)], windowed: false };
  assert.deepEqual([...wordLabels(long, [0])], [[0, 'international…']], 'the last word runs to the snippet\'s end');
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((i) => wordOfPiece([0, 1, 2, 5, 6], i)), [0, 1, 2, 2, 2, 5, 6], 'a piece selects its word');
});
