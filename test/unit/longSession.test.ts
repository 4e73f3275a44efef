/**
 * The long-session stress family's pieces (stress/families/longSession*.ts), small: the texts it explores,
 * and what an engine session holds after many Explores (analyze, release of the map's previous analysis,
 * project, guesses, words): only the map's analysis, however many came before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sessionTexts } from '../../stress/families/longSessionTexts';
import { demoSession } from './helpers/demoSession';

const session = demoSession('long-session');

test('the session texts: all different, 20–400 characters, Chinese and English in the session, the same every run', () => {
  const texts = sessionTexts(500);
  assert.equal(new Set(texts).size, 500);
  assert.ok(texts.every((t) => t.length >= 20 && t.length <= 400), 'lengths 20–400');
  assert.ok(texts.some((t) => t.length > 300) && texts.some((t) => t.length < 60), 'short and long ones');
  const mixed = texts.filter((t) => /[\u4e00-\u9fff]/.test(t) && /[a-z]/i.test(t)).length;
  assert.ok(mixed > 250, `most texts mix both languages (${mixed})`);
  assert.deepEqual(sessionTexts(500), texts, 'seeded');
  assert.notDeepEqual(sessionTexts(20, 7), texts.slice(0, 20), 'another seed, another session');
});

test('after 30 Explores the session holds only the last analysis; released ones answer CANCELLED', async () => {
  const texts = sessionTexts(30, 11);
  const ids: string[] = [];
  for (const text of texts) {
    const a = await session.analyze(text, 5, {}, 512, false);
    if (ids.length) session.release([ids[ids.length - 1]]);
    ids.push(a.analysisId);
    await session.project([a.analysisId], 2, 'pca');
    await session.guesses(a.analysisId, [1, 2], 5);
    session.words(a.analysisId);
  }
  assert.deepEqual(session.held(), { analyses: 1, sensesJobs: 0 });
  assert.throws(() => session.get(ids[0]), (e: unknown) => (e as { code?: string }).code === 'CANCELLED');
  assert.equal(session.get(ids[ids.length - 1]).text, texts[texts.length - 1]);
  // The check can fail: an Explore that forgets the release leaves two.
  const extra = await session.analyze('one more', 5, {}, 512, false);
  assert.deepEqual(session.held(), { analyses: 2, sensesJobs: 0 });
  session.release([extra.analysisId, ids[ids.length - 1]]);
  assert.deepEqual(session.held(), { analyses: 0, sensesJobs: 0 });
});
