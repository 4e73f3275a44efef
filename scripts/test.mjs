// `npm test`: every test layer, each timed; exit code non-zero if any layer fails.
//   setup   scripts/ci-setup.sh: Node 24, code-server, chromium (cached outside the clone)
//   build   node scripts/build.mjs
//   unit    node --test dist/test/unit/
//   stress  node dist/stress/stress.js --quick: the reliability campaign's quick variant (RELIABILITY.md),
//           its extension-host part in a code-server of its own, the extension loaded from the repo
//   package scripts/package-vsix.mjs --target all: every platform VSIX and the universal one, each
//           one's file list checked and its size printed; the linux-x64 VSIX is the one installed below
//   inhost  dist/test/inhost/index.js inside code-server's extension host, extension installed from the VSIX
//           (linux-x64, native runtime); then again from the universal VSIX, which must run on WebAssembly
//   e2e     test/e2e/*.e2e.test.mjs (node:test + Playwright + Chromium) against one code-server;
//           test/e2e/*.<locale>.e2e.test.mjs against another one in that display language (e.g. zh-cn)
//
// Usage: npm test [-- --only unit|stress|inhost|e2e[,…]] [--devpath] [--grep TEXT] [e2e test files…]
//   --only     run only these test layers (plus what they need: build, package)
//   --devpath  load the extension from the repo instead of the VSIX (skips packaging)
//   --grep     in-host tests whose "suite: name" contains TEXT; e2e tests whose name matches TEXT
// The in-host and e2e layers set CONTEXT_LENS_MODEL to the demo model (assets/demo-model) unless it is set.
// A layer that ran no test fails (a missing folder, a build that dropped the tests, a --grep that
// matches nothing): never a quiet pass.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { demoFolder, ensureTools, exitOnSignals, demoModel, installVsix, repoRoot, secondsSince, spawnGroup, startCodeServer, stopGroup } from './codeServer.mjs';
import { ALL_TARGETS, packageAndCheck, TARGET, UNIVERSAL } from './package-vsix.mjs';
import { countTests } from './testCount.mjs';
import { runInCodeServer } from '../test/inhost/runInCodeServer.mjs';

const LAYERS = ['unit', 'stress', 'inhost', 'e2e'];
// The quick campaign takes a minute or two; the bound catches a hang.
const STRESS_TIMEOUT_S = 600;
// The whole e2e batch (one code-server, files in turn): about 11 minutes on 2 cores with 13 files; the bound
// catches a hang, not a slow machine.
const E2E_TIMEOUT_S = 1500;

const { values: opts, positionals: e2eFiles } = parseArgs({
  allowPositionals: true,
  options: { only: { type: 'string' }, devpath: { type: 'boolean', default: false }, grep: { type: 'string' } },
});
const only = opts.only ? opts.only.split(',').map((s) => s.trim()) : LAYERS;
const bad = only.filter((l) => !LAYERS.includes(l));
if (bad.length) { console.error(`unknown layer(s) ${bad.join(', ')}: choose from ${LAYERS.join(', ')}`); process.exit(2); }
const wants = (l) => only.includes(l);
const needsVsCode = wants('inhost') || wants('e2e') || wants('stress');
process.env.CONTEXT_LENS_MODEL ||= demoModel;
exitOnSignals();

/**
 * Runs a command in its own process group (ended with it on Ctrl-C); resolves with its exit code.
 * `capture`: its standard output is also kept (still echoed as it comes) and resolved as `output`.
 */
