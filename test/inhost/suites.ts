/**
 * Finds the in-host suites: every `*.suite.js` bundle beside the runner (scripts/build.mjs bundles each
 * `test/inhost/*.suite.ts` there), as rust-analyzer's `editors/code/tests/unit/index.ts` finds its tests.
 * A new suite file is picked up without registering it anywhere; a folder with none fails the run.
 * No `vscode` import: unit-tested in plain Node.
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface InHostTest {
  name: string;
  run: () => Promise<void>;
  /** Default 60 s. */
  timeoutMs?: number;
}

const SUITE_SUFFIX = '.suite.js';

/** The suite bundles in `dir`, sorted by name. */
export function discoverSuites(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith(SUITE_SUFFIX)).sort();
}

/**
 * Every test of every suite in `dir`, named "suite: test" (the suite is the file name without
 * `.suite.js`). Throws when `dir` holds no suite, or a suite exports no `tests` list.
 */
export function loadSuites(dir: string, load: (path: string) => unknown = require): InHostTest[] {
  const files = discoverSuites(dir);
  if (!files.length) throw new Error(`no in-host suites (*${SUITE_SUFFIX}) in ${dir}: build first (node scripts/build.mjs)`);
  return files.flatMap((file) => {
    const suite = basename(file, SUITE_SUFFIX);
    const { tests } = (load(join(dir, file)) ?? {}) as { tests?: InHostTest[] };
    if (!Array.isArray(tests)) throw new Error(`${join(dir, file)} exports no \`tests\` list`);
    return tests.map((t) => ({ ...t, name: `${suite}: ${t.name}` }));
  });
}
