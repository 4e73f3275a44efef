/** The stress campaign's command line and what every family is handed. */
import { resolve } from 'node:path';
import { FAMILIES, FamilyRecorder, type FamilyName, type FamilyResult } from './record';

/** The repository root (this file runs as dist/stress/stress.js). */
export const REPO = resolve(__dirname, '..', '..');

/** The models every family runs on: the repo's own small ones, one per kind the engine supports. */
export const MODELS = {
  /** A WordPiece BERT (masked). */
  masked: resolve(REPO, 'assets', 'demo-model'),
  /** A byte-level BPE GPT-2 (causal). */
  causal: resolve(REPO, 'test', 'fixtures', 'tiny-gpt2'),
} as const;
export type ModelKindName = keyof typeof MODELS;

export interface StressOptions {
  /** The smaller campaign the test command runs (a minute or two). */
  quick: boolean;
  json?: string;
  /** Also write the table, figures and notes as Markdown (for RELIABILITY.md). */
  markdown?: string;
  only?: Set<FamilyName>;
}

export function parseOptions(argv: string[]): StressOptions {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const only = get('--only')?.split(',').map((s) => s.trim());
  const unknown = only?.filter((f) => !(FAMILIES as readonly string[]).includes(f)) ?? [];
  if (unknown.length) throw new Error(`--only: no family ${unknown.join(', ')}; the families are ${FAMILIES.join(', ')}`);
  return { quick: argv.includes('--quick'), json: get('--json'), markdown: get('--markdown'), only: only ? new Set(only as FamilyName[]) : undefined };
}

export const wants = (o: StressOptions, family: FamilyName): boolean => !o.only || o.only.has(family);

export const log = (line: string): void => void process.stderr.write(`[stress] ${line}\n`);

export interface StressContext {
  o: StressOptions;
  /** The recorder of `family` (one per family; a family run in two parts shares it). */
  family(family: FamilyName): FamilyRecorder;
  /** Results recorded elsewhere (the extension host's part), merged into the table. */
  addResults(results: FamilyResult[]): void;
  log(line: string): void;
}
