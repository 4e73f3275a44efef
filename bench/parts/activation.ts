/**
 * activation: require dist/extension.js and call activate() with a stub `vscode` (bench/vscodeStub.ts),
 * each time in a fresh child process. Measures our code only, not VS Code's extension-host overhead.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { emit, runChild } from '../child';
import type { BenchContext } from '../context';
import { freshCacheDir, REPO } from '../options';
import { figure, single, summarize, type Figure } from '../stats';

export async function part(c: BenchContext): Promise<void> {
  const ext = join(REPO, 'dist/extension.js');
  if (!existsSync(ext)) {
    c.add(figure('activation: dist/extension.js missing', single(NaN), '', { note: 'run the build first' }));
    return;
  }
  const runs: Figure[] = [];
  for (let i = 0; i < (c.o.quick ? 3 : 7); i++) {
    const { figures, stderr } = await runChild(c.o, 'activate', [], { timeoutMs: 60_000 });
    if (!figures.length) {
      c.add(figure('activation failed', single(NaN), '', { note: stderr.slice(-300) }));
      return;
    }
    runs.push(...figures);
  }
  const byName = new Map<string, number[]>();
  for (const f of runs) byName.set(f.name, [...(byName.get(f.name) ?? []), f.median]);
  for (const [name, values] of byName) {
    const total = name.startsWith('activation: require + activate');
    const s = summarize(values);
    c.add(figure(name, s, 'ms', {
      target: total ? '≤ 100 ms' : undefined,
      met: total ? s.median <= 100 : null,
      note: `${values.length} fresh node processes; measured with a Proxy-based stub 'vscode' module (our code only, not VS Code's extension-host overhead); the in-host suite logs the real one ("Context Lens … activated in N ms" in the output channel)`,
    }));
  }
}

export async function child(): Promise<void> {
  const { installVscodeStub, extensionContextStub } = await import('../vscodeStub');
  const bundle = join(REPO, 'dist/extension.js');
  // Every `vscodeN.name` the bundle reads, so that esbuild's namespace copy sees it.
  const names = [...readFileSync(bundle, 'utf8').matchAll(/\bvscode\d*\.([A-Za-z_]\w*)/g)].map((m) => m[1]);
  installVscodeStub(names);
  const storage = freshCacheDir();
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
  const t0 = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ext = require(bundle) as { activate(c: unknown): unknown; deactivate?(): unknown };
  const t1 = performance.now();
  const context = extensionContextStub(REPO, storage, pkg);
  await ext.activate(context);
  const t2 = performance.now();
  emit(figure('activation: require dist/extension.js', single(t1 - t0), 'ms'));
  emit(figure('activation: activate()', single(t2 - t1), 'ms'));
  emit(figure('activation: require + activate', single(t2 - t0), 'ms'));
  try {
    ext.deactivate?.();
  } catch {
    // the stub cannot dispose everything; the process ends here anyway
  }
  rmSync(storage, { recursive: true, force: true });
  process.exit(0);
}
