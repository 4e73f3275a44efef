// Word senses, the search (src/engine/senses/search.ts): whole words in space-delimited scripts,
// substrings in CJK, binary / large / unreadable files skipped and counted, an even sample.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isContextLensError } from '../../src/engine/errors';
import { findInText, sampleEvenly, searchSources, wordPattern } from '../../src/engine/senses/search';
import type { SensesSource } from '../../src/engine/senses/types';

const dir = mkdtempSync(join(tmpdir(), 'context-lens-senses-search-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const spans = (text: string, word: string, ignoreCase = false): string[] => findInText(text, wordPattern(word, ignoreCase)).map(([s, e]) => `${s}-${e}:${text.slice(s, e)}`);

test('space-delimited words match whole: not inside another word, in any script', () => {
  const text = 'bank banks embankment bank. (bank) Bank river-bank bank_x bank1 banké';
  assert.deepEqual(spans(text, 'bank'), ['0-4:bank', '22-26:bank', '29-33:bank', '46-50:bank', '51-55:bank']);
  // Letters of other scripts and combining marks continue a word: "bankе" (Cyrillic е) and "bank\u0301" are not "bank".
  assert.deepEqual(spans('bankе bank\u0301 bank', 'bank'), ['12-16:bank']);
  assert.deepEqual(spans('Über über', 'über'), ['5-9:über']);
  // A word ending in a symbol has no boundary to check on that side.
  assert.deepEqual(spans('C++ and C++11', 'C++'), ['0-3:C++', '8-11:C++']);
  // A phrase matches across any whitespace run.
  assert.deepEqual(spans('river  bank\nriver\tbank', 'river bank'), ['0-11:river  bank', '12-22:river\tbank']);
});

test('case is exact unless the tokenizer ignores it', () => {
  const text = 'Bank bank BANK';
  assert.deepEqual(spans(text, 'bank'), ['5-9:bank']);
  assert.deepEqual(spans(text, 'bank', true), ['0-4:Bank', '5-9:bank', '10-14:BANK']);
});

test('a word holding Han, Kana or Hangul matches as a substring', () => {
  assert.deepEqual(spans('我用苹果手机。苹果很甜。吃苹果', '苹果'), ['2-4:苹果', '7-9:苹果', '13-15:苹果']);
  assert.deepEqual(spans('苹果手机', '果'), ['1-2:果']);
  assert.deepEqual(spans('りんごジュースとりんご', 'りんご'), ['0-3:りんご', '8-11:りんご']);
  assert.deepEqual(spans('사과를 먹었다 사과가', '사과'), ['0-2:사과', '8-10:사과']);
  // A mixed word is a substring match too (iPhone手机 holds 手机).
  assert.deepEqual(spans('买了iPhone手机', 'iPhone手机'), ['2-10:iPhone手机']);
});

test('a blank word is EMPTY_INPUT', () => {
  for (const w of ['', '   ', '\u200B', '\t\n']) assert.throws(() => wordPattern(w), (e) => isContextLensError(e, 'EMPTY_INPUT'), JSON.stringify(w));
});

test('sampleEvenly keeps every item when there are few, and a spread of them when there are many', () => {
  const items = Array.from({ length: 10 }, (_, i) => i);
  assert.deepEqual(sampleEvenly(items, 20), items);
  assert.deepEqual(sampleEvenly(items, 5), [1, 3, 5, 7, 9]);
  assert.deepEqual(sampleEvenly(items, 1), [5]);
  const many = sampleEvenly(Array.from({ length: 10_000 }, (_, i) => i), 200);
  assert.equal(many.length, 200);
  assert.equal(new Set(many).size, 200);
  // Every stride of 50 contributes exactly one: the sample covers the whole list evenly.
  many.forEach((v, i) => assert.ok(v >= i * 50 && v < (i + 1) * 50, `${v} at ${i}`));
});

test('files: binary, too large and unreadable ones are skipped and counted; the texts of sampled files are kept', async () => {
  const write = (name: string, data: string | Buffer): SensesSource => {
    writeFileSync(join(dir, name), data);
    return { label: name, uri: `file://${join(dir, name)}`, path: join(dir, name) };
  };
  const sources: SensesSource[] = [
    write('a.txt', 'the bank of the river.\nI put money in the bank.'),
    write('b.bin', Buffer.from([0x62, 0x61, 0x6e, 0x6b, 0x00, 0x01, 0x02, 0x20, 0x62, 0x61, 0x6e, 0x6b])),
    write('big.txt', 'bank '.repeat(1000)),
    write('none.txt', 'nothing here'),
    write('empty.txt', ''),
    { label: 'gone.txt', uri: 'file:///gone.txt', path: join(dir, 'gone.txt') },
    // An open editor's text (unsaved edits) is searched as given, the file on disk not read.
    { label: 'open.txt', uri: 'untitled:1', path: join(dir, 'gone-too.txt'), text: 'Unsaved: bank.' },
  ];
  const progress: number[] = [];
  const r = await searchSources(sources, ['bank'], { maxFileBytes: 1000, onProgress: (p) => progress.push(p.filesDone) });
  assert.deepEqual(
    { searched: r.filesSearched, binary: r.skippedBinary, large: r.skippedTooLarge, unreadable: r.skippedUnreadable, found: r.found },
    { searched: 4, binary: 1, large: 1, unreadable: 1, found: [3] },
  );
  assert.deepEqual(r.sampled[0].map((o) => [sources[o.source].label, o.start, o.end]), [['a.txt', 4, 8], ['a.txt', 42, 46], ['open.txt', 9, 13]]);
  assert.deepEqual([...r.texts.keys()].sort(), [0, 6]);
  assert.equal(progress[progress.length - 1], sources.length, 'the last report counts every file');
});

test('10,000 occurrences in 2,000 files: found, sampled evenly in file order, linear time', async () => {
  const sources: SensesSource[] = Array.from({ length: 2000 }, (_, f) => ({
    label: `f${f}.txt`,
    uri: `untitled:${f}`,
    text: Array.from({ length: 5 }, (_, k) => `Line ${k}: 我用苹果手机, the bank ${f}.`).join('\n'),
  }));
  const r = await searchSources(sources, ['苹果', 'bank'], { maxOccurrences: 200 });
  assert.deepEqual(r.found, [10_000, 10_000]);
  for (const sample of r.sampled) {
    assert.equal(sample.length, 200);
    // One every 50 occurrences (= every 10 files), in file order.
    sample.forEach((o, i) => assert.equal(o.source, i * 10 + 5, `occurrence ${i}`));
  }
  assert.equal(r.texts.size, 200, 'only the sampled files keep their text');
});
