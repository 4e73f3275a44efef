// Packages the extension for linux-x64: production build (package.json "vscode:prepublish", run by
// vsce), then `vsce package --target linux-x64`. .vscodeignore keeps sources, tests, fixtures and other
// platforms' native binaries out. Prints the VSIX path and size.
//
// Usage: node scripts/package-vsix.mjs [--out FILE]
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { repoRoot, secondsSince } from './codeServer.mjs';

export const TARGET = 'linux-x64';

/** @returns {{ vsix: string, bytes: number, seconds: string }} */
export function packageVsix({ out } = {}) {
  const t0 = performance.now();
  const { name, version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const vsix = resolve(out ?? join(repoRoot, `${name}-${version}-${TARGET}.vsix`));
  rmSync(vsix, { force: true });
  const vsce = join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  // --skip-license: only skips vsce's interactive "no LICENSE file, continue?" question.
  const res = spawnSync(process.execPath, [vsce, 'package', '--target', TARGET, '--out', vsix, '--skip-license'],
    { cwd: repoRoot, stdio: 'inherit' });
  if (res.status !== 0) throw new Error(`vsce package failed (exit ${res.status ?? res.signal})`);
  const bytes = statSync(vsix).size;
  return { vsix, bytes, seconds: secondsSince(t0) };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  try {
    const { vsix, bytes, seconds } = packageVsix(values);
    console.log(`VSIX ${vsix}: ${(bytes / 1024 / 1024).toFixed(1)} MB (${seconds} s)`);
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
