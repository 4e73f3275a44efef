// Runs the in-host suite (dist/test/inhost/index.js) inside code-server's extension host, offline:
// the web equivalent of @vscode/test-electron's extensionTestsPath. code-server is started with
// `--vscode-option enable-smoke-test-driver`, which makes the workbench honour
//   ?payload=[["extensionDevelopmentPath", …], ["extensionTestsPath", …]]
// and report the tests' output and exit code to window.codeAutomationLog / codeAutomationExit,
// which Playwright exposes here.
//
// Extension under test (VS Code runs extension tests only with an extensionDevelopmentPath):
//   --vsix FILE     (default mode) install the packaged VSIX — what users install — and use the
//                   installed copy as the development path: the tests exercise the packaged files.
//   --devpath DIR   load the extension from a folder (e.g. the repo) without packaging.
//
// Usage: node test/inhost/runInCodeServer.mjs (--vsix FILE | --devpath DIR) [--tests FILE]
//          [--workspace DIR] [--timeout SECONDS] [--grep TEXT]
// Exit code: the extension host's (0 = every test passed).
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { demoFolder, ensureTools, exitOnSignals, demoModel, installVsix, repoRoot, secondsSince, startCodeServer } from '../../scripts/codeServer.mjs';
import { launchBrowser, screenshot } from '../e2e/harness.mjs';

/**
 * @param {object} o
 * @param {string} [o.vsix]        packaged extension to install
 * @param {string} [o.devPath]     or: extension folder to load
 * @param {string} [o.tests]       bundled test module exporting run()
 * @param {string} [o.workspace]
 * @param {number} [o.timeoutSeconds]
 * @param {string} [o.grep]        CONTEXT_LENS_INHOST_GREP
 * @param {Record<string, string>} [o.env]  more environment for the extension host (e.g. CONTEXT_LENS_EXPECT_BACKEND)
 * @param {ReturnType<typeof ensureTools>} [o.tools]
 * @returns {Promise<number>} exit code
 */
export async function runInCodeServer({ vsix, devPath, tests = join(repoRoot, 'dist/test/inhost/index.js'), workspace = demoFolder,
  timeoutSeconds = 240, grep, env: moreEnv = {}, tools = ensureTools() }) {
  if (!vsix === !devPath) throw new Error('give exactly one of vsix / devPath');
  if (!existsSync(tests)) throw new Error(`${tests} missing: build first (node scripts/build.mjs)`);
  const t0 = performance.now();
  let extensionsDir, extensionPath = devPath && resolve(devPath);
  if (vsix) {
    ({ extensionsDir, extensionPath } = await installVsix(tools, vsix));
    console.log(`[inhost] installed ${vsix} in ${secondsSince(t0)} s`);
  }
  const env = { CONTEXT_LENS_MODEL: process.env.CONTEXT_LENS_MODEL || demoModel, ...moreEnv };
  if (grep) env.CONTEXT_LENS_INHOST_GREP = grep;
  const t1 = performance.now();
  const cs = await startCodeServer({ tools, workspace, extensionsDir, smokeTestDriver: true, env, label: 'code-server-inhost' });
  console.log(`[inhost] code-server ${cs.url} ready in ${secondsSince(t1)} s (model ${env.CONTEXT_LENS_MODEL})`);
  let browser;
  try {
    browser = await launchBrowser();
    const { page } = browser;
    let finish;
    const exited = new Promise((r) => { finish = r; });
    // The workbench logs through the same hook: echo only what follows the suite's first line
    // ("# in-host: running …"); everything goes to test-results/inhost.log.
    const transcript = [];
    let echo = false;
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const text = (Array.isArray(args) ? args : [args]).map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
      for (const line of text.split('\n')) {
        transcript.push(`[${type}] ${line}`);
        echo ||= line.startsWith('# in-host: running');
        if (echo) console.log(`  ${line}`);
      }
    });
    await page.exposeFunction('codeAutomationExit', (code) => finish(Number(code)));
    const payload = [['extensionDevelopmentPath', cs.remoteUri(extensionPath)], ['extensionTestsPath', cs.remoteUri(tests)]];
    const t2 = performance.now();
    await page.goto(cs.workbenchUrl({ payload }));
    let timer;
    const code = await Promise.race([exited, new Promise((r) => { timer = setTimeout(() => r('timeout'), timeoutSeconds * 1000); })]);
    clearTimeout(timer);
    console.log(`[inhost] extension host exited with ${code} after ${secondsSince(t2)} s`);
    mkdirSync(join(repoRoot, 'test-results'), { recursive: true });
    writeFileSync(join(repoRoot, 'test-results', 'inhost.log'), transcript.join('\n') + '\n');
    if (code !== 0) {
      if (!echo) console.log(`[inhost] the suite did not start; last workbench log lines:\n${transcript.slice(-40).join('\n')}`);
      const shot = await screenshot(page, 'inhost-failure').catch(() => null);
      if (shot) console.log(`[inhost] screenshot ${shot}; server logs in test-results/code-server-inhost*`);
    }
    return code === 0 ? 0 : 1;
  } finally {
    await browser?.close();
    await cs.stop();
    if (extensionsDir) rmSync(extensionsDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  exitOnSignals();
  const { values } = parseArgs({ options: {
    vsix: { type: 'string' }, devpath: { type: 'string' }, tests: { type: 'string' }, workspace: { type: 'string' },
    timeout: { type: 'string' }, grep: { type: 'string' },
  } });
  const code = await runInCodeServer({
    vsix: values.vsix, devPath: values.devpath, tests: values.tests && resolve(values.tests),
    workspace: values.workspace && resolve(values.workspace), timeoutSeconds: values.timeout ? Number(values.timeout) : undefined, grep: values.grep,
  }).catch((e) => { console.error(`[inhost] ${e.stack ?? e}`); return 1; });
  process.exit(code);
}
