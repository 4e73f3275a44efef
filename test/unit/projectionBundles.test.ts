// The projection's quality metrics (src/engine/projection/quality.ts) are for the tests and the benchmark:
// the bundles that ship carry the projection but not them. Reads the development bundles that
// `npm run test:unit` builds just before it runs (function names are kept there, not minified).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const QUALITY = /\bfunction (embeddingQuality|knnOverlap|trustworthiness)\d*\(/;
const read = (bundle: string): string => readFileSync(resolve(bundle), 'utf8');

test('the engine worker and CLI bundles hold the projection but none of its quality metrics', () => {
  for (const bundle of ['dist/engineWorker.js', 'dist/cli.js']) {
    const code = read(bundle);
    assert.match(code, /\bfunction projectUmap\d*\(/, `${bundle} has the projection (a development build, names kept)`);
    assert.match(code, /\bfunction projectPca\d*\(/, bundle);
    assert.doesNotMatch(code, QUALITY, `${bundle} must not carry projection/quality.ts`);
  }
});

test('the extension bundle holds no projection code at all (it runs in the worker)', () => {
  const code = read('dist/extension.js');
  assert.match(code, /\bfunction activate\d*\(/, 'dist/extension.js is a development build with names kept');
  assert.doesNotMatch(code, /\bfunction projectUmap\d*\(/);
  assert.doesNotMatch(code, QUALITY);
});
