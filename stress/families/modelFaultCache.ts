/**
 * What a model fault may leave in the cache folder: nothing half-written. Every temporary file gone, every
 * ONNX file a complete model, every JSON file whole, every Hub download identical to what the Hub serves,
 * and no edit manifest pointing at an edited graph that is missing.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { summarizeOnnxModel } from '../../src/engine/onnx';

/** Temporary names: ours (fsUtil writeFileAtomic `.tmp-`), transformers.js's (`.tmp.`), the write probe. */
const TEMPORARY = /\.tmp[-.]|\.write-probe/;

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}

/**
 * The problems found in `cacheDir` (none: nothing half-written). `hubSources`: Hub id → the folder the
 * local Hub serves it from, so that every downloaded file is compared with the original.
 */
export function cacheProblems(cacheDir: string, hubSources: Record<string, string> = {}): string[] {
  const problems: string[] = [];
  for (const file of filesUnder(cacheDir)) {
    const rel = relative(cacheDir, file);
    if (TEMPORARY.test(rel)) {
      problems.push(`temporary file left: ${rel}`);
      continue;
    }
    const hub = Object.entries(hubSources).find(([id]) => rel.startsWith(join('hub', id) + sep));
    if (hub) {
      const original = join(hub[1], relative(join(cacheDir, 'hub', hub[0]), file));
      if (!existsSync(original) || !readFileSync(original).equals(readFileSync(file))) problems.push(`download differs from the Hub's file: ${rel}`);
      continue;
    }
    if (file.endsWith('.onnx')) {
      try {
        summarizeOnnxModel(readFileSync(file), rel);
      } catch (e) {
        problems.push(`incomplete ONNX file: ${rel} (${e instanceof Error ? e.message : String(e)})`);
      }
    } else if (file.endsWith('.json')) {
      let parsed: { destPath?: unknown } | undefined;
      try {
        parsed = JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        problems.push(`JSON file cut short: ${rel}`);
        continue;
      }
      if (rel.startsWith(`edits${sep}`) && typeof parsed?.destPath === 'string' && !existsSync(parsed.destPath)) {
        problems.push(`edit manifest ${rel} points at a missing edited graph`);
      }
    }
  }
  return problems;
}

/** Files under `dir` whose path (relative to it) matches `pattern`. */
export function filesMatching(dir: string, pattern: RegExp): string[] {
  return filesUnder(dir)
    .map((f) => relative(dir, f))
    .filter((f) => pattern.test(f));
}
