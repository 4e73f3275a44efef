// Issue 13: `context-lens analyze` with a causal model (the tiny GPT-2 fixture): the --json contract
// (kind, next, tokenProbability per token, layerGuesses) and the readable table.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_MODEL } from './helpers/fixture';
import { GPT2_FIXTURE } from './helpers/gpt2Reference';

const cacheDir = mkdtempSync(join(tmpdir(), 'context-lens-causal-cli-'));
after(() => rmSync(cacheDir, { recursive: true, force: true }));

const cli = (args: string[]) => spawnSync(process.execPath, ['dist/cli.js', ...args, '--cache-dir', cacheDir, '--dtype', 'fp32'], { encoding: 'utf8', maxBuffer: 1 << 26 });
const TEXT = 'I put my money in the bank.';

interface CausalJson {
  kind: string;
  tokens: { text: string; guesses: { token: string; probability: number }[]; tokenProbability: { probability: number; rank: number } | null }[];
  next: { token: string; probability: number }[][];
  layerGuesses?: { layer: number; guesses: { token: string; probability: number }[]; finalRank: number; finalProbability: number }[];
}

test('analyze --json on a causal model: kind, next per position, tokenProbability per token, layerGuesses with --layer-guesses --at', () => {
  const r = cli(['analyze', '--json', '--top-k', '3', '--layer-guesses', '--at', '6', '--model', GPT2_FIXTURE, TEXT]);
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout) as CausalJson;
  assert.equal(json.kind, 'causal');
  assert.equal(json.next.length, json.tokens.length);
  assert.ok(json.next.every((g) => g.length === 3 && g[0].probability >= g[1].probability));
  assert.equal(json.tokens[0].tokenProbability, null);
  assert.ok(json.tokens.slice(1).every((t) => t.tokenProbability && t.tokenProbability.rank >= 1 && t.tokenProbability.probability > 0));
  // A token's guesses are what the model expected there: the previous position's next-token top-k.
  json.tokens.slice(1).forEach((t, i) => assert.deepEqual(t.guesses, json.next[i]));
  assert.ok(json.layerGuesses && json.layerGuesses.length > 1);
  const last = json.layerGuesses[json.layerGuesses.length - 1];
  assert.equal(last.finalRank, 1);
  assert.equal(json.tokens.map((t) => t.text).join(''), TEXT.replace(/ /g, ''));
});

test('analyze on a causal model prints probabilities, ranks and next-token guesses; masked-only options exit 2 with a message', () => {
  const r = cli(['analyze', '--top-k', '2', '--model', GPT2_FIXTURE, TEXT]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /causal model: each token scored given the tokens before it/);
  assert.match(r.stdout, /expected \| next/);
  const masked = cli(['analyze', '--unmasked', '--model', GPT2_FIXTURE, TEXT]);
  assert.equal(masked.status, 2);
  assert.match(masked.stderr, /masked language models only/);
});

test('analyze --json on a masked model says kind masked and has no causal fields', () => {
  const r = cli(['analyze', '--json', '--model', FIXTURE_MODEL, '我用苹果手机。']);
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout) as Partial<CausalJson>;
  assert.equal(json.kind, 'masked');
  assert.equal(json.next, undefined);
  assert.ok(json.tokens!.every((t) => !('tokenProbability' in t)));
});
