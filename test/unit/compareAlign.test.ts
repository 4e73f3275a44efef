/**
 * Compare Models (issue 13): aligning two tokenizations by character ranges (src/engine/compare/align.ts).
 * The ranges are the reference Hugging Face `tokenizers` library's (Rust, its Node binding) for real
 * tokenizer files: bert-base-chinese (WordPiece: one token per CJK character, `play ##ing`) and GPT-2
 * (byte-level BPE: a CJK character or an emoji in several byte tokens, the leading space in the range).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { alignTokenRanges, type TokenRange } from '../../src/engine/compare';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Tokenizer } = require('tokenizers') as typeof import('tokenizers');

const FIXTURES = resolve('test/fixtures/tokenizers');

function load(name: string): import('tokenizers').Tokenizer {
  const t = Tokenizer.fromFile(join(FIXTURES, `${name}.tokenizer.json`));
  t.disablePadding();
  t.disableTruncation();
  return t;
}
const bert = load('bert-base-chinese-vocab');
const gpt2 = load('gpt2');

interface Tok extends TokenRange {
  piece: string;
}

/** The text's tokens (no special ones) with UTF-16 ranges (the reference counts code points). */
async function tokens(t: import('tokenizers').Tokenizer, text: string): Promise<Tok[]> {
  const unitsBefore: number[] = [0];
  for (const ch of text) unitsBefore.push(unitsBefore[unitsBefore.length - 1] + ch.length);
  const enc = await t.encode(text, null, { addSpecialTokens: false });
  const pieces = enc.getTokens();
  return enc.getOffsets().map(([s, e], i) => ({ piece: pieces[i], start: unitsBefore[s], end: unitsBefore[e] }));
}

/** Rows as compact strings: "text|a pieces|b pieces". */
async function rows(text: string): Promise<string[]> {
  const a = await tokens(bert, text);
  const b = await tokens(gpt2, text);
  return alignTokenRanges(text.length, a, b).map((r) => `${text.slice(r.start, r.end)}|${r.a.map((i) => a[i].piece).join(' ')}|${r.b.map((i) => b[i].piece).join(' ')}`);
}

test('Chinese: a row per character, BERT’s character beside GPT-2’s byte tokens of it', async () => {
  assert.deepEqual(await rows('我用苹果手机。'), [
    '我|我|æĪ ĳ',
    '用|用|çĶ ¨',
    '苹|苹|è ĭ ¹',
    '果|果|æ ŀ ľ',
    '手|手|æī ĭ',
    '机|机|æľ º',
    '。|。|ãĢĤ',
  ]);
});

test('English: wordpieces beside BPE pieces whose range starts at the space', async () => {
  assert.deepEqual(await rows('the bank of the river playing'), [
    'the|the|the',
    ' bank|bank|Ġbank',
    ' of|of|Ġof',
    ' the|the|Ġthe',
    ' river|river|Ġriver',
    ' playing|play ##ing|Ġplaying',
  ]);
});

test('an emoji: BERT’s [UNK] beside GPT-2’s two byte tokens, one of them with the space', async () => {
  assert.deepEqual(await rows('ok 😀 é'), ['ok|ok|ok', ' 😀|[UNK]|ĠðŁĺ Ģ', ' é|e|ĠÃ©']);
});

test('CRLF: a line break only GPT-2 reads is a row of its own with no BERT token', async () => {
  assert.deepEqual(await rows('a\r\nb'), ['a|a|a', '\r||č', '\n||Ċ', 'b|b|b']);
});

test('a BPE token over two BERT tokens is one row, not counted twice', () => {
  // A: 果 手 (one per character); B: one token for both.
  assert.deepEqual(alignTokenRanges(2, [{ start: 0, end: 1 }, { start: 1, end: 2 }], [{ start: 0, end: 2 }]), [{ start: 0, end: 2, a: [0, 1], b: [0] }]);
  // Crossing ranges: [0,3) [3,6) against [2,5): one row over all.
  assert.deepEqual(alignTokenRanges(6, [{ start: 0, end: 3 }, { start: 3, end: 6 }], [{ start: 2, end: 5 }]), [{ start: 0, end: 6, a: [0, 1], b: [0] }]);
});

test('special tokens (empty ranges) and ranges outside the text are in no row', () => {
  assert.deepEqual(alignTokenRanges(3, [{ start: 0, end: 0 }, { start: 0, end: 3 }, { start: 3, end: 3 }], [{ start: 0, end: 3 }, { start: 2, end: 9 }]), [{ start: 0, end: 3, a: [1], b: [0] }]);
  assert.deepEqual(alignTokenRanges(0, [], []), []);
});

test('on generated texts: every token in exactly one row, rows ordered and disjoint, none straddled, none splittable', async () => {
  const alphabet = ['a', 'b', ' ', '果', '苹', '😀', 'é', '\r\n', '\n', 'ing', 'bank', '。', '\u0301', '𠀀', 'ﬁ'];
  const texts = fc.sample(fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 12 }).map((parts) => parts.join('')), { numRuns: 300, seed: 13 });
  for (const text of texts) {
    const a = await tokens(bert, text);
    const b = await tokens(gpt2, text);
    const spans = alignTokenRanges(text.length, a, b);
    const msg = JSON.stringify(text);
    for (const [side, key] of [[a, 'a'], [b, 'b']] as const) {
      const seen = spans.flatMap((s) => s[key]).sort((x, y) => x - y);
      assert.deepEqual(seen, side.map((_, i) => i).filter((i) => side[i].end > side[i].start), msg);
    }
    for (let i = 0; i < spans.length; i++) {
      const s = spans[i];
      assert.ok(s.start < s.end && (i === 0 || spans[i - 1].end <= s.start), msg);
      for (const t of [...s.a.map((k) => a[k]), ...s.b.map((k) => b[k])]) assert.ok(t.start >= s.start && t.end <= s.end, msg);
      // Minimal: no position inside the row is a boundary of both tokenizations with tokens on both sides of it.
      for (let p = s.start + 1; p < s.end; p++) {
        const straddled = [...a, ...b].some((t) => t.start < p && p < t.end);
        const before = [...s.a.map((k) => a[k]), ...s.b.map((k) => b[k])].some((t) => t.end <= p);
        const after = [...s.a.map((k) => a[k]), ...s.b.map((k) => b[k])].some((t) => t.start >= p);
        assert.ok(straddled || !(before && after), `${msg}: row ${s.start}-${s.end} splits at ${p}`);
      }
    }
  }
});
