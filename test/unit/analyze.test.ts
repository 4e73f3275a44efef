import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnalysisSession } from '../../src/engine/session';
import { cosineSimilarity } from '../../src/engine/vectorMath';
import { FIXTURE_MODEL, loadReference, maxAbsDiff } from './helpers/fixture';

const reference = loadReference();
const cacheDir = mkdtempSync(join(tmpdir(), 'context-lens-analyze-'));
const session = new AnalysisSession();

before(async () => {
  await session.load({ model: FIXTURE_MODEL, dtype: 'fp32', device: 'cpu', cacheDir });
});
after(async () => {
  await session.dispose();
  rmSync(cacheDir, { recursive: true, force: true });
});

test('analyze gives the ids, hidden states and attentions torch computed (fp32, ≤ 1e-4)', async () => {
  const { hiddenSize, numLayers, numHeads } = reference;
  for (const ref of reference.texts) {
    const summary = await session.analyze(ref.text, 5);
    const analysis = session.get(summary.analysisId);
    assert.deepEqual(analysis.tokens.map((t) => t.id), ref.input_ids, ref.text);
    const T = ref.input_ids.length;
    assert.equal(analysis.hiddenStates.length, numLayers + 1);
    for (let l = 0; l <= numLayers; l++) {
      const expected = ref.hidden_states.subarray(l * T * hiddenSize, (l + 1) * T * hiddenSize);
      assert.ok(maxAbsDiff(analysis.hiddenStates[l], expected) <= 1e-4, `hidden state ${l} of ${ref.text}`);
    }
    assert.equal(analysis.windows.length, 1);
    for (let l = 0; l < numLayers; l++) {
      const expected = ref.attentions.subarray(l * numHeads * T * T, (l + 1) * numHeads * T * T);
      assert.ok(maxAbsDiff(analysis.windows[0].attentions[l], expected) <= 1e-4, `attention ${l} of ${ref.text}`);
      for (let row = 0; row < numHeads * T; row++) {
        const sum = analysis.windows[0].attentions[l].subarray(row * T, (row + 1) * T).reduce((s, x) => s + x, 0);
        assert.ok(Math.abs(sum - 1) < 1e-5, 'attention rows sum to 1');
      }
    }
  }
});

test('attention layers count from 1: attention layer k is torch\'s attentions[k - 1]; numbers outside 1 … numLayers clamp', async () => {
  const { numLayers, numHeads } = reference;
  const ref = reference.texts[0];
  const summary = await session.analyze(ref.text, 1);
  const T = ref.input_ids.length;
  const torchLayer = (l: number) => ref.attentions.subarray(l * numHeads * T * T, (l + 1) * numHeads * T * T);
  for (let k = 1; k <= numLayers; k++) {
    const slice = session.attention(summary.analysisId, k);
    assert.equal(slice.weights.length, numHeads * T * T);
    assert.ok(maxAbsDiff(slice.weights, torchLayer(k - 1)) <= 1e-4, `attention layer ${k}`);
  }
  assert.ok(maxAbsDiff(session.attention(summary.analysisId, 0).weights, torchLayer(0)) <= 1e-4, '0 → the first layer');
  assert.ok(maxAbsDiff(session.attention(summary.analysisId, numLayers + 3).weights, torchLayer(numLayers - 1)) <= 1e-4, 'past the last → the last');
});

test('the masked guess for 苹[MASK] is 果, from analyze and from guessesAt', async () => {
  const text = '我喜欢吃苹[MASK]。';
  const summary = await session.analyze(text, 3);
  const maskToken = summary.tokens.find((t) => t.piece === '[MASK]');
  assert.ok(maskToken, 'the typed [MASK] is one token');
  assert.equal(text.slice(maskToken.start, maskToken.end), '[MASK]');
  assert.equal(summary.guesses[maskToken.index][0].token, '果');
  const atOffset = await session.guessesAt('我喜欢吃苹果。', 5, 3);
  assert.ok(atOffset);
  assert.equal(atOffset.token.piece, '果');
  assert.equal(atOffset.guesses[0].token, '果');
  // Masking the token makes the input identical to the typed-[MASK] sentence: same probabilities.
  assert.ok(Math.abs(atOffset.guesses[0].probability - summary.guesses[maskToken.index][0].probability) < 1e-5);
});

test('per-token guesses of analyze equal one-at-a-time guessesAt (batched forward is exact)', async () => {
  const text = '我用苹果手机。';
  const summary = await session.analyze(text, 4);
  for (const t of summary.tokens.filter((x) => !x.special)) {
    const single = await session.guessesAt(text, t.start, 4);
    assert.ok(single);
    assert.deepEqual(single.guesses.map((g) => g.token), summary.guesses[t.index].map((g) => g.token));
    summary.guesses[t.index].forEach((g, i) => assert.ok(Math.abs(g.probability - single.guesses[i].probability) < 1e-5));
  }
  assert.deepEqual(summary.guesses[0], [], 'no guesses for [CLS]');
});

