// The Senses tab's pure parts: keyword-in-context lines, grouping by sense cluster, group labels, the
// summary's figures and the colour of a sense (webview/senses/kwic.ts, summary.ts, look.ts).
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import fc from 'fast-check';
import type { SenseOccurrence, SensesResult } from '../../src/engine/senses/types';
import { clusterAt, collocatesLabel, groupByCluster, kwicLine, substitutesLabel } from '../../webview/senses/kwic';
import { senseColor, senseName } from '../../webview/senses/look';
import { summaryFacts } from '../../webview/senses/summary';

/** An occurrence of `word` inside `context`, which starts at offset `contextStart` of its file. */
function occ(context: string, word: string, cluster: number[], extra: Partial<SenseOccurrence> = {}): SenseOccurrence {
  const contextStart = extra.contextStart ?? 100;
  const at = context.indexOf(word);
  assert.ok(at >= 0, `${word} in ${context}`);
  return {
    word,
    file: 'demo/senses/apple.txt',
    uri: 'file:///demo/senses/apple.txt',
    start: contextStart + at,
    end: contextStart + at + word.length,
    line: 3,
    column: at + 1,
    context,
    contextStart,
    count: 1,
    cluster,
    substitutes: [],
    ...extra,
  };
}

function result(occurrences: SenseOccurrence[], extra: Partial<SensesResult> = {}): SensesResult {
  return {
    word: '苹果',
    model: 'tiny-bert',
    numLayers: 2,
    standardized: false,
    search: { filesSearched: 3, skippedBinary: 0, skippedTooLarge: 0, skippedUnreadable: 0, found: occurrences.length, toAnalyse: occurrences.length, analysed: occurrences.length },
    layers: [],
    occurrences,
    clusters: [],
    done: true,
    ...extra,
  };
}

test('kwicLine: left | word | right from the context and the file offsets, one line, each side cut on its far end', () => {
  const o = occ('我用苹果手机。\n我爱吃苹果。', '苹果', [0, 0, 1]);
  assert.deepEqual(kwicLine(o, 7), { index: 7, left: '我用', keyword: '苹果', right: '手机。 我爱吃苹果。', word: '苹果', count: 1, where: 'demo/senses/apple.txt:3' });

  const long = occ(`${'a'.repeat(80)} bank ${'b'.repeat(80)}`, 'bank', [0]);
  const cut = kwicLine(long, 0, 10);
  assert.equal(cut.left, `…${'a'.repeat(9)} `, 'the left context keeps its end (next to the word)');
  assert.equal(cut.keyword, 'bank');
  assert.equal(cut.right, ` ${'b'.repeat(9)}…`, 'the right context keeps its start');
});

test('kwicLine: cuts never split a surrogate pair; offsets outside the context are clamped; count defaults to 1', () => {
  const emoji = '😀'.repeat(12);
  const o = occ(`${emoji}果${emoji}`, '果', [0]);
  const line = kwicLine(o, 0, 5);
  assert.equal(line.left, `…${'😀'.repeat(5)}`);
  assert.equal(line.right, `${'😀'.repeat(5)}…`);
  const bad = kwicLine({ ...o, start: 5, end: 10_000, count: 0 }, 1);
  assert.equal(bad.left, '', 'a start before the context: nothing on the left');
  assert.equal(bad.right, '', 'an end past the context: nothing on the right');
  assert.equal(bad.count, 1);
});

test('kwicLine: left + word + right is the context (whitespace as one space) for any text and word position', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), fc.string({ minLength: 1, maxLength: 6 }), fc.string({ maxLength: 40 }), (left, word, right) => {
      const context = left + word + right;
      const o: SenseOccurrence = { ...occ('x', 'x', [0]), context, contextStart: 7, start: 7 + left.length, end: 7 + left.length + word.length };
      const line = kwicLine(o, 0, 1000);
      const norm = (s: string): string => s.replace(/\s+/g, ' ');
      assert.equal(line.keyword, norm(word));
      assert.equal(line.left, norm(left).trimStart());
      assert.equal(line.right, norm(right).trimEnd());
    }),
  );
});

