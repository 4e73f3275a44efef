import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkInputText, maxCharsForTokens } from '../../src/engine/inputCheck';
import { isContextLensError } from '../../src/engine/errors';

function codeOf(text: string, maxChars = 1000): string | null {
  try {
    checkInputText(text, maxChars);
    return null;
  } catch (e) {
    assert.ok(isContextLensError(e), 'only ContextLensError');
    return e.code;
  }
}

test('ordinary text passes', () => {
  for (const t of ['apple', '我用苹果手机。', 'line\r\nbreaks\tand tabs\f', '👨‍👩‍👧', ' x ', 'a\u0007b' + 'c'.repeat(20)]) {
    assert.equal(codeOf(t), null, JSON.stringify(t));
  }
});

test('EMPTY_INPUT for empty, whitespace-only and invisible-only selections', () => {
  for (const t of ['', ' ', '\n\t\r\n', '\u3000\u00a0', '\u200b\u200d\ufeff']) assert.equal(codeOf(t), 'EMPTY_INPUT', JSON.stringify(t));
  assert.throws(() => checkInputText('  ', 10), /Select some text first/);
});

test('INPUT_TOO_LARGE says how long the selection is and the limit', () => {
  assert.equal(codeOf('a'.repeat(1000), 1000), null);
  assert.equal(codeOf('a'.repeat(1001), 1000), 'INPUT_TOO_LARGE');
  assert.throws(() => checkInputText('a'.repeat(250_001), 200_000), {
    message: 'The selection has 250,001 characters; Context Lens analyzes at most 200,000. Select a shorter passage.',
  });
  // Lengths are UTF-16 code units, as VS Code counts them.
  assert.equal(codeOf('😀'.repeat(6), 11), 'INPUT_TOO_LARGE');
});

test('BINARY_INPUT for NUL bytes or more than 10% control / replacement characters', () => {
  assert.equal(codeOf('hello\u0000world'), 'BINARY_INPUT');
  assert.throws(() => checkInputText('ab\u0000', 100), /looks like binary data/);
  // 1 control char in 10: exactly 10% is still text; 2 in 10 is binary.
  assert.equal(codeOf('\u0001abcdefghi'), null);
  assert.equal(codeOf('\u0001\u0002abcdefgh'), 'BINARY_INPUT');
  assert.equal(codeOf('\ufffd\ufffd\ufffdabc'), 'BINARY_INPUT');
  assert.equal(codeOf('\u0080\u0081\u009fabc'), 'BINARY_INPUT');
  // Tabs and line breaks are not control characters here.
  assert.equal(codeOf('\t\t\t\n\n\r\na'), null);
});

test('checks are fast on a large text', () => {
  const text = 'The quick brown fox. 我用苹果手机。\n'.repeat(10_000);
  const t0 = performance.now();
  checkInputText(text, 1_000_000);
  assert.ok(performance.now() - t0 < 200);
});

test('the editor\'s limit follows maxTokens: 20 windows at 4 characters per token', () => {
  assert.equal(maxCharsForTokens(512), 40_960);
  assert.equal(maxCharsForTokens(16), 1_280);
  assert.equal(maxCharsForTokens(8192), 655_360);
  // The in-host test's huge selection (90,000 characters) is refused at the default maxTokens …
  assert.equal(codeOf('the bank '.repeat(10_000), maxCharsForTokens(512)), 'INPUT_TOO_LARGE');
  // … and a selection of 20 full windows of English (4 characters a token) is not.
  assert.equal(codeOf('bank'.repeat(512 * 20), maxCharsForTokens(512)), null);
});
