// Words (issue 12): the analysis's tokens grouped by Intl.Segmenter (src/engine/words/), on tricky texts and
// generated ones, with the demo model's tokenizer and the real bert-base-chinese / bert-base-uncased ones
// (test/fixtures/tokenizers), and the word-pooled vectors and links on the demo model.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { isContextLensError } from '../../src/engine/errors';
import { tokenizeWithOffsets } from '../../src/engine/tokenOffsets';
import type { AnalyzedToken } from '../../src/engine/types';
import { cosineSimilarity } from '../../src/engine/vectorMath';
import { groupWords, meanRows, modelLanguage, type Word } from '../../src/engine/words';
import { standardizeColumns } from '../../src/engine/senses/standardize';
import { demoSession } from './helpers/demoSession';
import { FIXTURE_MODEL } from './helpers/fixture';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AutoTokenizer, env } = require('@huggingface/transformers');
env.allowRemoteModels = false;
env.allowLocalModels = true;

const FIXTURES = resolve('test/fixtures/tokenizers');
const reference = JSON.parse(readFileSync(resolve('test/fixtures/words-reference.json'), 'utf8')) as { texts: { text: string; word_groups?: number[][] }[] };
const session = demoSession('words');
let tmp: string;
const tokenizers: Record<'demo' | 'chinese' | 'uncased', any> = {} as never;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'context-lens-words-'));
  const load = async (name: string): Promise<any> => {
    const dir = join(tmp, name);
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(FIXTURES, `${name}.tokenizer.json`), join(dir, 'tokenizer.json'));
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ tokenizer_class: 'BertTokenizer', model_max_length: 512, cls_token: '[CLS]', sep_token: '[SEP]', mask_token: '[MASK]', pad_token: '[PAD]', unk_token: '[UNK]' }));
    return AutoTokenizer.from_pretrained(dir);
  };
  tokenizers.demo = await AutoTokenizer.from_pretrained(FIXTURE_MODEL);
  tokenizers.chinese = await load('bert-base-chinese-vocab');
  tokenizers.uncased = await load('bert-base-uncased-vocab');
});
after(() => rmSync(tmp, { recursive: true, force: true }));

/** For every code unit, the index of its Intl.Segmenter word segment (computed here, not by the engine). */
function segmentIndex(text: string): number[] {
  const at: number[] = [];
  [...new Intl.Segmenter(undefined, { granularity: 'word' }).segment(text)].forEach((s, k) => {
    for (let i = 0; i < s.segment.length; i++) at[s.index + i] = k;
  });
  return at;
}

/**
 * The rule's invariants: the words partition the tokens in order (special tokens alone); a word's range is
 * its pieces' (first start … last end) and its text that slice; no segment is shared by two words' pieces.
 */
function checkWords(text: string, tokens: AnalyzedToken[], words: Word[]): void {
  const label = JSON.stringify(text);
  assert.deepEqual(words.flatMap((w) => w.tokenIndices), tokens.map((t) => t.index), `${label}: the words partition the tokens in order`);
  const seg = segmentIndex(text);
  const segmentsOf = (w: Word): number[] => w.tokenIndices.flatMap((i) => (tokens[i].end > tokens[i].start ? [seg[tokens[i].start], seg[tokens[i].end - 1]] : []));
  let previousLast = -1;
  for (const w of words) {
    const pieces = w.tokenIndices.map((i) => tokens[i]);
    if (pieces.some((t) => t.special)) {
      assert.ok(w.special && pieces.length === 1, `${label}: a special token is a word alone`);
      continue;
    }
    assert.equal(w.special, false);
    assert.equal(w.start, Math.min(...pieces.map((t) => t.start)), `${label}: word start`);
    assert.equal(w.end, Math.max(...pieces.map((t) => t.end)), `${label}: word end`);
    assert.equal(w.text, text.slice(w.start, w.end));
    const segments = segmentsOf(w);
    if (segments.length) {
      assert.ok(Math.min(...segments) > previousLast, `${label}: "${w.text}" shares a segment with the word before it`);
      previousLast = Math.max(...segments);
    }
  }
}

function wordsOf(tokenizer: any, text: string): { tokens: AnalyzedToken[]; words: Word[] } {
  const tokens = tokenizeWithOffsets(tokenizer, text);
  const words = groupWords(text, tokens);
  checkWords(text, tokens, words);
  return { tokens, words };
}

const texts = (words: Word[]): string[] => words.filter((w) => !w.special).map((w) => w.text);

test('English (bert-base-uncased): contractions, hyphens, numbers, ## pieces, whitespace and newlines', () => {
  const { tokens, words } = wordsOf(tokenizers.uncased, "Don't stop-believing: it's 3.14 or 1,000\n\nunbelievably  tokenizers!");
  assert.deepEqual(texts(words), ["Don't", 'stop', '-', 'believing', ':', "it's", '3.14', 'or', '1,000', 'unbelievably', 'tokenizers', '!']);
  // The contraction is three pieces (don ' t), the numbers three, the long words several ## pieces: one word each.
  const pieces = (text: string) => words.find((w) => w.text === text)!.tokenIndices.map((i) => tokens[i].piece);
  assert.deepEqual(pieces("Don't"), ['don', "'", 't']);
  assert.deepEqual(pieces('3.14'), ['3', '.', '14']);
  assert.ok(pieces('tokenizers').length > 1 && pieces('tokenizers').slice(1).every((p) => p.startsWith('##')));
  assert.equal(words[0].special, true);
  assert.equal(words[words.length - 1].special, true);
});

