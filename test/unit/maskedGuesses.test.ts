import { test } from 'node:test';
import assert from 'node:assert/strict';
import { topKFromLogits } from '../../src/engine/maskedGuesses';

const piece = (id: number) => `t${id}`;

test('topKFromLogits returns the k largest, most probable first, with softmax probabilities', () => {
  const logits = new Float32Array([0, 3, 1, 5, 2, 4]);
  const guesses = topKFromLogits(logits, 0, 6, 3, piece);
  assert.deepEqual(guesses.map((g) => g.id), [3, 5, 1]);
  const z = [0, 3, 1, 5, 2, 4].reduce((s, x) => s + Math.exp(x), 0);
  assert.ok(Math.abs(guesses[0].probability - Math.exp(5) / z) < 1e-6);
  assert.equal(guesses[2].token, 't1');
});

test('topKFromLogits reads the row at an offset and skips excluded ids', () => {
  const logits = new Float32Array([9, 9, 9, 1, 7, 2, 8]);
  const guesses = topKFromLogits(logits, 3, 4, 2, piece, new Set([3]));
  assert.deepEqual(guesses.map((g) => g.id), [1, 2]);
  const z = Math.exp(1) + Math.exp(7) + Math.exp(2) + Math.exp(8);
  assert.ok(Math.abs(guesses[0].probability - Math.exp(7) / z) < 1e-6);
});

test('topKFromLogits with k larger than the vocabulary returns the whole vocabulary sorted', () => {
  const guesses = topKFromLogits(new Float32Array([1, 2]), 0, 2, 5, piece);
  assert.deepEqual(guesses.map((g) => g.id), [1, 0]);
  assert.ok(Math.abs(guesses[0].probability + guesses[1].probability - 1) < 1e-6);
});
