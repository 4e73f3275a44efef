// What each host message does to the Embedding Map's state (webview/reduce.ts), message kind by kind.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { AttentionGridView, AttentionLayerView, HostToWebview, LayerGuessesResult, ProjectionView, SensesProjection, SensesResult, SnippetView, SpanView, TokenView } from '../../src/protocol';
import { attentionKey, pointKey } from '../../webview/keys';
import { applyHostMessage, readHostMessage, type HostMessageResult } from '../../webview/reduce';
import { restorePersisted } from '../../src/shared/persistedState';
import { sendRequest } from '../../webview/requests';
import { pendingSensesView, sensesLayer, shownStandardize } from '../../webview/senses/model';
import { initialState, state, type AppState, type PendingRequest } from '../../webview/state';

// What the webview posts to the host (webview/vscodeApi.ts asks for this on its first message).
const posted: unknown[] = [];
Object.assign(globalThis, {
  acquireVsCodeApi: () => ({ postMessage: (m: unknown) => posted.push(m), getState: () => undefined, setState: () => undefined }),
});

function token(index: number, piece: string, extra: Partial<TokenView> = {}): TokenView {
  const special = piece.startsWith('[');
  return { index, piece, surface: special ? '' : piece, start: index, end: special ? index : index + 1, special, guesses: [], ...extra };
}

/** `[CLS] pieces… [SEP]`, every word's guesses still pending. */
function snippet(id: string, pieces: string[], extra: Partial<SnippetView> = {}): SnippetView {
  const tokens = ['[CLS]', ...pieces, '[SEP]'].map((p, i) => token(i, p, p.startsWith('[') ? {} : { guessesPending: true }));
  return { id, label: `${id}.txt:1`, text: pieces.join(''), tokens, windowed: false, ...extra };
}

function projection(hiddenLayer: number, method: 'umap' | 'pca', snippetIds: string[]): ProjectionView {
  return { hiddenLayer, method, points: snippetIds.map((snippetId, i) => ({ snippetId, tokenIndex: 1, x: i, y: -i })), links: [] };
}

function attention(snippetId: string, attentionLayer: number): AttentionLayerView {
  return { snippetId, attentionLayer, numHeads: 1, tokenIndices: [0, 1], weights: Float32Array.of(1, 0, 0.5, 0.5) };
}

function grid(snippetId: string): AttentionGridView {
  return { snippetId, numLayers: 1, numHeads: 1, tokenIndices: [0, 1], size: 2, weights: Float32Array.of(1, 0, 0.5, 0.5) };
}

/** Applies `msg` and checks the reducer left its input exactly as it was. */
function apply(state: AppState, msg: HostToWebview): HostMessageResult {
  const before = structuredClone(state);
  const result = applyHostMessage(state, msg);
  assert.deepEqual(state, before, `${msg.type}: the input state is not modified`);
  return result;
}

/** Two snippets on the map, the second's first word selected with an out-of-range index kept from before. */
function mapWithSnippets(): AppState {
  const s = initialState(restorePersisted({ hiddenLayer: 3, projection: 'umap', selectedSnippetId: 'b', selectedTokens: [1, 9] }));
  return apply(s, { type: 'snippets', snippets: [snippet('a', ['我', '用']), snippet('b', ['苹', '果', '机'])] }).state;
}

test('readHostMessage accepts objects with a string type only', () => {
  assert.deepEqual(readHostMessage({ type: 'model', model: null }), { type: 'model', model: null });
  for (const bad of [null, undefined, 'snippets', 3, {}, { type: 3 }, []]) assert.equal(readHostMessage(bad), undefined, JSON.stringify(bad));
});

test('init: the strings, layer and projection from the host; kept choices change (saved)', () => {
  const s = initialState();
  const r = apply(s, { type: 'init', strings: { 'tab.map': '嵌入图' }, hiddenLayer: 4, projection: 'pca' });
  assert.deepEqual(r.topics, ['strings']);
  assert.deepEqual(r.strings, { 'tab.map': '嵌入图' });
  assert.equal(r.state.persisted.hiddenLayer, 4);
  assert.equal(r.state.persisted.projection, 'pca');
  assert.notEqual(r.state.persisted, s.persisted, 'a new persisted object: the caller saves it');

  const odd = apply(s, { type: 'init', strings: undefined as unknown as Record<string, string>, hiddenLayer: 2.5, projection: 'tsne' as 'umap' });
  assert.deepEqual(odd.strings, {}, 'no strings = back to English');
  assert.equal(odd.state.persisted.hiddenLayer, 0, 'a non-integer layer is ignored');
  assert.equal(odd.state.persisted.projection, 'umap', 'an unknown method is ignored');
});

test('model: replaces the model status; nothing to save', () => {
  const s = initialState();
  const model = { label: 'tiny-bert', state: 'ready' as const, numLayers: 2, numHeads: 2 };
  const r = apply(s, { type: 'model', model });
  assert.deepEqual(r.topics, ['model']);
  assert.equal(r.state.model, model);
  assert.equal(r.state.persisted, s.persisted);
});

test('snippets: keeps a selection that still exists, trims its tokens, drops attention, records the snippets to restore', () => {
  const s = initialState(restorePersisted({ selectedSnippetId: 'b', selectedTokens: [1, 3, 4, -1] }));
  s.attention.set(attentionKey('b', 0), attention('b', 0));
  s.attentionRequested.add(attentionKey('b', 1));
  s.grids.set('b', grid('b'));
  s.gridRequested.add('a');
  const snippets = [snippet('a', ['x']), snippet('b', ['y', 'z'], { uri: 'file:///b.txt', startOffset: 7 })];
  const r = apply(s, { type: 'snippets', snippets });
  assert.deepEqual(r.topics, ['snippets']);
  assert.equal(r.state.snippets, snippets);
  assert.equal(r.state.persisted.selectedSnippetId, 'b');
  assert.deepEqual(r.state.persisted.selectedTokens, [1, 3], 'indices past the 4 tokens of b are dropped');
  assert.deepEqual(r.state.persisted.snippets, [
    { uri: '', label: 'a.txt:1', text: 'x', startOffset: 0 },
    { uri: 'file:///b.txt', label: 'b.txt:1', text: 'yz', startOffset: 7 },
  ]);
  assert.equal(r.state.attention.size, 0);
  assert.equal(r.state.attentionRequested.size, 0);
  assert.equal(r.state.grids.size, 0);
  assert.equal(r.state.gridRequested.size, 0);
});

