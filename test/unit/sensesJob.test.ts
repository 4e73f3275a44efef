// Word senses end to end on the demo model (src/engine/senses/ through AnalysisSession): the vectors and
// substitutes against the engine's other paths (analyze, guessesAt), the figures against direct
// computations, the clusters against hand labels (test/fixtures/senses-labels.json), batches, errors,
// cancellation, tiny inputs, a second word, and the Map's standardized same-token links.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isContextLensError } from '../../src/engine/errors';
import { kmeans } from '../../src/engine/senses/kmeans';
import { standardizeColumns } from '../../src/engine/senses/standardize';
import type { SensesResult, SensesSource } from '../../src/engine/senses/types';
import { cosineSimilarity, normalizeRows } from '../../src/engine/vectorMath';
import { demoSession } from './helpers/demoSession';

const session = demoSession('senses-job');

const DEMO = resolve('demo/senses');
const LABELS = JSON.parse(readFileSync(resolve('test/fixtures/senses-labels.json'), 'utf8')) as Record<string, string>;
const demoSources = (): SensesSource[] =>
  readdirSync(DEMO)
    .filter((f) => f.endsWith('.txt'))
    .map((f) => ({ label: f, uri: `file://${join(DEMO, f)}`, path: join(DEMO, f) }));
const textSource = (label: string, text: string): SensesSource => ({ label, uri: `untitled:${label}`, text });

async function runToEnd(word: string, sources: SensesSource[], extra: { also?: string; standardize?: boolean; maxOccurrences?: number } = {}): Promise<{ jobId: string; steps: SensesResult[] }> {
  const { jobId } = await session.sensesStart({ word, also: extra.also, sources, maxOccurrences: extra.maxOccurrences });
  const steps: SensesResult[] = [];
  do steps.push(await session.sensesStep(jobId, extra.standardize ?? false));
  while (!steps[steps.length - 1].done);
  return { jobId, steps };
}

/** Share of occurrences (with their counts) whose cluster's majority sense is theirs. */
function purity(senses: string[], clusters: number[], counts: number[]): number {
  const by = new Map<number, Map<string, number>>();
  senses.forEach((s, i) => {
    const m = by.get(clusters[i]) ?? new Map<string, number>();
    m.set(s, (m.get(s) ?? 0) + counts[i]);
    by.set(clusters[i], m);
  });
  let agree = 0;
  for (const m of by.values()) agree += Math.max(...m.values());
  return agree / counts.reduce((a, b) => a + b, 0);
}

function meanPairwiseCosine(rows: number[][]): number {
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < rows.length; i++) for (let j = i + 1; j < rows.length; j++, pairs++) sum += cosineSimilarity(Float32Array.from(rows[i]), Float32Array.from(rows[j]));
  return sum / pairs;
}

test('on demo/senses the clusters at the last layer follow the hand-labelled senses better than at layer 0 (苹果, bank)', async (t) => {
  const report: string[] = [];
  for (const word of ['苹果', 'bank', 'apple']) {
    const { jobId, steps } = await runToEnd(word, demoSources());
    const r = steps[steps.length - 1];
    const senses = r.occurrences.map((o) => LABELS[`${o.file}:${o.line}`]);
    assert.ok(senses.every(Boolean), `every occurrence of ${word} has a label`);
    const counts = r.occurrences.map((o) => o.count);
    const chosen = r.layers.map((l) => purity(senses, r.occurrences.map((o) => o.cluster[l.layer]), counts));
    // The same question with k fixed at the number of senses (2): purity cannot grow by cutting finer.
    const vectors = session.sensesVectors(jobId);
    const dim = vectors[0][0].length;
    const twoWay = r.layers.map((l) => {
      const rows = new Float32Array(vectors.flatMap((v) => v[l.layer]));
      return purity(senses, [...kmeans(normalizeRows(rows, vectors.length, dim), vectors.length, dim, 2, 42).labels], counts);
    });
    report.push(`${word}: chosen clusters purity ${chosen.map((p, l) => `L${l} ${p.toFixed(2)} (k ${r.layers[l].k})`).join(', ')}; k = 2 purity ${twoWay.map((p) => p.toFixed(2)).join(', ')}`);
    const last = r.numLayers;
    if (word !== 'apple') {
      assert.ok(chosen[last] > chosen[0], `${word}: ${report[report.length - 1]}`);
      assert.ok(twoWay[last] > twoWay[0], `${word}: ${report[report.length - 1]}`);
      assert.ok(chosen[last] >= 0.9, `${word}: ${report[report.length - 1]}`);
    }
    session.sensesRelease(jobId);
  }
  // English "apple" is reported, not asserted: the demo model saw it in three training sentences only (see the report).
  for (const line of report) t.diagnostic(line);
});

