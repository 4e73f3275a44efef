// Explore Word Senses, the host's pure rules: which word the cursor offers (the selection; ICU's word in
// Chinese and Japanese, not the whole run of characters; the language's word elsewhere), which words are
// refused and why, and finding an occurrence again in an edited file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { whereNow } from '../../src/extension/senses/relocate';
import { wordProblem, wordUnderCursor } from '../../src/extension/senses/wordRules';

const LINE = '我用苹果手机。我爱吃苹果。';

test('a selection is the word, trimmed, whatever the cursor is on', () => {
  assert.equal(wordUnderCursor({ selection: ' 果 ', lineText: LINE, character: 3, languageWord: '我用苹果手机' }), '果');
  assert.equal(wordUnderCursor({ selection: 'bank', lineText: 'the bank', character: 0, languageWord: 'the' }), 'bank');
});

test('in Chinese the cursor offers the dictionary word (苹果, 手机), not the run of characters the word pattern gives', () => {
  // 果 is at index 3; 手 at 4; the word pattern of plaintext returns 我用苹果手机 for any of them.
  assert.equal(wordUnderCursor({ selection: '', lineText: LINE, character: 3, languageWord: '我用苹果手机' }), '苹果');
  assert.equal(wordUnderCursor({ selection: '', lineText: LINE, character: 4, languageWord: '我用苹果手机' }), '手机');
  // Just after the last character of a word (the cursor after typing it): that word.
  assert.equal(wordUnderCursor({ selection: '', lineText: '苹果', character: 2, languageWord: '苹果' }), '苹果');
});

test('in a space-delimited script the language word at the cursor is offered; nothing when there is none', () => {
  assert.equal(wordUnderCursor({ selection: '', lineText: 'I sat by the bank.', character: 14, languageWord: 'bank' }), 'bank');
  assert.equal(wordUnderCursor({ selection: '', lineText: 'a  b', character: 2, languageWord: undefined }), undefined);
  assert.equal(wordUnderCursor({ selection: '   ', lineText: '。。', character: 1, languageWord: undefined }), undefined);
});

test('the offered Chinese word always covers the cursor and is a piece of the line', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...'我用苹果手机爱吃银行的钱。，'), { minLength: 1, maxLength: 30 }), fc.nat(), (chars, at) => {
      const line = chars.join('');
      const character = at % line.length;
      const word = wordUnderCursor({ selection: '', lineText: line, character });
      if (/[。，]/.test(line[character]) && (character === 0 || /[。，]/.test(line[character - 1]))) return word === undefined;
      assert.ok(word && line.includes(word), `${word} in ${line}`);
      return true;
    }),
  );
});

test('words refused: empty, only whitespace, across lines, spaces inside; accepted otherwise', () => {
  assert.equal(wordProblem(''), 'empty');
  assert.equal(wordProblem(' \t\u3000'), 'empty');
  assert.equal(wordProblem('a\nb'), 'lineBreak');
  assert.equal(wordProblem('果\r'), 'lineBreak');
  assert.equal(wordProblem('river bank'), 'spaces');
  assert.equal(wordProblem(' bank '), undefined);
  assert.equal(wordProblem('苹果'), undefined);
  assert.equal(wordProblem("bank's"), undefined);
});

test('an occurrence is found where it was, else at the nearest copy of its context, else not at all', () => {
  const o = { start: 10, contextStart: 7, context: '我爱吃苹果。' };
  const text = '我用苹果手机。我爱吃苹果。';
  assert.equal(text.slice(10, 11), '苹');
  assert.equal(whereNow(text, o), 10);
  // Two characters typed before it: the context moved by two.
  assert.equal(whereNow(`XY${text}`, o), 12);
  // The context twice: the copy nearer to where it was.
  const twice = `XY${text}${'—'.repeat(20)}我爱吃苹果。`;
  assert.equal(whereNow(twice, o), 12);
  // Copies at 0 and 10: 10 is nearer to 7 (not simply the first one).
  assert.equal(whereNow('我爱吃苹果。ABCD我爱吃苹果。', o), 13);
  assert.equal(whereNow('nothing here', o), undefined);
});
