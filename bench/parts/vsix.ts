/**
 * vsix: the size of every target's VSIX (scripts/package-vsix.mjs --target all), packaged by this run
 * when any is missing from the repository root.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_TARGETS, MAX_VSIX_BYTES } from '../../scripts/vsixContents.mjs';
import type { BenchContext } from '../context';
import { log, REPO } from '../options';
import { figure, single } from '../stats';

export function part(c: BenchContext): void {
  const { name, version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string; version: string };
  const fileOf = (target: string) => `${name}-${version}-${target}.vsix`;
  let note = 'existing package in the repo root';
  const missing = ALL_TARGETS.filter((t) => !existsSync(join(REPO, fileOf(t))));
  if (missing.length) {
    log(`no ${missing.map(fileOf).join(', ')}: running scripts/package-vsix.mjs --target all`);
    const r = spawnSync(process.execPath, [join(REPO, 'scripts/package-vsix.mjs'), '--target', 'all'], { cwd: REPO, stdio: 'inherit' });
    note = `packaged by this run (scripts/package-vsix.mjs --target all, exit ${r.status})`;
  }
  const limitMb = MAX_VSIX_BYTES / 1024 / 1024;
  for (const target of ALL_TARGETS) {
    const file = join(REPO, fileOf(target));
    if (!existsSync(file)) {
      c.add(figure(`VSIX size ${target}: not packaged`, single(NaN), 'MB', { target: `≤ ${limitMb} MB`, met: null, note }));
      continue;
    }
    const mb = statSync(file).size / 1024 / 1024;
    c.add(figure(`VSIX size ${target} (${fileOf(target)})`, single(mb), 'MB', { target: `≤ ${limitMb} MB`, met: mb <= limitMb, note: `${note}; ${statSync(file).mtime.toISOString()}` }));
  }
}