test('guesses streamed after analyze (guesses: false) equal those of one analyze with guesses, also across windows', async () => {
  const sentence = '我喜欢吃苹果。我用苹果手机。';
  for (const [text, maxTokens] of [[sentence, undefined], [sentence.repeat(3), 12]] as const) {
    const full = await session.analyze(text, 3, {}, maxTokens);
    const quick = await session.analyze(text, 3, {}, maxTokens, false);
    assert.equal(quick.windowed, full.windowed);
    assert.ok(quick.guesses.every((g) => g.length === 0), 'no guesses yet');
    // Ask in an odd order, twice for some, and include a special token and an index out of range.
    const order = quick.tokens.map((t) => t.index).reverse();
    const progress: number[] = [];
    const asked = [0, ...order.slice(0, 5), order[1], 9999];
    const first = await session.guesses(quick.analysisId, asked, 3, { onProgress: (e) => progress.push('loaded' in e ? (e.loaded ?? -1) : -1) });
    const expected = [...new Set(asked)].filter((i) => quick.tokens[i] && !quick.tokens[i].special);
    assert.deepEqual(first.map((g) => g.tokenIndex).sort((a, b) => a - b), expected.sort((a, b) => a - b));
    assert.ok(progress.length > 0 && progress[progress.length - 1] === first.length, 'progress counts the rows');
    const rest = await session.guesses(quick.analysisId, order, 3);
    assert.equal(first.length + rest.length, quick.tokens.filter((t) => !t.special).length, 'each token is computed once');
    const held = session.get(quick.analysisId).guesses!;
    for (const t of full.tokens) {
      assert.deepEqual(held[t.index].map((g) => g.token), full.guesses[t.index].map((g) => g.token), `token ${t.index} of ${text.length} chars`);
      held[t.index].forEach((g, i) => assert.ok(Math.abs(g.probability - full.guesses[t.index][i].probability) < 1e-5));
    }
    assert.match(session.exportJson([quick.analysisId]), /"guesses"/);
  }
});

test('streamed guesses hold back while a call someone waits for runs; an aborted wait ends at once', async () => {
  const short = await session.analyze('我用苹果手机。', 3, {}, undefined, false);
  // A windowed analysis is several forwards in a row: without the hold-back, a guess would slip in between.
  const long = '我喜欢吃苹果。我用苹果手机。'.repeat(8);
  const order: string[] = [];
  const explore = session.analyze(long, 3, {}, 16, false).then(() => order.push('analyze'));
  const streamed = session.guesses(short.analysisId, [1], 3).then(() => order.push('guesses'));
  await Promise.all([explore, streamed]);
  assert.deepEqual(order, ['analyze', 'guesses'], 'the analysis the user waits for finished first');

  const ac = new AbortController();
  const busy = session.guessesAt(long, 40, 3);
  const waiting = session.guesses(short.analysisId, [2], 3, { signal: ac.signal });
  ac.abort();
  await assert.rejects(waiting, (e: unknown) => e instanceof Error && /cancel/i.test(e.message));
  await busy;
  assert.equal(session.get(short.analysisId).guesses![2].length, 0, 'the aborted call computed nothing');
});

test('polysemy: the two 果 of 我用苹果手机。我爱吃苹果。 are nearly identical at layer 0 and further apart at the last layer', async () => {
  const summary = await session.analyze('我用苹果手机。我爱吃苹果。', 5);
  const analysis = session.get(summary.analysisId);
  const [a, b] = analysis.tokens.filter((t) => t.piece === '果');
  const dim = analysis.model.hiddenSize;
  const cosAt = (layer: number) => cosineSimilarity(analysis.hiddenStates[layer], analysis.hiddenStates[layer], a.index * dim, b.index * dim, dim);
  const first = cosAt(0);
  const last = cosAt(analysis.model.numLayers);
  assert.ok(first > 0.93, `layer 0 cosine ${first}`);
  assert.ok(last < first - 0.02, `last layer cosine ${last} vs layer 0 ${first}`);
  const links = session.sameTokenLinks([summary.analysisId], analysis.model.numLayers);
  const guo = links.find((l) => l.piece === '果');
  assert.ok(guo && Math.abs(guo.cosine - last) < 1e-6, 'the map links the two 果 with their cosine');
});

