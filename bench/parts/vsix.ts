/** vsix: the size of each packaged VSIX in the repository root (packaged by this run when there is none). */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from '../context';
import { log, REPO } from '../options';
import { figure, single } from '../stats';

export function part(c: BenchContext): void {
  let files = readdirSync(REPO).filter((f) => f.endsWith('.vsix'));
  let note = 'existing package in the repo root';
  if (!files.length) {
    if (existsSync(join(REPO, 'scripts/package-vsix.mjs'))) {
      log('no *.vsix: running scripts/package-vsix.mjs (linux-x64)');
      const r = spawnSync(process.execPath, [join(REPO, 'scripts/package-vsix.mjs')], { cwd: REPO, stdio: 'inherit' });
      note = `packaged by this run (scripts/package-vsix.mjs, exit ${r.status})`;
      files = readdirSync(REPO).filter((f) => f.endsWith('.vsix'));
    }
    if (!files.length) {
      c.add(figure('VSIX: not packaged', single(NaN), 'MB', { target: '≤ 40 MB per platform', met: null, note: 'no *.vsix and no package script produced one' }));
      return;
    }
  }
  for (const f of files) {
    const mb = statSync(join(REPO, f)).size / 1024 / 1024;
    const platform = /-(linux|darwin|win32|alpine)-(x64|arm64|armhf)\.vsix$/.exec(f)?.slice(1).join('-') ?? 'universal';
    c.add(figure(`VSIX size ${platform} (${f})`, single(mb), 'MB', { target: '≤ 40 MB', met: mb <= 40, note: `${note}; ${statSync(join(REPO, f)).mtime.toISOString()}` }));
  }
}
