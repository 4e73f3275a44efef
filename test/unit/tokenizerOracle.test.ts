/**
 * Oracle test (issue 15): every token's id and [start, end) as the reference implementation makes them.
 *
 * The reference is the Hugging Face `tokenizers` library (Rust, its Node binding), reading the same real
 * tokenizer.json files the engine reads (test/fixtures/tokenizers/, from ../shared/reference/tokenizers/).
 * Ours is a transformers.js tokenizer loaded from a model folder as modelStore loads it
 * (`AutoTokenizer.from_pretrained`), tokenized through `tokenizeWithOffsets` as analyze, hover and guesses
 * are. The texts are a fixed list of known divergences and thousands of generated strings (fast-check,
 * seeded so a failure reproduces), biased to the characters where tokenizers disagree.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { tokenizeWithOffsets } from '../../src/engine/tokenOffsets';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AutoTokenizer, env } = require('@huggingface/transformers');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Tokenizer: ReferenceTokenizer } = require('tokenizers') as typeof import('tokenizers');

env.allowRemoteModels = false;
env.allowLocalModels = true;

const FIXTURES = resolve('test/fixtures/tokenizers');
const VOCABULARIES = ['bert-base-chinese-vocab', 'bert-base-uncased-vocab'] as const;
/** Generated strings per vocabulary; with the fixed list this keeps the whole file to a few seconds. */
const GENERATED_PER_VOCABULARY = 10_000;
const SEED = 15;

/** The texts issue 15 found diverging, and their neighbours. */
export const KNOWN_TRICKY_TEXTS: readonly string[] = [
  '𠀀𠀁',
  'ﬁ𠀀',
  'bank𠀀',
  '𠀀bank',
  '我𠀀你',
  '𪜀𫝀𫠠𬺰\u{30000}\u{2F800}',
  'a\u200bb',
  'bank\u200b river',
  'x\u200dy\u200cz',
  'ab\ufffdcd',
  'caf\ufffd',
  '\ufffd bank',
  'e\u0301x',
  'Cafe\u0301 nai\u0308ve',
  'bank\u0301\u0302 ',
  '\u0301bank',
  'a\u2060b\ufeffc',
  '\u202ebank\u202c river',
  '👨‍👩‍👧 family',
  'İstanbul ß STRASSE ΣΑΣ',
  'ｆｕｌｌ　ｗｉｄｔｈ，１２３！',
  'ﬁnance ﬂow',
  'the [MASK] is [SEP] [CLS]x',
  'line one\r\nline two\r\n',
  '我用苹果手机。我爱吃苹果。',
  'The bank raised rates; the river bank flooded.',
  'a\u0890b bank\u166Driver x\u2E43y \u{10EAD}z',
];

/** Pieces the generator strings are made of, by class, so every class is well represented. */
const CLASSES: Record<string, readonly string[]> = {
  cjkBmp: ['我', '用', '苹', '果', '手', '机', '㐀', '䶵', '豈', '鿿', '。', '，'],
  cjkAstral: ['𠀀', '𠀁', '𪜀', '𫝀', '𫠠', '𬺰', '\u{2EBF0}', '\u{30000}', '\u{31350}', '\u{2F800}', '\u{2FA1D}', '\u{2B820}', '\u{2B91F}', '\u{2B920}'],
  combining: ['\u0301', '\u0308', '\u0327', '\u0300\u0301', '\u20DD', '\u0903', '\u093F'],
  invisible: ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\ufffd', '\u0007', '\u0085'],
  bidi: ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2069', '\u200e', '\u200f'],
  emoji: ['😀', '👍🏽', '👨‍👩‍👧', '🏳️‍🌈', '❤️', '🇩🇪', '1️⃣'],
  fullWidth: ['ｆ', 'Ａ', '１', '！', '（', '）', '　', 'ｶ'],
  ligatures: ['ﬁ', 'ﬂ', 'ﬀ', 'ﬃ', 'Ĳ', '㎏', '№'],
  caseFolding: ['İ', 'ı', 'ß', 'ẞ', 'Σ', 'ς', 'ǅ', 'ﬆ', 'Å', 'K'],
  specials: ['[MASK]', '[SEP]', '[CLS]', '[UNK]', '[PAD]', '[MASK', 'MASK]', '[mask]'],
  whitespace: [' ', '  ', '\t', '\n', '\r\n', '\u00a0', '\u3000', '\u2028'],
  asciiWords: ['bank', 'river', 'the', 'Apple', 'PHONES', 'unaffable', 'x', 'a1', '.', ',', "'", '-', '(', ')'],
  chineseWords: ['银行', '河岸', '苹果手机', '我爱吃'],
  accented: ['café', 'naïve', 'Résumé', 'Ωmega', 'Ελληνικά', 'Привет'],
  // Classified differently by the reference's older Unicode tables than by Node's (referenceUnicode.ts).
  unicodeVersions: ['\u0890', '\u07FD', '\u1734', '\u166D', '\u2E43', '\u{10EAD}', '\u{111C9}', '\u0085', '\u{105C9}', '\u{13430}'],
};

const piece = fc.oneof(
  ...Object.values(CLASSES).map((pieces) => ({ arbitrary: fc.constantFrom(...pieces), weight: 1 })),
  // Any code points at all: unassigned, private use, the newest scripts.
  { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }), weight: 3 },
);
const generatedText = fc.array(piece, { minLength: 1, maxLength: 12 }).map((parts) => parts.join(''));