test('snippets: a selection whose snippet is gone moves to the first snippet, with no tokens selected', () => {
  const s = initialState(restorePersisted({ selectedSnippetId: 'gone', selectedTokens: [1, 2] }));
  const r = apply(s, { type: 'snippets', snippets: [snippet('a', ['x']), snippet('b', ['y'])] });
  assert.equal(r.state.persisted.selectedSnippetId, 'a');
  assert.deepEqual(r.state.persisted.selectedTokens, []);
});

test('snippets: an empty list clears the map and the selection; a malformed list counts as empty', () => {
  const s = { ...mapWithSnippets(), projection: projection(3, 'umap', ['a', 'b']) };
  const r = apply(s, { type: 'snippets', snippets: [] });
  assert.equal(r.state.projection, null);
  assert.equal(r.state.persisted.selectedSnippetId, undefined);
  assert.deepEqual(r.state.persisted.snippets, []);
  const kept = apply(s, { type: 'snippets', snippets: [snippet('a', ['x'])] });
  assert.equal(kept.state.projection, s.projection, 'a non-empty list keeps the map until the next projection');
  const malformed = apply(s, { type: 'snippets', snippets: null as unknown as SnippetView[] });
  assert.deepEqual(malformed.state.snippets, []);
  assert.equal(malformed.state.projection, null);
});

test('projection: becomes the map; answers the pending layer, or leaves a newer pending layer waiting', () => {
  const s = mapWithSnippets();
  const p = projection(5, 'pca', ['a', 'b']);
  const r = apply(s, { type: 'projection', projection: p });
  assert.deepEqual(r.topics, ['projection', 'layer']);
  assert.equal(r.state.projection, p);
  assert.equal(r.state.pendingLayer, null);
  assert.equal(r.state.persisted.hiddenLayer, 5);
  assert.equal(r.state.persisted.projection, 'pca');

  // The user moved the slider on to 6 while layer 5 was being projected: 5 shows, 6 stays pending.
  const moved = { ...s, pendingLayer: 6, persisted: { ...s.persisted, hiddenLayer: 6 } };
  const stale = apply(moved, { type: 'projection', projection: p });
  assert.equal(stale.state.projection, p);
  assert.equal(stale.state.pendingLayer, 6);
  assert.equal(stale.state.persisted.hiddenLayer, 6);
  assert.equal(stale.state.persisted.projection, 'pca');
  const answered = apply(stale.state, { type: 'projection', projection: projection(6, 'pca', ['a']) });
  assert.equal(answered.state.pendingLayer, null);
  assert.equal(answered.state.persisted.hiddenLayer, 6);
});

test('projection: points of a snippet the webview does not have are kept as sent (the map draws known snippets only)', () => {
  const s = mapWithSnippets();
  const p = projection(2, 'umap', ['a', 'unknown']);
  const { state: next, topics } = apply(s, { type: 'projection', projection: p });
  assert.deepEqual({ topics, projection: next.projection, snippets: next.snippets }, { topics: ['projection', 'layer'], projection: p, snippets: s.snippets });
});

test('progress: a message with its fraction, or none', () => {
  const s = initialState();
  const r = apply(s, { type: 'progress', message: 'Downloading…', fraction: 0.42 });
  assert.deepEqual(r.topics, ['progress']);
  assert.deepEqual(r.state.progress, { message: 'Downloading…', fraction: 0.42 });
  assert.deepEqual(apply(s, { type: 'progress', message: 'Working…' }).state.progress, { message: 'Working…', fraction: undefined });
  assert.equal(apply(r.state, { type: 'progress', message: null }).state.progress, null);
  assert.equal(apply(r.state, { type: 'progress', message: '' }).state.progress, null);
});

test('attention: stored by (snippet, layer); only that request is answered', () => {
  const s = mapWithSnippets();
  s.attentionRequested.add(attentionKey('a', 1));
  s.attentionRequested.add(attentionKey('a', 2));
  const a = attention('a', 1);
  const r = apply(s, { type: 'attention', requestId: 'r1', attention: a });
  assert.deepEqual(r.topics, ['attention']);
  assert.equal(r.state.attention.get(attentionKey('a', 1)), a);
  assert.equal(r.state.attention.has(attentionKey('a', 2)), false);
  assert.deepEqual([...r.state.attentionRequested], [attentionKey('a', 2)]);
});

test('attentionGrid: stored by snippet; only that request is answered', () => {
  const s = mapWithSnippets();
  s.gridRequested.add('a');
  s.gridRequested.add('b');
  const g = grid('b');
  const r = apply(s, { type: 'attentionGrid', requestId: 'r1', grid: g });
  assert.deepEqual(r.topics, ['grid']);
  assert.equal(r.state.grids.get('b'), g);
  assert.deepEqual([...r.state.gridRequested], ['a']);
});

test('guesses: streamed guesses land in the right tokens and clear their pending flag', () => {
  const s = mapWithSnippets();
  const guesses = [{ token: '果', probability: 0.83 }, { token: '机', probability: 0.05 }];
  const r = apply(s, { type: 'guesses', snippetId: 'b', tokens: [{ tokenIndex: 2, guesses }] });
  assert.deepEqual(r.topics, ['guesses']);
  const b = r.state.snippets[1];
  assert.deepEqual(b.tokens[2].guesses, guesses);
  assert.equal(b.tokens[2].guessesPending, false);
  assert.equal(b.tokens[1].guessesPending, true, 'the other tokens are still pending');
  assert.deepEqual(b.tokens[1].guesses, []);
  assert.equal(b.tokens[3].guessesPending, true);
  assert.equal(r.state.snippets[0], s.snippets[0], 'the other snippet is untouched');
  assert.equal(s.snippets[1].tokens[2].guessesPending, true, 'the token already shown is not changed in place');
});

