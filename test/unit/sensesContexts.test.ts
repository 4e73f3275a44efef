// Word senses, the contexts (src/engine/senses/contexts.ts) with the demo model's tokenizer: the sentence,
// widened with its paragraph's neighbouring sentences or cut to the token limit around the word, merged when identical, and the
// occurrence's line and column exactly as an editor counts them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildContexts, contextSpan, lineColumn, lineStarts } from '../../src/engine/senses/contexts';
import { searchSources } from '../../src/engine/senses/search';
import { tokenizeWithOffsets } from '../../src/engine/tokenOffsets';
import { demoSession } from './helpers/demoSession';

const session = demoSession('senses-contexts');

const tok = () => session.model.tokenizer;
const textTokens = (s: string) => tokenizeWithOffsets(tok(), s).filter((t) => !t.special);
/** The context of the n-th occurrence of `word` in `text`. */
function contextOf(text: string, word: string, n = 0, limit = 64): string {
  let at = -1;
  for (let i = 0; i <= n; i++) at = text.indexOf(word, at + 1);
  const [s, e] = contextSpan(tok(), text, at, at + word.length, limit);
  return text.slice(s, e);
}

test('the context is the sentence (Intl.Segmenter), whitespace trimmed, when its neighbours would pass the limit', () => {
  assert.equal(contextOf('我喜欢吃苹果。苹果手机很贵！他买了新手机。', '苹果', 1, 8), '苹果手机很贵！');
  assert.equal(contextOf('I like apples. We sat by the river bank.  The dog is on the river bank.', 'bank', 1, 8), 'The dog is on the river bank.');
  // A lone line break inside a paragraph does not end the sentence (hard-wrapped prose).
  assert.equal(contextOf('We read books.\nWe sat by\nthe river bank today.\n', 'bank', 0, 8), 'We sat by\nthe river bank today.');
});

test('the sentence is widened with whole neighbours, the following one first, within its paragraph and the limit', () => {
  const text = 'The cat is big. I put money in the bank. The bank has money. We read books.';
  // Tokens: 5, 7, 5, 4 (punctuation included): 7 alone, 12 with the next, 17 with the previous too, 21 with all four.
  assert.equal(contextOf(text, 'bank', 0, 7), 'I put money in the bank.');
  assert.equal(contextOf(text, 'bank', 0, 11), 'I put money in the bank.');
  assert.equal(contextOf(text, 'bank', 0, 12), 'I put money in the bank. The bank has money.');
  assert.equal(contextOf(text, 'bank', 0, 17), 'The cat is big. I put money in the bank. The bank has money.');
  assert.equal(contextOf(text, 'bank', 0, 20), 'The cat is big. I put money in the bank. The bank has money.');
  assert.equal(contextOf(text, 'bank', 0, 21), text);
  // At the end of the text only the preceding sentences are left.
  assert.equal(contextOf('I put money in it. The bank.', 'bank'), 'I put money in it. The bank.');
  // A blank line ends the paragraph: the context does not borrow another topic's sentences.
  assert.equal(contextOf('We sat by the river.\n\nThe bank.\nIt has money.\n\nThe river is very big today.', 'bank'), 'The bank.\nIt has money.');
  assert.equal(contextOf('The bank.\r\n  \r\nThe river is very big today.', 'bank'), 'The bank.');
});

test('a long sentence is cut to at most contextTokens tokens around the word, never inside a word', () => {
  const words = Array.from({ length: 120 }, (_, i) => ['reading', 'books', 'apples', 'the', 'computer'][i % 5]);
  words[60] = 'bank';
  const text = words.join(' ') + ' .';
  for (const limit of [16, 17, 64]) {
    const context = contextOf(text, 'bank', 0, limit);
    const count = textTokens(context).length;
    assert.ok(count <= limit && count >= limit - 4, `${limit}: ${count} tokens: ${context}`);
    assert.ok(context.includes(' bank '), context);
    // Whole words at both ends: each end is a word of the text.
    const parts = context.split(' ');
    assert.ok(words.includes(parts[0]) && words.includes(parts[parts.length - 1]), context);
    // The word sits in the middle: as many words on each side, give or take a split word.
    const at = parts.indexOf('bank');
    assert.ok(Math.abs(at - (parts.length - 1 - at)) <= 3, `${at} of ${parts.length}: ${context}`);
  }
  // Near the start of the sentence the room left over goes to the other side.
  const early = contextOf(text.replace(' bank ', ' the ').replace(/^reading books/, 'reading bank'), 'bank', 0, 20);
  assert.ok(early.startsWith('reading bank '), early);
  assert.ok(textTokens(early).length <= 20 && textTokens(early).length >= 16, early);
});

test('line and column: 1-based, UTF-16 code units, after \\n, \\r\\n and a lone \\r', () => {
  const text = 'a\r\nb\rc\nd😀bank';
  const starts = lineStarts(text);
  assert.deepEqual(starts, [0, 3, 5, 7]);
  assert.deepEqual(lineColumn(starts, 0), { line: 1, column: 1 });
  assert.deepEqual(lineColumn(starts, 3), { line: 2, column: 1 });
  assert.deepEqual(lineColumn(starts, 5), { line: 3, column: 1 });
  assert.deepEqual(lineColumn(starts, text.indexOf('bank')), { line: 4, column: 4 }, 'the emoji counts two code units');
});

test('buildContexts: identical contexts merged with their count, the first occurrence kept; the word\'s pieces found', async () => {
  const sentence = 'i put money in the bank .';
  const sources = [
    { label: 'one.txt', uri: 'untitled:1', text: `the river.\n\n${sentence}\r\n\r\nwe sat by the river bank .` },
    { label: 'two.txt', uri: 'untitled:2', text: `${sentence}\n` },
    // Two occurrences in one sentence: the same text, the word at two places: two contexts.
    { label: 'three.txt', uri: 'untitled:3', text: 'the bank has the bank money .' },
  ];
  const search = await searchSources(sources, ['bank']);
  const contexts = buildContexts(search, tok(), 64);
  assert.deepEqual(
    contexts.map((c) => [sources[c.source].label, c.line, c.column, c.context, c.count, c.start - c.contextStart]),
    [
      ['one.txt', 3, 20, sentence, 2, 19],
      ['one.txt', 5, 21, 'we sat by the river bank .', 1, 20],
      ['three.txt', 1, 5, 'the bank has the bank money .', 1, 4],
      ['three.txt', 1, 18, 'the bank has the bank money .', 1, 17],
    ],
  );
  for (const c of contexts) {
    assert.equal(c.tokens[0].special && c.tokens[c.tokens.length - 1].special, true, '[CLS] … [SEP]');
    assert.deepEqual(c.pieces.map((i) => c.tokens[i].piece), ['bank']);
    assert.equal(c.context.slice(c.tokens[c.pieces[0]].start, c.tokens[c.pieces[0]].end), 'bank');
    assert.equal(sources[c.source].text.slice(c.start, c.end), 'bank');
  }
});

test('a CJK word spans its pieces; a substring match takes the pieces that cover it', async () => {
  const search = await searchSources([{ label: 'a', uri: 'untitled:a', text: '我用苹果手机。' }], ['苹果', '果']);
  const [whole, part] = buildContexts(search, tok(), 64);
  assert.deepEqual(whole.pieces.map((i) => whole.tokens[i].piece), ['苹', '果']);
  assert.deepEqual(part.pieces.map((i) => part.tokens[i].piece), ['果']);
  assert.equal(whole.context, '我用苹果手机。');
});
