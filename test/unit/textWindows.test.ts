import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planWindows, type TextWindow } from '../../src/engine/textWindows';

/** Context of text token p in window w on its poorer side; a window edge at a text edge costs nothing. */
function context(p: number, w: TextWindow, n: number): number {
  const left = w.start === 0 ? Infinity : p - w.start;
  const right = w.end === n ? Infinity : w.end - 1 - p;
  return Math.min(left, right);
}

function checkPlan(n: number, maxTokens: number, overlap?: number): TextWindow[] {
  const plan = planWindows(n, maxTokens, overlap);
  const label = `n=${n} max=${maxTokens} overlap=${overlap}`;
  assert.ok(plan.length >= 1, label);
  const cap = maxTokens - 2;
  // Keep ranges tile [0, n) in order; each inside its window; windows fit the model.
  let next = 0;
  for (const w of plan) {
    assert.ok(w.start >= 0 && w.end <= n && w.end - w.start <= cap, `${label}: window fits ${JSON.stringify(w)}`);
    assert.ok(w.start <= w.keepStart && w.keepEnd <= w.end, `${label}: keep inside window`);
    assert.equal(w.keepStart, next, `${label}: contiguous keep ranges`);
    assert.ok(w.keepEnd > w.keepStart || n === 0, `${label}: every window keeps something`);
    next = w.keepEnd;
  }
  assert.equal(next, n, `${label}: every token kept`);
  for (let i = 1; i < plan.length; i++) {
    assert.ok(plan[i].start > plan[i - 1].start && plan[i].end > plan[i - 1].end, `${label}: windows advance`);
  }
  // Each token's window is (one of) the most central for it.
  for (let p = 0; p < n; p++) {
    const mine = plan.find((w) => p >= w.keepStart && p < w.keepEnd)!;
    for (const w of plan) {
      if (p >= w.start && p < w.end) assert.ok(context(p, w, n) <= context(p, mine, n), `${label}: token ${p} most central`);
    }
  }
  return plan;
}

test('a text that fits is one window', () => {
  assert.deepEqual(planWindows(10, 512), [{ start: 0, end: 10, keepStart: 0, keepEnd: 10 }]);
  assert.deepEqual(planWindows(510, 512), [{ start: 0, end: 510, keepStart: 0, keepEnd: 510 }]);
  assert.deepEqual(planWindows(0, 512), [{ start: 0, end: 0, keepStart: 0, keepEnd: 0 }]);
});

test('two windows: overlap of maxTokens/4 by default, split in the middle of the overlap', () => {
  // capacity 6, overlap 2, n 10 -> windows [0,6) and [4,10); tokens 4 and 5 are shared.
  const plan = checkPlan(10, 8);
  assert.deepEqual(plan, [
    { start: 0, end: 6, keepStart: 0, keepEnd: 5 },
    { start: 4, end: 10, keepStart: 5, keepEnd: 10 },
  ]);
  // One more token than fits: two windows overlapping a lot (evenly placed, last one ends at the end).
  const p511 = checkPlan(511, 512);
  assert.equal(p511.length, 2);
  assert.deepEqual([p511[0].start, p511[0].end, p511[1].start, p511[1].end], [0, 510, 1, 511]);
});

test('windows overlap by at least the requested overlap', () => {
  for (const [n, max, ov] of [[2000, 512, undefined], [1000, 128, 32], [1000, 128, 0], [5000, 512, 200], [777, 64, 63]] as [number, number, number | undefined][]) {
    const plan = checkPlan(n, max, ov);
    const want = Math.min(ov ?? Math.floor(max / 4), max - 3);
    for (let i = 1; i < plan.length; i++) assert.ok(plan[i - 1].end - plan[i].start >= want, `overlap ${n} ${max} ${ov}`);
  }
});

test('exhaustive small cases keep every token exactly once, from its most central window', () => {
  for (let max = 3; max <= 14; max++) {
    for (let n = 0; n <= 40; n++) {
      checkPlan(n, max);
      for (let ov = 0; ov <= max; ov++) checkPlan(n, max, ov);
    }
  }
});

test('a large text is planned quickly', () => {
  const t0 = performance.now();
  const plan = checkPlan(100_000, 512);
  assert.ok(plan.length > 200);
  assert.ok(performance.now() - t0 < 2000);
});

test('bad arguments throw RangeError', () => {
  assert.throws(() => planWindows(10, 2), RangeError);
  assert.throws(() => planWindows(-1, 512), RangeError);
  assert.throws(() => planWindows(1.5, 512), RangeError);
});