/** Code-point offsets (the reference's) to UTF-16 code units (VS Code's), for one text. */
function codePointToUtf16(text: string): (cp: number) => number {
  const unitsBefore: number[] = [0];
  for (const ch of text) unitsBefore.push(unitsBefore[unitsBefore.length - 1] + ch.length);
  return (cp) => unitsBefore[cp];
}

interface Difference {
  text: string;
  kind: 'ids' | 'ranges';
  ours: string;
  reference: string;
}

/** Classes in the order a diverging text is counted under them: the rarer, harder characters first. */
const CLASSIFY_ORDER = ['unicodeVersions', 'cjkAstral', 'invisible', 'bidi', 'combining', 'caseFolding', 'ligatures', 'fullWidth', 'emoji', 'specials', 'accented', 'cjkBmp', 'chineseWords'];

/** The class a diverging text is counted under: the first in CLASSIFY_ORDER one of its pieces belongs to. */
function classOf(text: string): string {
  return CLASSIFY_ORDER.find((name) => CLASSES[name].some((p) => text.includes(p))) ?? 'other';
}

let tmp: string;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'context-lens-oracle-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A model folder holding the real tokenizer.json, loaded as modelStore loads a prepared model. */
async function loadOurs(name: string): Promise<any> {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(FIXTURES, `${name}.tokenizer.json`), join(dir, 'tokenizer.json'));
  writeFileSync(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify({ tokenizer_class: 'BertTokenizer', model_max_length: 512, cls_token: '[CLS]', sep_token: '[SEP]', mask_token: '[MASK]', pad_token: '[PAD]', unk_token: '[UNK]' }),
  );
  return AutoTokenizer.from_pretrained(dir);
}

function loadReference(name: string): import('tokenizers').Tokenizer {
  const reference = ReferenceTokenizer.fromFile(join(FIXTURES, `${name}.tokenizer.json`));
  // The uncased file pads to 128 and truncates: neither is part of a token's id or range.
  reference.disablePadding();
  reference.disableTruncation();
  return reference;
}

/** Every difference between ours and the reference over `texts`: ids of the whole sequence, ranges of the text's tokens. */
async function compare(ours: any, reference: import('tokenizers').Tokenizer, texts: readonly string[]): Promise<Difference[]> {
  const encodings = await reference.encodeBatch([...texts], { addSpecialTokens: true });
  const differences: Difference[] = [];
  texts.forEach((text, i) => {
    const enc = encodings[i];
    const refIds = enc.getIds();
    const toUnits = codePointToUtf16(text);
    // [CLS] and [SEP] added by the post-processor are marked special; a [MASK] typed in the text is not.
    const mask = enc.getSpecialTokensMask();
    const refRanges = enc
      .getOffsets()
      .filter((_, k) => !(mask[k] === 1 && (k === 0 || k === refIds.length - 1)))
      .map(([s, e]) => `${toUnits(s)}-${toUnits(e)}`);
    const tokens = tokenizeWithOffsets(ours, text);
    const ourIds = tokens.map((t) => t.id);
    const ourRanges = tokens.filter((t) => !t.special).map((t) => `${t.start}-${t.end}`);
    if (ourIds.join() !== refIds.join()) {
      differences.push({ text, kind: 'ids', ours: ourIds.join(' '), reference: refIds.join(' ') });
    } else if (ourRanges.join() !== refRanges.join()) {
      differences.push({ text, kind: 'ranges', ours: ourRanges.join(' '), reference: refRanges.join(' ') });
    }
  });
  return differences;
}

function summary(differences: Difference[]): string {
  const byClass = new Map<string, number>();
  for (const d of differences) byClass.set(`${d.kind}/${classOf(d.text)}`, (byClass.get(`${d.kind}/${classOf(d.text)}`) ?? 0) + 1);
  const examples = differences
    .slice(0, 8)
    .map((d) => `  ${d.kind} ${JSON.stringify(d.text)}\n    ours      ${d.ours}\n    reference ${d.reference}`)
    .join('\n');
  return `${differences.length} differences (${[...byClass].map(([k, n]) => `${k}: ${n}`).join(', ')})\n${examples}`;
}

test('the reference reports offsets in code points (converted to UTF-16 here)', async () => {
  const reference = loadReference('bert-base-uncased-vocab');
  const enc = await reference.encode('😀 bank', null, { addSpecialTokens: false });
  // '😀' is one code point and two code units: 'bank' starts at code point 2, code unit 3.
  assert.deepEqual(enc.getOffsets()[1], [2, 6]);
  assert.equal(codePointToUtf16('😀 bank')(2), 3);
});

test('referenceUnicode.ts is what a fresh scan of the reference gives under this Node', () => {
  // A Node or tokenizers upgrade moves the Unicode tables on one side; the oracle samples, this scans all.
  const run = spawnSync(process.execPath, ['scripts/reference-unicode.mjs', '--check'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
});

for (const name of VOCABULARIES) {
  test(`${name}: ids and ranges equal the reference tokenizers library`, async () => {
    const ours = await loadOurs(name);
    const reference = loadReference(name);
    const generated = fc.sample(generatedText, { seed: SEED, numRuns: GENERATED_PER_VOCABULARY });
    const texts = [...KNOWN_TRICKY_TEXTS, ...generated];
    const differences = await compare(ours, reference, texts);
    console.log(`tokenizer oracle, ${name}: ${texts.length} texts (${KNOWN_TRICKY_TEXTS.length} fixed, ${generated.length} generated, seed ${SEED}), ${differences.length} differences`);
    assert.equal(differences.length, 0, summary(differences));
  });
}