test('guesses: indices the snippet lacks and malformed entries are skipped; an unknown snippet changes nothing', () => {
  const s = mapWithSnippets();
  const g = [{ token: 'x', probability: 0.5 }];
  const r = apply(s, {
    type: 'guesses',
    snippetId: 'a',
    tokens: [{ tokenIndex: 99, guesses: g }, { tokenIndex: -1, guesses: g }, { tokenIndex: 1, guesses: null as unknown as typeof g }, { tokenIndex: 2, guesses: g }],
  });
  assert.deepEqual(r.topics, ['guesses']);
  const a = r.state.snippets[0];
  assert.equal(a.tokens.length, s.snippets[0].tokens.length);
  assert.equal(a.tokens[1].guessesPending, true);
  assert.deepEqual(a.tokens[2].guesses, g);
  assert.equal(a.tokens[2].guessesPending, false);

  const unknown = apply(s, { type: 'guesses', snippetId: 'gone', tokens: [{ tokenIndex: 1, guesses: g }] });
  assert.equal(unknown.state, s);
  assert.deepEqual(unknown.topics, []);
  const malformed = apply(s, { type: 'guesses', snippetId: 'a', tokens: null as unknown as [] });
  assert.equal(malformed.state, s);
  assert.deepEqual(malformed.topics, []);
});

test('guessProgress: a counter while tokens remain; none at total 0', () => {
  const s = initialState();
  const r = apply(s, { type: 'guessProgress', done: 3, total: 10 });
  assert.deepEqual(r.topics, ['guessProgress']);
  assert.deepEqual(r.state.guessProgress, { done: 3, total: 10 });
  assert.equal(apply(r.state, { type: 'guessProgress', done: 10, total: 0 }).state.guessProgress, null);
});

test('error: shown, and every request in flight is given up (the layer slider too); data already here stays', () => {
  const s = { ...mapWithSnippets(), pendingLayer: 4 };
  s.attention.set(attentionKey('a', 0), attention('a', 0));
  s.attentionRequested.add(attentionKey('a', 1));
  s.gridRequested.add('a');
  const r = apply(s, { type: 'error', message: 'Model failed: <img src=x>' });
  assert.deepEqual(r.topics, ['error', 'layer']);
  assert.equal(r.state.error, 'Model failed: <img src=x>');
  assert.equal(r.state.pendingLayer, null);
  assert.equal(r.state.attentionRequested.size, 0);
  assert.equal(r.state.gridRequested.size, 0);
  assert.equal(r.state.attention.size, 1);
  assert.equal(apply(s, { type: 'error', message: undefined as unknown as string }).state.error, '');
});

/** mapWithSnippets, waiting for: A = attention layer 1 of a, B = the grid of b, P = the projection of layer 4. */
function waitingForThree(): AppState {
  const s = { ...mapWithSnippets(), pendingLayer: 4 };
  s.attentionRequested.add(attentionKey('a', 1));
  s.gridRequested.add('b');
  s.requests.set('A', { kind: 'attention', key: attentionKey('a', 1) });
  s.requests.set('B', { kind: 'grid', snippetId: 'b' });
  s.requests.set('P', { kind: 'projection' });
  return s;
}

test('error for one request: only that request fails; the others stay pending', () => {
  const s = waitingForThree();
  const a = apply(s, { type: 'error', requestId: 'A', message: 'The analysis a1 is no longer held' });
  assert.deepEqual(a.topics, ['error']);
  assert.equal(a.state.error, 'The analysis a1 is no longer held');
  assert.deepEqual([...a.state.attentionRequested], [], 'A is given up (asked again when the view next needs it)');
  assert.deepEqual([...a.state.requests.keys()], ['B', 'P']);
  assert.deepEqual([...a.state.gridRequested], ['b'], 'B is still pending');
  assert.equal(a.state.pendingLayer, 4, 'P is still pending');

  const b = apply(a.state, { type: 'error', requestId: 'B', message: 'x' });
  assert.deepEqual(b.topics, ['error']);
  assert.deepEqual([...b.state.gridRequested], []);
  assert.deepEqual([...b.state.requests.keys()], ['P']);
  assert.equal(b.state.pendingLayer, 4);

  const p = apply(s, { type: 'error', requestId: 'P', message: 'Projection failed' });
  assert.deepEqual(p.topics, ['error', 'layer'], 'the layer slider shows the layer on the map again');
  assert.equal(p.state.pendingLayer, null);
  assert.deepEqual([...p.state.attentionRequested], [attentionKey('a', 1)]);
  assert.deepEqual([...p.state.gridRequested], ['b']);
  assert.deepEqual([...p.state.requests.keys()], ['A', 'B']);
});

test('error for a request no view waits for (an export, an answered or superseded request): shown, nothing given up', () => {
  const s = waitingForThree();
  const r = apply(s, { type: 'error', requestId: 'export-1', message: 'Could not write the file' });
  assert.deepEqual(r.topics, ['error']);
  assert.equal(r.state.error, 'Could not write the file');
  assert.equal(r.state.requests, s.requests);
  assert.equal(r.state.attentionRequested, s.attentionRequested);
  assert.equal(r.state.gridRequested, s.gridRequested);
  assert.equal(r.state.pendingLayer, 4);
});

test('error without a request id (the model did not load): every request is given up, as before request ids', () => {
  const r = apply(waitingForThree(), { type: 'error', message: 'Model failed' });
  assert.deepEqual(r.topics, ['error', 'layer']);
  assert.equal(r.state.requests.size, 0);
  assert.equal(r.state.attentionRequested.size, 0);
  assert.equal(r.state.gridRequested.size, 0);
  assert.equal(r.state.pendingLayer, null);
});

test('replies settle their request: attention (also one answered with another layer), grid, projection', () => {
  const s = waitingForThree();
  s.attentionRequested.add(attentionKey('b', 9));
  s.requests.set('C', { kind: 'attention', key: attentionKey('b', 9) });
  // The model has 2 layers: the host answers C with layer 2.
  const c = apply(s, { type: 'attention', requestId: 'C', attention: attention('b', 2) });
  assert.deepEqual([...c.state.requests.keys()], ['A', 'B', 'P'], 'C is answered');
  assert.ok(c.state.attention.has(attentionKey('b', 2)));
  assert.deepEqual([...c.state.attentionRequested], [attentionKey('a', 1), attentionKey('b', 9)], 'layer 9 is not asked for again');

  const b = apply(s, { type: 'attentionGrid', requestId: 'B', grid: grid('b') });
  assert.deepEqual([...b.state.requests.keys()], ['A', 'P', 'C']);
  const p = apply(s, { type: 'projection', requestId: 'P', projection: projection(4, 'umap', ['a']) });
  assert.deepEqual([...p.state.requests.keys()], ['A', 'B', 'C']);
  assert.equal(p.state.pendingLayer, null);
  const unasked = apply(s, { type: 'projection', projection: projection(4, 'umap', ['a']) });
  assert.equal(unasked.state.requests, s.requests, 'a projection the host made by itself settles no request');
});

