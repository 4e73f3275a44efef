// Packages the extension: production build (package.json "vscode:prepublish", run by vsce), then
// `vsce package` once per target. A platform VSIX (`vsce package --target T`) holds only T's
// onnxruntime-node binaries; the universal VSIX (no --target) holds none and runs on onnxruntime-web's
// WebAssembly build wherever it is installed (darwin-x64, alpine-*, any platform without a platform VSIX).
// .vscodeignore lists what the universal VSIX leaves out (sources, tests, fixtures, sharp, every native
// binary); a platform's ignore file is .vscodeignore plus a line taking back that platform's binaries,
// written to tmp/vsce/ and passed with --ignoreFile.
// Every VSIX's file list is checked (checkVsixContents) and its size printed.
//
// Usage: node scripts/package-vsix.mjs [--target linux-x64|…|universal|all] [--out FILE]
//   --target  default linux-x64 (the one the in-host and e2e layers install); `all`: every target
//   --out     the VSIX path (one target only)
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { repoRoot, secondsSince } from './codeServer.mjs';
import { ALL_TARGETS, checkVsixContents, ignoreFileText, PLATFORM_TARGETS, UNIVERSAL } from './vsixContents.mjs';

export { ALL_TARGETS, PLATFORM_TARGETS, UNIVERSAL } from './vsixContents.mjs';

export const TARGET = 'linux-x64';
/** .vscodeignore, plus for a platform VSIX the line that takes back its own native runtime. */
function ignoreFileFor(target) {
  return ignoreFileText(target, readFileSync(join(repoRoot, '.vscodeignore'), 'utf8'));
}

/** The VSIX for the machine this runs on: its platform's, or the universal one where there is none. */
export function hostTarget() {
  const target = `${process.platform}-${process.arch}`;
  return PLATFORM_TARGETS.includes(target) ? target : UNIVERSAL;
}

export function vsixPath(target) {
  const { name, version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  return join(repoRoot, `${name}-${version}-${target}.vsix`);
}

/**
 * The README's relative links and images (docs/*.png, which no VSIX carries) point at the repository, as vsce
 * does by itself for a GitHub or GitLab URL; package.json's `repository.url` is a placeholder a publisher
 * replaces (README "Installing it"), and without these arguments vsce refuses to package.
 */
function readmeLinkArgs() {
  const { repository } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const base = String(repository?.url ?? repository ?? '').replace(/\.git$/, '');
  if (/github\.com|gitlab\.com/.test(base) || !base) return [];
  return ['--baseContentUrl', `${base}/blob/main/`, '--baseImagesUrl', `${base}/raw/main/`];
}

/** @returns {{ target: string, vsix: string, bytes: number, seconds: string }} */
export function packageVsix({ target = TARGET, out } = {}) {
  const t0 = performance.now();
  const vsix = resolve(out ?? vsixPath(target));
  rmSync(vsix, { force: true });
  const ignoreDir = join(repoRoot, 'tmp', 'vsce');
  mkdirSync(ignoreDir, { recursive: true });
  const ignoreFile = join(ignoreDir, `${target}.vscodeignore`);
  writeFileSync(ignoreFile, ignoreFileFor(target));
  const vsce = join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  const targetArgs = target === UNIVERSAL ? [] : ['--target', target];
  const res = spawnSync(process.execPath, [vsce, 'package', ...targetArgs, ...readmeLinkArgs(), '--ignoreFile', ignoreFile, '--out', vsix],
    { cwd: repoRoot, stdio: 'inherit' });
  if (res.status !== 0) throw new Error(`vsce package ${target} failed (exit ${res.status ?? res.signal})`);
  const bytes = statSync(vsix).size;
  return { target, vsix, bytes, seconds: secondsSince(t0) };
}

/** The entry names of a zip file, read from its central directory (a VSIX is a zip). */
export function zipEntryNames(file) {
  const buf = readFileSync(file);
  // End of central directory record: signature 0x06054b50, within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error(`${file}: not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const names = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: broken central directory`);
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    names.push(buf.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

export const megabytes = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Packages each target and checks its file list; throws listing every problem of every target. */
export function packageAndCheck(targets) {
  const results = [];
  const problems = [];
  for (const target of targets) {
    const p = packageVsix({ target });
    const names = zipEntryNames(p.vsix);
    const found = checkVsixContents(target, names, p.bytes);
    results.push({ ...p, files: names.length, problems: found });
    problems.push(...found.map((f) => `${target}: ${f}`));
  }
  for (const r of results) {
    console.log(`VSIX ${r.target.padEnd(12)} ${megabytes(r.bytes).padStart(8)}  ${String(r.files).padStart(5)} files  ${r.vsix.slice(repoRoot.length + 1)}  (${r.seconds} s)`);
  }
  if (problems.length) throw new Error(`VSIX contents:\n  ${problems.join('\n  ')}`);
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, target: { type: 'string', default: TARGET } } });
  try {
    const targets = values.target === 'all' ? ALL_TARGETS : [values.target];
    if (values.out && targets.length > 1) throw new Error('--out names one VSIX: give one --target');
    if (values.out) {
      const { vsix, bytes, seconds } = packageVsix(values);
      console.log(`VSIX ${vsix}: ${megabytes(bytes)} (${seconds} s)`);
    } else {
      packageAndCheck(targets);
    }
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
