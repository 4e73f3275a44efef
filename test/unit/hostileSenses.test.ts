/**
 * Word Senses over hostile text (issue 14, found by the stress family hostile-engine): a word of more
 * tokens than the model reads at once. A context is never cut inside the word, so such an occurrence
 * reached the tiny GPT-2 (128 positions) past its last position and onnxruntime threw "indices element
 * out of data bounds". Now it is left out, and a word with no readable occurrence is NO_OCCURRENCES with
 * a next step; a model that reads the same word in fewer tokens (BERT: one [UNK]) still analyses it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isContextLensError } from '../../src/engine/errors';
import { AnalysisSession } from '../../src/engine/session';
import type { SensesResult } from '../../src/engine/senses/types';
import { GPT2_FIXTURE } from './helpers/gpt2Reference';
import { demoSession } from './helpers/demoSession';

const LONG_WORD = 'bankapple'.repeat(1112).slice(0, 10_000);
const ZALGO = `z${'\u0300\u0301\u0302\u0303\u0304\u0305\u0306\u0307'.repeat(20)}algo`;

const cacheDir = mkdtempSync(join(tmpdir(), 'context-lens-hostile-senses-'));
const gpt = new AnalysisSession();
before(async () => {
  await gpt.load({ model: GPT2_FIXTURE, dtype: 'q8', device: 'cpu', cacheDir, offline: true });
});
after(async () => {
  await gpt.dispose();
  rmSync(cacheDir, { recursive: true, force: true });
});
const bert = demoSession('hostile-senses');

async function senses(session: AnalysisSession, word: string, text: string): Promise<SensesResult> {
  const { jobId } = await session.sensesStart({ word, sources: [{ label: 'hostile.txt', uri: 'untitled:hostile.txt', text }] });
  try {
    let r = await session.sensesStep(jobId, false);
    while (!r.done) r = await session.sensesStep(jobId, false);
    return r;
  } finally {
    session.sensesRelease(jobId);
  }
}

for (const [name, word] of [
  ['a 10,000-character word', LONG_WORD],
  ['a stack of 160 combining marks (two bytes, so two tokens, each)', ZALGO],
] as const) {
  test(`senses on the tiny GPT-2: ${name} is NO_OCCURRENCES naming the model's limit, not an onnxruntime error`, async () => {
    assert.ok(gpt.model.tokenizer.encode(word).length > gpt.model.info.maxTokens, 'the word is longer than the model reads at once');
    await assert.rejects(senses(gpt, word, `${word} bank`), (e: unknown) => {
      assert.ok(isContextLensError(e, 'NO_OCCURRENCES'), String(e));
      assert.match((e as Error).message, /more tokens than the model reads at once \(128\)\. Search for a shorter word\./);
      return true;
    });
    // The session is left working: the next job runs.
    const r = await senses(gpt, 'bank', `${word} bank. The bank of the river.`);
    assert.equal(r.search.found, 2);
    assert.equal(r.occurrences.length, 2);
  });
}

test('senses on the demo BERT: the 10,000-character word is one [UNK], within the model’s reach, and is analysed', async () => {
  const r = await senses(bert, LONG_WORD, `${LONG_WORD} bank`);
  assert.equal(r.search.found, 1);
  assert.equal(r.occurrences.length, 1);
  assert.equal(r.layers.length, bert.model.info.numLayers + 1);
});