test('snippets: attention and grid requests are dropped with their data; a projection request still waits', () => {
  const r = apply(waitingForThree(), { type: 'snippets', snippets: [snippet('a', ['x'])] });
  assert.deepEqual([...r.state.requests.keys()], ['P']);
});

test('sendRequest: a new id per request, posted with it; awaited replies kept; a newer projection request replaces the older', () => {
  const [first, second] = [sendRequest({ type: 'setLayer', hiddenLayer: 2 }, { kind: 'projection' }), sendRequest({ type: 'exportAnalysis', format: 'json' })];
  const attentionId = sendRequest({ type: 'requestAttention', snippetId: 'a', attentionLayer: 1 }, { kind: 'attention', key: attentionKey('a', 1) });
  const third = sendRequest({ type: 'setProjection', method: 'pca' }, { kind: 'projection' });
  assert.equal(new Set([first, second, attentionId, third]).size, 4, 'ids differ');
  assert.deepEqual(posted, [
    { type: 'setLayer', hiddenLayer: 2, requestId: first },
    { type: 'exportAnalysis', format: 'json', requestId: second },
    { type: 'requestAttention', snippetId: 'a', attentionLayer: 1, requestId: attentionId },
    { type: 'setProjection', method: 'pca', requestId: third },
  ]);
  assert.deepEqual([...state.requests], [
    [attentionId, { kind: 'attention', key: attentionKey('a', 1) }],
    [third, { kind: 'projection' }],
  ], 'the host answers the newest projection request only; an export is awaited by no view');
});

test('restore: a state saved before the two layer names keeps its layers (hidden `layer`, 0-based `attentionLayer`)', () => {
  // The previous release saved the map's layer as `layer` and the Attention tab's "Layer 3" as attentionLayer 2.
  const old = restorePersisted({ tab: 'attention', layer: 4, projection: 'pca', head: 1, attentionLayer: 2, selectedTokens: [], snippets: [] });
  assert.equal(old.hiddenLayer, 4);
  assert.equal(old.attentionLayer, 3, 'the same layer, counted from 1');
  assert.equal('layer' in old, false, 'saved again under today\'s names');
  assert.deepEqual(restorePersisted(structuredClone(old)), old, 'reading back what is saved now does not shift the layer again');
  assert.equal(restorePersisted({ layer: 2, attentionLayer: 0 }).attentionLayer, 1, 'old layer 0 = Layer 1');
  assert.equal(restorePersisted({ layer: 2 }).attentionLayer, undefined, 'no attention layer picked: none');

  const now = restorePersisted({ hiddenLayer: 4, attentionLayer: 3 });
  assert.equal(now.hiddenLayer, 4);
  assert.equal(now.attentionLayer, 3, 'today\'s state is taken as it is');
  assert.equal(restorePersisted({ hiddenLayer: 5, layer: 2, attentionLayer: 2 }).hiddenLayer, 5, 'with both names, today\'s wins');
  assert.equal(restorePersisted({ hiddenLayer: 5, layer: 2, attentionLayer: 2 }).attentionLayer, 2);
  assert.equal(restorePersisted({ hiddenLayer: -1, attentionLayer: 1.5 }).hiddenLayer, 0, 'malformed: the default');
  assert.equal(restorePersisted({ hiddenLayer: -1, attentionLayer: 1.5 }).attentionLayer, undefined);
});

test('an unknown message kind changes nothing', () => {
  const s = mapWithSnippets();
  const r = apply(s, { type: 'somethingNew' } as unknown as HostToWebview);
  assert.equal(r.state, s);
  assert.deepEqual(r.topics, []);
});

// ---- the Senses tab's messages (webview/senses/model.ts) ----

function senses(word: string, n: number, extra: Partial<SensesResult> = {}): SensesResult {
  const occurrences = Array.from({ length: n }, (_, i) => ({
    word,
    file: 'a.txt',
    uri: 'file:///a.txt',
    start: i * 10,
    end: i * 10 + word.length,
    line: i + 1,
    column: 1,
    context: word,
    contextStart: i * 10,
    count: 1,
    cluster: [0, i % 2],
    substitutes: [],
  }));
  return {
    word,
    model: 'tiny-bert',
    numLayers: 1,
    standardized: false,
    search: { filesSearched: 1, skippedBinary: 0, skippedTooLarge: 0, skippedUnreadable: 0, found: n, toAnalyse: n, analysed: n },
    layers: [],
    occurrences,
    clusters: [],
    done: false,
    ...extra,
  };
}

function sensesProjection(hiddenLayer: number, n: number, method: 'umap' | 'pca' = 'umap'): SensesProjection {
  return { hiddenLayer, method, standardized: false, points: Array.from({ length: n }, (_, i) => ({ x: i, y: -i })) };
}

test('showTab: selects the tab (kept: saved); an unknown tab changes nothing', () => {
  const s = initialState();
  const r = apply(s, { type: 'showTab', tab: 'senses' });
  assert.deepEqual(r.topics, ['showTab']);
  assert.equal(r.state.persisted.tab, 'senses');
  assert.notEqual(r.state.persisted, s.persisted, 'a new persisted object: the caller saves it');
  const odd = apply(s, { type: 'showTab', tab: 'nowhere' as 'map' });
  assert.equal(odd.state, s);
  assert.deepEqual(odd.topics, []);
});

