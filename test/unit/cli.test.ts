// The command line (src/cli/, run as dist/cli.js): a large output piped into another program
// arrives whole, and argument errors have their own code and exit status.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

test('senses: argument errors exit with 2 before any model loads', async () => {
  const missing = join(cacheDir, 'no-such-model');
  for (const [args, message] of [
    [['senses', '--model', missing, 'demo/senses'], 'context-lens: senses needs --word WORD (the word to look for).'],
    [['senses', '--model', missing, '--word', '  ', 'demo/senses'], 'context-lens: --word is empty or only whitespace: give the word to look for.'],
    [['senses', '--model', missing, '--word', 'bank'], 'context-lens: senses needs files or folders to search (PATH...).'],
    [['senses', '--model', missing, '--word', 'bank', 'no/such/folder'], 'context-lens: No such file or folder: no/such/folder.'],
    [['senses', '--model', missing, '--word', 'bank', '--max', '0', 'demo/senses'], 'context-lens: --max must be a whole number of at least 1, not "0".'],
    [['senses', '--model', missing, '--word', 'bank', '--context-tokens', 'x', 'demo/senses'], 'context-lens: --context-tokens must be a whole number of at least 1, not "x".'],
    [['senses', '--model', missing, '--word', 'bank', '--include-vectors', 'demo/senses'], 'context-lens: --include-vectors writes the vectors into the JSON: add --json.'],
  ] as const) {
    const r = await cli([...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stderr.startsWith(`${message}\nUsage:`), r.stderr);
    assert.equal(r.stdout.length, 0);
  }
  // A layer the loaded model does not have: still an argument error, found once the model says how many it has.
  const r = await cli(['senses', '--model', FIXTURE_MODEL, '--word', 'bank', '--layer', '3', 'demo/senses']);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr, 'context-lens: --layer 3: the model has hidden layers 0 … 2.\n');
});

test('senses --json on the demo folder: the issue\'s fields, offsets into the files, one cluster id per layer; --include-vectors', async () => {
  const r = await cli(['senses', '--json', '--include-vectors', '--model', FIXTURE_MODEL, '--word', 'bank', '--also', 'money', '--max', '10', 'demo/senses']);
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout.toString('utf8'));
  assert.deepEqual(Object.keys(json), ['word', 'also', 'model', 'standardized', 'search', 'layers', 'occurrences', 'clusters']);
  assert.equal(json.word, 'bank');
  assert.equal(json.also, 'money');
  assert.deepEqual([json.search.found, json.search.foundAlso, json.search.filesSearched], [18, 8, 4]);
  assert.deepEqual(json.layers.map((l: { layer: number }) => l.layer), [0, 1, 2]);
  for (const l of json.layers) assert.deepEqual(Object.keys(l), ['layer', 'selfSimilarity', 'anisotropy', 'adjustedSelfSimilarity', 'silhouette', 'k', 'alignment']);
  // --max 10 per word: an even sample of each.
  assert.equal(json.occurrences.filter((o: { word: string }) => o.word === 'bank').length, 10);
  assert.equal(json.occurrences.filter((o: { word: string }) => o.word === 'money').length, 8);
  for (const o of json.occurrences) {
    assert.deepEqual(Object.keys(o), ['word', 'file', 'start', 'end', 'line', 'column', 'context', 'contextStart', 'count', 'cluster', 'substitutes', 'vectors']);
    const text = readFileSync(o.file, 'utf8');
    assert.equal(text.slice(o.start, o.end), o.word);
    assert.equal(text.slice(o.contextStart, o.contextStart + o.context.length), o.context);
    assert.equal(text.split('\n')[o.line - 1].slice(o.column - 1, o.column - 1 + o.word.length), o.word);
    assert.equal(o.cluster.length, 3);
    assert.equal(o.vectors.length, 3);
    assert.ok(o.vectors.every((v: number[]) => v.length === 64));
  }
  const ids = (layer: number) => new Set(json.occurrences.map((o: { cluster: number[] }) => o.cluster[layer]));
  for (let layer = 0; layer <= 2; layer++) {
    const clusters = json.clusters.filter((c: { layer: number }) => c.layer === layer);
    assert.deepEqual(new Set(clusters.map((c: { id: number }) => c.id)), ids(layer));
    assert.equal(clusters.reduce((s: number, c: { size: number }) => s + c.size, 0), 18);
  }
});

