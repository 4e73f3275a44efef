// MaskedGuessStream over a long session (stress long-session): it remembers the tokens it asked only for
// the analyses on the map, and an analysis whose id a restarted engine hands out again is streamed anew.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalysisSummary, EngineMethods } from '../../src/engine/workerProtocol';
import { MaskedGuessStream, type GuessStreamContext } from '../../src/extension/guessStream';
import type { MapSnippet } from '../../src/extension/mapState';

/** An analysis of `n` plain tokens between [CLS] and [SEP], no guesses yet. */
function summary(analysisId: string, n: number): AnalysisSummary {
  const tokens = Array.from({ length: n + 2 }, (_, i) => ({ index: i, id: 5 + i, piece: `t${i}`, start: i, end: i + 1, special: i === 0 || i === n + 1 }));
  return { analysisId, text: 'x'.repeat(n), tokens, guesses: tokens.map(() => []), kind: 'masked', windowed: false, numLayers: 2, numHeads: 4, hiddenSize: 64, timings: {} } as unknown as AnalysisSummary;
}

test('a long session: the stream remembers only the map\'s tokens, and a reused analysis id is streamed anew', async () => {
  let snippets: MapSnippet[] = [];
  const asked: string[] = [];
  let done: (() => void) | undefined;
  const ctx = {
    map: { get snippets() { return snippets; }, get: (id: string) => snippets.find((s) => s.id === id) },
    engine: {
      call: async <M extends keyof EngineMethods>(_m: M, params: EngineMethods[M][0]) => {
        const p = params as EngineMethods['guesses'][0];
        p.tokenIndices.forEach((i) => asked.push(`${p.analysisId}:${i}`));
        // The engine has nothing to say for these tokens: the stream must not ask for them again.
        return [];
      },
    },
    config: { topK: 3, maskedGuesses: 'all' },
    model: { maxTokens: 512 },
    log: { info: () => undefined, warn: (m: string) => assert.fail(m) },
    noteEngineFailure: () => undefined,
  } as unknown as GuessStreamContext;
  const stream = new MaskedGuessStream(ctx, (m) => m.type === 'guessProgress' && m.total === 0 && done?.());
  const explore = (a: AnalysisSummary) => {
    snippets = [{ id: a.analysisId, uri: '', label: '', text: a.text, startOffset: 0, analysis: a }];
    return new Promise<void>((resolve) => {
      done = resolve;
      stream.start();
    });
  };
  for (let i = 1; i <= 50; i++) await explore(summary(`a${i}`, 10));
  const remembered = (stream as unknown as { asked: Map<unknown, Set<number>> }).asked;
  assert.ok([...remembered.values()].reduce((n, s) => n + s.size, 0) <= 10, 'only the map\'s 10 tokens');
  // The engine restarted: its first analysis is a1 again, a different one, and its tokens are asked for.
  asked.length = 0;
  await explore(summary('a1', 10));
  assert.equal(asked.length, 10);
});