test('standardize: init and the standardize message set it; the message answers the toggle in flight', () => {
  const s = initialState();
  assert.equal(s.senses.standardize, false);
  const init = apply(s, { type: 'init', strings: {}, hiddenLayer: 0, projection: 'umap', standardize: true });
  assert.deepEqual(init.topics, ['strings', 'standardize']);
  assert.equal(init.state.senses.standardize, true);

  const asked = { ...init.state, requests: new Map<string, PendingRequest>([['T', { kind: 'standardize', standardize: false }], ['P', { kind: 'projection' }]]) };
  assert.equal(shownStandardize(asked), false, 'the toggle shows what was asked while the host has not answered');
  const r = apply(asked, { type: 'standardize', standardize: false });
  assert.deepEqual(r.topics, ['standardize']);
  assert.equal(r.state.senses.standardize, false);
  assert.deepEqual([...r.state.requests.keys()], ['P'], 'the toggle is answered; other requests wait');

  const failed = apply(asked, { type: 'error', requestId: 'T', message: 'Settings are read-only' });
  assert.deepEqual(failed.topics, ['error', 'standardize']);
  assert.equal(shownStandardize(failed.state), true, 'a failed toggle shows the setting again');
});

test('senses: a result replaces the previous one; a later batch of the same word keeps the scatter, another word drops it; null clears', () => {
  const first = apply(initialState(), { type: 'senses', senses: senses('bank', 2) });
  assert.deepEqual(first.topics, ['senses', 'sensesProjection']);
  assert.equal(first.state.senses.result?.occurrences.length, 2);
  const laidOut = apply(first.state, { type: 'sensesProjection', projection: sensesProjection(1, 2) }).state;
  assert.equal(laidOut.senses.projection?.points.length, 2, 'a layout the host made by itself is taken');

  const batch = apply(laidOut, { type: 'senses', senses: senses('bank', 4, { done: true }) });
  assert.equal(batch.state.senses.projection, laidOut.senses.projection, 'same word: the layout stays until the next one');
  const other = apply(laidOut, { type: 'senses', senses: senses('苹果', 4) });
  assert.equal(other.state.senses.projection, null, 'another word: the old layout is not drawn over it');

  const pending = { ...laidOut, requests: new Map<string, PendingRequest>([['V', { kind: 'sensesProjection', hiddenLayer: 0, method: 'pca' }]]) };
  const cleared = apply(pending, { type: 'senses', senses: null });
  assert.equal(cleared.state.senses.result, null);
  assert.equal(cleared.state.senses.projection, null);
  assert.equal(cleared.state.requests.size, 0, 'nothing left to lay out');
  assert.equal(apply(laidOut, { type: 'senses', senses: { word: 'x' } as unknown as SensesResult }).state.senses.result, null, 'malformed = cleared');
});

test('sensesProjection: answers the newest setSensesView; one answering an older request is dropped; none without a result', () => {
  const s = apply(initialState(), { type: 'senses', senses: senses('bank', 3) }).state;
  const waiting = { ...s, requests: new Map<string, PendingRequest>([['V2', { kind: 'sensesProjection', hiddenLayer: 0, method: 'umap' }]]) };
  assert.deepEqual(pendingSensesView(waiting), { hiddenLayer: 0, method: 'umap' });

  const old = apply(waiting, { type: 'sensesProjection', projection: sensesProjection(1, 3), requestId: 'V1' });
  assert.equal(old.state, waiting, 'V1 was replaced by V2 (requests.ts keeps the newest): its answer is dropped');
  assert.deepEqual(old.topics, []);

  const answer = apply(waiting, { type: 'sensesProjection', projection: sensesProjection(0, 3), requestId: 'V2' });
  assert.deepEqual(answer.topics, ['sensesProjection']);
  assert.equal(answer.state.senses.projection?.hiddenLayer, 0);
  assert.equal(answer.state.requests.size, 0);
  assert.equal(pendingSensesView(answer.state), undefined);

  const byItself = apply(waiting, { type: 'sensesProjection', projection: sensesProjection(1, 3) });
  assert.equal(byItself.state.senses.projection?.hiddenLayer, 1, "the host's own layout (a new batch) is taken");
  assert.equal(byItself.state.requests, waiting.requests, 'and the request still waits');

  const failed = apply(waiting, { type: 'error', requestId: 'V2', message: 'UMAP failed' });
  assert.deepEqual(failed.topics, ['error', 'sensesProjection']);
  assert.equal(failed.state.requests.size, 0);

  assert.equal(apply(initialState(), { type: 'sensesProjection', projection: sensesProjection(1, 3) }).state.senses.projection, null, 'no result: nothing to lay out');
});

test('sendRequest: a newer setSensesView replaces the older; the map\'s projection request is a separate kind', () => {
  state.requests.clear();
  const map = sendRequest({ type: 'setLayer', hiddenLayer: 1 }, { kind: 'projection' });
  sendRequest({ type: 'setSensesView', hiddenLayer: 2, method: 'umap' }, { kind: 'sensesProjection', hiddenLayer: 2, method: 'umap' });
  const newest = sendRequest({ type: 'setSensesView', hiddenLayer: 3, method: 'umap' }, { kind: 'sensesProjection', hiddenLayer: 3, method: 'umap' });
  assert.deepEqual([...state.requests.keys()], [map, newest]);
  state.requests.clear();
});

test('sensesLayer: the kept layer within the result\'s layers, the last by default; restore keeps a valid one and the tab', () => {
  const s = apply(initialState(), { type: 'senses', senses: senses('bank', 1, { numLayers: 12 }) }).state;
  assert.equal(sensesLayer(s), 12);
  assert.equal(sensesLayer({ ...s, persisted: { ...s.persisted, sensesLayer: 4 } }), 4);
  assert.equal(sensesLayer({ ...s, persisted: { ...s.persisted, sensesLayer: 40 } }), 12, 'a layer from a bigger model: the last');
  const restored = restorePersisted({ tab: 'senses', hiddenLayer: 1, sensesLayer: 5 });
  assert.equal(restored.tab, 'senses');
  assert.equal(restored.sensesLayer, 5);
  assert.equal(restorePersisted({ sensesLayer: -2 }).sensesLayer, undefined);
  assert.equal(restorePersisted({ sensesLayer: 1.5 }).sensesLayer, undefined);
});

// ---- predictions (issue 11): per-layer guesses, unmasked predictions, masked span ---------------------------

function layerResult(piece: string): LayerGuessesResult {
  return {
    token: { index: 2, id: 0, piece, start: 1, end: 2, special: false },
    firstLayer: 1,
    layers: [0, 1].map((layer) => ({ layer, guesses: [{ token: piece, id: 0, probability: 0.2 + layer / 4 }], finalRank: 1, finalProbability: 0.2 + layer / 4 })),
  };
}

