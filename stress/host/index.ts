/**
 * The campaign's extension-host part: runs INSIDE a real VS Code extension host (code-server started by
 * stress/families/host.ts through test/inhost/runInCodeServer.mjs, as the in-host tests run), drives the
 * installed extension through its commands, hover and panel, and writes what it recorded to the JSON
 * file named by CONTEXT_LENS_STRESS_OUT. run() resolves even when cases fail: the Node side reads the
 * file and reports them; it rejects only when it could not record at all.
 *
 * Env: CONTEXT_LENS_STRESS_OUT (required), CONTEXT_LENS_STRESS_QUICK=1, CONTEXT_LENS_STRESS_ONLY=a,b.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FamilyRecorder, type FamilyName } from '../record';
import type { HostStressContext } from './context';
import * as hostile from './hostile';
import * as engineDeath from './engineDeath';
import * as rapid from './rapid';

const PARTS: { families: readonly FamilyName[]; run: (c: HostStressContext) => Promise<void> }[] = [
  { families: ['hostile-host'], run: hostile.run },
  { families: ['engine-death'], run: engineDeath.run },
  { families: ['rapid'], run: rapid.run },
];

export async function run(): Promise<void> {
  const out = process.env.CONTEXT_LENS_STRESS_OUT;
  if (!out) throw new Error('CONTEXT_LENS_STRESS_OUT is not set');
  const only = process.env.CONTEXT_LENS_STRESS_ONLY?.split(',').filter(Boolean);
  const wants = (f: FamilyName): boolean => !only || only.includes(f);
  const recorders = new Map<FamilyName, FamilyRecorder>();
  const log = (line: string): void => console.log(`[stress host] ${line}`);
  const scratch = mkdtempSync(join(tmpdir(), 'context-lens-stress-host-'));
  const c: HostStressContext = {
    quick: process.env.CONTEXT_LENS_STRESS_QUICK === '1',
    wants,
    family: (f) => {
      let r = recorders.get(f);
      if (!r) recorders.set(f, (r = new FamilyRecorder(f, log)));
      return r;
    },
    log,
    scratch,
  };
  const save = (): void => writeFileSync(out, JSON.stringify([...recorders.values()].map((r) => r.result)));
  try {
    for (const part of PARTS) {
      if (!part.families.some(wants)) continue;
      const t0 = performance.now();
      log(`${part.families.join(', ')}: starting`);
      try {
        await part.run(c);
      } catch (e) {
        c.family(part.families[0]).add({ name: 'the host part itself', layer: 'host', ok: false, ms: Math.round(performance.now() - t0), outcome: 'threw', problem: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      }
      log(`${part.families.join(', ')}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      save(); // after each part: a host that dies later still leaves what it did
    }
  } finally {
    save();
    rmSync(scratch, { recursive: true, force: true });
  }
}
