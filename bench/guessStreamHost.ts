/**
 * The shipping MaskedGuessStream (src/extension/guessStream.ts) outside VS Code: one map snippet holding
 * an analysis, the engine behind an EngineClient, every engine call timed. What the worker part measures
 * is then the stream the extension runs, not a copy of its loop.
 */
import type { AnalysisSummary } from '../src/engine/workerProtocol';
import type { EngineClient } from '../src/extension/engineClient';
import { MaskedGuessStream, type GuessStreamContext } from '../src/extension/guessStream';
import type { MapSnippet } from '../src/extension/mapState';
import type { HostToWebview } from '../src/protocol';

export interface StreamedGuesses {
  /** Wall time of each `guesses` call, in call order. */
  callMs: number[];
  /** Tokens asked for in each call. */
  callTokens: number[];
  /** Tokens whose guesses the stream filled in. */
  tokens: number;
}

/**
 * Streams the masked guesses of `analysis` as Explore does after the map shows (setting
 * `contextLens.maskedGuesses: all`); resolves when every token has them, rejects when the stream stops
 * on an error.
 */
export function streamGuesses(client: Pick<EngineClient, 'call'>, analysis: AnalysisSummary, topK: number, maxTokens: number): Promise<StreamedGuesses> {
  const snippet: MapSnippet = { id: 'bench', uri: '', label: 'bench', text: analysis.text, startOffset: 0, analysis };
  const result: StreamedGuesses = { callMs: [], callTokens: [], tokens: 0 };
  return new Promise((resolve, reject) => {
    const ctx = {
      map: { snippets: [snippet], get: (id: string) => (id === snippet.id ? snippet : undefined) },
      engine: {
        call: async (...args: Parameters<EngineClient['call']>) => {
          const t0 = performance.now();
          try {
            return await client.call(...args);
          } finally {
            result.callMs.push(performance.now() - t0);
            result.callTokens.push((args[1] as { tokenIndices: number[] }).tokenIndices.length);
          }
        },
      },
      config: { topK, maskedGuesses: 'all' },
      model: { maxTokens },
      log: { info: () => undefined, warn: (m: string) => reject(new Error(m)) },
      noteEngineFailure: () => undefined,
    } as unknown as GuessStreamContext;
    const post = (m: HostToWebview): void => {
      if (m.type === 'guesses') result.tokens += m.tokens.length;
      // The stream counts towards a total while tokens are pending, and reports 0 once none is.
      if (m.type === 'guessProgress' && m.total === 0 && result.tokens > 0) resolve(result);
    };
    new MaskedGuessStream(ctx, post).start();
  });
}