test('layerGuesses: stored by point, its request settled; a reply for a snippet the webview lacks only settles', () => {
  const s = mapWithSnippets();
  const key = pointKey('b', 2);
  s.layerGuessesRequested.add(key);
  s.requests.set('L', { kind: 'layerGuesses', key });
  const r = apply(s, { type: 'layerGuesses', requestId: 'L', ref: { snippetId: 'b', tokenIndex: 2 }, result: layerResult('果') });
  assert.deepEqual(r.topics, ['guesses']);
  assert.equal(r.state.layerGuesses.get(key)?.layers.length, 2);
  assert.equal(r.state.layerGuessesRequested.size, 0);
  assert.equal(r.state.requests.size, 0);
  const special = apply(r.state, { type: 'layerGuesses', requestId: 'M', ref: { snippetId: 'b', tokenIndex: 0 }, result: null });
  assert.equal(special.state.layerGuesses.get(pointKey('b', 0)), null, 'null: the token has none (asked once)');
  s.requests.set('G', { kind: 'layerGuesses', key: pointKey('gone', 1) });
  const gone = apply(s, { type: 'layerGuesses', requestId: 'G', ref: { snippetId: 'gone', tokenIndex: 1 }, result: layerResult('x') });
  assert.deepEqual(gone.topics, []);
  assert.equal(gone.state.layerGuesses.size, 0);
  assert.ok(!gone.state.requests.has('G'));
});

test('unmasked: a snippet’s predictions by token index ([] where none sent); malformed entries skipped', () => {
  const s = mapWithSnippets();
  s.unmaskedRequested.add('b');
  s.requests.set('U', { kind: 'unmasked', snippetId: 'b' });
  const r = apply(s, {
    type: 'unmasked',
    requestId: 'U',
    snippetId: 'b',
    tokens: [
      { tokenIndex: 1, guesses: [{ token: '苹', probability: 0.9 }] },
      { tokenIndex: 99, guesses: [{ token: 'x', probability: 1 }] },
      { tokenIndex: 2, guesses: 'nope' as unknown as [] },
    ],
  });
  assert.deepEqual(r.topics, ['guesses']);
  const got = r.state.unmasked.get('b')!;
  assert.equal(got.length, 5, 'one entry per token of b ([CLS] 苹 果 机 [SEP])');
  assert.deepEqual(got[1], [{ token: '苹', probability: 0.9 }]);
  assert.deepEqual(got[2], []);
  assert.equal(r.state.unmaskedRequested.size, 0);
  assert.equal(r.state.requests.size, 0);
});

test('predictions: an error gives up that request only; new snippets drop the cached predictions, not the span', () => {
  const s = mapWithSnippets();
  const key = pointKey('a', 1);
  s.layerGuessesRequested.add(key);
  s.unmaskedRequested.add('a');
  s.requests.set('L', { kind: 'layerGuesses', key });
  s.requests.set('U', { kind: 'unmasked', snippetId: 'a' });
  const l = apply(s, { type: 'error', requestId: 'L', message: 'x' });
  assert.equal(l.state.layerGuessesRequested.size, 0);
  assert.deepEqual([...l.state.unmaskedRequested], ['a']);
  const u = apply(l.state, { type: 'error', requestId: 'U', message: 'y' });
  assert.equal(u.state.unmaskedRequested.size, 0);
  assert.equal(u.state.requests.size, 0);

  const span = spanView();
  const withData = apply(apply(s, { type: 'unmasked', requestId: 'U', snippetId: 'a', tokens: [] }).state, { type: 'span', span }).state;
  const again = apply(withData, { type: 'snippets', snippets: withData.snippets });
  assert.equal(again.state.unmasked.size, 0);
  assert.equal(again.state.layerGuesses.size, 0);
  assert.equal(again.state.unmaskedRequested.size, 0);
  assert.equal(again.state.span, span, 'the span is not a snippet of the map: it stays');
});

function spanView(): SpanView {
  const tokens = [
    { index: 3, id: 0, piece: '苹', start: 2, end: 3, special: false },
    { index: 4, id: 0, piece: '果', start: 3, end: 4, special: false },
  ];
  return {
    label: 'demo/apple.txt:1',
    text: '我用苹果手机。',
    result: { start: 2, end: 4, tokenIndices: [3, 4], tokens, positions: [[{ token: '苹', id: 0, probability: 0.5 }], [{ token: '果', id: 0, probability: 0.7 }]], fills: [{ text: '苹果', tokens: ['苹', '果'], score: 0.42 }] },
  };
}

test('span: the last Guess Masked Span result replaces the previous one; null or malformed clears it', () => {
  const s = mapWithSnippets();
  const r = apply(s, { type: 'span', span: spanView() });
  assert.deepEqual(r.topics, ['guesses']);
  assert.equal(r.state.span?.result.fills[0].text, '苹果');
  assert.equal(apply(r.state, { type: 'span', span: null }).state.span, null);
  assert.equal(apply(r.state, { type: 'span', span: { label: 'x', text: 'y' } as SpanView }).state.span, null);
});

test('guessMode: restore keeps masked or unmasked and drops anything else', () => {
  assert.equal(restorePersisted({ guessMode: 'unmasked' }).guessMode, 'unmasked');
  assert.equal(restorePersisted({ guessMode: 'masked' }).guessMode, 'masked');
  assert.equal(restorePersisted({ guessMode: 'sideways' }).guessMode, undefined);
  assert.equal(restorePersisted(undefined).guessMode, undefined);
});

// ---- Words and heads (issue 12, heads-ui): summaries, head statistics, attention per unit (webview/attention/model.ts) ----

function summaryView(snippetId: string, kind: 'rollout' | 'mean-layers' | 'mean-heads', words = false): import('../../src/protocol').AttentionSummaryView {
  return { snippetId, kind, size: 2, tokenIndices: [0, 1], ...(words ? { wordIndices: [0, 1] } : {}), ...(kind === 'mean-heads' ? { layer: 2 } : {}), weights: Float32Array.of(0.75, 0.25, 0.5, 0.5) };
}

