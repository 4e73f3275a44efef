/**
 * Compare Models (issue 13): the rows built from two AnalysisSummary values (src/engine/compare/rows.ts):
 * each side's guess and the probability of the token that is there, for a masked and a causal model, and
 * the CSV export.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareCsv, compareRows, layerAtDepth, type CompareInput } from '../../src/engine/compare';
import type { AnalyzedToken, Guess } from '../../src/engine/types';

const tok = (index: number, id: number, piece: string, start: number, end: number, special = false): AnalyzedToken => ({ index, id, piece, start, end, special });
const g = (token: string, id: number, probability: number): Guess => ({ token, id, probability });

// "吃苹果" in a BERT: [CLS] 吃 苹 果 [SEP], each token alone masked.
const TEXT = '吃苹果';
const masked: CompareInput = {
  kind: 'masked',
  tokens: [tok(0, 101, '[CLS]', 0, 0, true), tok(1, 1, '吃', 0, 1), tok(2, 2, '苹', 1, 2), tok(3, 3, '果', 2, 3), tok(4, 102, '[SEP]', 3, 3, true)],
  guesses: [[], [g('吃', 1, 0.5), g('喝', 9, 0.2)], [g('香', 8, 0.6), g('苹', 2, 0.3)], [g('汁', 7, 0.7)], []],
};
// The same text in a byte-level BPE (GPT-2's byte-to-character pieces, shown as the text they spell; 苹's two
// byte tokens once, as 苹×2): 吃 one token, 苹 two byte tokens, 果 one; what it expected at each token
// (next-token guesses at the token before), and each token's probability given the text before it.
const causal: CompareInput = {
  kind: 'causal',
  tokens: [tok(0, 11, 'åĲĥ', 0, 1), tok(1, 12, 'è', 1, 2), tok(2, 13, 'ĭ¹', 1, 2), tok(3, 14, 'æŀľ', 2, 3)],
  guesses: [[], [g('ä', 20, 0.4)], [g('ĭ¹', 13, 0.9)], [g('æŀľ', 14, 0.8)]],
  tokenProbabilities: [null, { probability: 0.1, rank: 3 }, { probability: 0.9, rank: 1 }, { probability: 0.8, rank: 1 }],
};

test('a masked model beside a causal one: a row per character, guesses and probabilities of the tokens there', () => {
  const rows = compareRows(TEXT, masked, causal);
  assert.deepEqual(
    rows.map((r) => [r.text, r.a?.token, r.a?.guess, r.a?.probability, r.b?.token, r.b?.guess, r.b?.probability]),
    [
      // 吃: BERT's own token is its top guess (0.5); nothing precedes for GPT: no guess, no probability.
      ['吃', '吃', '吃', 0.5, '吃', null, null],
      // 苹: BERT's 苹 is its second guess (0.3); GPT's two byte tokens: 0.1 × 0.9 (the chain rule).
      ['苹', '苹', '香', 0.3, '苹×2', 'ä ĭ¹', 0.1 * 0.9],
      // 果: not among BERT's top-k: unknown, not made up.
      ['果', '果', '汁', null, '果', 'æŀľ', 0.8],
    ],
  );
  assert.deepEqual(rows.map((r) => [r.a?.guessIsToken, r.b?.guessIsToken]), [[true, false], [false, false], [false, true]]);
  assert.deepEqual(rows[1].b?.tokens, [1, 2]);
  assert.deepEqual(rows[1].a?.tokens, [2]);
  assert.deepEqual([rows[0].start, rows[0].end, rows[2].start, rows[2].end], [0, 1, 2, 3]);
});

test('two masked models (two BERTs) give the same rows both ways round', () => {
  const rows = compareRows(TEXT, masked, masked);
  assert.deepEqual(rows.map((r) => [r.a?.probability, r.b?.probability]), [[0.5, 0.5], [0.3, 0.3], [null, null]]);
  assert.deepEqual(compareRows(TEXT, causal, masked).map((r) => r.b?.guess), compareRows(TEXT, masked, causal).map((r) => r.a?.guess));
});

test('a causal model whose summary carries next instead of guesses: the guess at i is next[i − 1]', () => {
  const fromNext: CompareInput = { ...causal, guesses: causal.tokens.map(() => []), next: [[g('ä', 20, 0.4)], [g('ĭ¹', 13, 0.9)], [g('æŀľ', 14, 0.8)], []] };
  assert.deepEqual(compareRows(TEXT, masked, fromNext).map((r) => r.b?.guess), [null, 'ä ĭ¹', 'æŀľ']);
});

test('a character only one model reads is a row with the other side null', () => {
  const withBreak: CompareInput = { ...causal, tokens: [...causal.tokens, tok(4, 15, 'Ċ', 3, 4)], guesses: [...causal.guesses, [g('Ċ', 15, 0.5)]], tokenProbabilities: [...causal.tokenProbabilities!, { probability: 0.5, rank: 1 }] };
  const rows = compareRows(`${TEXT}\n`, masked, withBreak);
  assert.equal(rows.length, 4);
  assert.deepEqual([rows[3].text, rows[3].a, rows[3].b?.probability], ['\n', null, 0.5]);
});

test('depth to layer: round(depth × numLayers), clamped, per model', () => {
  assert.deepEqual([0, 0.5, 1].map((d) => layerAtDepth(d, 12)), [0, 6, 12]);
  assert.deepEqual([0.5, 0.74, 0.76].map((d) => layerAtDepth(d, 2)), [1, 1, 2]);
  assert.deepEqual([-1, 2, Number.NaN].map((d) => layerAtDepth(d, 4)), [0, 4, 4]);
});

test('CSV: a row per span, quoted, empty where unknown, token text never a formula', () => {
  const text = '=1,"x"';
  const a: CompareInput = { kind: 'masked', tokens: [tok(0, 5, '=1,"x"', 0, 6)], guesses: [[g('@SUM', 6, 0.25)]] };
  const csv = compareCsv({ text, depth: 1, models: [{ model: 'A', kind: 'masked', layer: 2, numLayers: 2 }, { model: 'B', kind: 'masked', layer: 2, numLayers: 2 }], rows: compareRows(text, a, a) });
  assert.equal(csv, 'start,end,text,a_token,a_guess,a_probability,b_token,b_guess,b_probability\r\n' + `0,6,"'=1,""x""","'=1,""x""",'@SUM,,"'=1,""x""",'@SUM,\r\n`);
});

test('token labels: wordpieces as written, byte-level pieces as the text they spell, a split character once', () => {
  const text = 'bank 龍ing';
  const bpe: CompareInput = {
    kind: 'causal',
    // "bank", "Ġ" + 龍's three byte tokens (E9 BE 8D), and a piece that spells no whole character on its own.
    tokens: [tok(0, 1, 'bank', 0, 4), tok(1, 2, 'Ġé', 5, 6), tok(2, 3, '¾', 5, 6), tok(3, 4, 'į', 5, 6), tok(4, 5, 'ing', 6, 9)],
    guesses: [[], [], [], [], []],
    tokenProbabilities: [null, null, null, null, null],
  };
  const wordpieces: CompareInput = {
    kind: 'masked',
    tokens: [tok(0, 1, 'bank', 0, 4), tok(1, 2, '龍', 5, 6), tok(2, 3, '##ing', 6, 9)],
    guesses: [[], [], []],
  };
  const rows = compareRows(text, wordpieces, bpe);
  assert.deepEqual(rows.map((r) => [r.text, r.a?.token, r.b?.token]), [['bank', 'bank', 'bank'], ['龍', '龍', '龍×3'], ['ing', '##ing', 'ing']]);
  const spaced = compareRows('a bank', { kind: 'masked', tokens: [tok(0, 1, 'a', 0, 1), tok(1, 2, 'bank', 2, 6)], guesses: [[], []] }, { ...bpe, tokens: [tok(0, 1, 'a', 0, 1), tok(1, 2, 'Ġbank', 2, 6)] });
  assert.equal(spaced[1].b?.token, '␣bank', 'a leading space reads as ␣');
});
