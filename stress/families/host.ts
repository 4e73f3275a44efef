/**
 * The extension-host families: starts a real VS Code (code-server, through the in-host runner
 * test/inhost/runInCodeServer.mjs) with this repository as the development extension and the bundle
 * dist/stress/host.js (stress/host/) as its tests, then reads back what that bundle recorded.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO, wants, type StressContext } from '../context';
import type { FamilyName, FamilyResult } from '../record';

export const families = ['hostile-host', 'engine-death', 'rapid'] as const satisfies readonly FamilyName[];

/** The whole host part: code-server start, then every case (the full campaign's 100 commands, 300 hovers, …). */
const BOUND_S = { quick: 300, full: 1200 };

export async function run(c: StressContext): Promise<void> {
  const wanted = families.filter((f) => wants(c.o, f));
  const dir = mkdtempSync(join(tmpdir(), 'context-lens-stress-'));
  const out = join(dir, 'host-results.json');
  const t0 = performance.now();
  try {
    // The runner is the repository's own .mjs (not bundled): load it at run time.
    const runner = (await import(pathToFileURL(join(REPO, 'test', 'inhost', 'runInCodeServer.mjs')).href)) as {
      runInCodeServer(o: { devPath: string; tests: string; timeoutSeconds: number; env: Record<string, string> }): Promise<number>;
    };
    const code = await runner.runInCodeServer({
      devPath: REPO,
      tests: join(REPO, 'dist', 'stress', 'host.js'),
      timeoutSeconds: c.o.quick ? BOUND_S.quick : BOUND_S.full,
      env: { CONTEXT_LENS_STRESS_OUT: out, CONTEXT_LENS_STRESS_QUICK: c.o.quick ? '1' : '0', CONTEXT_LENS_STRESS_ONLY: wanted.join(',') },
    });
    if (existsSync(out)) c.addResults(JSON.parse(readFileSync(out, 'utf8')) as FamilyResult[]);
    if (code !== 0 || !existsSync(out)) {
      c.family(wanted[0]).add({ name: 'the extension host run', layer: 'host', ok: false, ms: Math.round(performance.now() - t0), outcome: `exit ${code}`, problem: existsSync(out) ? `the host run ended with exit code ${code} (test-results/inhost.log)` : 'the host run recorded nothing (test-results/inhost.log)' });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
