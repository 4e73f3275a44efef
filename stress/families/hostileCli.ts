/**
 * Hostile text through the command line (`node dist/cli.js analyze --json --file F --offline`), on both
 * model kinds: exit 0 with JSON whose tokens keep the range rules (each token's `text` its range's), or
 * exit 1 with `context-lens: <message>` on standard error and `{"error": {code, message}}` on stdout, the
 * code one of the text's endings and the message a next step; never a stack trace, never a hang.
 * The text reaches the CLI as a UTF-8 file, so what it reads is the file decoded (a lone surrogate is
 * written as U+FFFD): the rules are checked against that.
 * Quick: one text per class and the big ones (each spawn loads the model, ~1 s); full: every text.
 * CLI-only cases: --words, --mask, compare with both models, senses over a hostile file.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnalysisSession } from '../../src/engine/session';
import { MODELS, REPO, type ModelKindName, type StressContext } from '../context';
import { expect, type FamilyRecorder } from '../record';
import { HOSTILE_TEXTS, hostileTexts, type HostileText } from '../hostileTexts';
import { rangeRules, type RangeRules } from '../rangeCheck';
import { expectEnding, expectNoProblems, messageProblems, short } from './hostileRules';
import { wordProblems } from './hostileEngine';

export const families = ['hostile-cli'] as const;

/** A spawn loads the model and reads the text: a node start and a model load on top of the engine's bounds. */
const CLI_BOUND_MS = { small: 20_000, big: 90_000 } as const;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; the case's signal kills it (a hang is then the bound's failure, not a stuck campaign). */
function cli(args: string[], cacheDir: string, signal: AbortSignal, stdin?: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO, 'dist', 'cli.js'), ...args, '--offline', '--cache-dir', cacheDir], { cwd: REPO, stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (stdin !== undefined) child.stdin?.end(stdin, 'utf8');
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => err.push(d));
    const kill = (): void => void child.kill('SIGKILL');
    signal.addEventListener('abort', kill, { once: true });
    child.on('error', reject);
    child.on('close', (code) => {
      signal.removeEventListener('abort', kill);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** A failed run's code after checking how it says so; fails on anything but a clean typed refusal. */
function refusalOf(r: CliRun): string {
  expect(!/\n\s+at .+:\d+:\d+/.test(r.stderr) && !/Internal error/.test(r.stderr), `a stack trace or an internal error: ${short(r.stderr, 300)}`);
  expect(r.code === 1 || r.code === 2, `exit ${r.code}: ${short(r.stderr, 200)}`);
  const line = /^context-lens: (.+)\n$/s.exec(r.stderr);
  expect(line, `standard error is not one "context-lens: …" message: ${short(r.stderr, 200)}`);
  let error: { code?: string; message?: string } | undefined;
  try {
    error = (JSON.parse(r.stdout) as { error?: { code?: string; message?: string } }).error;
  } catch {
    // Checked below.
  }
  expect(error?.code && error.message, `stdout has no {"error": {code, message}}: ${short(r.stdout, 200)}`);
  expect(error.message === line[1].trim(), 'the JSON error and standard error say different things');
  expectNoProblems(messageProblems(error.message), `the ${error.code} message`);
  return error.code;
}

interface CliToken {
  index: number;
  token: string;
  id: number;
  start: number;
  end: number;
  text: string;
  special: boolean;
}

/** The analysis JSON's tokens: the range rules, and each token's `text` the text of its range. */
function tokenProblems(rules: RangeRules, text: string, tokens: CliToken[]): string[] {
  const problems = rules.check(text, tokens.map((t) => ({ id: t.id, piece: t.token, start: t.start, end: t.end, special: t.special })));
  tokens.forEach((t, i) => t.text !== text.slice(t.start, t.end) && problems.push(`token ${i}'s text ${JSON.stringify(short(t.text, 30))} is not its range's`));
  if (!tokens.some((t) => !t.special)) problems.push('no token of the text');
  return problems;
}

/** Quick: the first text of each class, and every big one the quick catalogue keeps. */
function cliTexts(quick: boolean): HostileText[] {
  const all = hostileTexts(quick);
  if (!quick) return all;
  const firstOfClass = new Set(HOSTILE_TEXTS.filter((t, i) => HOSTILE_TEXTS.findIndex((u) => u.cls === t.cls) === i).map((t) => t.name));
  return all.filter((t) => t.big || firstOfClass.has(t.name));
}

export async function run(c: StressContext): Promise<void> {
  const rec = c.family('hostile-cli');
  const dir = mkdtempSync(join(tmpdir(), 'context-lens-stress-cli-'));
  const cacheDir = join(dir, 'cache');
  try {
    const rules = new Map<ModelKindName, RangeRules>();
    for (const kind of Object.keys(MODELS) as ModelKindName[]) {
      // The rules read the real tokenizer: the one the CLI loads from the same folder.
      const session = new AnalysisSession();
      await session.load({ model: MODELS[kind], dtype: 'q8', device: 'cpu', cacheDir, offline: true });
      rules.set(kind, rangeRules(session.model.tokenizer));
      await session.dispose();
    }
    const texts = cliTexts(c.o.quick);
    for (const [i, t] of texts.entries()) {
      const file = join(dir, `text-${i}.txt`);
      writeFileSync(file, t.make(), 'utf8');
      const text = readFileSync(file, 'utf8');
      for (const kind of Object.keys(MODELS) as ModelKindName[]) await analyzeCase(rec, t, file, text, kind, rules.get(kind)!, cacheDir);
    }
    await cliOnlyCases(rec, dir, cacheDir, rules);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `file`: the text's file, or its text piped to `--file -` (standard input). */
async function analyzeCase(rec: FamilyRecorder, t: HostileText, file: string | { stdin: string }, text: string, kind: ModelKindName, rules: RangeRules, cacheDir: string): Promise<void> {
  const how = typeof file === 'string' ? 'analyze' : 'analyze from stdin';
  await rec.run(`${t.name} · ${how} · ${kind}`, 'cli', t.big ? CLI_BOUND_MS.big : CLI_BOUND_MS.small, async (signal) => {
    const r = typeof file === 'string' ? await cli(['analyze', '--json', '--model', MODELS[kind], '--file', file], cacheDir, signal) : await cli(['analyze', '--json', '--model', MODELS[kind], '--file', '-'], cacheDir, signal, file.stdin);
    if (r.code !== 0) {
      const code = refusalOf(r);
      expectEnding(code, t.endings, 'analyze');
      return code;
    }
    expectEnding('analysis', t.endings, 'analyze');
    const json = JSON.parse(r.stdout) as { kind: string; tokens: CliToken[] };
    expect(json.kind === kind, `the CLI read the ${kind} model as ${json.kind}`);
    expectNoProblems(tokenProblems(rules, text, json.tokens), `${rules.kind} ranges`);
    return 'analysis';
  });
}

const byName = (name: string): HostileText => {
  const t = HOSTILE_TEXTS.find((x) => x.name === name);
  if (!t) throw new Error(`no hostile text "${name}"`);
  return t;
};

/** Cases only the CLI has: its --words and --mask switches, compare with both kinds, senses over a file. */
async function cliOnlyCases(rec: FamilyRecorder, dir: string, cacheDir: string, rules: Map<ModelKindName, RangeRules>): Promise<void> {
  const write = (name: string, text: string): { file: string; text: string } => {
    const file = join(dir, name);
    writeFileSync(file, text, 'utf8');
    return { file, text: readFileSync(file, 'utf8') };
  };
  // Standard input: a pipe carries UTF-8 as a file does (a lone surrogate arrives as U+FFFD).
  for (const [name, kind] of [['lone high surrogate', 'causal'], ['random bytes as Latin-1', 'masked'], ['1 MB selection', 'masked']] as const) {
    const t = byName(name);
    const raw = t.make();
    await analyzeCase(rec, t, { stdin: raw }, Buffer.from(raw, 'utf8').toString('utf8'), kind, rules.get(kind)!, cacheDir);
  }
  const mixed = write('mixed.txt', [byName('ZWJ emoji families'), byName('mixed scripts in one word'), byName('combining mark stack (zalgo)'), byName('literal [MASK]')].map((t) => t.make()).join('\n'));
  for (const kind of Object.keys(MODELS) as ModelKindName[]) {
    await rec.run(`emoji, mixed scripts, zalgo, [MASK] · --words · ${kind}`, 'cli', CLI_BOUND_MS.small, async (signal) => {
      const r = await cli(['analyze', '--json', '--words', '--model', MODELS[kind], '--file', mixed.file], cacheDir, signal);
      expect(r.code === 0, `exit ${r.code}: ${short(r.stderr, 200)}`);
      const json = JSON.parse(r.stdout) as { tokens: CliToken[]; words: { text: string; start: number; end: number; tokenIndices: number[]; special: boolean }[] };
      expectNoProblems(tokenProblems(rules.get(kind)!, mixed.text, json.tokens), 'ranges');
      expectNoProblems(wordProblems(mixed.text, json, json.words), 'words');
      return `${json.words.length} words`;
    });
  }
  const bidi = write('bidi.txt', byName('mixed direction with bidi controls').make());
  await rec.run('mixed direction with bidi controls · --mask · masked', 'cli', CLI_BOUND_MS.small, async (signal) => {
    const at = bidi.text.indexOf('river');
    const r = await cli(['analyze', '--json', '--model', MODELS.masked, '--mask', `${at}:${at + 5}`, '--file', bidi.file], cacheDir, signal);
    expect(r.code === 0, `exit ${r.code}: ${short(r.stderr, 200)}`);
    const json = JSON.parse(r.stdout) as { span?: { tokenIndices: number[]; positions: unknown[][]; fills: unknown[] } };
    expect(json.span && json.span.tokenIndices.length > 0 && json.span.positions.length === json.span.tokenIndices.length && json.span.fills.length > 0, `no span guesses in the JSON: ${short(r.stdout, 200)}`);
    return 'guesses';
  });
  const cjk = write('cjk.txt', `${byName('Chinese, Japanese, Korean mixed').make()} ${byName('full-width forms').make()} ${byName('CJK extension B').make()}`);
  await rec.run('CJK mixed, full-width, extension B · compare masked with causal', 'cli', CLI_BOUND_MS.small, async (signal) => {
    const r = await cli(['compare', '--json', '--model', MODELS.masked, '--with', MODELS.causal, '--file', cjk.file], cacheDir, signal);
    expect(r.code === 0, `exit ${r.code}: ${short(r.stderr, 200)}`);
    const json = JSON.parse(r.stdout) as { rows: { start: number; end: number; text: string }[] };
    const problems: string[] = [];
    let at = 0;
    for (const [i, row] of json.rows.entries()) {
      if (row.start < at || row.end < row.start || row.end > cjk.text.length) problems.push(`row ${i} [${row.start}, ${row.end}) out of order or outside the text`);
      else if (row.text !== cjk.text.slice(row.start, row.end)) problems.push(`row ${i} reads ${JSON.stringify(row.text)}, its range ${JSON.stringify(cjk.text.slice(row.start, row.end))}`);
      at = Math.max(at, row.end);
    }
    expect(json.rows.length > 0, 'no rows');
    expectNoProblems(problems, 'compare rows');
    return `${json.rows.length} rows`;
  });
  const tooBig = write('too-big.txt', byName('one character over the limit').make());
  await rec.run('one character over the limit · compare masked with causal', 'cli', CLI_BOUND_MS.big, async (signal) => {
    const r = await cli(['compare', '--json', '--model', MODELS.masked, '--with', MODELS.causal, '--file', tooBig.file], cacheDir, signal);
    const code = refusalOf(r);
    expectEnding(code, ['INPUT_TOO_LARGE'], 'compare');
    return code;
  });
  const markup = write('markup.txt', HOSTILE_TEXTS.filter((t) => t.cls === 'markup').map((t) => `${t.make()} bank`).join('\n'));
  await rec.run('every markup text · senses bank · masked', 'cli', CLI_BOUND_MS.small, async (signal) => {
    const r = await cli(['senses', '--json', '--model', MODELS.masked, '--word', 'bank', markup.file], cacheDir, signal);
    expect(r.code === 0, `exit ${r.code}: ${short(r.stderr, 200)}`);
    const json = JSON.parse(r.stdout) as { occurrences: { start: number; end: number }[] };
    expect(json.occurrences.length > 0, 'no occurrence');
    expect(json.occurrences.every((o) => markup.text.slice(o.start, o.end).toLowerCase() === 'bank'), 'an occurrence is not "bank"');
    return `${json.occurrences.length} occurrences`;
  });
  const binary = write('binary.txt', byName('NUL in text').make());
  await rec.run('NUL in text · senses · masked', 'cli', CLI_BOUND_MS.small, async (signal) => {
    const r = await cli(['senses', '--json', '--model', MODELS.masked, '--word', 'bank', binary.file], cacheDir, signal);
    const code = refusalOf(r);
    expectEnding(code, ['NO_OCCURRENCES'], 'senses');
    return code;
  });
}
