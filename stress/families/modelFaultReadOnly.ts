/**
 * The cache folder not writable (chmod), through the CLI in a child process. chmod does not stop root,
 * so when the campaign runs as root the child runs as the unprivileged user `nobody`; the model folders
 * and dist/ must be readable by it (they are world-readable in a checkout).
 */
import { spawn } from 'node:child_process';
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

export async function runReadOnlyCache(rec: FamilyRecorder, kind: ModelKindName, root: string, boundMs: number): Promise<void> {
  const asRoot = process.getuid?.() === 0;
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
