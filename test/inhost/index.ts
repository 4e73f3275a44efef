/**
 * In-host integration tests: this module runs INSIDE a real VS Code extension host, loaded as the
 * `extensionTestsPath` of @vscode/test-electron (run() resolves = pass, rejects = fail). The same bundle
 * (dist/test/inhost/index.js) runs in code-server (test/inhost/runInCodeServer.mjs) and in desktop
 * VS Code (test/inhost/runInElectron.mjs, .vscode-test.mjs).
 *
 * Each `test/inhost/*.suite.ts` exports `tests: InHostTest[]`; scripts/build.mjs bundles it to
 * `dist/test/inhost/*.suite.js`, where this runner finds it (./suites.ts).
 *
 * Env (passed through to the extension host): CONTEXT_LENS_INHOST_GREP=<substring> runs only the
 * tests whose "suite: name" contains it.
 */
import * as vscode from 'vscode';
import { loadSuites, type InHostTest } from './suites';

export type { InHostTest };

/** Every test, named "suite: name" (the mocha adapter for @vscode/test-cli registers these too). */
export const tests: InHostTest[] = loadSuites(__dirname);

const DEFAULT_TIMEOUT_MS = 60_000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export async function run(): Promise<void> {
  const grep = process.env.CONTEXT_LENS_INHOST_GREP;
  const started = Date.now();
  const selected = grep ? tests.filter((t) => t.name.includes(grep)) : tests;
  console.log(`# in-host: running ${selected.length} tests in VS Code ${vscode.version}${grep ? ` (grep "${grep}")` : ''}`);
  let passed = 0;
  const failures: string[] = [];
  for (const test of selected) {
    const t0 = Date.now();
    try {
      await withTimeout(test.run(), test.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      passed++;
      console.log(`ok - ${test.name} (${Date.now() - t0} ms)`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      failures.push(test.name);
      console.log(`not ok - ${test.name}: ${message}`);
      const frames = err instanceof Error ? (err.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)).slice(0, 5) : [];
      if (frames.length) console.log(frames.join('\n'));
    }
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`# in-host: ${passed} passed, ${failures.length} failed (${seconds} s)`);
  if (passed + failures.length === 0) throw new Error(grep ? `no in-host test matches "${grep}"` : 'no in-host tests');
  if (failures.length) throw new Error(`${failures.length} in-host test(s) failed: ${failures.join('; ')}`);
}