test('the vectors are the word\'s hidden states, its pieces averaged, as analyze() computes them; the substitutes are guessesAt\'s', async () => {
  const sources = [textSource('a', '我用苹果手机。\n\n我爱吃苹果。\n\n苹果很甜。'), textSource('b', 'We sat by the river bank.\n\nThe bank has my money.')];
  for (const word of ['苹果', 'bank']) {
    const { jobId, steps } = await runToEnd(word, sources);
    const r = steps[steps.length - 1];
    const vectors = session.sensesVectors(jobId);
    assert.equal(vectors.length, r.occurrences.length);
    for (const [i, o] of r.occurrences.entries()) {
      const summary = await session.analyze(o.context, 5, {}, undefined, false);
      const analysis = session.get(summary.analysisId);
      const at = o.start - o.contextStart;
      const pieces = analysis.tokens.filter((t) => !t.special && t.end > at && t.start < at + o.end - o.start);
      assert.equal(pieces.length, word === '苹果' ? 2 : 1);
      const dim = analysis.model.hiddenSize;
      for (let l = 0; l <= r.numLayers; l++) {
        const expected = Array.from({ length: dim }, (_, d) => pieces.reduce((s, t) => s + analysis.hiddenStates[l][t.index * dim + d], 0) / pieces.length);
        const diff = Math.max(...expected.map((x, d) => Math.abs(x - vectors[i][l][d])));
        assert.ok(diff < 1e-4, `${word} occurrence ${i} layer ${l}: ${diff}`);
      }
      session.release([summary.analysisId]);
      if (pieces.length === 1) {
        // One piece: masking all the word's pieces is masking that token, as the hover does.
        const hover = await session.guessesAt(o.context, at, 5);
        assert.deepEqual(o.substitutes.map((g) => g.token), hover!.guesses.map((g) => g.token));
        o.substitutes.forEach((g, k) => assert.ok(Math.abs(g.probability - hover!.guesses[k].probability) < 1e-5));
      } else {
        assert.equal(o.substitutes.length, 5);
      }
    }
    // Self-similarity as defined: the mean cosine over all pairs of different occurrences.
    for (const l of r.layers) assert.ok(Math.abs(l.selfSimilarity - meanPairwiseCosine(vectors.map((v) => v[l.layer]))) < 1e-5);
    session.sensesRelease(jobId);
  }
});

