// MaskedGuessStream (src/extension/guessStream.ts) after the engine died and a new one analyzed the map again:
// the new engine numbers its analyses from a1 again, so the tokens asked of the old a1 must not count as asked
// for the new one (found by the stress campaign's engine-death family: after a restart no guesses streamed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalysisSummary, EngineMethods } from '../../src/engine/workerProtocol';
import { MaskedGuessStream, type GuessStreamContext } from '../../src/extension/guessStream';
import type { MapSnippet } from '../../src/extension/mapState';
import type { HostToWebview } from '../../src/protocol';

/** An analysis as the engine sends it (guesses not computed yet), three text tokens between [CLS] and [SEP]. */
function analysis(analysisId: string): AnalysisSummary {
  const tokens: [string, number, number, boolean][] = [['[CLS]', 0, 0, true], ['我', 0, 1, false], ['用', 1, 2, false], ['果', 2, 3, false], ['[SEP]', 3, 3, true]];
  return {
    analysisId,
    text: '我用果',
    tokens: tokens.map(([piece, start, end, special], index) => ({ index, id: index, piece, start, end, special })),
    guesses: [],
  } as unknown as AnalysisSummary;
}

test('a new engine\'s analysis with an old id (a1 again) gets its guesses streamed', async () => {
  const snippets: MapSnippet[] = [{ id: 's1', uri: '', label: 'snippet', text: '我用果', startOffset: 0, analysis: analysis('a1') }];
  const asked: string[] = [];
  let finished: (() => void) | undefined;
  const ctx = {
    map: { snippets, get: (id: string) => snippets.find((s) => s.id === id) },
    engine: {
      call: <M extends keyof EngineMethods>(method: M, params: EngineMethods[M][0]) => {
        assert.equal(method, 'guesses');
        const p = params as EngineMethods['guesses'][0];
        asked.push(...p.tokenIndices.map((i) => `${p.analysisId}:${i}`));
        return Promise.resolve(p.tokenIndices.map((tokenIndex) => ({ tokenIndex, guesses: [{ token: '果', probability: 0.5 }] })));
      },
    },
    config: { topK: 3, maskedGuesses: 'all' },
    model: { maxTokens: 128 },
    log: { info: () => undefined, warn: (m: string) => assert.fail(m) },
    noteEngineFailure: () => undefined,
  } as unknown as GuessStreamContext;
  const stream = new MaskedGuessStream(ctx, (m: HostToWebview) => {
    if (m.type === 'guessProgress' && m.total === 0 && asked.length) finished?.();
  });
  const run = async (): Promise<void> => {
    const done = new Promise<void>((resolve) => (finished = resolve));
    stream.start();
    await done;
  };

  await run();
  assert.deepEqual(asked, ['a1:1', 'a1:2', 'a1:3']);
  // The engine died; a new one analyzed the snippet again and called it a1 too.
  asked.length = 0;
  snippets[0].analysis = analysis('a1');
  await run();
  assert.deepEqual(asked, ['a1:1', 'a1:2', 'a1:3'], 'the new analysis is streamed, not taken as asked already');
  assert.ok(snippets[0].analysis.guesses[3]?.length, 'its guesses filled in');
  stream.dispose();
});