test('groupByCluster: by the cluster at the asked layer, largest first (counts included), labels attached; unclustered last', () => {
  const r = result(
    [
      occ('我爱吃苹果。', '苹果', [0, 0, 1], { count: 1 }),
      occ('我用苹果手机。', '苹果', [0, 0, 0], { count: 3 }),
      occ('苹果很甜。', '苹果', [0, 0, 1], { count: 1 }),
      occ('苹果电脑很好用。', '苹果', [0, 0, 0]),
      occ('新的苹果', '苹果', [0, 0]),
    ],
    {
      clusters: [
        { layer: 2, id: 0, size: 4, substitutes: [{ token: '华', probability: 0.3 }], collocates: ['手机', '电脑'] },
        { layer: 2, id: 1, size: 2, substitutes: [{ token: '梨', probability: 0.4 }], collocates: ['吃'] },
        { layer: 1, id: 0, size: 7, substitutes: [], collocates: [] },
      ],
    },
  );
  const at2 = groupByCluster(r, 2);
  assert.deepEqual(at2.map((g) => [g.id, g.size, g.lines.map((l) => l.index)]), [[0, 4, [1, 3]], [1, 2, [0, 2]], [-1, 1, [4]]]);
  assert.deepEqual(at2[0].cluster?.collocates, ['手机', '电脑'], 'the label of that layer, not of layer 1');
  assert.equal(at2[2].cluster, undefined);
  const at0 = groupByCluster(r, 0);
  assert.equal(at0.length, 1);
  assert.equal(at0[0].size, 7, 'a merged context counts with its number of occurrences');
  assert.equal(clusterAt(r.occurrences[4], 2), -1);
  assert.equal(clusterAt({ ...r.occurrences[0], cluster: [0.5] as number[] }, 0), -1, 'a non-integer id is no cluster');
});

test('group labels: top substitutes with their share, top collocates', () => {
  const subs = [
    { token: 'bank', probability: 0.52 },
    { token: 'shore', probability: 0.11 },
    { token: 'edge', probability: 0.05 },
    { token: 'side', probability: 0.0004 },
    { token: 'banks', probability: 0.01 },
  ];
  assert.equal(substitutesLabel(subs), 'bank 52.0% · shore 11.0% · edge 5.0% · side <0.1%');
  assert.equal(substitutesLabel(undefined), '');
  assert.equal(collocatesLabel(['river', 'water', 'along'], 2), 'river, water');
});

test('summaryFacts: found vs analysed, an even sample said so, skipped files listed only when there are some', () => {
  const occurrences = [occ('我爱吃苹果。', '苹果', [0], { count: 2 }), occ('苹果手机', '苹果', [0])];
  const all = summaryFacts(result(occurrences, { search: { filesSearched: 4, skippedBinary: 1, skippedTooLarge: 0, skippedUnreadable: 2, found: 3, toAnalyse: 2, analysed: 2 } }));
  assert.equal(all.sampled, false, 'identical contexts merged: every found occurrence is covered');
  assert.deepEqual(all.skipped.map((s) => [s.key, s.n]), [['sensesSkippedBinary', 1], ['sensesSkippedUnreadable', 2]]);
  assert.equal(all.files, 4);
  assert.equal(all.analysing, false);

  const sampled = summaryFacts(result(occurrences, { search: { filesSearched: 90, skippedBinary: 0, skippedTooLarge: 0, skippedUnreadable: 0, found: 10_000, toAnalyse: 200, analysed: 40 }, done: false }));
  assert.equal(sampled.sampled, true);
  assert.equal(sampled.analysing, true);
  assert.deepEqual([sampled.found, sampled.analysed, sampled.total], [10_000, 40, 200]);
  assert.deepEqual(sampled.skipped, []);

  const compared = summaryFacts(result(occurrences, { also: 'apple', search: { filesSearched: 1, skippedBinary: 0, skippedTooLarge: 0, skippedUnreadable: 0, found: 3, foundAlso: 5, toAnalyse: 8, analysed: 8 } }));
  assert.equal(compared.foundAlso, 5);
  assert.equal(compared.sampled, true, 'the compared word\'s occurrences count too');
});

test('senseColor: a stable colour per cluster id from the theme palette (wrapping), muted when not clustered', () => {
  const theme = { palette: ['#a', '#b', '#c'], muted: '#m' };
  assert.deepEqual([0, 1, 2, 3, 4].map((id) => senseColor(theme, id)), ['#a', '#b', '#c', '#a', '#b']);
  assert.equal(senseColor(theme, -1), '#m');
  assert.equal(senseName(0), 'Sense 1', 'people count senses from 1');
  assert.equal(senseName(-1), 'Not clustered yet');
});