function run(cmd, args, { timeoutS, env, capture = false } = {}) {
  return new Promise((resolve) => {
    // Piped, node --test would drop its colours: keep them when we print to a terminal.
    const colour = capture && process.stdout.isTTY ? { FORCE_COLOR: '1' } : {};
    const child = spawnGroup(cmd, args, { cwd: repoRoot, stdio: ['inherit', capture ? 'pipe' : 'inherit', 'inherit'], env: { ...process.env, ...colour, ...env } });
    let output = '';
    child.stdout?.on('data', (d) => { output += d; process.stdout.write(d); });
    const timer = timeoutS && setTimeout(() => { console.error(`${cmd} ${args.join(' ')}: timed out after ${timeoutS} s`); stopGroup(child); }, timeoutS * 1000);
    let exitCode;
    const done = () => { clearTimeout(timer); resolve({ code: exitCode, output }); };
    child.on('exit', (code, signal) => {
      exitCode = code ?? (signal ? 1 : 0);
      // A grandchild left holding the pipe must not hold the run: its output has had its chance.
      if (capture) setTimeout(done, 5000).unref();
      else done();
    });
    child.on('close', () => { if (exitCode !== undefined) done(); });
  });
}

/** Runs `node --test …` and counts what it ran: { code, ran } (ran 0 when it printed no summary). */
async function nodeTest(args, options) {
  const { code, output } = await run(process.execPath, ['--test', '--test-reporter=spec', ...args], { ...options, capture: true });
  return { code, ran: countTests(output)?.ran ?? 0 };
}

/** A layer's result from its node --test runs: the first failing exit code; an error when none ran a test. */
function testLayerResult(runs) {
  if (runs.every((r) => r.code === 0) && !runs.some((r) => r.ran)) throw new Error('ran no test');
  return runs.find((r) => r.code !== 0)?.code ?? 0;
}

const results = [];
/** Runs one layer: prints its banner and wall time, records pass/fail. Returns true when it passed. */
async function layer(name, fn) {
  console.log(`\n=== ${name}`);
  const t0 = performance.now();
  let ok, note = '';
  try {
    const r = await fn(); // an exit code, a note (passed), or nothing (passed); throws when it fails
    ok = typeof r === 'number' ? r === 0 : true;
    if (typeof r === 'string') note = r;
  } catch (e) {
    ok = false;
    console.error(`${name}: ${e.message ?? e}`);
  }
  const seconds = secondsSince(t0);
  results.push({ name, ok, seconds, note });
  console.log(`=== ${name}: ${ok ? 'ok' : 'FAILED'} (${seconds} s)${note ? ` ${note}` : ''}`);
  return ok;
}

function summary() {
  console.log('\n=== summary');
  for (const r of results) console.log(`${r.ok ? 'ok    ' : 'FAILED'} ${r.name.padEnd(10)} ${r.seconds.padStart(6)} s ${r.note}`);
  const failed = results.filter((r) => !r.ok);
  console.log(failed.length ? `${failed.length} layer(s) failed: ${failed.map((r) => r.name).join(', ')}` : 'all layers passed');
  return failed.length ? 1 : 0;
}

/** test/e2e/NAME.<locale>.e2e.test.mjs (e.g. l10n.zh-cn.e2e.test.mjs) runs in a VS Code whose display language is <locale>. */
const localeOf = (file) => /\.([a-z]{2}(?:-[a-z]{2,4})?)\.e2e\.test\.mjs$/i.exec(file)?.[1].toLowerCase();

async function e2e(tools, vsix) {
  const files = e2eFiles.length ? e2eFiles
    : readdirSync(join(repoRoot, 'test/e2e')).filter((f) => f.endsWith('.e2e.test.mjs')).sort().map((f) => join('test/e2e', f));
  if (!files.length) throw new Error('no e2e tests (test/e2e/*.e2e.test.mjs)');
  // One code-server for the English tests; one more per display language that a test file asks for.
  const groups = new Map();
  for (const f of files) {
    const locale = localeOf(f) ?? '';
    groups.set(locale, [...(groups.get(locale) ?? []), f]);
  }
  let install;
  if (vsix) install = await installVsix(tools, vsix);
  try {
    const runs = [];
    for (const [locale, group] of [...groups].sort(([a], [b]) => a.localeCompare(b))) runs.push(await e2eGroup(tools, vsix, install, group, locale || undefined));
    return testLayerResult(runs);
  } finally {
    if (install) rmSync(install.extensionsDir, { recursive: true, force: true });
  }
}

