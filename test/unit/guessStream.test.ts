// MaskedGuessStream (src/extension/guessStream.ts) against a real engine session on the fixture model:
// the map's analyses come without guesses, the stream fills them in, wanted tokens first, and a stopped
// stream picks up where it left off.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnalysisSession } from '../../src/engine/session';
import type { AnalysisSummary, EngineMethods } from '../../src/engine/workerProtocol';
import { MaskedGuessStream, type GuessStreamContext } from '../../src/extension/guessStream';
import type { MapSnippet } from '../../src/extension/mapState';
import type { HostToWebview } from '../../src/protocol';
import { FIXTURE_MODEL } from './helpers/fixture';

const cacheDir = mkdtempSync(join(tmpdir(), 'context-lens-stream-'));
const session = new AnalysisSession();
const TOP_K = 3;

before(async () => {
  await session.load({ model: FIXTURE_MODEL, dtype: 'fp32', device: 'cpu', cacheDir });
});
after(async () => {
  await session.dispose();
  rmSync(cacheDir, { recursive: true, force: true });
});

interface Harness {
  stream: MaskedGuessStream;
  snippets: MapSnippet[];
  posted: HostToWebview[];
  calls: number[][];
  /** Resolves when the stream reports nothing left to compute. */
  finished(): Promise<void>;
}

function harness(summaries: AnalysisSummary[], maskedGuesses: 'all' | 'onDemand' = 'all'): Harness {
  const snippets: MapSnippet[] = summaries.map((analysis, i) => ({ id: `s${i}`, uri: '', label: `snippet ${i}`, text: analysis.text, startOffset: 0, analysis }));
  const posted: HostToWebview[] = [];
  const calls: number[][] = [];
  let onDone: (() => void) | undefined;
  const ctx = {
    map: { snippets, get: (id: string) => snippets.find((s) => s.id === id) },
    engine: {
      call: <M extends keyof EngineMethods>(method: M, params: EngineMethods[M][0], options: { signal?: AbortSignal } = {}) => {
        assert.equal(method, 'guesses');
        const p = params as EngineMethods['guesses'][0];
        calls.push(p.tokenIndices);
        return session.guesses(p.analysisId, p.tokenIndices, p.topK, { signal: options.signal });
      },
    },
    config: { topK: TOP_K, maskedGuesses },
    model: { maxTokens: 128 },
    log: { info: () => undefined, warn: (m: string) => assert.fail(m) },
    noteEngineFailure: () => undefined,
  } as unknown as GuessStreamContext;
  const stream = new MaskedGuessStream(ctx, (m) => {
    posted.push(m);
    if (m.type === 'guessProgress' && m.total === 0 && posted.some((x) => x.type === 'guesses')) onDone?.();
  });
  return { stream, snippets, posted, calls, finished: () => new Promise<void>((resolve) => (onDone = resolve)) };
}

const TEXTS = ['我用苹果手机。', '我爱吃苹果，也喜欢苹果手机。'];

test('the stream fills in every token of every snippet with the guesses analyze would have given', async () => {
  const quick = await Promise.all(TEXTS.map((text) => session.analyze(text, TOP_K, {}, undefined, false)));
  const full = await Promise.all(TEXTS.map((text) => session.analyze(text, TOP_K)));
  const h = harness(quick);
  const done = h.finished();
  h.stream.start();
  h.stream.start(); // a second start while running does not start a second loop
  await done;
  quick.forEach((q, si) => {
    for (const t of q.tokens) {
      assert.deepEqual(q.guesses[t.index].map((g) => g.token), full[si].guesses[t.index].map((g) => g.token), `snippet ${si} token ${t.index}`);
    }
  });
  const sent = h.posted.filter((m) => m.type === 'guesses').flatMap((m) => (m.type === 'guesses' ? m.tokens.map((g) => `${m.snippetId}:${g.tokenIndex}`) : []));
  const textTokens = quick.reduce((n, q) => n + q.tokens.filter((t) => !t.special).length, 0);
  assert.equal(sent.length, textTokens, 'each token is sent to the webview once');
  assert.equal(new Set(sent).size, textTokens);
  assert.equal(h.calls.flat().length, textTokens, 'each token is computed once');
  const progress = h.posted.filter((m) => m.type === 'guessProgress');
  assert.deepEqual(progress[0], { type: 'guessProgress', done: 0, total: textTokens }, 'progress starts at 0 of all');
  assert.deepEqual(progress[progress.length - 1], { type: 'guessProgress', done: textTokens, total: 0 }, 'and ends with nothing pending');
});

