// The Compare tab's state (webview/compare/model.ts through webview/reduce.ts): the host's 'compare' message,
// the kept depth, and how whitespace in a row's text is shown.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { CompareView } from '../../src/protocol';
import { restorePersisted } from '../../src/shared/persistedState';
import { compareDepth, layerAtDepth, visibleText } from '../../webview/compare/model';
import { applyHostMessage } from '../../webview/reduce';
import { initialState } from '../../webview/state';

const view: CompareView = {
  label: 'apple.txt:1',
  text: '果',
  depth: 1,
  models: [
    { label: 'A', model: '/a', kind: 'masked', numLayers: 2, hiddenLayer: 2, method: 'pca', tokens: [{ piece: '果', start: 0, end: 1, special: false }], points: [{ tokenIndex: 0, x: 0, y: 0 }] },
    { label: 'B', model: '/b', kind: 'causal', numLayers: 4, hiddenLayer: 4, method: 'pca', tokens: [{ piece: 'æŀľ', start: 0, end: 1, special: false }], points: [{ tokenIndex: 0, x: 1, y: 1 }] },
  ],
  rows: [{ start: 0, end: 1, text: '果', a: { token: '果', guess: '果', probability: 0.5, guessIsToken: true, tokens: [0] }, b: { token: 'æŀľ', guess: null, probability: null, guessIsToken: false, tokens: [0] } }],
};

test("'compare' sets the comparison and tells the Compare tab; null or a malformed one clears it", () => {
  const before = initialState();
  const shown = applyHostMessage(before, { type: 'compare', compare: view });
  assert.equal(shown.state.compare, view);
  assert.deepEqual(shown.topics, ['compare']);
  assert.equal(applyHostMessage(shown.state, { type: 'compare', compare: null }).state.compare, null);
  const malformed = { ...view, models: [view.models[0]] } as unknown as CompareView;
  assert.equal(applyHostMessage(shown.state, { type: 'compare', compare: malformed }).state.compare, null);
  // The rest of the state is left alone (the user's kept choices included).
  assert.equal(shown.state.persisted, before.persisted);
  assert.equal(shown.state.snippets, before.snippets);
});

test('the kept depth: restored within 0 … 1 (else dropped), the last layer by default; each model rounds its own layer', () => {
  assert.equal(restorePersisted({ compareDepth: 0.35 }).compareDepth, 0.35);
  assert.equal(restorePersisted({ compareDepth: 1.5 }).compareDepth, undefined);
  assert.equal(restorePersisted({ compareDepth: '0.5' }).compareDepth, undefined);
  assert.equal(restorePersisted({ tab: 'compare' }).tab, 'compare');
  assert.equal(compareDepth({ persisted: restorePersisted({}) }), 1);
  assert.equal(compareDepth({ persisted: restorePersisted({ compareDepth: 0.25 }) }), 0.25);
  assert.deepEqual([layerAtDepth(0.25, 2), layerAtDepth(0.25, 12), layerAtDepth(0.25, 4)], [1, 3, 1]);
});

test('whitespace a reader cannot see is shown in a row’s text', () => {
  assert.equal(visibleText('\r\n'), '⏎');
  assert.equal(visibleText(' bank'), '␣bank');
  assert.equal(visibleText('a b\t'), 'a b→');
  assert.equal(visibleText('  '), '␣␣');
});
