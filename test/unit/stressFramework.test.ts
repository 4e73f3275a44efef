// The stress campaign's own parts (stress/): the recorder bounds and records cases, the report counts
// them, families merge, the catalogue keeps its promises, and the range rules catch broken ranges
// (a checker that cannot fail would let the property family pass anything).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { tokenizeWithOffsets } from '../../src/engine/tokenOffsets';
import { expect, FamilyRecorder, mergeFamilies } from '../../stress/record';
import { tableRows } from '../../stress/report';
import { HOSTILE_TEXTS, hostileTexts, MAX_CHARS } from '../../stress/hostileTexts';
import { rangeRules } from '../../stress/rangeCheck';
import { checkInputText } from '../../src/engine/inputCheck';
import { isContextLensError } from '../../src/engine/errors';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AutoTokenizer, env } = require('@huggingface/transformers');
env.allowRemoteModels = false;
env.allowLocalModels = true;

test('a case that returns passes with its outcome; one that throws or breaks its rule fails with the reason', async () => {
  const rec = new FamilyRecorder('hostile-engine');
  await rec.run('good', 'engine', 1000, async () => 'analysis');
  await rec.run('rule', 'engine', 1000, async () => {
    expect(false, 'the ranges overlap');
    return 'analysis';
  });
  await rec.run('crash', 'cli', 1000, async () => {
    throw new TypeError('boom');
  });
  const [good, rule, crash] = rec.result.cases;
  assert.deepEqual([good.ok, good.outcome, good.problem], [true, 'analysis', undefined]);
  assert.deepEqual([rule.ok, rule.problem], [false, 'the ranges overlap']);
  assert.equal(crash.ok, false);
  assert.match(crash.problem ?? '', /^boom/);
});

test('a case that does not answer within its bound fails, and its signal aborts', async () => {
  const rec = new FamilyRecorder('rapid');
  let aborted = false;
  const r = await rec.run('hangs', 'host', 50, (signal) => new Promise<string>(() => signal.addEventListener('abort', () => (aborted = true))));
  assert.equal(r.ok, false);
  assert.equal(r.problem, 'no answer within 0.1 s');
  assert.ok(aborted);
  assert.ok(r.ms >= 45 && r.ms < 1000, `${r.ms} ms`);
});

test('the table counts tried, passed and failed per family and names the slowest case; parts merge by family', () => {
  const a = new FamilyRecorder('engine-death');
  a.add({ name: 'kill mid-analysis', layer: 'worker', ok: true, ms: 120, outcome: 'ENGINE_STOPPED' });
  a.memory({ step: 1, rssMB: 100 });
  const b = new FamilyRecorder('engine-death');
  b.add({ name: 'kill mid-projection', layer: 'host', ok: false, ms: 900, outcome: 'ENGINE_STOPPED', problem: 'two messages' });
  b.figure('restarts', 2);
  const p = new FamilyRecorder('properties');
  p.add({ name: '10,000 strings', layer: 'engine', ok: true, ms: 30_000, outcome: 'ranges exact' });
  const merged = mergeFamilies([a.result, b.result, p.result]);
  assert.deepEqual(merged.map((f) => f.family), ['properties', 'engine-death'], 'in the catalogue order');
  assert.equal(merged[1].cases.length, 2);
  assert.deepEqual(merged[1].figures, { restarts: 2 });
  assert.deepEqual(tableRows(merged), [
    ['token ranges, property-based (fast-check)', '1', '1', '0', '30 s (10,000 strings)'],
    ['engine killed mid-request', '2', '1', '1', '900 ms (kill mid-projection)'],
  ]);
});

