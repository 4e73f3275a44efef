/**
 * `context-lens compare` (issue 13; src/cli/compare.ts, run as dist/cli.js): the aligned rows of two models,
 * the JSON field names of the contract, probabilities that are the models' own (as `analyze --json` gives
 * them), and errors that name the model that failed.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CompareResult } from '../../src/engine/compare';
import { FIXTURE_MODEL, FIXTURE_MODEL_OPSET17 } from './helpers/fixture';

const cacheDir = mkdtempSync(join(tmpdir(), 'context-lens-compare-cli-'));
after(() => rmSync(cacheDir, { recursive: true, force: true }));

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8', env: { ...process.env, CONTEXT_LENS_CACHE: cacheDir } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TEXT = '我用苹果手机。我爱吃苹果。';
/** The tiny GPT-2 (branch gpt-fixture); CONTEXT_LENS_GPT_FIXTURE points at another copy before that branch is merged. */
const GPT_FIXTURE = process.env.CONTEXT_LENS_GPT_FIXTURE || resolve('test/fixtures/tiny-gpt2');
const HAS_GPT = existsSync(join(GPT_FIXTURE, 'config.json'));

test('compare --json with the BERT fixture twice: the contract’s fields, a row per character, each model’s own probabilities', () => {
  const r = cli(['compare', '--json', '--model', FIXTURE_MODEL_OPSET17, '--with', FIXTURE_MODEL, '--depth', '0.5', TEXT]);
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout) as CompareResult;
  assert.deepEqual(Object.keys(json).sort(), ['depth', 'models', 'rows', 'text']);
  assert.deepEqual(json.models.map((m) => [m.model, m.kind, m.layer, m.numLayers]), [
    [FIXTURE_MODEL_OPSET17, 'masked', 1, 2],
    [FIXTURE_MODEL, 'masked', 1, 2],
  ]);
  assert.equal(json.rows.length, [...TEXT].length);
  assert.deepEqual(json.rows.map((row) => row.text).join(''), TEXT);
  for (const row of json.rows) {
    assert.deepEqual(Object.keys(row).sort(), ['a', 'b', 'end', 'start', 'text']);
    assert.deepEqual(Object.keys(row.a!).sort(), ['guess', 'guessIsToken', 'probability', 'token', 'tokens']);
    assert.equal(row.text, TEXT.slice(row.start, row.end));
    assert.equal(row.a!.token, row.text, 'one BERT token per character');
  }
  // The same model in two exports (opset 17 and the demo's): the same guesses, probabilities within fp32.
  for (const row of json.rows) {
    assert.equal(row.a!.guess, row.b!.guess);
    if (row.a!.probability === null) assert.equal(row.b!.probability, null);
    else assert.ok(Math.abs(row.a!.probability - row.b!.probability!) < 1e-4, row.text);
  }
  // Each probability is the token's own among the model's masked guesses (analyze --json --top-k 20).
  const analyzed = JSON.parse(cli(['analyze', '--json', '--top-k', '20', '--model', FIXTURE_MODEL, TEXT]).stdout) as { tokens: { index: number; token: string; guesses: { token: string; probability: number }[] }[] };
  let known = 0;
  for (const row of json.rows) {
    const t = analyzed.tokens[row.b!.tokens[0]];
    const own = t.guesses.find((g) => g.token === t.token);
    if (own) {
      known++;
      assert.ok(Math.abs(own.probability - row.b!.probability!) < 1e-6, row.text);
    } else assert.equal(row.b!.probability, null, `${row.text}: not among the top 20, so unknown`);
  }
  assert.ok(known > json.rows.length / 2, `${known} of ${json.rows.length} probabilities known`);
});

test('compare without --json: both models named with their map layer, a line per row', () => {
  const r = cli(['compare', '--model', FIXTURE_MODEL, '--with', FIXTURE_MODEL_OPSET17, '--depth', '0', 'bank 苹果']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0], /^A: .*demo-model \(masked, map layer 0\/2\)$/);
  assert.match(lines[1], /^B: .*tiny-bert-opset17 \(masked, map layer 0\/2\)$/);
  assert.deepEqual(lines.slice(3).map((l) => l.split('\t')[1]), ['bank', '苹', '果']);
});

test('compare: argument errors exit 2 before any model loads; a missing second model exits 1 naming model B', () => {
  const missing = join(cacheDir, 'no-such-model');
  const noWith = cli(['compare', '--model', missing, 'text']);
  assert.equal(noWith.code, 2);
  assert.match(noWith.stderr, /--with/);
  const badDepth = cli(['compare', '--model', missing, '--with', missing, '--depth', '1.5', 'text']);
  assert.equal(badDepth.code, 2);
  assert.match(badDepth.stderr, /--depth must be a number from 0/);
  const r = cli(['compare', '--model', FIXTURE_MODEL, '--with', missing, 'text']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`Model B \\(${missing.replace(/[\\/.]/g, '\\$&')}\\): The model folder .* does not exist`));
});

test('compare --json, BERT beside the tiny GPT-2: a row per character with GPT-2’s byte tokens; its probabilities are analyze’s, multiplied over a row', { skip: !HAS_GPT && 'the tiny GPT-2 fixture (test/fixtures/tiny-gpt2) is not in this checkout' }, () => {
  const text = `${TEXT} the bank 😀`;
  const r = cli(['compare', '--json', '--dtype', 'fp32', '--model', FIXTURE_MODEL, '--with', GPT_FIXTURE, '--depth', '0.5', text]);
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout) as CompareResult;
  assert.deepEqual(json.models.map((m) => m.kind), ['masked', 'causal']);
  assert.equal(json.models[1].layer, Math.round(0.5 * json.models[1].numLayers));
  // The Chinese part: a row per character, BERT's token beside every GPT-2 byte token of it.
  assert.deepEqual(json.rows.slice(0, [...TEXT].length).map((row) => row.text), [...TEXT]);
  const analyzed = JSON.parse(cli(['analyze', '--json', '--dtype', 'fp32', '--model', GPT_FIXTURE, text]).stdout) as { tokens: { index: number; start: number; end: number; tokenProbability: { probability: number } | null }[] };
  const seen: number[] = [];
  for (const row of json.rows) {
    const b = row.b;
    if (!b) continue;
    seen.push(...b.tokens);
    for (const i of b.tokens) assert.ok(analyzed.tokens[i].start >= row.start && analyzed.tokens[i].end <= row.end, `token ${i} inside row ${row.text}`);
    const ps = b.tokens.map((i) => analyzed.tokens[i].tokenProbability?.probability ?? null);
    if (ps.includes(null)) assert.equal(b.probability, null, row.text);
    else assert.ok(Math.abs(ps.reduce((x, y) => x! * y!, 1)! - b.probability!) < 1e-6, `${row.text}: the product of its tokens' probabilities`);
  }
  assert.deepEqual(seen, analyzed.tokens.filter((t) => t.end > t.start).map((t) => t.index), 'every GPT-2 token in one row, in order');
  assert.equal(json.rows[0].b!.probability, null, 'nothing precedes the first token');
  assert.equal(json.rows[0].b!.guess, null);
  const emoji = json.rows.find((row) => row.text.includes('😀'))!;
  assert.ok(emoji.b!.tokens.length > 1, 'the emoji is several byte tokens in one row');
});
