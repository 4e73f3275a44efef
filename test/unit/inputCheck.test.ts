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

test('BINARY_INPUT for NUL bytes, or more than two and more than 10% control / replacement characters', () => {
  assert.equal(codeOf('hello\u0000world'), 'BINARY_INPUT');
  assert.throws(() => checkInputText('ab\u0000', 100), /looks like binary data/);
  // 1 control char in 10: exactly 10% is still text; 3 in 10 is binary.
  assert.equal(codeOf('\u0001abcdefghi'), null);
  assert.equal(codeOf('\u0001\u0002\u0003abcdefg'), 'BINARY_INPUT');
  assert.equal(codeOf('\ufffd\ufffd\ufffdabc'), 'BINARY_INPUT');
  assert.equal(codeOf('\u0080\u0081\u009fabc'), 'BINARY_INPUT');
  // Tabs and line breaks are not control characters here.
  assert.equal(codeOf('\t\t\t\n\n\r\na'), null);
});

test('a short text with one or two stray control / replacement characters is text', () => {
  // Issue 15: "1 of its 5 characters are control or replacement characters" refused a real selection.
  assert.equal(codeOf('ab\ufffdcd'), null);
  assert.equal(codeOf('caf\ufffd'), null);
  assert.equal(codeOf('\u0001\u0002abcdefgh'), null);
  assert.equal(codeOf('\ufffd'.repeat(2) + 'x'), null);
});

test('a handful of stray characters in a document never refuses it', () => {
  const paragraph = 'The bank raised its rates; the river bank flooded. 我用苹果手机。\n'.repeat(8);
  const withStrays = [...paragraph].map((ch, i) => (i % 60 === 7 ? '\ufffd' : i % 97 === 3 ? '\u0007' : ch)).join('');
  assert.ok((withStrays.match(/[\ufffd\u0007]/g) ?? []).length >= 5);
  assert.equal(codeOf(withStrays), null);
});

/** Seeded bytes (a linear congruential generator), so a failure reproduces. */
function seededBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

test('real binary read as text is still refused', () => {
  for (const seed of [1, 2, 3]) {
    const bytes = seededBytes(600, seed);
    assert.equal(codeOf(new TextDecoder('utf-8').decode(bytes)), 'BINARY_INPUT', `UTF-8, seed ${seed}`);
    // ISO-8859-1 (each byte one character; not TextDecoder's 'latin1', which is windows-1252) without NULs, so the share of control characters decides, not the NUL rule.
    const latin1 = String.fromCharCode(...bytes.map((b) => (b === 0 ? 1 : b)));
    assert.equal(codeOf(latin1), 'BINARY_INPUT', `Latin-1, seed ${seed}`);
  }
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, ...seededBytes(64, 4)]);
  const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 0x08, 0, ...seededBytes(64, 5)]);
  for (const [name, bytes] of [['PNG', png], ['zip', zip]] as const) {
    assert.equal(codeOf(new TextDecoder('utf-8').decode(bytes)), 'BINARY_INPUT', `${name} as UTF-8`);
    assert.equal(codeOf(String.fromCharCode(...bytes)), 'BINARY_INPUT', `${name} as Latin-1`);
  }
});

test('a large ordinary text passes the checks', () => {
  const text = 'The quick brown fox. 我用苹果手机。\n'.repeat(10_000);
  assert.doesNotThrow(() => checkInputText(text, 1_000_000));
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