test('the hostile catalogue: over 60 unique cases, every class the issue names, quick drops only marked ones', () => {
  const names = HOSTILE_TEXTS.map((t) => t.name);
  assert.equal(new Set(names).size, names.length, 'names are unique');
  assert.ok(HOSTILE_TEXTS.length >= 60, `${HOSTILE_TEXTS.length} cases`);
  for (const n of ['empty', '1 MB selection', '10 MB selection', '10,000-character word without spaces', '100,000 short lines', 'NUL in text', 'lone high surrogate', 'private-use characters', 'BOM at the start', 'CR-only line ends', 'mixed line ends', 'combining mark stack (zalgo)', 'ZWJ emoji families', 'flags (regional indicators)', 'right-to-left (Arabic, Hebrew)', 'CJK extension B', 'full-width forms', 'literal [MASK]', 'literal [CLS] and [SEP]', 'literal [UNK] and [PAD]', 'HTML with an onerror handler', 'closing script tag', 'template literal', 'command: link in Markdown', 'Markdown image', 'mixed scripts in one word']) {
    assert.ok(names.includes(n), n);
  }
  assert.ok(hostileTexts(true).length < HOSTILE_TEXTS.length);
  assert.ok(hostileTexts(true).every((t) => !t.quickSkip));
});

test('each hostile text\'s expected refusal is what the input check gives (the catalogue and the product agree)', () => {
  for (const t of HOSTILE_TEXTS) {
    const text = t.make();
    let code = 'analysis';
    try {
      checkInputText(text, MAX_CHARS);
    } catch (e) {
      assert.ok(isContextLensError(e));
      code = e.code;
    }
    assert.ok((t.endings as readonly string[]).includes(code), `${t.name}: the input check says ${code}, the catalogue ${t.endings.join('/')}`);
  }
});

test('the range rules pass the engine\'s ranges and catch moved, overlapping and outside ranges (WordPiece)', async () => {
  const tok = await AutoTokenizer.from_pretrained(resolve('assets/demo-model'));
  const rules = rangeRules(tok);
  assert.equal(rules.kind, 'wordpiece');
  const text = '我用苹果手机。 Café [MASK] bank';
  const tokens = tokenizeWithOffsets(tok, text);
  assert.deepEqual(rules.check(text, tokens), []);
  const i = tokens.findIndex((t) => t.piece === '果');
  const moved = tokens.map((t, k) => (k === i ? { ...t, start: t.start + 1, end: t.end + 1 } : t));
  assert.equal(rules.check(text, moved).length > 0, true, 'a range moved by one character');
  const overlapping = tokens.map((t, k) => (k === i ? { ...t, start: t.start - 1 } : t));
  assert.match(rules.check(text, overlapping).join('\n'), /overlaps/);
  const outside = tokens.map((t, k) => (k === tokens.length - 2 ? { ...t, end: text.length + 3 } : t));
  assert.match(rules.check(text, outside).join('\n'), /not inside the text/);
  const wideTemplate = tokens.map((t, k) => (k === 0 ? { ...t, end: 1 } : t));
  assert.match(rules.check(text, wideTemplate).join('\n'), /zero-width/);
});

test('the range rules pass byte-level ranges (split characters share one) and catch a shifted one (GPT-2)', async () => {
  const tok = await AutoTokenizer.from_pretrained(resolve('test/fixtures/tiny-gpt2'));
  const rules = rangeRules(tok);
  assert.equal(rules.kind, 'byte-level');
  const text = 'the bank 龍龍 of 😀 river<|endoftext|>';
  const tokens = tokenizeWithOffsets(tok, text);
  assert.deepEqual(rules.check(text, tokens), []);
  const shared = tokens.filter((t, k) => k > 0 && t.start === tokens[k - 1].start && t.end === tokens[k - 1].end);
  assert.ok(shared.length > 0, 'some split character gives tokens one shared range');
  const i = tokens.findIndex((t) => t.piece === 'Ġbank' || t.piece === 'bank');
  assert.ok(i >= 0, JSON.stringify(tokens.map((t) => t.piece)));
  const shifted = tokens.map((t, k) => (k === i ? { ...t, start: t.start + 1 } : t));
  assert.ok(rules.check(text, shifted).length > 0, 'a range that lost its first character');
  const widened = tokens.map((t, k) => (k === i ? { ...t, end: t.end + 1 } : t));
  assert.ok(rules.check(text, widened).length > 0, 'a range one character too long');
});
