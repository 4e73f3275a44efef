// The word-senses exports (issue 10): `senses --json` (field names are a contract) and the CSV, read back
// by an RFC 4180 parser written here from the RFC's grammar, on hostile text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SENSES_CSV_HEADER, sensesToCsv, sensesToJson } from '../../src/engine/senses/exports';
import type { SenseOccurrence, SensesResult } from '../../src/engine/senses/types';

/** RFC 4180 records: fields separated by commas, records by CRLF, quoted fields with "" for a quote. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let at = 0;
  while (at < text.length) {
    if (text[at] === '"' && field === '') {
      at++;
      for (;;) {
        assert.ok(at < text.length, 'unterminated quoted field');
        if (text[at] === '"' && text[at + 1] === '"') [field, at] = [field + '"', at + 2];
        else if (text[at] === '"') break;
        else field += text[at++];
      }
      at++;
      assert.ok(at === text.length || text[at] === ',' || text.startsWith('\r\n', at), `text after a closing quote at ${at}`);
    } else if (text[at] === ',') {
      record.push(field);
      field = '';
      at++;
    } else if (text.startsWith('\r\n', at)) {
      record.push(field);
      records.push(record);
      [field, record] = ['', []];
      at += 2;
    } else {
      assert.ok(!'"\r\n'.includes(text[at]), `bare ${JSON.stringify(text[at])} in an unquoted field at ${at}`);
      field += text[at++];
    }
  }
  assert.equal(field + record.join(''), '', 'the last record ends with CRLF');
  return records;
}

function occurrence(over: Partial<SenseOccurrence>): SenseOccurrence {
  return {
    word: 'bank',
    file: 'notes/a.txt',
    uri: 'file:///w/notes/a.txt',
    start: 10,
    end: 14,
    line: 2,
    column: 5,
    context: 'the bank of the river',
    contextStart: 6,
    count: 1,
    cluster: [0, 0, 1],
    substitutes: [{ token: 'shore', probability: 0.25 }],
    ...over,
  };
}

function result(occurrences: SenseOccurrence[]): SensesResult {
  return {
    word: 'bank',
    also: '银行',
    model: 'fixture-bert',
    numLayers: 2,
    standardized: true,
    search: { filesSearched: 3, skippedBinary: 1, skippedTooLarge: 0, skippedUnreadable: 0, found: 2, foundAlso: 0, toAnalyse: 2, analysed: 2 },
    layers: [
      { layer: 0, selfSimilarity: NaN, anisotropy: 0.5, adjustedSelfSimilarity: NaN, silhouette: 0, k: 1, alignment: 0.1 },
      { layer: 1, selfSimilarity: 0.8, anisotropy: 0.4, adjustedSelfSimilarity: 0.4, silhouette: 0, k: 1 },
      { layer: 2, selfSimilarity: 0.6, anisotropy: 0.3, adjustedSelfSimilarity: 0.3, silhouette: 0.4, k: 2 },
    ],
    occurrences,
    clusters: [{ layer: 2, id: 1, size: 3, substitutes: [{ token: 'shore', probability: 0.25 }], collocates: ['river'] }],
    done: true,
  };
}

const hostile = [
  occurrence({ file: 'a,b.txt', context: 'He said "bank", then\r\nleft' }),
  occurrence({ file: '=HYPERLINK("http://x")', context: '+1 bank\nnew line', count: 3, cluster: [0, 2, 5] }),
  occurrence({ word: '银行', file: '@sum', context: '-2 银行, "quoted"', cluster: [1] }),
];

test('CSV: header, one row per occurrence with its cluster at the layer, hostile text read back intact', () => {
  const records = parseCsv(sensesToCsv(result(hostile), 2));
  assert.deepEqual(records[0], [...SENSES_CSV_HEADER]);
  assert.deepEqual(records[0].join(','), 'word,file,line,column,start,end,count,cluster,context');
  assert.equal(records.length, 1 + hostile.length);
  assert.deepEqual(records[1], ['bank', 'a,b.txt', '2', '5', '10', '14', '1', '1', 'He said "bank", then\r\nleft']);
  // Formula guard: cells starting with = + - @ get a leading apostrophe.
  assert.deepEqual(records[2], ['bank', `'=HYPERLINK("http://x")`, '2', '5', '10', '14', '3', '5', "'+1 bank\nnew line"]);
  assert.deepEqual(records[3], ['银行', "'@sum", '2', '5', '10', '14', '1', '', `'-2 银行, "quoted"`], 'no cluster at layer 2: empty cell');
});

test('CSV: any text survives the round trip (up to the formula guard\'s apostrophe)', () => {
  const text = fc.string({ unit: fc.constantFrom('a', ',', '"', '\r', '\n', '=', '+', '-', '@', ' ', '果', '\t') });
  fc.assert(
    fc.property(text, text, (file, context) => {
      const [, row] = parseCsv(sensesToCsv(result([occurrence({ file, context })]), 0));
      const guarded = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
      assert.deepEqual([row[1], row[8]], [guarded(file), guarded(context)]);
    }),
    { seed: 4, numRuns: 300 },
  );
});

test('JSON: the senses --json fields, in order, NaN as null, no uri', () => {
  const json = sensesToJson(result(hostile));
  const parsed = JSON.parse(json);
  assert.deepEqual(Object.keys(parsed), ['word', 'also', 'model', 'standardized', 'search', 'layers', 'occurrences', 'clusters']);
  assert.deepEqual(Object.keys(parsed.layers[0]), ['layer', 'selfSimilarity', 'anisotropy', 'adjustedSelfSimilarity', 'silhouette', 'k', 'alignment']);
  assert.equal(parsed.layers[0].selfSimilarity, null);
  assert.deepEqual(Object.keys(parsed.layers[1]), ['layer', 'selfSimilarity', 'anisotropy', 'adjustedSelfSimilarity', 'silhouette', 'k']);
  assert.deepEqual(Object.keys(parsed.occurrences[0]), ['word', 'file', 'start', 'end', 'line', 'column', 'context', 'contextStart', 'count', 'cluster', 'substitutes']);
  assert.deepEqual(parsed.occurrences[1].cluster, [0, 2, 5]);
  assert.equal(parsed.occurrences[0].context, hostile[0].context);
  assert.deepEqual(parsed.clusters, result(hostile).clusters);
  assert.deepEqual(parsed.search, result(hostile).search);
  assert.ok(json.startsWith('{\n  "word": "bank",\n  "also": "银行",'), 'pretty-printed with 2 spaces');
  assert.equal(Object.hasOwn(JSON.parse(sensesToJson({ ...result(hostile), also: undefined })), 'also'), false);
});

test('JSON: vectors (one array per layer) read back exactly, one line per layer, whatever the contexts say', () => {
  const vectors = [
    [[0.5, -1.25], [1e-7, 3]],
    [[2, 2], [-0.1, 0.2]],
  ];
  // A context that looks like the placeholder the vectors are spliced in with must stay text.
  const occurrences = [occurrence({ context: 'context-lens-vectors:1' }), occurrence({ context: '"vectors": "x"' })];
  const json = sensesToJson(result(occurrences), vectors);
  const parsed = JSON.parse(json);
  assert.deepEqual(parsed.occurrences.map((o: { vectors: number[][] }) => o.vectors), vectors);
  assert.deepEqual(parsed.occurrences.map((o: { context: string }) => o.context), ['context-lens-vectors:1', '"vectors": "x"']);
  assert.ok(json.includes('\n        [0.5,-1.25],\n        [1e-7,3]\n      ]'), json);
});
