/**
 * What the stress campaign records: one result per case tried, grouped by family. The same types are
 * written by the families that run in plain Node and by those that run inside VS Code's extension host
 * (stress/host/), which hand their results back as JSON. No `vscode` import: both sides use this file.
 */

/** The families of `npm run stress` (the `--only` names), in the order the table lists them. */
export const FAMILIES = [
  'properties',
  'hostile-engine',
  'hostile-cli',
  'hostile-host',
  'hostile-webview',
  'model-faults',
  'engine-death',
  'rapid',
  'long-session',
] as const;
export type FamilyName = (typeof FAMILIES)[number];

export const FAMILY_TITLES: Record<FamilyName, string> = {
  properties: 'token ranges, property-based (fast-check)',
  'hostile-engine': 'hostile text · engine',
  'hostile-cli': 'hostile text · CLI',
  'hostile-host': 'hostile text · extension host',
  'hostile-webview': 'hostile text · webview',
  'model-faults': 'model faults',
  'engine-death': 'engine killed mid-request',
  rapid: 'rapid use',
  'long-session': 'long sessions',
};

/** Where a case ran. */
export type Layer = 'engine' | 'cli' | 'host' | 'webview' | 'worker';

export interface CaseResult {
  family: FamilyName;
  /** Unique within the family, e.g. `lone surrogates · analyze · masked`. */
  name: string;
  layer: Layer;
  ok: boolean;
  ms: number;
  /** How it ended: `analysis`, an error code such as `INPUT_TOO_LARGE`, `hover shown`, …. */
  outcome: string;
  /** Why it failed (only when !ok). */
  problem?: string;
}

/** Resident memory sampled during a long run. */
export interface MemoryPoint {
  step: number;
  rssMB: number;
  heapMB?: number;
  /** Anything else worth plotting beside it (cache entries, snippets held, …). */
  extra?: Record<string, number>;
}

export interface FamilyResult {
  family: FamilyName;
  cases: CaseResult[];
  memory?: MemoryPoint[];
  /** Named figures for RELIABILITY.md (e.g. `rss growth after 50 (MB)`). */
  figures?: Record<string, number | string>;
  notes?: string[];
}

const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** Resident memory of this process now. */
export function memoryNow(step: number, extra?: Record<string, number>): MemoryPoint {
  const m = process.memoryUsage();
  return { step, rssMB: mb(m.rss), heapMB: mb(m.heapUsed), ...(extra ? { extra } : {}) };
}

/** Thrown (or returned as a rejection) when a case breaks its rule; its message is the recorded problem. */
export class CaseFailure extends Error {}

/** Fails the case unless `condition` holds. */
export function expect(condition: unknown, problem: string): asserts condition {
  if (!condition) throw new CaseFailure(problem);
}

/**
 * One family's results while it runs. `run` times a case, bounds it, and records how it ended:
 * the case's function returns its outcome (a short word) or throws (a CaseFailure, or anything
 * else, which is recorded as a failure too: nothing a case does may crash the campaign).
 */
export class FamilyRecorder {
  readonly result: FamilyResult;

  constructor(
    family: FamilyName,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    this.result = { family, cases: [] };
  }

  /**
   * Runs one case. `boundMs`: it must end within this time, or it fails with "no answer within …"
   * (the work it started is abandoned, not awaited). The signal aborts when the bound passes.
   */
  async run(name: string, layer: Layer, boundMs: number, fn: (signal: AbortSignal) => Promise<string>): Promise<CaseResult> {
    const abort = new AbortController();
    const t0 = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new CaseFailure(`no answer within ${(boundMs / 1000).toFixed(boundMs < 10_000 ? 1 : 0)} s`));
      }, boundMs);
    });
    let outcome = 'failed';
    let problem: string | undefined;
    try {
      outcome = await Promise.race([fn(abort.signal), bound]);
    } catch (e) {
      problem = e instanceof Error ? e.message : String(e);
      if (!(e instanceof CaseFailure) && e instanceof Error && e.stack) problem = `${problem} (${e.stack.split('\n')[1]?.trim() ?? ''})`;
    } finally {
      clearTimeout(timer);
    }
    const r: CaseResult = { family: this.result.family, name, layer, ok: problem === undefined, ms: Math.round(performance.now() - t0), outcome, ...(problem !== undefined ? { problem } : {}) };
    this.result.cases.push(r);
    if (!r.ok) this.log(`FAIL ${this.result.family} · ${name}: ${problem}`);
    return r;
  }

  /** Records a case measured elsewhere (e.g. inside the extension host). */
  add(r: Omit<CaseResult, 'family'>): void {
    this.result.cases.push({ ...r, family: this.result.family });
  }

  memory(point: MemoryPoint): void {
    (this.result.memory ??= []).push(point);
  }

  figure(key: string, value: number | string): void {
    (this.result.figures ??= {})[key] = value;
  }

  note(line: string): void {
    (this.result.notes ??= []).push(line);
  }
}

/** Merges results of the same family (e.g. its Node part and its extension-host part). */
export function mergeFamilies(results: FamilyResult[]): FamilyResult[] {
  const byName = new Map<FamilyName, FamilyResult>();
  for (const r of results) {
    const into = byName.get(r.family);
    if (!into) {
      byName.set(r.family, { ...r, cases: [...r.cases] });
      continue;
    }
    into.cases.push(...r.cases);
    if (r.memory) into.memory = [...(into.memory ?? []), ...r.memory];
    if (r.figures) into.figures = { ...into.figures, ...r.figures };
    if (r.notes) into.notes = [...(into.notes ?? []), ...r.notes];
  }
  return FAMILIES.filter((f) => byName.has(f)).map((f) => byName.get(f)!);
}