test('a token the user looks at is computed next, and a stopped stream resumes without gaps', async () => {
  const quick = await Promise.all(TEXTS.map((text) => session.analyze(text, TOP_K, {}, undefined, false)));
  const h = harness(quick);
  const last = quick[1].tokens.length - 2; // the last text token of the second snippet
  h.stream.prioritize({ snippetId: 's1', tokenIndex: last });
  assert.equal(h.calls[0]?.[0], last, 'the wanted token goes first');
  h.stream.stop();
  const done = h.finished();
  h.stream.start();
  await done;
  for (const q of quick) for (const t of q.tokens) assert.equal(q.guesses[t.index].length > 0, !t.special, `token ${t.index} of "${q.text}"`);
  // Special tokens and tokens already done are never asked for.
  const asked = h.calls.flat();
  assert.ok(!asked.includes(0), '[CLS] is never asked');
});

test('a snippet whose analysis the engine released is skipped; the others are still filled', async () => {
  const quick = await Promise.all(TEXTS.map((text) => session.analyze(text, TOP_K, {}, undefined, false)));
  session.release([quick[0].analysisId]);
  const h = harness(quick);
  const done = h.finished();
  h.stream.start();
  await done;
  assert.ok(quick[0].guesses.every((g) => g.length === 0), 'nothing for the released analysis');
  assert.ok(quick[1].tokens.every((t) => t.special || quick[1].guesses[t.index].length === TOP_K), 'the other snippet is complete');
});

test('on demand: only the tokens the user looks at (and their next neighbours) are computed; no counter', async () => {
  const quick = await Promise.all(TEXTS.map((text) => session.analyze(text, TOP_K, {}, undefined, false)));
  const h = harness(quick, 'onDemand');
  h.stream.start();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(h.calls.length, 0, 'nothing is computed unasked');
  const asked = { snippetId: 's1', tokenIndex: 3 };
  const answered = new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (h.posted.some((m) => m.type === 'guesses')) {
        clearInterval(poll);
        resolve();
      }
    }, 5);
  });
  h.stream.prioritize(asked);
  await answered;
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(h.calls, [[3, 4, 5, 6]], 'the wanted token and the next three');
  assert.ok(quick[1].guesses[3].length === TOP_K && quick[1].guesses[7].length === 0);
  assert.ok(quick[0].guesses.every((g) => g.length === 0), 'the other snippet is untouched');
  assert.ok(h.posted.filter((m) => m.type === 'guessProgress').every((m) => m.type === 'guessProgress' && m.total === 0), 'no progress counter on demand');
});

test('the guesses computed for a wantGuesses carry its request id; the ones streamed in order carry none', async () => {
  const quick = await Promise.all(TEXTS.map((text) => session.analyze(text, TOP_K, {}, undefined, false)));
  const h = harness(quick);
  const done = h.finished();
  h.stream.prioritize({ snippetId: 's1', tokenIndex: 2 }, 'want-7');
  await done;
  const guesses = h.posted.flatMap((m) => (m.type === 'guesses' ? [m] : []));
  const wanted = guesses.filter((m) => m.requestId !== undefined);
  assert.equal(wanted.length, 1, 'one reply to the request');
  assert.equal(wanted[0].requestId, 'want-7');
  assert.equal(wanted[0].snippetId, 's1');
  assert.equal(wanted[0].tokens[0].tokenIndex, 2, 'and it holds the wanted token');
  assert.ok(guesses.length > 1, 'the rest streamed in order, without an id');
});
