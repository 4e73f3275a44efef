// src/shared/format.ts: the one probability format of the editor hover and the Embedding Map.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { formatCosine, formatProbability } from '../../src/shared/format';

test('formatProbability: one decimal; 100% without a false decimal; <0.1% for tiny values; – when not a number', () => {
  const cases: [number, string][] = [
    [0.4213, '42.1%'],
    [0.996, '99.6%'],
    [0.9994, '99.9%'],
    [0.9996, '100%'],
    [1, '100%'],
    [0.001, '0.1%'],
    [0.0009, '<0.1%'],
    [0, '0.0%'],
    [Number.NaN, '–'],
    [Number.POSITIVE_INFINITY, '–'],
  ];
  assert.deepEqual(cases.map(([p]) => [p, formatProbability(p)]), cases);
});

test('formatCosine: two decimals, – when not a number', () => {
  assert.deepEqual([0.9123, -0.5, 1, Number.NaN].map(formatCosine), ['0.91', '-0.50', '1.00', '–']);
});