test('batches: the first is small and gives a whole result; later ones grow; the end has every context', async () => {
  const text = Array.from({ length: 40 }, (_, i) => `${['I put money in the bank', 'We sat by the river bank', 'The bank has money'][i % 3]} ${'today '.repeat(i % 7)}.`).join('\n\n');
  const progress: number[] = [];
  const { jobId, search } = await session.sensesStart({ word: 'bank', sources: [textSource('t', text)] });
  assert.equal(search.found, 40);
  assert.equal(search.toAnalyse, 21, '3 sentences × 7 endings: identical contexts merged');
  // Before any batch: an empty result, not an error (the panel may ask for a view at once).
  const empty = session.sensesView(jobId, false);
  assert.deepEqual([empty.done, empty.occurrences.length, empty.clusters.length, empty.layers.length], [false, 0, 0, 3]);
  assert.deepEqual((await session.sensesProject(jobId, 2, 'umap', false)).points, []);
  const steps: SensesResult[] = [];
  do steps.push(await session.sensesStep(jobId, false, { onProgress: (e) => 'analysed' in e && progress.push(e.analysed as number) }));
  while (!steps[steps.length - 1].done);
  assert.deepEqual(steps.map((s) => s.search.analysed), [8, 21]);
  assert.equal(steps[0].done, false);
  assert.equal(steps[0].layers.length, 3);
  assert.equal(steps[0].occurrences.length, 8);
  assert.ok(steps[0].occurrences.every((o) => o.cluster.length === 3 && o.substitutes.length === 5));
  assert.equal(steps[1].occurrences.reduce((s, o) => s + o.count, 0), 40);
  assert.equal(progress[progress.length - 1], 21);
  // A view is the same result, without a forward.
  assert.deepEqual(session.sensesView(jobId, false), steps[1]);
  // Standardized: every cosine on z-scored dimensions: the random-pair baseline near 0, the word's own similarity lower.
  const z = session.sensesView(jobId, true);
  assert.equal(z.standardized, true);
  for (const l of z.layers) {
    assert.ok(Math.abs(l.anisotropy) < 0.05, `standardized anisotropy ${l.anisotropy}`);
    assert.ok(l.selfSimilarity < steps[1].layers[l.layer].selfSimilarity);
  }
  assert.ok(steps[1].layers[2].anisotropy > 0.1, 'raw cosines of unrelated tokens are far from 0 (rogue dimensions)');
  session.sensesRelease(jobId);
  assert.throws(() => session.sensesView(jobId, false), (e) => isContextLensError(e, 'CANCELLED'));
});

test('--also: both words in one clustering, their centroids\' cosine per layer', async () => {
  const { jobId, steps } = await runToEnd('bank', demoSources(), { also: 'money' });
  const r = steps[steps.length - 1];
  assert.equal(r.also, 'money');
  assert.deepEqual(new Set(r.occurrences.map((o) => o.word)), new Set(['bank', 'money']));
  assert.equal(r.search.found, 18);
  assert.equal(r.search.foundAlso, 8);
  const vectors = session.sensesVectors(jobId);
  for (const l of r.layers) {
    const centroid = (w: string) => {
      const rows = vectors.filter((_, i) => r.occurrences[i].word === w).map((v) => v[l.layer]);
      return Float32Array.from(rows[0].map((_, d) => rows.reduce((s, row) => s + row[d], 0) / rows.length));
    };
    assert.ok(Math.abs(l.alignment! - cosineSimilarity(centroid('bank'), centroid('money'))) < 1e-5, `layer ${l.layer}`);
    // Self-similarity is the first word's alone.
    assert.ok(Math.abs(l.selfSimilarity - meanPairwiseCosine(vectors.filter((_, i) => r.occurrences[i].word === 'bank').map((v) => v[l.layer]))) < 1e-5);
  }
  session.sensesRelease(jobId);
});

test('bad input: a blank word, a word found nowhere, a cancelled call', async () => {
  for (const word of ['', '   ', '\u3000']) {
    await assert.rejects(session.sensesStart({ word, sources: demoSources() }), (e) => isContextLensError(e, 'EMPTY_INPUT'), JSON.stringify(word));
  }
  // A blank second word is no second word (the host's compare box left empty).
  const blankAlso = await session.sensesStart({ word: 'bank', also: ' ', sources: demoSources() });
  assert.equal(blankAlso.search.foundAlso, undefined);
  session.sensesRelease(blankAlso.jobId);
  await assert.rejects(session.sensesStart({ word: 'tomorrow', sources: demoSources() }), (e) => isContextLensError(e, 'NO_OCCURRENCES') && /"tomorrow" was not found \(3 files searched\)/.test(e.message));
  await assert.rejects(session.sensesStart({ word: 'bank', also: 'tomorrow', sources: demoSources() }), (e) => isContextLensError(e, 'NO_OCCURRENCES') && /"tomorrow"/.test(e.message));
  const aborted = AbortSignal.abort();
  await assert.rejects(session.sensesStart({ word: 'bank', sources: demoSources() }, { signal: aborted }), (e) => isContextLensError(e, 'CANCELLED'));
  const { jobId } = await session.sensesStart({ word: 'bank', sources: demoSources() });
  await assert.rejects(session.sensesStep(jobId, false, { signal: aborted }), (e) => isContextLensError(e, 'CANCELLED'));
  // The job survives a cancelled step: the next one runs the same batch.
  assert.equal((await session.sensesStep(jobId, false)).search.analysed, 8);
  session.sensesRelease(jobId);
});

