// bench/guessStreamHost.ts: the benchmark's worker part runs the shipping MaskedGuessStream; here against
// a real engine session on the demo model, every call timed, resolving once every token has its guesses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { streamGuesses } from '../../bench/guessStreamHost';
import { AnalysisSession } from '../../src/engine/session';
import type { EngineMethods } from '../../src/engine/workerProtocol';
import type { EngineClient } from '../../src/extension/engineClient';
import { guessTokensPerCall } from '../../src/extension/guessStream';
import { FIXTURE_MODEL } from './helpers/fixture';

test('the bench streams every token\'s guesses through MaskedGuessStream, in calls of its size, each timed', async (t) => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'context-lens-bench-stream-'));
  const session = new AnalysisSession();
  t.after(async () => {
    await session.dispose();
    rmSync(cacheDir, { recursive: true, force: true });
  });
  await session.load({ model: FIXTURE_MODEL, dtype: 'fp32', device: 'cpu', cacheDir });
  const text = '我用苹果手机。我爱吃苹果，也喜欢苹果手机。';
  const quick = await session.analyze(text, 3, {}, undefined, false);
  const full = await session.analyze(text, 3);
  const asked: number[][] = [];
  const client = {
    call: ((method: keyof EngineMethods, params: EngineMethods['guesses'][0], options: { signal?: AbortSignal } = {}) => {
      assert.equal(method, 'guesses');
      asked.push(params.tokenIndices);
      return session.guesses(params.analysisId, params.tokenIndices, params.topK, { signal: options.signal });
    }) as EngineClient['call'],
  };
  const words = quick.tokens.filter((t) => !t.special).map((t) => t.index);
  const streamed = await streamGuesses(client, quick, 3, 512);
  assert.equal(streamed.tokens, words.length);
  assert.deepEqual(asked.flat(), words, 'every text token once, in order');
  assert.deepEqual(streamed.callTokens, asked.map((a) => a.length));
  assert.equal(streamed.callMs.length, asked.length);
  assert.ok(streamed.callMs.every((ms) => ms > 0));
  assert.equal(Math.max(...streamed.callTokens), guessTokensPerCall(quick.tokens.length, 512));
  for (const i of words) assert.deepEqual(quick.guesses[i].map((g) => g.token), full.guesses[i].map((g) => g.token), `token ${i}`);
});
