// The build and the test runners fail loudly: a missing build entry, a test layer that ran no test and
// an in-host folder without suites are errors, never a quiet pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { countTests } from '../../scripts/testCount.mjs';
import { discoverSuites, loadSuites } from '../inhost/suites';

function inTempDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'context-lens-tooling-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the build fails, naming every missing entry, where its entries do not exist', () => {
  inTempDir((dir) => {
    const r = spawnSync(process.execPath, [resolve('scripts/build.mjs')], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    for (const entry of ['src/extension/main.ts', 'src/engine/worker.ts', 'src/cli/main.ts', 'bench/bench.ts', 'test/inhost/index.ts', 'webview/main.ts', 'test/unit/*.test.ts', 'test/inhost/*.suite.ts']) {
      assert.ok(r.stderr.includes(entry), `names ${entry}: ${r.stderr}`);
    }
  });
});

const summary = (counts: Record<string, number>, mark = 'ℹ'): string => Object.entries(counts).map(([k, v]) => `${mark} ${k} ${v}`).join('\n');

test('countTests reads the closing summary of node --test, spec and TAP, coloured or not', () => {
  const spec = `✔ a (1.2ms)\n﹣ b (0.1ms) # SKIP\n${summary({ tests: 3, suites: 0, pass: 1, fail: 1, cancelled: 0, skipped: 1, todo: 0 })}\nℹ duration_ms 12.5\n`;
  assert.deepEqual(countTests(spec), { tests: 3, pass: 1, fail: 1, cancelled: 0, skipped: 1, todo: 0, ran: 2 });
  const tap = `TAP version 13\nok 1 - a\n${summary({ tests: 2, pass: 2, fail: 0, cancelled: 0, skipped: 0, todo: 0 }, '#')}\n`;
  assert.equal(countTests(tap)?.ran, 2);
  assert.equal(countTests('\u001b[34mℹ tests 4\u001b[39m\n\u001b[34mℹ skipped 1\u001b[39m\n')?.ran, 3);
});

test('countTests: a run whose tests were all filtered out ran none; output without a summary has no count', () => {
  assert.equal(countTests(summary({ tests: 3, pass: 0, fail: 0, skipped: 3 }))?.ran, 0);
  assert.equal(countTests(''), undefined);
  assert.equal(countTests('Error: Cannot find module dist/test/unit/x.test.js\n'), undefined);
  // Two runs (one per code-server of the e2e layer) add up.
  assert.equal(countTests(`${summary({ tests: 2, skipped: 0 })}\n${summary({ tests: 5, skipped: 1 })}`)?.ran, 6);
});

test('the in-host runner finds every *.suite.js in its folder, in name order, and names tests "suite: test"', () => {
  inTempDir((dir) => {
    writeFileSync(join(dir, 'zeta.suite.js'), "exports.tests = [{ name: 'last', run: async () => {} }];");
    writeFileSync(join(dir, 'alpha.suite.js'), "exports.tests = [{ name: 'one', run: async () => {} }, { name: 'two', run: async () => {}, timeoutMs: 5 }];");
    writeFileSync(join(dir, 'index.js'), 'throw new Error("the runner itself is not a suite");');
    writeFileSync(join(dir, 'alpha.suite.js.map'), '{}');
    assert.deepEqual(discoverSuites(dir), ['alpha.suite.js', 'zeta.suite.js']);
    const tests = loadSuites(dir);
    assert.deepEqual(tests.map((t) => t.name), ['alpha: one', 'alpha: two', 'zeta: last']);
    assert.equal(tests[1].timeoutMs, 5);
  });
});

test('the in-host runner fails on a folder without suites and on a suite without a tests list', () => {
  inTempDir((dir) => {
    assert.throws(() => loadSuites(dir), /no in-host suites \(\*\.suite\.js\) in /);
    writeFileSync(join(dir, 'broken.suite.js'), 'exports.cases = [];');
    assert.throws(() => loadSuites(dir), /broken\.suite\.js exports no `tests` list/);
  });
});