test('a start cancelled while its search runs holds no job (the caller never gets an id to release)', async () => {
  // The session's job table, read here only to prove nothing is left behind.
  const held = () => (session as unknown as { sensesJobs: Map<string, unknown> }).sensesJobs.size;
  const before = held();
  const controller = new AbortController();
  await assert.rejects(
    session.sensesStart({ word: 'bank', sources: demoSources() }, { signal: controller.signal, onProgress: () => controller.abort() }),
    (e) => isContextLensError(e, 'CANCELLED'),
  );
  assert.equal(held(), before);
});

test('tiny jobs: 1, 2 and 3 occurrences give a result and a projection without throwing', async () => {
  for (const n of [1, 2, 3]) {
    const text = ['I put money in the bank.', 'We sat by the river bank.', 'The bank has money.'].slice(0, n).join('\n\n');
    const { jobId, steps } = await runToEnd('bank', [textSource('t', text)]);
    const r = steps[0];
    assert.equal(r.done, true);
    assert.equal(r.occurrences.length, n);
    for (const l of r.layers) {
      assert.equal(Number.isNaN(l.selfSimilarity), n === 1, `self-similarity of ${n}`);
      assert.ok(l.k >= 1 && l.k <= Math.max(1, n - 1));
    }
    for (const method of ['umap', 'pca'] as const) {
      for (const standardize of [false, true]) {
        const p = await session.sensesProject(jobId, 2, method, standardize);
        assert.equal(p.points.length, n);
        assert.ok(p.points.every((q) => Number.isFinite(q.x) && Number.isFinite(q.y)), `${n} ${method} ${standardize}`);
      }
    }
    session.sensesRelease(jobId);
  }
});

test('sensesProject lays out every analysed occurrence, in the result\'s order, at the layer asked (clamped)', async () => {
  const { jobId, steps } = await runToEnd('bank', demoSources());
  const p = await session.sensesProject(jobId, 99, 'pca', false);
  assert.equal(p.hiddenLayer, 2);
  assert.equal(p.points.length, steps[steps.length - 1].occurrences.length);
  const again = await session.sensesProject(jobId, 2, 'pca', false);
  assert.deepEqual(again.points, p.points, 'seeded: the same layout');
  session.sensesRelease(jobId);
});

test('project(standardize): the same-token links\' cosines on dimensions z-scored over all the map\'s tokens at that layer', async () => {
  const a = await session.analyze('我用苹果手机。', 5, {}, undefined, false);
  const b = await session.analyze('我爱吃苹果。', 5, {}, undefined, false);
  const ids = [a.analysisId, b.analysisId];
  const raw = await session.project(ids, 2, 'pca');
  const z = await session.project(ids, 2, 'pca', undefined, {}, true);
  const dim = a.hiddenSize;
  const rows = [...a.tokens.map((t) => [a.analysisId, t.index] as const), ...b.tokens.map((t) => [b.analysisId, t.index] as const)];
  const matrix = new Float32Array(rows.length * dim);
  rows.forEach(([id, i], r) => matrix.set(session.get(id).hiddenStates[2].subarray(i * dim, (i + 1) * dim), r * dim));
  const standardized = standardizeColumns(matrix, rows.length, dim);
  const rowOf = (id: string, i: number) => rows.findIndex(([x, j]) => x === id && j === i);
  assert.equal(z.links.length, raw.links.length);
  for (const link of z.links) {
    const expected = cosineSimilarity(standardized, standardized, rowOf(link.a.analysisId, link.a.tokenIndex) * dim, rowOf(link.b.analysisId, link.b.tokenIndex) * dim, dim);
    assert.ok(Math.abs(link.cosine - expected) < 1e-6, link.piece);
  }
  const rawCosine = (piece: string) => raw.links.find((l) => l.piece === piece)!.cosine;
  const zCosine = (piece: string) => z.links.find((l) => l.piece === piece)!.cosine;
  assert.notEqual(rawCosine('果'), zCosine('果'));
  session.release(ids);
});