test('attentionSummary: stored by (snippet, kind, layer for mean-heads, unit); its request settled; told as attention', async () => {
  const { summaryKey } = await import('../../webview/attention/model');
  const s = mapWithSnippets();
  const key = summaryKey('a', 'rollout', undefined, false);
  s.attentionSummaryRequested.add(key);
  s.attentionSummaryRequested.add(summaryKey('a', 'rollout', undefined, true));
  s.requests.set('S', { kind: 'attentionSummary', key });
  const view = summaryView('a', 'rollout');
  const r = apply(s, { type: 'attentionSummary', requestId: 'S', summary: view });
  assert.deepEqual(r.topics, ['attention']);
  assert.equal(r.state.attentionSummaries.get(key), view);
  assert.deepEqual([...r.state.attentionSummaryRequested], [summaryKey('a', 'rollout', undefined, true)], 'the words rollout is still asked for');
  assert.equal(r.state.requests.has('S'), false);
  const words = apply(r.state, { type: 'attentionSummary', requestId: 'W', summary: summaryView('a', 'rollout', true) });
  assert.equal(words.state.attentionSummaries.size, 2, 'pieces and words kept side by side');
  const meanHeads = apply(s, { type: 'attentionSummary', requestId: 'M', summary: summaryView('a', 'mean-heads') });
  assert.ok(meanHeads.state.attentionSummaries.has(summaryKey('a', 'mean-heads', 2, false)));
  assert.notEqual(summaryKey('a', 'mean-heads', 2, false), summaryKey('a', 'mean-heads', 3, false));
  assert.equal(summaryKey('a', 'rollout', 2, false), summaryKey('a', 'rollout', undefined, false), 'the layer only counts for mean-heads');
  const malformed = apply(s, { type: 'attentionSummary', requestId: 'S', summary: null as never });
  assert.deepEqual(malformed.topics, []);
  assert.equal(malformed.state.attentionSummaries.size, 0);
  assert.equal(malformed.state.requests.has('S'), false, 'a malformed reply still settles its request');
});

test('headStats: stored by snippet, its request settled, told as grid; an error gives up that request only', () => {
  const s = mapWithSnippets();
  s.headStatsRequested.add('a');
  s.requests.set('H', { kind: 'headStats', snippetId: 'a' });
  s.requests.set('S', { kind: 'attentionSummary', key: 'k' });
  s.attentionSummaryRequested.add('k');
  const stats = [{ layer: 1, head: 0, entropy: 1, distance: 2, toCls: 0.1, toSep: 0.2, toPrev: 0.3, toNext: 0.4, toPunct: 0 }];
  const r = apply(s, { type: 'headStats', requestId: 'H', headStats: { snippetId: 'a', stats } });
  assert.deepEqual(r.topics, ['grid']);
  assert.deepEqual(r.state.headStats.get('a')?.stats, stats);
  assert.deepEqual([...r.state.headStatsRequested], []);
  assert.deepEqual([...r.state.requests.keys()], ['S']);

  const failed = apply(s, { type: 'error', requestId: 'H', message: 'no' });
  assert.deepEqual(failed.topics, ['error']);
  assert.deepEqual([...failed.state.headStatsRequested], []);
  assert.deepEqual([...failed.state.attentionSummaryRequested], ['k'], 'the summary still waits');
  const failedSummary = apply(s, { type: 'error', requestId: 'S', message: 'no' });
  assert.deepEqual([...failedSummary.state.attentionSummaryRequested], []);
  assert.deepEqual([...failedSummary.state.headStatsRequested], ['a']);
  const all = apply(s, { type: 'error', message: 'Model failed' });
  assert.equal(all.state.headStatsRequested.size + all.state.attentionSummaryRequested.size, 0);
});

test('snippets: summaries and head statistics are dropped with their requests; attention over words is kept apart from pieces', async () => {
  const { attentionUnitKey } = await import('../../webview/attention/model');
  let s = mapWithSnippets();
  s = apply(s, { type: 'attentionSummary', requestId: 'x', summary: summaryView('a', 'rollout') }).state;
  s = apply(s, { type: 'headStats', requestId: 'y', headStats: { snippetId: 'a', stats: [] } }).state;
  s.requests.set('H', { kind: 'headStats', snippetId: 'a' });
  const words: AttentionLayerView = { ...attention('a', 1), wordIndices: [0, 1] };
  s = apply(s, { type: 'attention', requestId: 'w', attention: words }).state;
  s = apply(s, { type: 'attention', requestId: 'p', attention: attention('a', 1) }).state;
  assert.equal(s.attention.get(attentionUnitKey('a', 1, true)), words);
  assert.equal(attentionUnitKey('a', 1, false), attentionKey('a', 1), 'pieces keep the key they always had');
  assert.notEqual(s.attention.get(attentionUnitKey('a', 1, false)), words);
  const r = apply(s, { type: 'snippets', snippets: [snippet('a', ['x'])] });
  assert.equal(r.state.attentionSummaries.size, 0);
  assert.equal(r.state.headStats.size, 0);
  assert.equal(r.state.requests.has('H'), false);
});

test('restore: the Attention tab\'s summary, renormalisation, grid colouring and head layout; anything else dropped', () => {
  const kept = restorePersisted({ attentionSummary: 'rollout', renormalizeHidden: true, gridColouring: 'toSep', headLayout: 'horizontal' });
  assert.deepEqual([kept.attentionSummary, kept.renormalizeHidden, kept.gridColouring, kept.headLayout], ['rollout', true, 'toSep', 'horizontal']);
  const dropped = restorePersisted({ attentionSummary: 'mean-heads', renormalizeHidden: 'yes', gridColouring: 'colour', headLayout: 'diagonal' });
  assert.deepEqual([dropped.attentionSummary, dropped.renormalizeHidden, dropped.gridColouring, dropped.headLayout], [undefined, undefined, undefined, undefined]);
});

// ---- Pieces / Words (issue 12) ----

function wordsOfPieces(snippetId: string, groups: number[][], text = ''): HostToWebview {
  return {
    type: 'words',
    requestId: `${snippetId}.words`,
    words: { snippetId, language: 'zh', words: groups.map((tokenIndices) => ({ text, start: 0, end: 0, tokenIndices, special: false })) },
  };
}

