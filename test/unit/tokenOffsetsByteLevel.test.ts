/**
 * Token ranges for byte-level BPE (issue 13: GPT-2's tokenizer, test/fixtures/tokenizers/gpt2.tokenizer.json,
 * a copy of ../shared/reference/tokenizers/). The reference is the Hugging Face `tokenizers` library reading
 * the same file: the same ids, and our ranges are its offsets (code points, converted to UTF-16) with the
 * leading spaces a token carries left out (`Ġworld` covers "world"; a token of only spaces keeps them).
 * Then properties over generated texts (fast-check, seeded): ranges ordered, inside the text, covering every
 * non-space character, and the byte tokens of one character sharing its range.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { tokenizeWithOffsets, tokenizeWithOffsetsDetailed } from '../../src/engine/tokenOffsets';
import type { AnalyzedToken } from '../../src/engine/types';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AutoTokenizer, env } = require('@huggingface/transformers');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Tokenizer: ReferenceTokenizer } = require('tokenizers') as typeof import('tokenizers');

env.allowRemoteModels = false;
env.allowLocalModels = true;

const TOKENIZER = resolve('test/fixtures/tokenizers/gpt2.tokenizer.json');
const SEED = 13;

/** Texts where byte-level ranges can go wrong: split characters, spaces, line ends, typed specials. */
const BYTE_LEVEL_TEXTS: readonly string[] = [
  'Hello world',
  '我爱吃苹果。我用苹果手机。',
  '𠀀𠀁 rare CJK',
  '😀 emoji 👍🏽 and 👨‍👩‍👧 family 🏳️‍🌈',
  'line one\r\nline two\r\n',
  'a  b   c\t\td',
  '  leading and trailing  ',
  '\n\n\nparagraphs\n\n',
  'e\u0301 combining, café naïve',
  'a\u200bb zero width',
  '<|endoftext|> typed special<|endoftext|>',
  "It's 3.14, isn't it? (yes!)",
  'ｆｕｌｌ　ｗｉｄｔｈ，１２３！',
  'İstanbul ß ΣΑΣ Привет',
  '\ufffd replacement',
];

let tmp: string;
let ours: any;
let reference: import('tokenizers').Tokenizer;
before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'context-lens-bytelevel-'));
  copyFileSync(TOKENIZER, join(tmp, 'tokenizer.json'));
  writeFileSync(join(tmp, 'tokenizer_config.json'), JSON.stringify({ tokenizer_class: 'GPT2Tokenizer', model_max_length: 1024, bos_token: '<|endoftext|>', eos_token: '<|endoftext|>', unk_token: '<|endoftext|>' }));
  ours = await AutoTokenizer.from_pretrained(tmp);
  reference = ReferenceTokenizer.fromFile(TOKENIZER);
  // The file truncates at 50 tokens: not part of a token's id or range.
  reference.disableTruncation();
  reference.disablePadding();
});
after(() => rmSync(tmp, { recursive: true, force: true }));

/** The reference's offsets in UTF-16 units, leading spaces left out of tokens that have more than spaces. */
async function referenceRanges(text: string): Promise<{ ids: number[]; ranges: string[] }> {
  const enc = await reference.encode(text, null, { addSpecialTokens: true });
  const unitsBefore: number[] = [0];
  for (const ch of text) unitsBefore.push(unitsBefore[unitsBefore.length - 1] + ch.length);
  const ranges = enc.getOffsets().map(([s, e]) => {
    let start = unitsBefore[s];
    const end = unitsBefore[e];
    while (start < end - 1 && text[start] === ' ') start++;
    if (text[start] === ' ' && text.slice(start, end).trim()) start++;
    return `${start}-${end}`;
  });
  return { ids: enc.getIds(), ranges };
}

test('GPT-2: no template tokens, and the byte-level path places every token', () => {
  const { tokens, method } = tokenizeWithOffsetsDetailed(ours, 'Hello world');
  assert.equal(method, 'byte-level');
  assert.deepEqual(
    tokens.map((t) => [t.piece, t.start, t.end, t.special]),
    [
      ['Hello', 0, 5, false],
      ['Ġworld', 6, 11, false],
    ],
  );
});

test('GPT-2: a CJK character or an emoji split into byte tokens gives each the whole character', () => {
  const text = '我 😀';
  const tokens = tokenizeWithOffsets(ours, text);
  // 我 is three bytes, 😀 four (two UTF-16 units): every byte token covers its whole character.
  const ranges = tokens.map((t) => text.slice(t.start, t.end));
  assert.ok(tokens.length > 2, 'split into byte tokens');
  assert.deepEqual([...new Set(ranges)], ['我', '😀']);
});

test('GPT-2: ids and ranges equal the reference tokenizers library on the byte-level texts', async () => {
  for (const text of BYTE_LEVEL_TEXTS) {
    const tokens = tokenizeWithOffsets(ours, text);
    const ref = await referenceRanges(text);
    assert.deepEqual(tokens.map((t) => t.id), ref.ids, `ids of ${JSON.stringify(text)}`);
    assert.deepEqual(tokens.map((t) => `${t.start}-${t.end}`), ref.ranges, `ranges of ${JSON.stringify(text)}`);
  }
});

/** The properties every byte-level tokenization must have. */
function checkProperties(text: string, tokens: AnalyzedToken[]): void {
  let lastStart = 0;
  const covered = new Uint8Array(text.length);
  for (const t of tokens) {
    assert.ok(t.start >= lastStart, `ordered at #${t.index}`);
    assert.ok(t.start >= 0 && t.end <= text.length && t.start < t.end, `inside and non-empty at #${t.index}`);
    covered.fill(1, t.start, t.end);
    lastStart = t.start;
  }
  for (let i = 0; i < text.length; i++) if (!/\s/.test(text[i])) assert.equal(covered[i], 1, `character ${i} of ${JSON.stringify(text)} covered`);
  // Tokens overlap only where they share a character, and then exactly: same [start, end).
  for (let k = 1; k < tokens.length; k++) {
    const a = tokens[k - 1];
    const b = tokens[k];
    if (b.start < a.end) assert.deepEqual([a.start, a.end], [b.start, b.end], `#${k - 1} and #${k} share a character`);
  }
}

test('GPT-2 property: ordered, inside the text, covering, byte tokens of one character share its range; ids as the reference', async () => {
  const piece = fc.oneof(
    fc.constantFrom('我', '苹果', '𠀀', '😀', '👍🏽', '👨‍👩‍👧', 'é', 'e\u0301', ' ', '  ', '\r\n', '\n', '\t', 'world', ' the', "'s", '123', '.', '<|endoftext|>', '\u200b', '\ufffd', 'ｆ'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }),
  );
  const texts = fc.sample(fc.array(piece, { minLength: 1, maxLength: 10 }).map((p) => p.join('')), { seed: SEED, numRuns: 1500 });
  let checked = 0;
  for (const text of texts) {
    const { tokens, method } = tokenizeWithOffsetsDetailed(ours, text);
    if (!text.trim()) continue;
    assert.equal(method, 'byte-level', `byte-level path for ${JSON.stringify(text)}`);
    checkProperties(text, tokens);
    const ref = await referenceRanges(text);
    assert.deepEqual(tokens.map((t) => t.id), ref.ids, `ids of ${JSON.stringify(text)}`);
    assert.deepEqual(tokens.map((t) => `${t.start}-${t.end}`), ref.ranges, `ranges of ${JSON.stringify(text)}`);
    checked++;
  }
  assert.ok(checked > 1000);
});
