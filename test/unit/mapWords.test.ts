// The panel's Words view (issue 12) on the host side and in the webview's pure helpers: the engine's
// word projection of the demo model, through the host's conversion (src/extension/panel/projectionView.ts),
// becomes one point per word with its wordIndex and links per word; the unit kept across a reload
// (src/shared/mapUnit.ts); a word-point's label and hover text (webview/words/wordText.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProjectionResult } from '../../src/engine/workerProtocol';
import type { SnippetView, TokenView } from '../../src/protocol';
import { toProjectionView } from '../../src/extension/panel/projectionView';
import { wordOfToken } from '../../src/extension/panel/words';
import { readUnit, savedUnit } from '../../src/shared/mapUnit';
import { wordContext, wordHoverHtml, wordLabel } from '../../webview/words/wordText';
import { demoSession } from './helpers/demoSession';

const session = demoSession('map-words');
const APPLE = '我用苹果手机。我爱吃苹果。';
const BANK = 'He bought a book with money from the bank.';

test('words: one point per word with its wordIndex, links between the same words only, cosines per word', async () => {
  const a = await session.analyze(APPLE, 1);
  const b = await session.analyze(BANK, 1);
  const snippetOf = new Map([[a.analysisId, 'sA'], [b.analysisId, 'sB']]);
  const wordsA = session.words(a.analysisId).words;
  const wordsB = session.words(b.analysisId).words;
  const result = await session.project([a.analysisId, b.analysisId], 2, 'pca', undefined, {}, false, true);
  const view = toProjectionView(result, (id) => snippetOf.get(id), 'words');

  assert.equal(view.unit, 'words');
  assert.equal(view.points.length, wordsA.length + wordsB.length, 'one point per word (special tokens are words of their own)');
  assert.ok(view.points.length < a.tokens.length + b.tokens.length, '苹果, 手机 and “from” have several pieces: fewer points than pieces');
  for (const p of view.points) {
    const words = p.snippetId === 'sA' ? wordsA : wordsB;
    assert.ok(Number.isInteger(p.wordIndex), 'every point names its word');
    assert.equal(p.tokenIndex, words[p.wordIndex!].tokenIndices[0], "a word-point's tokenIndex is its first piece");
  }
  const pieces = view.links.map((l) => l.piece);
  assert.ok(pieces.includes('苹果'), '苹果 ↔ 苹果');
  assert.ok(!pieces.includes('果') && !pieces.includes('苹'), 'no piece links');
  for (const l of view.links) {
    const words = (id: string) => (id === 'sA' ? wordsA : wordsB);
    const wa = words(l.a.snippetId)[l.a.wordIndex!];
    const wb = words(l.b.snippetId)[l.b.wordIndex!];
    assert.equal(wa.text.toLowerCase(), wb.text.toLowerCase(), `a link joins one word: ${wa.text} ↔ ${wb.text}`);
    assert.ok(l.cosine >= -1 && l.cosine <= 1);
  }
  // The pieces map of the same analyses: no unit field, no wordIndex, one point per token.
  const piecesView = toProjectionView(await session.project([a.analysisId, b.analysisId], 2, 'pca'), (id) => snippetOf.get(id));
  assert.equal(piecesView.unit, undefined);
  assert.equal(piecesView.points.length, a.tokens.length + b.tokens.length);
  assert.ok(piecesView.points.every((p) => !('wordIndex' in p)));
  assert.ok(piecesView.links.some((l) => l.piece === '果'));

  // Revealing a word-point (its first piece) or any of its pieces finds the whole word.
  const apple = wordsA.find((w) => w.text === '苹果')!;
  assert.equal(wordOfToken(wordsA, apple.tokenIndices[1]), apple);
  assert.equal(APPLE.slice(apple.start, apple.end), '苹果');
});

test('toProjectionView in words: a point the engine sent without a wordIndex keeps its token, and pieces drop wordIndex', () => {
  const r: ProjectionResult = {
    hiddenLayer: 1,
    method: 'pca',
    points: [
      { analysisId: 'a', tokenIndex: 1, wordIndex: 1, x: 0, y: 0 },
      { analysisId: 'a', tokenIndex: 3, x: 1, y: 1 },
    ],
    links: [{ piece: 'x', a: { analysisId: 'a', tokenIndex: 1, wordIndex: 1 }, b: { analysisId: 'a', tokenIndex: 3, wordIndex: 2 }, cosine: 0.5 }],
  };
  assert.deepEqual(toProjectionView(r, () => 's', 'words').points, [
    { snippetId: 's', tokenIndex: 1, wordIndex: 1, x: 0, y: 0 },
    { snippetId: 's', tokenIndex: 3, x: 1, y: 1 },
  ]);
  assert.deepEqual(toProjectionView(r, () => 's', 'words').links[0].b, { snippetId: 's', tokenIndex: 3, wordIndex: 2 });
  assert.deepEqual(toProjectionView(r, () => 's').links[0].a, { snippetId: 's', tokenIndex: 1 });
});

test('the unit kept across a reload: words only when saved as words', () => {
  assert.equal(savedUnit({ unit: 'words' }), 'words');
  for (const raw of [{ unit: 'pieces' }, { unit: 'WORDS' }, {}, undefined, null, 'words', { unit: 1 }]) assert.equal(savedUnit(raw), 'pieces');
  assert.equal(readUnit('words'), 'words');
  assert.equal(readUnit('pieces'), 'pieces');
  assert.equal(readUnit('chars'), undefined);
});

function tok(index: number, piece: string, start: number, end: number, guesses: TokenView['guesses'] = []): TokenView {
  const special = piece.startsWith('[');
  return { index, piece, surface: special ? '' : piece.replace(/^##/, ''), start, end, special, guesses };
}

test('a word-point reads as its word; its hover lists its pieces with their own top guesses, all escaped', () => {
  const text = 'see <b>from</b> here.';
  const tokens = [tok(0, '[CLS]', 0, 0), tok(1, 'see', 0, 3), tok(2, '<', 4, 5, [{ token: '<i>', probability: 0.25 }]), tok(3, 'b', 5, 6), tok(4, '[SEP]', 21, 21)];
  const snippet: SnippetView = { id: 's', label: 'x.txt:1', text, tokens, windowed: false };
  const word = { text: '<b', start: 4, end: 6, tokenIndices: [2, 3], special: false };
  assert.equal(wordLabel(word, tokens[2]), '<b');
  assert.equal(wordLabel({ text: '[SEP]', special: true }, tokens[4]), '[SEP]');
  const ctx = wordContext(snippet, word);
  assert.deepEqual(ctx, { before: 'see ', token: '<b', after: '>from</b> here.' });
  const html = wordHoverHtml(snippet, word, { label: 'x.txt:1', piecesTitle: 'Pieces:', pending: 'pending' });
  assert.doesNotMatch(html.replace(/<\/?(b|i|br)>/g, ''), /[<>]/, 'data never reaches Plotly as markup');
  const lines = html.split('<br>');
  assert.equal(lines[2], 'Pieces:');
  assert.equal(lines[3], '  &lt;  → &lt;i&gt;  25.0%');
  assert.equal(lines[4], '  b  ', 'a piece without guesses yet');
});