test('words: stored by snippet, its request settled; a reply for a snippet not shown or naming tokens it lacks only settles', () => {
  const s = mapWithSnippets();
  const asked: AppState = { ...s, wordsRequested: new Set(['b']), requests: new Map([['b.words', { kind: 'words', snippetId: 'b' }]]) };
  // b = [CLS] 苹 果 机 [SEP]: 苹果 one word.
  const r = apply(asked, wordsOfPieces('b', [[0], [1, 2], [3], [4]]));
  assert.deepEqual(r.topics, ['words']);
  assert.deepEqual(r.state.words.get('b')?.words.map((w) => w.tokenIndices), [[0], [1, 2], [3], [4]]);
  assert.equal(r.state.wordsRequested.has('b'), false);
  assert.equal(r.state.requests.size, 0);
  assert.equal(r.state.persisted, asked.persisted, 'nothing to save: the unit is the switch’s');

  const outOfRange = apply(asked, wordsOfPieces('b', [[0], [1, 2, 9]]));
  assert.deepEqual(outOfRange.topics, []);
  assert.equal(outOfRange.state.words.has('b'), false);
  assert.equal(outOfRange.state.wordsRequested.has('b'), false, 'asked again when next needed');
  assert.equal(outOfRange.state.requests.size, 0);
  assert.equal(apply(asked, wordsOfPieces('b', [[]])).state.words.has('b'), false, 'a word of no tokens is malformed');
  const gone = apply(asked, wordsOfPieces('zzz', [[0]]));
  assert.deepEqual(gone.topics, []);
  assert.equal(gone.state.words.size, 0);

  // Sent by the host by itself (contextLens.words.language changed): an id no request has, stored all the same.
  const pushed = apply(r.state, { ...wordsOfPieces('b', [[0], [1], [2, 3], [4]]), requestId: 'host.words.1' } as HostToWebview);
  assert.deepEqual(pushed.state.words.get('b')?.words.map((w) => w.tokenIndices), [[0], [1], [2, 3], [4]]);
});

test('snippets: words and their requests are dropped (new analyses); a setUnit projection request still waits', () => {
  const s = mapWithSnippets();
  const withWords = apply(s, wordsOfPieces('b', [[0], [1, 2], [3], [4]])).state;
  const waiting: AppState = { ...withWords, wordsRequested: new Set(['a']), requests: new Map<string, PendingRequest>([['a.words', { kind: 'words', snippetId: 'a' }], ['unit', { kind: 'projection' }]]) };
  const r = apply(waiting, { type: 'snippets', snippets: waiting.snippets });
  assert.equal(r.state.words.size, 0);
  assert.equal(r.state.wordsRequested.size, 0);
  assert.deepEqual([...r.state.requests.keys()], ['unit']);
});

test('error for a words request: only that snippet is asked again; an error of no request gives up every words request', () => {
  const s: AppState = { ...mapWithSnippets(), wordsRequested: new Set(['a', 'b']), requests: new Map<string, PendingRequest>([['wa', { kind: 'words', snippetId: 'a' }], ['wb', { kind: 'words', snippetId: 'b' }]]) };
  const one = apply(s, { type: 'error', message: 'Bad language tag', requestId: 'wa' });
  assert.deepEqual([...one.state.wordsRequested], ['b']);
  assert.deepEqual([...one.state.requests.keys()], ['wb']);
  assert.equal(one.state.error, 'Bad language tag');
  const all = apply(s, { type: 'error', message: 'no model' });
  assert.equal(all.state.wordsRequested.size, 0);
});

test('projection in words: kept as sent with its unit and wordIndex; the map then draws words', () => {
  const s = mapWithSnippets();
  const p: ProjectionView = { hiddenLayer: 2, method: 'pca', unit: 'words', points: [{ snippetId: 'b', tokenIndex: 1, wordIndex: 1, x: 0, y: 0 }], links: [] };
  const r = apply(s, { type: 'projection', projection: p, requestId: 'unit' });
  assert.equal(r.state.projection?.unit, 'words');
  assert.equal(r.state.projection?.points[0].wordIndex, 1);
});

test('sendRequest: setUnit waits as the map’s projection, superseding a setLayer in flight (the host projects the newest only)', () => {
  const layer = sendRequest({ type: 'setLayer', hiddenLayer: 1 }, { kind: 'projection' });
  const unit = sendRequest({ type: 'setUnit', unit: 'words' }, { kind: 'projection' });
  assert.equal(state.requests.has(layer), false);
  assert.deepEqual(state.requests.get(unit), { kind: 'projection' });
  assert.deepEqual(posted.at(-1), { type: 'setUnit', unit: 'words', requestId: unit });
  const words = sendRequest({ type: 'requestWords', snippetId: 'a' }, { kind: 'words', snippetId: 'a' });
  assert.deepEqual(state.requests.get(words), { kind: 'words', snippetId: 'a' });
  assert.equal(state.requests.has(unit), true, 'a words request does not supersede the projection');
});

test('words regrouped (another segmenter language): that snippet’s attention and summaries over words are dropped, its pieces’ kept', async () => {
  const { attentionUnitKey, summaryKey } = await import('../../webview/attention/model');
  let s = mapWithSnippets();
  s = apply(s, wordsOfPieces('b', [[0], [1, 2], [3], [4]])).state;
  const overWords: AttentionLayerView = { ...attention('b', 1), wordIndices: [0, 1, 2, 3] };
  s = apply(s, { type: 'attention', requestId: 'w', attention: overWords }).state;
  s = apply(s, { type: 'attention', requestId: 'p', attention: attention('b', 1) }).state;
  s = apply(s, { type: 'attentionSummary', requestId: 'r', summary: { ...summaryView('b', 'rollout'), wordIndices: [0, 1, 2, 3] } }).state;
  assert.ok(s.attention.has(attentionUnitKey('b', 1, true)) && s.attentionSummaries.has(summaryKey('b', 'rollout', undefined, true)));

  const same = apply(s, wordsOfPieces('b', [[0], [1, 2], [3], [4]]));
  assert.ok(same.state.attention.has(attentionUnitKey('b', 1, true)), 'the same words keep what was pooled over them');

  const regrouped = apply(s, wordsOfPieces('b', [[0], [1], [2, 3], [4]]));
  assert.deepEqual(regrouped.topics, ['words', 'attention']);
  assert.equal(regrouped.state.attention.has(attentionUnitKey('b', 1, true)), false);
  assert.equal(regrouped.state.attentionSummaries.has(summaryKey('b', 'rollout', undefined, true)), false);
  assert.ok(regrouped.state.attention.has(attentionUnitKey('b', 1, false)), 'pieces are not regrouped');
});
