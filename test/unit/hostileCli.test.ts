/**
 * The CLI on hostile text (issue 14, found by the stress family hostile-cli):
 * - it refuses what the extension refuses with its default settings (more than maxCharsForTokens(512) =
 *   40,960 characters): before, it took up to 200,000, and 100,000 short lines ran for more than five
 *   minutes (a masked forward per token) before anything came back;
 * - with --json a refusal is also `{"error": {"code", "message"}}` on stdout, so a script tells the codes
 *   apart; standard error keeps its one line.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { maxCharsForTokens } from '../../src/engine/inputCheck';
import { CLI_MAX_CHARS } from '../../src/cli/limits';
import { FIXTURE_MODEL } from './helpers/fixture';

const GPT2 = resolve('test/fixtures/tiny-gpt2');
const dir = mkdtempSync(join(tmpdir(), 'context-lens-hostile-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** dist/cli.js, offline; `stdin` is piped to it when given. */
function cli(args: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['dist/cli.js', ...args, '--offline', '--cache-dir', join(dir, 'cache')], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(stdin ?? '', 'utf8');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text, 'utf8');
  return path;
}

test('the CLI limit is the extension’s default one (maxTokens 512), not the engine’s 200,000', () => {
  assert.equal(CLI_MAX_CHARS, maxCharsForTokens(512));
  assert.equal(CLI_MAX_CHARS, 40_960);
});

for (const [model, kind] of [
  [FIXTURE_MODEL, 'masked'],
  [GPT2, 'causal'],
] as const) {
  test(`analyze --json, ${kind}: 100,000 short lines (200,000 characters) are refused at once, as JSON on stdout and one line on stderr`, async () => {
    const r = await cli(['analyze', '--json', '--model', model, '--file', file(`lines-${kind}.txt`, 'a\n'.repeat(100_000))]);
    const message = 'The selection has 200,000 characters; Context Lens analyzes at most 40,960. Select a shorter passage.';
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, `context-lens: ${message}\n`);
    assert.deepEqual(JSON.parse(r.stdout), { error: { code: 'INPUT_TOO_LARGE', message } });
  });
}

test('analyze --json: one character over 40,960 is refused; NUL is BINARY_INPUT; without --json stdout stays empty', async () => {
  const over = await cli(['analyze', '--json', '--model', FIXTURE_MODEL, '--file', file('over.txt', 'x '.repeat(20_480) + 'y')]);
  assert.equal(over.code, 1);
  assert.equal((JSON.parse(over.stdout) as { error: { code: string } }).error.code, 'INPUT_TOO_LARGE');
  const nul = file('nul.txt', 'bank\u0000river');
  const binary = await cli(['analyze', '--json', '--model', FIXTURE_MODEL, '--file', nul]);
  assert.equal(binary.code, 1);
  assert.deepEqual(JSON.parse(binary.stdout), { error: { code: 'BINARY_INPUT', message: 'The selection looks like binary data (it contains NUL bytes). Select text.' } });
  const plain = await cli(['analyze', '--model', FIXTURE_MODEL, '--file', nul]);
  assert.equal(plain.code, 1);
  assert.equal(plain.stdout, '');
  assert.equal(plain.stderr, 'context-lens: The selection looks like binary data (it contains NUL bytes). Select text.\n');
});

test('compare --json over the limit: INPUT_TOO_LARGE naming model A, on stdout and stderr', async () => {
  const r = await cli(['compare', '--json', '--model', FIXTURE_MODEL, '--with', GPT2, '--file', file('over-compare.txt', 'x '.repeat(20_480) + 'y')]);
  assert.equal(r.code, 1, r.stderr);
  const { error } = JSON.parse(r.stdout) as { error: { code: string; message: string } };
  assert.equal(error.code, 'INPUT_TOO_LARGE');
  assert.match(error.message, /^Model A \(.+\): The selection has 40,961 characters; Context Lens analyzes at most 40,960\. Select a shorter passage\.$/);
  assert.equal(r.stderr, `context-lens: ${error.message}\n`);
});

test('analyze --file - reads standard input as UTF-8, like a file (a lone surrogate arrives as U+FFFD)', async () => {
  const text = 'bank \ud800 river';
  const r = await cli(['analyze', '--json', '--model', GPT2, '--file', '-'], text);
  assert.equal(r.code, 0, r.stderr);
  const read = 'bank \ufffd river';
  const json = JSON.parse(r.stdout) as { tokens: { text: string; start: number; end: number }[] };
  for (const t of json.tokens) assert.equal(t.text, read.slice(t.start, t.end));
  assert.ok(json.tokens.some((t) => t.text.includes('\ufffd')), 'the replacement character is a token');
  assert.equal(Math.max(...json.tokens.map((t) => t.end)), read.length);
});