test('text longer than the model maximum is analyzed in overlapping windows and says so', async () => {
  const sentence = '我喜欢吃苹果。我用苹果手机。';
  const text = sentence.repeat(12); // 168 text tokens > 128 positions of the fixture
  const summary = await session.analyze(text, 1);
  assert.equal(summary.windowed, true);
  const analysis = session.get(summary.analysisId);
  assert.ok(analysis.windows.length >= 2);
  assert.equal(analysis.tokens.length, 168 + 2);
  const dim = analysis.model.hiddenSize;
  for (const t of analysis.tokens) {
    const row = analysis.hiddenStates[analysis.model.numLayers].subarray(t.index * dim, (t.index + 1) * dim);
    assert.ok(row.some((x) => x !== 0), `token ${t.index} has a vector`);
    if (!t.special) assert.equal(summary.guesses[t.index].length, 1);
  }
  for (const w of analysis.windows) assert.ok(w.tokenIndices.length <= analysis.model.maxTokens);
  const narrow = await session.analyze('我用苹果手机。我爱吃苹果。', 1, {}, 8);
  assert.equal(narrow.windowed, true, 'a maxTokens setting below the model maximum windows the text');
  assert.ok(session.get(narrow.analysisId).windows.every((w) => w.tokenIndices.length <= 8));
});

test('projection of an analysis gives one point per token, and exports are well-formed', async () => {
  const summary = await session.analyze('i put money in the bank .', 2);
  const other = await session.analyze('we sat by the river bank .', 2);
  const projection = await session.project([summary.analysisId, other.analysisId], 2, 'pca');
  assert.equal(projection.points.length, summary.tokens.length + other.tokens.length);
  assert.ok(projection.points.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y)));
  assert.ok(projection.links.some((l) => l.piece === 'bank' && l.a.analysisId !== l.b.analysisId));
  const { vectorsTsv, metadataTsv } = session.exportProjector([summary.analysisId], 2);
  const vectorRows = vectorsTsv.trim().split('\n');
  assert.equal(vectorRows.length, summary.tokens.length - 2);
  assert.equal(vectorRows[0].split('\t').length, reference.hiddenSize);
  assert.equal(metadataTsv.trim().split('\n').length, vectorRows.length + 1);
  const json = JSON.parse(session.exportJson([summary.analysisId]));
  assert.equal(json.snippets[0].tokens.length, summary.tokens.length);
  // The words (issue 12) ride along: they cover every token once, in order.
  assert.deepEqual(json.snippets[0].words.flatMap((w: { tokenIndices: number[] }) => w.tokenIndices), summary.tokens.map((t) => t.index));
  const slice = session.attention(summary.analysisId, 2);
  assert.equal(slice.weights.length, reference.numHeads * summary.tokens.length ** 2);
  const grid = session.attentionGrid(summary.analysisId, 4);
  assert.equal(grid.size, 4);
  const rowSum = grid.weights.subarray(0, 4).reduce((s, x) => s + x, 0);
  assert.ok(Math.abs(rowSum - 1) < 1e-4, 'pooled rows still sum to 1');
});

test('CLI: analyze prints 果 first for the corpus sentence 我喜欢吃苹[MASK]。; --json and export work', () => {
  const env = { ...process.env, CONTEXT_LENS_CACHE: cacheDir };
  const table = execFileSync(process.execPath, ['dist/cli.js', 'analyze', '--model', FIXTURE_MODEL, '--top-k', '3', '我喜欢吃苹[MASK]。'], { env, encoding: 'utf8' });
  const maskRow = table.split('\n').find((l) => l.includes('[MASK]'));
  assert.ok(maskRow, table);
  assert.match(maskRow, /\[5,11\)\s+果 \d/);
  const json = JSON.parse(execFileSync(process.execPath, ['dist/cli.js', 'analyze', '--json', '--model', FIXTURE_MODEL, 'i like apples .'], { env, encoding: 'utf8' }));
  assert.equal(json.numLayers, reference.numLayers);
  assert.equal(json.numHeads, reference.numHeads);
  assert.equal(json.hiddenSize, reference.hiddenSize);
  assert.deepEqual(json.tokens.map((t: { token: string }) => t.token), ['[CLS]', 'i', 'like', 'apples', '.', '[SEP]']);
  const out = mkdtempSync(join(tmpdir(), 'context-lens-export-'));
  execFileSync(process.execPath, ['dist/cli.js', 'export', '--format', 'projector', '--model', FIXTURE_MODEL, '--layer', '1', '--out', out, '我爱吃苹果。'], { env, encoding: 'utf8' });
  assert.equal(readFileSync(join(out, 'vectors.tsv'), 'utf8').trim().split('\n').length, 6);
  assert.match(readFileSync(join(out, 'metadata.tsv'), 'utf8'), /^token\tsnippet/);
  rmSync(out, { recursive: true, force: true });
  assert.throws(() => execFileSync(process.execPath, ['dist/cli.js', 'analyze', '--model', '/nonexistent/model', 'x'], { env, stdio: 'pipe' }), /folder|not found|missing/i);
});