test('senses without --json: the per-layer table, then each cluster with its label and aligned concordance lines', async () => {
  const r = await cli(['senses', '--model', FIXTURE_MODEL, '--word', '苹果', '--layer', '2', 'demo/senses']);
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout.toString('utf8');
  const lines = out.split('\n');
  assert.match(lines[1], /^"苹果": 24 found in 4 files; 24 distinct contexts analysed$/);
  assert.match(out, /\nlayer +self-sim +anisotropy +adjusted +silhouette +k\n0 +0\.\d{3} +/);
  assert.match(out, /\nSenses at layer 2 \(k = \d, silhouette 0\.\d{3}\):\n/);
  assert.match(out, /\n\[0\] \d+ occurrences?: substitutes: .+%.*; collocates: /);
  // Concordance lines: the word between bars, at the same column on every line (CJK counted two columns).
  const concordance = lines.filter((l) => l.includes(' | 苹果 | '));
  assert.ok(concordance.length >= 5, out);
  const columns = new Set(concordance.map((l) => {
    const before = l.slice(0, l.indexOf(' | 苹果 | '));
    return [...before].reduce((n, ch) => n + (/[\u2e80-\ua4cf\uff00-\uff60]/.test(ch) ? 2 : 1), 0);
  }));
  assert.equal(columns.size, 1, concordance.join('\n'));
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

test('words options: an unknown --attention kind, a misplaced or malformed --layer, a bad --language are BAD_ARGUMENTS before any model loads', async () => {
  for (const [argv, message] of [
    [['--attention', 'max'], /Unknown --attention "max"; use one of rollout, mean-heads, mean-layers/],
    [['--attention', 'rollout', '--layer', '2'], /--layer goes with --attention mean-heads/],
    [['--layer', '2'], /--layer goes with --attention mean-heads/],
    [['--attention', 'mean-heads', '--layer', '0'], /--layer needs an attention layer/],
    [['--attention', 'mean-heads', '--layer', 'last'], /--layer needs an attention layer/],
    [['--words', '--language', 'not a tag!'], /not a language tag/],
  ] as const) {
    assert.throws(() => parseArgs(['analyze', ...argv, 'text']), (e) => isContextLensError(e, 'BAD_ARGUMENTS') && message.test(e.message), argv.join(' '));
  }
  const ok = parseArgs(['analyze', '--words', '--attention', 'mean-heads', '--layer', '2', '--head-stats', 'text']);
  assert.deepEqual([ok.flags.get('words'), ok.flags.get('attention'), ok.flags.get('layer'), ok.flags.get('head-stats'), ok.positional], [true, 'mean-heads', '2', true, ['text']]);
  const r = await cli(['analyze', '--model', join(cacheDir, 'no-such-model'), '--attention', 'rolout', 'text']);
  assert.equal(r.code, 2, r.stderr);
  assert.ok(r.stderr.startsWith('context-lens: Unknown --attention "rolout"'), r.stderr);
});

test('analyze --json --words --attention --head-stats: the issue\'s fields; rows sum to 1; readable without --json', async () => {
  const text = '我喜欢吃苹果。i like apples .';
  const run = async (extra: string[]) => {
    const r = await cli(['analyze', '--json', '--dtype', 'fp32', '--top-k', '1', '--model', FIXTURE_MODEL, ...extra, text]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout.toString('utf8'));
  };
  const json = await run(['--words', '--attention', 'rollout', '--head-stats']);
  const words = json.words as { text: string; start: number; end: number; tokenIndices: number[]; special: boolean }[];
  assert.deepEqual(words.filter((w) => !w.special).map((w) => w.text), ['我', '喜欢', '吃', '苹果', '。', 'i', 'like', 'apples', '.']);
  assert.deepEqual(words.flatMap((w) => w.tokenIndices), json.tokens.map((t: { index: number }) => t.index));
  words.filter((w) => !w.special).forEach((w) => assert.equal(text.slice(w.start, w.end), w.text));
  const s = json.attentionSummary as { kind: string; size: number; values: number[]; wordIndices: number[] };
  assert.deepEqual([s.kind, s.size, s.values.length], ['rollout', words.length, words.length ** 2]);
  for (let i = 0; i < s.size; i++) assert.ok(Math.abs(s.values.slice(i * s.size, (i + 1) * s.size).reduce((a, b) => a + b, 0) - 1) <= 1e-4);
  const stats = json.headStats as Record<string, number>[];
  assert.equal(stats.length, json.numLayers * json.numHeads);
  assert.deepEqual(Object.keys(stats[0]).sort(), ['distance', 'entropy', 'head', 'layer', 'toCls', 'toNext', 'toPrev', 'toPunct', 'toSep'].sort());
  // mean-heads over tokens: the layer asked for, the default the last.
  const tokensOnly = await run(['--attention', 'mean-heads', '--layer', '1']);
  assert.equal(tokensOnly.words, undefined);
  assert.deepEqual([tokensOnly.attentionSummary.kind, tokensOnly.attentionSummary.layer, tokensOnly.attentionSummary.size], ['mean-heads', 1, json.tokens.length]);
  assert.equal((await run(['--attention', 'mean-heads'])).attentionSummary.layer, json.numLayers);
  const readable = await cli(['analyze', '--model', FIXTURE_MODEL, '--words', '--attention', 'rollout', '--head-stats', text]);
  assert.equal(readable.code, 0, readable.stderr);
  const out = readable.stdout.toString('utf8');
  assert.match(out, /words \(11, Intl\.Segmenter\): \[CLS\] \| 我\[1\] \| 喜欢\[2,3\]/);
  assert.match(out, /attention rollout \(Abnar & Zuidema 2020\), 11 × 11 over words/);
  assert.match(out, /head statistics/);
  // A layer past the model's is an argument error found once the model is known.
  const beyond = await cli(['analyze', '--model', FIXTURE_MODEL, '--attention', 'mean-heads', '--layer', '9', text]);
  assert.equal(beyond.code, 2);
  assert.match(beyond.stderr, /this model has attention layers 1 … 2/);
});
