// Pure helpers of the Embedding Map webview (no DOM needed).
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { TokenView } from '../../src/protocol';
import { formatCosine, formatProbability } from '../../src/shared/format';
import { attentionMatrix, headViewLines, sumRows } from '../../webview/attentionMath';
import { mix, parseColor, rgba } from '../../webview/color';
import { rovingIndex } from '../../webview/keyboard';
import { sortLinks } from '../../webview/links';
import { escapePlotly, hoverHtml } from '../../webview/plotlyText';
import { displayPiece, isContinuation, tokenContext } from '../../webview/tokenText';
import { restorePersisted } from '../../src/shared/persistedState';
import { EN, fill, setStrings, t } from '../../webview/strings';

function tok(index: number, piece: string, start: number, end: number, special = false, surface?: string): TokenView {
  return { index, piece, surface: surface ?? (special ? '' : piece.replace(/^##/, '')), start, end, special, guesses: [] };
}

test('escapePlotly neutralises HTML, entities, templates and TeX', () => {
  assert.equal(escapePlotly('<img src=x onerror=alert(1)>'), '&lt;img src=x onerror=alert(1)&gt;');
  assert.equal(escapePlotly('</script>${x}'), '&lt;/script&gt;&#36;{x}');
  assert.equal(escapePlotly('a & b "c" \'d\''), 'a &amp; b &#34;c&#34; &#39;d&#39;');
  assert.equal(escapePlotly('%{x}'), '&#37;{x}');
  assert.equal(escapePlotly('&lt;'), '&amp;lt;');
  assert.equal(escapePlotly('line1\nline2'), 'line1 line2');
  assert.doesNotMatch(escapePlotly('<b>x</b><br>'), /[<>]/);
});

test('displayPiece and isContinuation', () => {
  assert.equal(displayPiece(tok(1, '果', 3, 4)), '果');
  assert.equal(displayPiece({ piece: '##ing', surface: '', special: false }), 'ing');
  assert.equal(displayPiece({ piece: '##ing', surface: 'ING', special: false }), 'ING');
  assert.equal(displayPiece(tok(0, '[CLS]', 0, 0, true)), '[CLS]');
  assert.equal(isContinuation(tok(2, '##ed', 0, 2)), true);
  assert.equal(isContinuation(tok(2, 'ed', 0, 2)), false);
});

test('tokenContext brackets the token inside its sentence', () => {
  const text = '我用苹果手机。我爱吃苹果。';
  const ctx = tokenContext({ text }, tok(4, '果', 3, 4), 3);
  assert.deepEqual(ctx, { before: '我用苹', token: '果', after: '手机。' }, 'stops at the sentence end');
  assert.equal(tokenContext({ text }, tok(12, '果', 11, 12), 2).before, '…吃苹');
  const end = tokenContext({ text }, tok(12, '果', 11, 12), 30);
  assert.deepEqual(end, { before: '我爱吃苹', token: '果', after: '。' }, 'starts at the sentence start');
  assert.deepEqual(tokenContext({ text: 'Pi is 3.14 here. Next one.' }, tok(3, '14', 8, 10), 40), { before: 'Pi is 3.', token: '14', after: ' here.' });
  const cls = tokenContext({ text }, tok(0, '[CLS]', 0, 0, true), 4);
  assert.equal(cls.token, '[CLS]');
  assert.equal(cls.before, '');
  const sep = tokenContext({ text }, tok(14, '[SEP]', 13, 13, true), 4);
  assert.equal(sep.after, '');
  assert.equal(sep.before, '…吃苹果。');
  const multi = tokenContext({ text: 'a \t  bank\tof' }, tok(1, 'bank', 5, 9), 10);
  assert.deepEqual(multi, { before: 'a ', token: 'bank', after: ' of' }, 'whitespace collapsed');
  assert.deepEqual(tokenContext({ text: 'line one\nbank of' }, tok(3, 'bank', 9, 13), 20), { before: '', token: 'bank', after: ' of' }, 'a newline ends a sentence');
});

test('hoverHtml escapes every piece of data but keeps its own markup', () => {
  const html = hoverHtml('<b>f</b>.txt', { before: '<i>', token: '<img src=x>', after: '&' }, [{ token: '</script>', probability: 0.5 }], 'Guesses:');
  assert.match(html, /<b>\[&lt;img src=x&gt;\]<\/b>/);
  assert.match(html, /&lt;b&gt;f&lt;\/b&gt;\.txt/);
  assert.match(html, /&lt;\/script&gt;  50\.0%/);
  assert.doesNotMatch(html, /<img|<\/script>|<i>&lt;i/);
});

test('formatting', () => {
  assert.equal(formatProbability(0.4213), '42.1%');
  assert.equal(formatProbability(0.9999), '100%');
  assert.equal(formatProbability(0.0001), '<0.1%');
  assert.equal(formatProbability(NaN), '–');
  assert.equal(formatCosine(0.9123), '0.91');
});

test('sortLinks puts the most different pair first without mutating', () => {
  const links = [
    { piece: 'b', cosine: 0.9 },
    { piece: 'a', cosine: 0.5 },
    { piece: 'c', cosine: 0.5 },
  ];
  const sorted = sortLinks(links);
  assert.deepEqual(sorted.map((l) => l.piece), ['a', 'c', 'b']);
  assert.equal(links[0].piece, 'b');
});

test('attentionMatrix picks a head or averages, and drops hidden tokens without renormalising', () => {
  // 2 heads, 3 tokens: head 0 = identity, head 1 = all to token 0.
  const w = [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0, 0];
  const h0 = attentionMatrix(w, 2, [0, 1, 2], 0);
  assert.deepEqual([...h0.values], [1, 0, 0, 0, 1, 0, 0, 0, 1]);
  const mean = attentionMatrix(w, 2, [0, 1, 2], -1);
  assert.deepEqual([...mean.values], [1, 0, 0, 0.5, 0.5, 0, 0.5, 0, 0.5]);
  const dropped = attentionMatrix(w, 2, [10, 11, 12], 1, (i) => i !== 10);
  assert.deepEqual(dropped.tokens, [11, 12]);
  assert.deepEqual([...dropped.values], [0, 0, 0, 0]);
});

test('attentionMatrix reads the Float32Array weights the host sends as it reads numbers', () => {
  const w = [0.25, 0.75, 0.5, 0.5, 1, 0, 0.125, 0.875];
  const fromArray = attentionMatrix(w, 2, [0, 1], -1);
  const fromTyped = attentionMatrix(Float32Array.from(w), 2, [0, 1], -1);
  assert.deepEqual([...fromTyped.values], [...fromArray.values]);
  assert.deepEqual([...fromTyped.values], [0.625, 0.375, 0.3125, 0.6875]);
});

test('headViewLines and sumRows use the selected rows only', () => {
  const m = { tokens: [5, 6, 7], values: Float64Array.from([0.5, 0.5, 0, 0.1, 0.2, 0.7, 0, 0, 1]) };
  assert.equal(headViewLines(m, []).length, 6);
  const sel = headViewLines(m, [6]);
  assert.deepEqual(sel.map((l) => [l.from, l.to]), [[1, 0], [1, 1], [1, 2]]);
  assert.deepEqual([...sumRows(m, [5, 7])], [0.5, 0.5, 1]);
  assert.equal(headViewLines(m, [99]).length, 6, 'unknown selection falls back to all rows');
});

test('colours', () => {
  assert.deepEqual(parseColor('#fff'), { r: 255, g: 255, b: 255, a: 1 });
  assert.deepEqual(parseColor('#1e1e1e80'), { r: 30, g: 30, b: 30, a: 128 / 255 });
  assert.deepEqual(parseColor('rgba(1, 2, 3, 0.5)'), { r: 1, g: 2, b: 3, a: 0.5 });
  assert.deepEqual(parseColor('rgb(1 2 3 / 50%)'), { r: 1, g: 2, b: 3, a: 0.5 });
  assert.equal(parseColor('var(--x)'), null);
  assert.equal(rgba(mix({ r: 0, g: 0, b: 0, a: 1 }, { r: 100, g: 200, b: 50, a: 1 }, 0.5)), 'rgba(50,100,25,1)');
});

test('rovingIndex wraps and understands Home/End', () => {
  assert.equal(rovingIndex('ArrowRight', 2, 3), 0);
  assert.equal(rovingIndex('ArrowLeft', 0, 3), 2);
  assert.equal(rovingIndex('Home', 2, 3), 0);
  assert.equal(rovingIndex('End', 0, 3), 2);
  assert.equal(rovingIndex('ArrowDown', 0, 3, 'vertical'), 1);
  assert.equal(rovingIndex('a', 0, 3), null);
});

test('strings: English defaults, host overrides, placeholders', () => {
  assert.equal(t('tab.map'), 'Map');
  setStrings({ 'tab.map': '映射', layerValue: '{layer}／{max}', bogus: 3 as unknown as string });
  assert.equal(t('tab.map'), '映射');
  assert.equal(t('layerValue', { layer: 2, max: 12 }), '2／12');
  setStrings(undefined);
  assert.equal(t('tab.map'), EN['tab.map']);
  assert.equal(fill('{a} {b}', { a: 1 }), '1 {b}');
});

test('restorePersisted keeps valid fields and drops malformed ones', () => {
  const s = restorePersisted({ tab: 'attention', layer: 4, projection: 'pca', hideSpecial: false, selectedTokens: [1, 'x', 3], head: 2, snippets: [null, { uri: 'u', label: 'l', text: 't', startOffset: 0 }] });
  assert.equal(s.tab, 'attention');
  assert.equal(s.hiddenLayer, 4);
  assert.equal(s.projection, 'pca');
  assert.equal(s.hideSpecial, false);
  assert.deepEqual(s.selectedTokens, [1, 3]);
  assert.equal(s.head, 2);
  assert.equal(s.snippets.length, 1);
  const bad = restorePersisted({ tab: 'nope', layer: -1, projection: 'tsne' });
  assert.equal(bad.tab, 'map');
  assert.equal(bad.hiddenLayer, 0);
  assert.equal(bad.projection, 'umap');
  assert.deepEqual(restorePersisted('garbage').selectedTokens, []);
});