/** Runs `files` (node --test) against a fresh code-server, in display language `locale` when given: { code, ran }. */
async function e2eGroup(tools, vsix, install, files, locale) {
  const t0 = performance.now();
  const cs = await startCodeServer({
    tools, workspace: demoFolder, extensionsDir: install?.extensionsDir, label: locale ? `code-server-e2e-${locale}` : 'code-server-e2e',
    env: { CONTEXT_LENS_MODEL: process.env.CONTEXT_LENS_MODEL },
    // --devpath: no package; the workbench loads the repo as a development extension.
    smokeTestDriver: !vsix,
    locale,
  });
  console.log(`code-server ${cs.url}${locale ? ` (display language ${locale})` : ''} ready in ${secondsSince(t0)} s`);
  try {
    const workbench = vsix ? cs.workbenchUrl() : cs.workbenchUrl({ payload: [['extensionDevelopmentPath', cs.remoteUri(repoRoot)]] });
    return await nodeTest(['--test-concurrency=1', ...(opts.grep ? ['--test-name-pattern', opts.grep] : []), ...files], {
      timeoutS: E2E_TIMEOUT_S,
      env: {
        CONTEXT_LENS_E2E_URL: cs.url, CONTEXT_LENS_E2E_WORKSPACE: demoFolder, CONTEXT_LENS_E2E_WORKBENCH: workbench,
        CONTEXT_LENS_E2E_LOGS: join(cs.runDir, 'user-data', 'logs'), CONTEXT_LENS_CHROMIUM: tools.chromium,
      },
    });
  } finally {
    await cs.stop();
  }
}

const tStart = performance.now();
let tools, vsix, universalVsix;
if (needsVsCode && !(await layer('setup', () => { tools = ensureTools(); }))) process.exit(summary());
if (!(await layer('build', async () => (await run(process.execPath, ['scripts/build.mjs'])).code))) process.exit(summary());

if (wants('unit')) {
  await layer('unit', async () => {
    const dir = join(repoRoot, 'dist/test/unit');
    if (!existsSync(dir) || !readdirSync(dir).some((f) => f.endsWith('.test.js'))) throw new Error('no unit tests in dist/test/unit');
    return testLayerResult([await nodeTest(['dist/test/unit/'])]);
  });
}

if (wants('stress')) {
  // It prints its own table; a failed case makes it exit non-zero.
  await layer('stress', async () => (await run(process.execPath, ['dist/stress/stress.js', '--quick'], { timeoutS: STRESS_TIMEOUT_S })).code);
}

if ((wants('inhost') || wants('e2e')) && !opts.devpath) {
  const ok = await layer('package', () => {
    const built = packageAndCheck(ALL_TARGETS);
    vsix = built.find((p) => p.target === TARGET).vsix;
    universalVsix = built.find((p) => p.target === UNIVERSAL).vsix;
    return built.map((p) => `${p.target} ${(p.bytes / 1024 / 1024).toFixed(1)} MB`).join(', ');
  });
  if (!ok) process.exit(summary());
}

if (wants('inhost')) {
  await layer('inhost', () => runInCodeServer({ tools, vsix, devPath: opts.devpath ? repoRoot : undefined, grep: opts.grep }));
  // The universal VSIX holds no native runtime: every in-host test again, on onnxruntime-web's WebAssembly
  // build, in a fresh profile (installVsix makes a new extensions folder).
  if (universalVsix) {
    await layer('inhost-universal', () => runInCodeServer({ tools, vsix: universalVsix, grep: opts.grep, env: { CONTEXT_LENS_EXPECT_BACKEND: 'wasm' } }));
  }
}
if (wants('e2e')) await layer('e2e', () => e2e(tools, vsix));

console.log(`\ntotal ${secondsSince(tStart)} s`);
process.exit(summary());
