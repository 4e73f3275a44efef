// The command line (src/cli/, run as dist/cli.js): a large output piped into another program
// arrives whole, and argument errors have their own code and exit status.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from '../../src/cli/args';
import { isContextLensError } from '../../src/engine/errors';
import { FIXTURE_MODEL } from './helpers/fixture';

const cacheDir = mkdtempSync(join(tmpdir(), 'context-lens-cli-'));
after(() => rmSync(cacheDir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** dist/cli.js with its standard output and error as pipes, read to the end. */
function cli(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/cli.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CONTEXT_LENS_CACHE: cacheDir } });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(chunks), stderr }));
  });
}

test('analyze --json piped: several MB arrive whole and parse, one token per character', async () => {
  // 2,600 characters the demo model reads as one token each; top-20 guesses make ~4.7 MB of JSON,
  // far past the 64 KiB a pipe holds (where a process.exit() right after the write cut it).
  const text = '我用苹果手机。我爱吃苹果。'.repeat(200);
  const r = await cli(['analyze', '--json', '--top-k', '20', '--model', FIXTURE_MODEL, text]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.length > 3 * 1024 * 1024, `${r.stdout.length} bytes`);
  const json = JSON.parse(r.stdout.toString('utf8')) as { windowed: boolean; tokens: { text: string; special: boolean; guesses: unknown[] }[] };
  assert.equal(json.windowed, true);
  assert.equal(json.tokens.length, text.length + 2, '[CLS], one token per character, [SEP]');
  const words = json.tokens.filter((t) => !t.special);
  assert.equal(words.map((t) => t.text).join(''), text);
  assert.ok(words.every((t) => t.guesses.length === 20), 'every token with its 20 guesses');
});

test('a flag without its value and an unknown export format are BAD_ARGUMENTS errors', () => {
  assert.throws(() => parseArgs(['analyze', '--model', 'x', '--top-k']), (e) => isContextLensError(e, 'BAD_ARGUMENTS') && e.message === '--top-k needs a value.');
  assert.throws(() => parseArgs(['export', '--format', 'csv', 'text']), (e) => isContextLensError(e, 'BAD_ARGUMENTS') && /Unknown export format "csv"/.test(e.message));
  const args = parseArgs(['analyze', '--json', '--top-k=3', 'some', 'text']);
  assert.deepEqual([args.command, args.flags.get('json'), args.flags.get('top-k'), args.positional], ['analyze', true, '3', ['some', 'text']]);
  assert.equal(parseArgs(['export', '--format', 'projector', 'text']).command, 'export');
});

test('argument errors exit with 2 before any model loads, saying what is wrong and how to call it', async () => {
  // A model that does not exist: an argument error is found first, so the load never fails.
  const missing = join(cacheDir, 'no-such-model');
  for (const [args, message] of [
    [['analyze', '--model', missing, 'text', '--top-k'], 'context-lens: --top-k needs a value.'],
    [['export', '--format', 'csv', '--model', missing, 'text'], 'context-lens: Unknown export format "csv"; use --format projector.'],
  ] as const) {
    const r = await cli([...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stderr.startsWith(`${message}\nUsage:`), r.stderr);
    assert.equal(r.stdout.length, 0);
  }
  // An engine error (here: the folder is missing) keeps exit status 1.
  const r = await cli(['analyze', '--model', missing, 'text']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^context-lens: /);
});

test('prediction options: malformed values are BAD_ARGUMENTS before any model loads', async () => {
  for (const [argv, message] of [
    [['--layer-guesses', '--at', 'x'], /--at needs a character offset/],
    [['--layer-guesses', '--at', '-3'], /--at needs a character offset/],
    [['--layer-guesses'], /--layer-guesses needs --at OFFSET/],
    [['--at', '3'], /--at goes with --layer-guesses/],
    [['--mask', '4-6'], /--mask needs START:END/],
    [['--mask', 'a:b'], /--mask needs START:END/],
  ] as const) {
    assert.throws(() => parseArgs(['analyze', ...argv, 'text']), (e) => isContextLensError(e, 'BAD_ARGUMENTS') && message.test(e.message), argv.join(' '));
  }
  const ok = parseArgs(['analyze', '--layer-guesses', '--at', '5', '--unmasked', '--mask', '4:6', 'text']);
  assert.deepEqual([ok.flags.get('layer-guesses'), ok.flags.get('unmasked'), ok.flags.get('mask'), ok.positional], [true, true, '4:6', ['text']]);
  const r = await cli(['analyze', '--model', join(cacheDir, 'no-such-model'), '--mask', '4', 'text']);
  assert.equal(r.code, 2, r.stderr);
  assert.ok(r.stderr.startsWith('context-lens: --mask needs START:END'), r.stderr);
});

test('analyze --json --layer-guesses --at --unmasked --mask: the issue\'s fields, consistent with the masked guesses', async () => {
  const text = '我喜欢吃苹果。';
  const r = await cli(['analyze', '--json', '--dtype', 'fp32', '--top-k', '3', '--model', FIXTURE_MODEL, '--layer-guesses', '--at', '5', '--unmasked', '--mask', '4:6', text]);
  assert.equal(r.code, 0, r.stderr);
  interface G {
    token: string;
    probability: number;
  }
  const json = JSON.parse(r.stdout.toString('utf8')) as {
    numLayers: number;
    tokens: { guesses: G[]; special: boolean }[];
    layerGuesses: { layer: number; guesses: G[]; finalRank: number; finalProbability: number }[];
    unmasked: G[][];
    span: { start: number; end: number; tokenIndices: number[]; positions: G[][]; fills: { text: string; tokens: string[]; score: number }[] };
  };
  assert.deepEqual(json.layerGuesses.map((l) => l.layer), Array.from({ length: json.numLayers + 1 }, (_, i) => i));
  const last = json.layerGuesses[json.numLayers];
  assert.deepEqual(Object.keys(last).sort(), ['finalProbability', 'finalRank', 'guesses', 'layer']);
  assert.deepEqual(last.guesses.map((g) => g.token), json.tokens[6].guesses.map((g) => g.token), 'the last layer is the masked guess of 果');
  last.guesses.forEach((g, i) => assert.ok(Math.abs(g.probability - json.tokens[6].guesses[i].probability) <= 2e-6));
  assert.equal(last.finalRank, 1);
  assert.equal(json.unmasked.length, json.tokens.length, 'one list per token');
  json.tokens.forEach((t, i) => assert.equal(json.unmasked[i].length, t.special ? 0 : 3));
  assert.deepEqual([json.span.start, json.span.end, json.span.tokenIndices], [4, 6, [5, 6]]);
  assert.equal(json.span.positions.length, 2);
  assert.equal(json.span.fills[0].text, '苹果');
  assert.deepEqual(json.span.fills[0].tokens, ['苹', '果']);
  assert.deepEqual(Object.keys(json.span).sort(), ['end', 'fills', 'positions', 'start', 'tokenIndices']);
  // Without --json: readable tables.
  const readable = await cli(['analyze', '--model', FIXTURE_MODEL, '--layer-guesses', '--at', '5', '--mask', '4:6', text]);
  assert.equal(readable.code, 0, readable.stderr);
  assert.match(readable.stdout.toString('utf8'), /guesses at every layer for "果" \[5,6\) masked alone/);
  assert.match(readable.stdout.toString('utf8'), /joint fills/);
  // An engine refusal keeps exit status 1 and says why.
  const bad = await cli(['analyze', '--model', FIXTURE_MODEL, '--mask', '0:7', '我喜欢\n吃苹果。']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /line break/);
});
