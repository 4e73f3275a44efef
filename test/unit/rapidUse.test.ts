// Rapid use (issue 14 item 5), against a real engine session on the demo model:
// - MapCommandQueue (src/extension/mapCommandQueue.ts): Explore / Add given back to back; a newer Explore
//   supersedes what came before (its analysis call cancelled, or its finished analysis dropped and released),
//   results land in the order given, the map ends as the last Explore and the Adds after it.
// - OneAtATime (src/extension/oneAtATime.ts): the hover's engine calls one at a time; a hover cancelled while it
//   waits never reaches the engine and lets go at once; the next one starts only after the running one ended.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isContextLensError } from '../../src/engine/errors';
import type { AnalysisSummary } from '../../src/engine/workerProtocol';
import { MapCommandQueue, type MapCommandEnd, type MapCommandMode } from '../../src/extension/mapCommandQueue';
import { OneAtATime } from '../../src/extension/oneAtATime';
import { demoSession } from './helpers/demoSession';

const session = demoSession('rapid');

const TEXTS = ['我爱吃苹果。', '我用苹果手机。', 'i like apples and tea today .', '他喜欢看书。', 'the cat sat by the river bank .'];

interface Harness {
  queue: MapCommandQueue;
  /** The map: the texts of the analyses landed, as Explore (replace) and Add (append) leave them. */
  map: AnalysisSummary[];
  released: string[];
  failures: unknown[];
  give(mode: MapCommandMode, text: string, compute?: (signal: AbortSignal) => Promise<AnalysisSummary>): Promise<MapCommandEnd>;
}

function harness(): Harness {
  const queue = new MapCommandQueue();
  const h: Harness = {
    queue,
    map: [],
    released: [],
    failures: [],
    give: (mode, text, compute) =>
      queue.run({
        mode,
        compute: compute ?? ((signal) => session.analyze(text, 3, { signal }, undefined, false)),
        land: (a) => {
          if (mode === 'explore') {
            session.release(h.map.map((m) => m.analysisId));
            h.map = [];
          }
          h.map.push(a);
        },
        drop: (a) => {
          h.released.push(a.analysisId);
          session.release([a.analysisId]);
        },
        fail: (e) => h.failures.push(e),
      }),
  };
  return h;
}

const held = (analysisId: string): boolean => {
  try {
    session.get(analysisId);
    return true;
  } catch {
    return false;
  }
};

test('a burst of Explore / Add: the map ends as the last Explore and the Adds after it, in the order given', async () => {
  const h = harness();
  const ends = await Promise.all([h.give('explore', TEXTS[0]), h.give('add', TEXTS[1]), h.give('explore', TEXTS[2]), h.give('add', TEXTS[3]), h.give('add', TEXTS[4])]);
  assert.deepEqual(ends, ['superseded', 'superseded', 'shown', 'shown', 'shown']);
  assert.deepEqual(h.map.map((a) => a.text), [TEXTS[2], TEXTS[3], TEXTS[4]]);
  // Each landed analysis is the engine's own, still held; each superseded one is gone from the engine.
  for (const a of h.map) {
    assert.ok(held(a.analysisId), `${a.text} is held`);
    assert.equal(a.tokens.length > 2, true);
  }
  for (const id of h.released) assert.equal(held(id), false, `${id} released`);
  assert.deepEqual(h.failures, []);
  assert.deepEqual({ ...h.queue.counts }, { given: 5, shown: 3, superseded: 2, cancelled: 0, failed: 0, dropped: h.released.length, computing: 0 });
  session.release(h.map.map((a) => a.analysisId));
});

test('a superseded analysis: its call is cancelled while it waits, or its result dropped and released — never shown', async () => {
  const h = harness();
  let signalOfFirst: AbortSignal | undefined;
  let computedFirst: AnalysisSummary | undefined;
  let gate!: () => void;
  const opened = new Promise<void>((r) => (gate = r));
  // The first Explore's analysis comes back before the second Explore is given, but lands only after it: dropped.
  const first = h.give('explore', TEXTS[0], async (signal) => {
    signalOfFirst = signal;
    computedFirst = await session.analyze(TEXTS[0], 3, { signal }, undefined, false);
    await opened;
    return computedFirst;
  });
  // The second one's call is cancelled before it runs (the signal is aborted by the third).
  const second = h.give('add', TEXTS[1], (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(Object.assign(new Error('cancelled'), { aborted: true })))));
  await new Promise((r) => setTimeout(r, 20));
  const third = h.give('explore', TEXTS[2]);
  gate();
  assert.deepEqual(await Promise.all([first, second, third]), ['superseded', 'superseded', 'shown']);
  assert.equal(signalOfFirst?.aborted, true);
  assert.deepEqual(h.released, [computedFirst!.analysisId]);
  assert.equal(held(computedFirst!.analysisId), false);
  assert.deepEqual(h.map.map((a) => a.text), [TEXTS[2]]);
  assert.deepEqual(h.failures, [], 'a superseded command reports nothing, whatever it threw');
  session.release(h.map.map((a) => a.analysisId));
});

