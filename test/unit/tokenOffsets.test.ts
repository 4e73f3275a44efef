import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  tokenIndexAtOffset,
  tokenizeWithOffsets,
  tokenizeWithOffsetsDetailed,
  type OffsetTokenizer,
} from '../../src/engine/tokenOffsets';
import type { AnalyzedToken } from '../../src/engine/types';
import type { PreTrainedTokenizer } from '@huggingface/transformers';

// Compile-time: a transformers.js tokenizer is an OffsetTokenizer.
export const acceptsRealTokenizer: (t: PreTrainedTokenizer) => OffsetTokenizer = (t) => t;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AutoTokenizer, env } = require('@huggingface/transformers');
env.allowRemoteModels = false;
env.allowLocalModels = true;

const FIXTURE = resolve('assets/demo-model');
let tiny: any;
let tmp: string;

before(async () => {
  tiny = await AutoTokenizer.from_pretrained(FIXTURE);
  tmp = mkdtempSync(join(tmpdir(), 'context-lens-tok-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

/** What the real transformers.js tokenizer gives: `tokenizer(text)` input_ids. */
function realIds(tok: any, text: string): number[] {
  return Array.from(tok(text, { return_tensor: false }).input_ids as number[], Number);
}

/** Tokens as compact strings for exact expectations: piece@start-end. */
function brief(tokens: AnalyzedToken[]): string[] {
  return tokens.map((t) => `${t.piece}@${t.start}-${t.end}`);
}

/** The invariants every result must satisfy, whatever path produced it. */
function checkShape(tok: any, text: string, tokens: AnalyzedToken[]): void {
  assert.deepEqual(tokens.map((t) => t.id), realIds(tok, text), `ids of ${JSON.stringify(text)}`);
  tokens.forEach((t, i) => assert.equal(t.index, i));
  assert.ok(tokens[0].special && tokens[0].start === 0 && tokens[0].end === 0, 'leading [CLS]');
  const last = tokens[tokens.length - 1];
  assert.ok(last.special && last.start === text.length && last.end === text.length, 'trailing [SEP]');
  let prevEnd = 0;
  for (const t of tokens.slice(1, -1)) {
    assert.equal(t.special, false);
    assert.ok(t.start >= prevEnd, `ordered, non-overlapping: ${JSON.stringify(text)} ${brief(tokens)}`);
    assert.ok(t.end >= t.start && t.end <= text.length);
    prevEnd = t.end;
  }
}

/** text.slice(start, end) normalised equals the piece without ##, or the token is [UNK] over a non-empty range. */
function checkRoundTrip(tok: any, text: string, tokens: AnalyzedToken[]): void {
  const normalize = (s: string): string => tok._tokenizer.normalizer(s).replace(/\s+/g, '');
  for (const t of tokens.slice(1, -1)) {
    const slice = text.slice(t.start, t.end);
    if (t.id === tok.unk_token_id) {
      assert.ok(slice.trim().length > 0, `[UNK] covers something in ${JSON.stringify(text)}`);
      continue;
    }
    if (tok.all_special_ids.includes(t.id)) {
      assert.equal(slice, t.piece, 'a special token typed in the text covers exactly its characters');
      continue;
    }
    const piece = t.piece.startsWith('##') ? t.piece.slice(2) : t.piece;
    assert.equal(normalize(slice), piece, `${JSON.stringify(slice)} -> ${t.piece} in ${JSON.stringify(text)}`);
  }
}

const TRICKY: string[] = [
  '我用苹果手机。我爱吃苹果。',
  'Apple PHONES',
  'Café naïve résumé',
  'CAFÉ NAÏVE RÉSUMÉ',
  'apples playing worked',
  'Ω',
  '😀 apple 😀',
  '龍 and 苹果',
  '👨‍👩‍👧 family',
  'x👨‍👩‍👧y',
  'one\r\ntwo\tthree\nfour',
  'a   b    c',
  '我喜欢吃苹[MASK]。',
  'the [MASK] is good',
  '[mask] lower case is not special',
  '[MASK][MASK]',
  '   leading and trailing   ',
  '\t\r\n',
  'cafe\u0301 nai\u0308ve', // combining accents (decomposed)
  'e\u0301\u0323x', // two combining marks, reordered by NFD
  '苹果，手机！？（）：；', // full-width punctuation
  'ＡＢＣ１２３', // full-width letters and digits
  "don't-stop (now).",
  'a\u200bb', // zero-width space inside a word
  'apple\u0000phone\u0007bank', // controls
  'x\uFFFDy',
  '\uD800 lone surrogate \uDC00',
  'İstanbul ΣΑΣ', // lowercasing that changes length / final sigma
  'naïve résumé Ω\u0301',
  '𠀀 astral ideograph',
  'a'.repeat(120) + ' b', // longer than max_input_chars_per_word
  'running bank river money 123 4a5',
  '',
];

test('ids equal the real tokenizer and every range round-trips, for every tricky string (replay path)', () => {
  for (const text of TRICKY) {
    const { tokens, method } = tokenizeWithOffsetsDetailed(tiny, text);
    checkShape(tiny, text, tokens);
    checkRoundTrip(tiny, text, tokens);
    assert.equal(method, 'replay', `exact replay for ${JSON.stringify(text)}`);
  }
});

test('exact ranges: CJK', () => {
  const text = '我用苹果手机。我爱吃苹果。';
  assert.deepEqual(brief(tokenizeWithOffsets(tiny, text)), [
    '[CLS]@0-0', '我@0-1', '用@1-2', '苹@2-3', '果@3-4', '手@4-5', '机@5-6', '。@6-7',
    '我@7-8', '爱@8-9', '吃@9-10', '苹@10-11', '果@11-12', '。@12-13', '[SEP]@13-13',
  ]);
});

test('exact ranges: upper case, accents, ## pieces', () => {
  assert.deepEqual(brief(tokenizeWithOffsets(tiny, 'Apple PHONES')), ['[CLS]@0-0', 'apple@0-5', 'phone@6-11', '##s@11-12', '[SEP]@12-12']);
  assert.deepEqual(brief(tokenizeWithOffsets(tiny, 'Café naïve résumé')), ['[CLS]@0-0', 'cafe@0-4', 'naive@5-10', 'resume@11-17', '[SEP]@17-17']);
  assert.deepEqual(brief(tokenizeWithOffsets(tiny, 'apples playing')), ['[CLS]@0-0', 'apples@0-6', 'play@7-11', '##ing@11-14', '[SEP]@14-14']);
  // A decomposed accent the normalizer strips after the last letter is outside the token, as the reference
  // tokenizer reports it (issue 15: it used to be counted into the token before it).
  assert.deepEqual(brief(tokenizeWithOffsets(tiny, 'cafe\u0301 x')), ['[CLS]@0-0', 'cafe@0-4', 'x@6-7', '[SEP]@7-7']);
});

test('exact ranges: [UNK], surrogate pairs and ZWJ sequences (UTF-16 code units)', () => {
  assert.deepEqual(brief(tokenizeWithOffsets(tiny, 'Ω 😀 龍')), ['[CLS]@0-0', '[UNK]@0-1', '[UNK]@2-4', '[UNK]@5-6', '[SEP]@6-6']);
  // ZWJ is a format character the normalizer removes: the family is one word, one [UNK], all 8 code units.
  assert.deepEqual(brief(tokenizeWithOffsets(tiny, '👨‍👩‍👧 ok')), ['[CLS]@0-0', '[UNK]@0-8', 'o@9-10', '##k@10-11', '[SEP]@11-11']);
  const long = 'a'.repeat(120);
  assert.deepEqual(brief(tokenizeWithOffsets(tiny, `${long} b`)), ['[CLS]@0-0', '[UNK]@0-120', 'b@121-122', '[SEP]@122-122']);
});

test('exact ranges: whitespace, CRLF, tabs', () => {
  assert.deepEqual(brief(tokenizeWithOffsets(tiny, '  apple\r\n\tphone  ')), ['[CLS]@0-0', 'apple@2-7', 'phone@10-15', '[SEP]@17-17']);
  assert.deepEqual(brief(tokenizeWithOffsets(tiny, ' \t\r\n ')), ['[CLS]@0-0', '[SEP]@5-5']);
  assert.deepEqual(brief(tokenizeWithOffsets(tiny, '')), ['[CLS]@0-0', '[SEP]@0-0']);
});

test('a literal [MASK] typed by the user is the mask token over its 6 characters', () => {
  const text = '我喜欢吃苹[MASK]。';
  const tokens = tokenizeWithOffsets(tiny, text);
  assert.deepEqual(brief(tokens), ['[CLS]@0-0', '我@0-1', '喜@1-2', '欢@2-3', '吃@3-4', '苹@4-5', '[MASK]@5-11', '。@11-12', '[SEP]@12-12']);
  const mask = tokens[6];
  assert.equal(mask.id, tiny.mask_token_id);
  assert.equal(mask.special, false, 'it is part of the text, not added by the post-processor');
  // Lower case is not the special token: brackets and letters.
  const lower = tokenizeWithOffsets(tiny, '[mask]');
  assert.deepEqual(brief(lower), ['[CLS]@0-0', '[UNK]@0-1', 'm@1-2', '##a@2-3', '##s@3-4', '##k@4-5', '[UNK]@5-6', '[SEP]@6-6']);
  assert.ok(!lower.some((t) => t.id === tiny.mask_token_id));
});

test('full-width punctuation is one token per character', () => {
  const tokens = tokenizeWithOffsets(tiny, '苹果，手机！');
  assert.deepEqual(brief(tokens), ['[CLS]@0-0', '苹@0-1', '果@1-2', '，@2-3', '手@3-4', '机@4-5', '！@5-6', '[SEP]@6-6']);
});

test('random strings over a tricky alphabet: ids always equal the real tokenizer, replay always exact', () => {
  const alphabet = [
    'a', 'p', 'l', 'e', 's', 'A', 'P', 'É', 'é', 'e\u0301', '\u0308', 'ï', ' ', '  ', '\t', '\r\n', '\n', '苹', '果', '龍', '。',
    '，', '！', '(', ')', '-', "'", '.', '😀', '👨‍👩‍👧', '\u200d', '\u200b', '\u0000', '\uFFFD', 'Ω', 'Σ', 'İ', '[MASK]', '[MASK', 'MASK]',
    '1', '2', 'ing', 'ed', 'phone', 'apple', 'Ｆ', '\u00a0', '\u3000', '\u2028', '𠀀', '\uD800', '\uDC00', '\u0085', '\u00ad',
    'ﬁ', 'ß', '\u0345', 'ΐ', '\u3099', '가', '\ufeff', '\u1680', '¼', '\u{E0067}', '\u{F0000}',
  ];
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const iterations = Number(process.env.CONTEXT_LENS_FUZZ ?? 400);
  for (let k = 0; k < iterations; k++) {
    const parts: string[] = [];
    const len = 1 + rnd(12);
    for (let i = 0; i < len; i++) parts.push(alphabet[rnd(alphabet.length)]);
    const text = parts.join('');
    const { tokens, method } = tokenizeWithOffsetsDetailed(tiny, text);
    checkShape(tiny, text, tokens);
    checkRoundTrip(tiny, text, tokens);
    assert.equal(method, 'replay', JSON.stringify(text));
  }
});

/** Writes a tokenizer folder (tokenizer.json + tokenizer_config.json) and loads it with transformers.js. */
async function customTokenizer(name: string, opts: { vocab: string[]; normalizer: unknown; added?: unknown[]; config?: object }): Promise<any> {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  const vocab: Record<string, number> = {};
  opts.vocab.forEach((v, i) => (vocab[v] = i));
  const specials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  const added = opts.added ?? specials.map((content) => ({
    id: vocab[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
  }));
  const json = {
    version: '1.0', truncation: null, padding: null, added_tokens: added,
    normalizer: opts.normalizer,
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
      special_tokens: { '[CLS]': { id: '[CLS]', ids: [vocab['[CLS]']], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [vocab['[SEP]']], tokens: ['[SEP]'] } },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(json));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({
    tokenizer_class: 'BertTokenizer', model_max_length: 512, cls_token: '[CLS]', sep_token: '[SEP]', mask_token: '[MASK]',
    pad_token: '[PAD]', unk_token: '[UNK]', ...(opts.config ?? {}),
  }));
  return AutoTokenizer.from_pretrained(dir);
}

const BASE = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '.', ',', '!'];

test('cased vocabulary with accented tokens (lowercase: false, strip_accents: false)', async () => {
  const tok = await customTokenizer('cased', {
    vocab: [...BASE, 'Café', 'naïve', 'Apple', 'apple', 'PHONE', '##S', 'Ré', '##sumé', 'é', 'Σ', 'Ω', '##\u0301', 'e', 'x', '##x', '😀'],
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: false, lowercase: false },
  });
  const cases = ['Café naïve Résumé', 'Apple apple PHONES', 'é e\u0301x ex', 'ΣΩ Σ Ω', '😀 😀x', 'Café\u200d!'];
  for (const text of cases) {
    const { tokens, method } = tokenizeWithOffsetsDetailed(tok, text);
    checkShape(tok, text, tokens);
    checkRoundTrip(tok, text, tokens);
    assert.equal(method, 'replay', JSON.stringify(text));
  }
  assert.deepEqual(brief(tokenizeWithOffsets(tok, 'Café naïve Résumé')), ['[CLS]@0-0', 'Café@0-4', 'naïve@5-10', 'Ré@11-13', '##sumé@13-17', '[SEP]@17-17']);
  // The combining accent is kept: `e` + `##́` over the two code units.
  assert.deepEqual(brief(tokenizeWithOffsets(tok, 'e\u0301')), ['[CLS]@0-0', 'e@0-1', '##\u0301@1-2', '[SEP]@2-2']);
  assert.deepEqual(brief(tokenizeWithOffsets(tok, 'Apple PHONES')), ['[CLS]@0-0', 'Apple@0-5', 'PHONE@6-11', '##S@11-12', '[SEP]@12-12']);
});

test('strip_accents without lowercase; final sigma; normalized added tokens with lstrip/rstrip', async () => {
  const tok = await customTokenizer('accents', {
    vocab: [...BASE, 'Cafe', 'naive', 'σας', 'ΣΑΣ', 'i', '##stanbul', 'istanbul', '<city>', 'go', '##ing'],
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: true, lowercase: false },
  });
  for (const text of ['Café naïve', 'ΣΑΣ']) {
    const { tokens, method } = tokenizeWithOffsetsDetailed(tok, text);
    checkShape(tok, text, tokens);
    assert.equal(method, 'replay');
  }
  assert.deepEqual(brief(tokenizeWithOffsets(tok, 'Café naïve')), ['[CLS]@0-0', 'Cafe@0-4', 'naive@5-10', '[SEP]@10-10']);

  // Lowercase: code point by code point, as the reference tokenizer does (issue 15), so the last Σ is σ, not
  // the final ς JavaScript's whole-string lowercasing makes.
  const lower = await customTokenizer('sigma', {
    vocab: [...BASE, 'σας', 'i', '##stanbul', 'istanbul', '<city>', 'go', '##ing', 'σασ'],
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    added: [
      ...['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].map((content, id) => ({ id, content, lstrip: false, rstrip: false, normalized: false, special: true })),
      { id: 12, content: '<CITY>', lstrip: true, rstrip: true, normalized: true, special: false },
    ],
  });
  for (const text of ['ΣΑΣ', 'İstanbul', 'go <CITY> going', 'going   <city>   go', '<City>']) {
    const { tokens, method } = tokenizeWithOffsetsDetailed(lower, text);
    checkShape(lower, text, tokens);
    assert.equal(method, 'replay', JSON.stringify(text));
  }
  assert.deepEqual(brief(tokenizeWithOffsets(lower, 'ΣΑΣ')), ['[CLS]@0-0', 'σασ@0-3', '[SEP]@3-3']);
  assert.deepEqual(brief(tokenizeWithOffsets(lower, 'go <CITY> going')), ['[CLS]@0-0', 'go@0-2', '<CITY>@3-9', 'go@10-12', '##ing@12-15', '[SEP]@15-15']);
});

test('without the tokenizer JSON the fallback alignment still gives sensible ranges', () => {
  // Only encode and id_to_token: the replay cannot run.
  const bare: OffsetTokenizer = {
    encode: (text, options) => tiny.encode(text, options),
    _tokenizer: { id_to_token: (id: number) => tiny._tokenizer.id_to_token(id) },
  };
  for (const text of TRICKY) {
    const { tokens, method } = tokenizeWithOffsetsDetailed(bare, text);
    assert.equal(method, 'aligned');
    checkShape(tiny, text, tokens);
  }
  assert.deepEqual(brief(tokenizeWithOffsets(bare, 'Apple PHONES')), ['[CLS]@0-0', 'apple@0-5', 'phone@6-11', '##s@11-12', '[SEP]@12-12']);
  assert.deepEqual(brief(tokenizeWithOffsets(bare, 'Café naïve résumé')), ['[CLS]@0-0', 'cafe@0-4', 'naive@5-10', 'resume@11-17', '[SEP]@17-17']);
  assert.deepEqual(brief(tokenizeWithOffsets(bare, '我喜欢吃苹[MASK]。')), ['[CLS]@0-0', '我@0-1', '喜@1-2', '欢@2-3', '吃@3-4', '苹@4-5', '[MASK]@5-11', '。@11-12', '[SEP]@12-12']);
  // [UNK]s take the words between the anchors.
  assert.deepEqual(brief(tokenizeWithOffsets(bare, 'Ω 😀 apple 龍')), ['[CLS]@0-0', '[UNK]@0-1', '[UNK]@2-4', 'apple@5-10', '[UNK]@11-12', '[SEP]@12-12']);
});

test('a replay that disagrees with the real ids falls back instead of throwing', () => {
  // A tokenizer whose JSON says one thing (no lowercasing) while its encoder does another.
  const lying: OffsetTokenizer = {
    encode: (text, options) => tiny.encode(text, options),
    _tokenizerJSON: { ...tiny._tokenizerJSON, normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: false, lowercase: false } },
    _tokenizer: { id_to_token: (id: number) => tiny._tokenizer.id_to_token(id) },
  };
  const text = 'Apple PHONES and résumé';
  const { tokens, method } = tokenizeWithOffsetsDetailed(lying, text);
  assert.equal(method, 'aligned');
  checkShape(tiny, text, tokens);
  assert.deepEqual(brief(tokens).slice(1, 4), ['apple@0-5', 'phone@6-11', '##s@11-12']);
  // Garbage JSON: still no throw.
  const broken: OffsetTokenizer = { encode: (t, o) => tiny.encode(t, o), _tokenizerJSON: { model: null } };
  const r = tokenizeWithOffsets(broken, 'apple pie');
  assert.deepEqual(r.map((t) => t.id), realIds(tiny, 'apple pie'));
});

test('tokenIndexAtOffset: the non-special token under a character, -1 in whitespace', () => {
  const text = '  Apple PHONES\t😀 [MASK] 我';
  const tokens = tokenizeWithOffsets(tiny, text);
  const at = (o: number) => {
    const i = tokenIndexAtOffset(tokens, o);
    return i < 0 ? null : tokens[i].piece;
  };
  assert.equal(at(0), null);
  assert.equal(at(1), null);
  assert.equal(at(2), 'apple');
  assert.equal(at(6), 'apple');
  assert.equal(at(7), null);
  assert.equal(at(8), 'phone');
  assert.equal(at(13), '##s');
  assert.equal(at(14), null); // tab
  assert.equal(at(15), '[UNK]'); // both halves of the surrogate pair
  assert.equal(at(16), '[UNK]');
  assert.equal(at(18), '[MASK]');
  assert.equal(at(23), '[MASK]');
  assert.equal(at(24), null);
  assert.equal(at(25), '我');
  assert.equal(at(26), null); // end of text
  assert.equal(at(-1), null);
  assert.equal(at(1000), null);
  assert.equal(tokenIndexAtOffset([], 0), -1);
  // Index equals the token's own index.
  for (let o = 0; o < text.length; o++) {
    const i = tokenIndexAtOffset(tokens, o);
    if (i >= 0) {
      assert.equal(tokens[i].index, i);
      assert.ok(tokens[i].start <= o && o < tokens[i].end);
    } else assert.ok(!tokens.some((t) => !t.special && t.start <= o && o < t.end));
  }
});

test('a long text is fast enough', () => {
  const unit = 'I ate an apple on my phone by the river bank. 我用苹果手机。Café naïve résumé 😀 ';
  const text = unit.repeat(Math.ceil(200_000 / unit.length));
  const t0 = performance.now();
  const { tokens, method } = tokenizeWithOffsetsDetailed(tiny, text);
  const ms = performance.now() - t0;
  assert.equal(method, 'replay');
  assert.deepEqual(tokens.map((t) => t.id), realIds(tiny, text));
  assert.ok(ms < 5000, `took ${ms} ms`);
});
