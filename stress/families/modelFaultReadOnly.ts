/**
 * The cache folder not writable (chmod), through the CLI in a child process. chmod does not stop root,
 * so when the campaign runs as root the child runs as the unprivileged user `nobody`; the model folders
 * and dist/ must be readable by it (they are world-readable in a checkout).
 */
import { spawn } from 'node:child_process';
import { isContextLensError } from '../../src/engine/errors';
import { injectWriteFault } from '../../src/engine/fsUtil';
import { AnalysisSession } from '../../src/engine/session';
import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { MODELS, REPO, type ModelKindName } from '../context';
import { expect, type FamilyRecorder } from '../record';
import { cacheProblems } from './modelFaultCache';

const NOBODY = 65534;
const CLI = join(REPO, 'dist', 'cli.js');
const TEXT: Record<ModelKindName, string> = { masked: '我喜欢吃苹果。', causal: 'The cat sat on the mat.' };

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], asRoot: boolean, signal: AbortSignal): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, signal, ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Whether `nobody` can read what the CLI needs (a checkout under a 0700 home folder is out of its reach). */
function nobodyCanRead(): Promise<boolean> {
  const paths = [CLI, join(MODELS.masked, 'config.json'), join(MODELS.causal, 'config.json'), join(REPO, 'node_modules', '@huggingface', 'transformers', 'package.json'), join(REPO, 'node_modules', 'onnxruntime-node', 'package.json')];
  const script = `const fs = require('fs'); for (const p of ${JSON.stringify(paths)}) fs.accessSync(p, fs.constants.R_OK);`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], { uid: NOBODY, gid: NOBODY, stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  });
}

/**
 * Root, in a checkout `nobody` cannot read: chmod cannot stop root and no other user can run the CLI here,
 * so the refusal comes from the write seam answering EACCES for the cache folder (the error a read-only
 * folder gives), in-process; the case's name says so. The message and the clean-up are checked the same way.
 */
async function runInjectedReadOnly(rec: FamilyRecorder, kind: ModelKindName, root: string, boundMs: number): Promise<void> {
  await rec.run(`cache folder read-only (EACCES injected: nobody cannot read this checkout) · ${kind}`, 'engine', boundMs, async (signal) => {
    const cacheDir = mkdtempSync(join(root, 'read-only-'));
    const spec = { model: MODELS[kind], dtype: 'fp32' as const, device: 'cpu' as const, cacheDir, offline: true };
    const remove = injectWriteFault((path) => (path.startsWith(cacheDir) ? Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: 'EACCES', errno: -13, syscall: 'open', path }) : undefined));
    const refused = new AnalysisSession();
    try {
      await refused.load(spec, { signal });
      throw new Error('the load wrote into a folder that refuses writes');
    } catch (e) {
      expect(isContextLensError(e, 'CACHE_WRITE_FAILED'), `not CACHE_WRITE_FAILED: ${e instanceof Error ? e.message : String(e)}`);
      expect(/permission denied.*Make that folder writable/i.test(e.message), `the message does not say what to do: ${e.message}`);
    } finally {
      remove();
      await refused.dispose();
    }
    const left = cacheProblems(cacheDir);
    expect(left.length === 0, `after the fault: ${left.join('; ')}`);
    const mended = new AnalysisSession();
    try {
      await mended.load(spec, { signal });
      const a = await mended.analyze(TEXT[kind], 3, { signal });
      expect(a.tokens.length > 2, 'the analysis after mending has no tokens');
    } finally {
      await mended.dispose();
    }
    return 'CACHE_WRITE_FAILED';
  });
}

export async function runReadOnlyCache(rec: FamilyRecorder, kind: ModelKindName, root: string, boundMs: number): Promise<void> {
  const asRoot = process.getuid?.() === 0;
  if (asRoot && !(await nobodyCanRead())) return runInjectedReadOnly(rec, kind, root, boundMs);
  await rec.run(`cache folder read-only (chmod${asRoot ? ', the CLI run as nobody' : ', the CLI'}) · ${kind}`, 'cli', boundMs, async (signal) => {
    // The folders above must let the child through (mkdtemp makes them 0700), or the refusal proves nothing.
    chmodSync(root, 0o755);
    const dir = mkdtempSync(join(root, 'read-only-'));
    chmodSync(dir, 0o755);
    const cacheDir = join(dir, 'cache');
    mkdirSync(cacheDir);
    chmodSync(cacheDir, 0o555);
    const args = ['analyze', '--model', MODELS[kind], '--cache-dir', cacheDir, '--dtype', 'fp32', '--device', 'cpu', '--json', TEXT[kind]];
    const refused = await cli(args, asRoot, signal);
    expect(refused.code === 1, `exit code ${refused.code} instead of 1; stderr: ${refused.stderr.slice(-400)}`);
    expect(
      /cannot write its model cache .*: permission denied.*Make that folder writable \(or, on the command line, choose another one with --cache-dir\)/.test(refused.stderr),
      `the message does not say what to do: ${refused.stderr.slice(-400)}`,
    );
    const left = cacheProblems(cacheDir);
    expect(left.length === 0, `after the fault: ${left.join('; ')}`);
    // Mended: writable by whoever runs the CLI.
    chmodSync(cacheDir, 0o777);
    const ok = await cli(args, asRoot, signal);
    expect(ok.code === 0, `the next load failed (exit ${ok.code}): ${ok.stderr.slice(-400)}`);
    const tokens = (JSON.parse(ok.stdout) as { tokens?: unknown[] }).tokens;
    expect(Array.isArray(tokens) && tokens.length > 2, `the analysis after mending has no tokens: ${ok.stdout.slice(0, 200)}`);
    const after = cacheProblems(cacheDir);
    expect(after.length === 0, `after the good load: ${after.join('; ')}`);
    return 'CACHE_WRITE_FAILED';
  });
}
