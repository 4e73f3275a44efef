/**
 * Parts that need a process of their own (WASM's process-wide runtime swap, the worker with the
 * event-loop measurement, activation, projections) run this same bundle with `--child KIND` and report
 * their figures as "@@FIGURE {json}" lines on standard output.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { REPO, type Options } from './options';
import type { Figure } from './stats';

const FIGURE_PREFIX = '@@FIGURE ';

/** In a child: reports one figure to the parent. */
export function emit(f: Figure): void {
  process.stdout.write(`${FIGURE_PREFIX}${JSON.stringify(f)}\n`);
}

export interface ChildRun {
  figures: Figure[];
  code: number | null;
  stderr: string;
}

/** Runs `--child kind` and collects its figures; `stopAfter` ends it early, `timeoutMs` ends it at the latest. */
export function runChild(o: Options, kind: string, extra: string[] = [], opts: { stopAfter?: (f: Figure, all: Figure[]) => boolean; timeoutMs?: number } = {}): Promise<ChildRun> {
  return new Promise((done) => {
    const args = [__filename, '--child', kind, '--model', o.model, ...(o.quick ? ['--quick'] : []), ...extra];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO });
    const figures: Figure[] = [];
    let buf = '';
    let stderr = '';
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (!line.startsWith(FIGURE_PREFIX)) continue;
        const f = JSON.parse(line.slice(FIGURE_PREFIX.length)) as Figure;
        figures.push(f);
        if (opts.stopAfter?.(f, figures)) child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      process.stderr.write(d);
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      done({ figures, code, stderr });
    });
  });
}

/**
 * Peak resident memory of this process. Not `resourceUsage().maxRSS`: Linux carries a parent's maxRSS
 * over fork + exec, so a child spawned by a 2 GB bench process reported 2 GB whatever it used itself.
 * /proc/self/status VmHWM belongs to this process's own address space.
 */
export function peakRssMb(): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return Number(kb) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}