test('an Add whose analysis is ready first still lands after the Explore given before it', async () => {
  const h = harness();
  let gate!: () => void;
  const opened = new Promise<void>((r) => (gate = r));
  const order: string[] = [];
  const explore = h.give('explore', TEXTS[0], async (signal) => {
    const a = await session.analyze(TEXTS[0], 3, { signal }, undefined, false);
    await opened;
    order.push('explore computed');
    return a;
  });
  const add = h.give('add', TEXTS[1], async (signal) => {
    const a = await session.analyze(TEXTS[1], 3, { signal }, undefined, false);
    order.push('add computed');
    return a;
  });
  await new Promise((r) => setTimeout(r, 20));
  gate();
  assert.deepEqual(await Promise.all([explore, add]), ['shown', 'shown']);
  assert.deepEqual(order, ['add computed', 'explore computed']);
  assert.deepEqual(h.map.map((a) => a.text), [TEXTS[0], TEXTS[1]], 'the Explore did not wipe the Add given after it');
  session.release(h.map.map((a) => a.analysisId));
});

test('a failure is reported once and at once; the user\'s Cancel is not a failure; the commands after them land', async () => {
  const h = harness();
  const userCancel = new AbortController();
  userCancel.abort();
  const ends = await Promise.all([
    h.give('explore', TEXTS[0]),
    h.give('add', '   '),
    h.give('add', TEXTS[1], () => session.analyze(TEXTS[1], 3, { signal: userCancel.signal }, undefined, false)),
    h.give('add', TEXTS[2]),
  ]);
  assert.deepEqual(ends, ['shown', 'failed', 'cancelled', 'shown']);
  assert.equal(h.failures.length, 1);
  assert.ok(isContextLensError(h.failures[0], 'EMPTY_INPUT'), String(h.failures[0]));
  assert.deepEqual(h.map.map((a) => a.text), [TEXTS[0], TEXTS[2]]);
  assert.equal(h.queue.counts.computing, 0);
  session.release(h.map.map((a) => a.analysisId));
});

test('hover calls one at a time: one cancelled while it waits never runs and lets go at once; the next starts after the running one ended', async () => {
  const turns = new OneAtATime();
  const text = TEXTS[2];
  const log: string[] = [];
  const guessesAt = (name: string, offset: number) => async () => {
    log.push(`${name} start`);
    const r = await session.layerGuesses(text, offset, 3);
    log.push(`${name} end`);
    return r;
  };
  const a = turns.run(new AbortController().signal, guessesAt('a', text.indexOf('like')));
  const bCancel = new AbortController();
  const b = turns.run(bCancel.signal, guessesAt('b', text.indexOf('apples')));
  const c = turns.run(new AbortController().signal, guessesAt('c', text.indexOf('tea')));
  // The mouse moved on from b (as the hover controller cancels it) while a's forward runs.
  bCancel.abort();
  await assert.rejects(b, (e) => isContextLensError(e, 'CANCELLED'));
  assert.equal(log.includes('a end'), false, 'b let go before a ended');
  const [ra, rc] = await Promise.all([a, c]);
  assert.deepEqual(log, ['a start', 'a end', 'c start', 'c end']);
  assert.deepEqual({ ...turns.counts }, { started: 2, skipped: 1, pending: 0 });
  // The answers are the engine's own for those positions.
  assert.equal(ra?.token.piece, 'like');
  assert.equal(rc?.token.piece, 'tea');
  assert.deepEqual(rc, await session.layerGuesses(text, text.indexOf('tea'), 3));
});

test('hover calls: a call that never ends does not hold the next one for longer than the wait allowed', async () => {
  const turns = new OneAtATime(30);
  const hanging = new AbortController();
  const never = turns.run(hanging.signal, () => new Promise<never>(() => undefined));
  hanging.abort();
  await assert.rejects(never, (e) => isContextLensError(e, 'CANCELLED'));
  const r = await turns.run(new AbortController().signal, () => session.layerGuesses(TEXTS[0], 1, 3));
  assert.equal(r?.token.piece, '爱');
});