test('Chinese (bert-base-chinese, one piece per character): ICU dictionary words, mixed scripts, emoji with ZWJ', () => {
  const { tokens, words } = wordsOf(tokenizers.chinese, '我喜欢吃苹果。iPhone手机👨‍👩‍👧很好');
  assert.deepEqual(texts(words).slice(0, 5), ['我', '喜欢', '吃', '苹果', '。']);
  assert.ok(texts(words).includes('手机'), texts(words).join('|'));
  const family = words.find((w) => w.text.includes('\u200d'));
  assert.ok(family, 'the ZWJ family is inside one word');
  assert.equal(family.text, '👨‍👩‍👧', `${family.text}: ${family.tokenIndices.map((i) => tokens[i].piece)}`);
  const latin = words.find((w) => /iphone/i.test(w.text))!;
  assert.equal(latin.text, 'iPhone');
});

test('a typed [MASK] spans three segments ("[", "MASK", "]") and merges them; the demo model\'s reference texts group as the fixture says', () => {
  const { tokens, words } = wordsOf(tokenizers.demo, '我喜欢吃苹[MASK]。');
  const mask = words.find((w) => w.text === '[MASK]');
  assert.ok(mask && mask.tokenIndices.length === 1 && tokens[mask.tokenIndices[0]].piece === '[MASK]' && !mask.special);
  for (const t of reference.texts.filter((r) => r.word_groups)) {
    const { words: got } = wordsOf(tokenizers.demo, t.text);
    assert.deepEqual(got.map((w) => w.tokenIndices), t.word_groups, t.text);
  }
});

test('property: on generated texts the words partition the tokens, cover exactly their pieces and never share a segment', () => {
  const alphabet = fc.constantFrom(...'ab zé-\'.,3 9\n我苹果手机喜欢。！'.split(''), '👍', '👨‍👩‍👧', '\u200b', '[MASK]', 'ing', '##', 'ﬁ', '\t', '𠀀');
  for (const name of ['uncased', 'chinese', 'demo'] as const) {
    fc.assert(
      fc.property(fc.array(alphabet, { minLength: 1, maxLength: 24 }), (parts) => {
        const text = parts.join('');
        const tokens = tokenizeWithOffsets(tokenizers[name], text);
        checkWords(text, tokens, groupWords(text, tokens));
      }),
      { numRuns: 400, seed: 12 },
    );
  }
});

test('the language: from the model\'s name when it tells, a malformed tag is BAD_ARGUMENTS', () => {
  assert.equal(modelLanguage('Xenova/bert-base-chinese'), 'zh');
  assert.equal(modelLanguage('Xenova/bert-base-uncased'), 'en');
  assert.equal(modelLanguage('cl-tohoku/bert-base-japanese'), 'ja');
  assert.equal(modelLanguage('/home/me/assets/demo-model'), undefined);
  assert.throws(() => groupWords('text', tokenizeWithOffsets(tokenizers.demo, 'text'), 'not a tag!'), (e) => isContextLensError(e, 'BAD_ARGUMENTS'));
  // Thai has no spaces between words: the dictionary segmenter still finds them.
  const thai = [...new Intl.Segmenter('th', { granularity: 'word' }).segment('สวัสดีครับ')].filter((s) => s.isWordLike);
  assert.ok(thai.length >= 2);
});

test('word vectors are the mean of their pieces; the map in word mode has one point per word and links per word', async () => {
  const text = '我用苹果手机。我爱吃苹果。';
  const summary = await session.analyze(text, 1);
  const analysis = session.get(summary.analysisId);
  const { words } = session.words(summary.analysisId);
  assert.deepEqual(texts(words), ['我', '用', '苹果', '手机', '。', '我', '爱', '吃', '苹果', '。']);
  const dim = summary.hiddenSize;
  for (const layer of [0, summary.numLayers]) {
    const { refs, vectors } = session.wordRows([summary.analysisId], layer);
    assert.equal(refs.length, words.length);
    words.forEach((w, k) => {
      for (let d = 0; d < dim; d += 7) {
        const mean = w.tokenIndices.reduce((s, t) => s + analysis.hiddenStates[layer][t * dim + d], 0) / w.tokenIndices.length;
        assert.ok(Math.abs(vectors[k * dim + d] - mean) <= 1e-6);
      }
    });
    assert.deepEqual(meanRows(analysis.hiddenStates[layer], dim, words.map((w) => w.tokenIndices)), vectors);
    // Links: 我 twice, 苹果 twice, 。 twice; each cosine that of the pooled vectors (raw and standardized).
    for (const standardize of [false, true]) {
      const links = session.sameWordLinks([summary.analysisId], layer, standardize);
      assert.deepEqual(links.map((l) => l.piece).sort(), ['。', '我', '苹果']);
      const rows = standardize ? standardizeColumns(vectors, words.length, dim) : vectors;
      for (const l of links) {
        assert.equal(words[l.a.wordIndex!].text, words[l.b.wordIndex!].text);
        assert.equal(l.a.tokenIndex, words[l.a.wordIndex!].tokenIndices[0]);
        assert.ok(Math.abs(l.cosine - cosineSimilarity(rows, rows, l.a.wordIndex! * dim, l.b.wordIndex! * dim, dim)) <= 1e-9);
      }
    }
  }
  const pieces = await session.project([summary.analysisId], 1, 'pca');
  const map = await session.project([summary.analysisId], 1, 'pca', undefined, {}, false, true);
  assert.equal(pieces.points.length, analysis.tokens.length);
  assert.equal(map.points.length, words.length, 'one point per word');
  assert.deepEqual(map.points.map((p) => p.wordIndex), words.map((_, k) => k));
  const apple = map.links.find((l) => l.piece === '苹果')!;
  assert.ok(apple && apple.a.wordIndex !== undefined);
  assert.ok(!pieces.links.some((l) => l.piece === '苹果'), 'the piece map links 苹 and 果, never the word');
  session.release([summary.analysisId]);
});
