/** The benchmark's command line, the paths it works with, and the model spec it loads. */
import { mkdtempSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Dtype, ModelSpec } from '../src/engine/types';

/** The repository root (this file runs as dist/bench/bench.js). */
export const REPO = resolve(__dirname, '..', '..');
/** Debian's Python, which has python3-torch and python3-onnx. */
export const PY = '/usr/bin/python3';
/** scripts/make_bert_model.py's arguments for a bert-base-sized BERT (vocabulary 21,148 like bert-base-chinese). */
export const SIZE_ARGS = ['--hidden', '768', '--layers', '12', '--heads', '12', '--inter', '3072', '--maxpos', '512', '--vocab-pad', '20915'];
const DEFAULT_MODEL_DIR = join(homedir(), '.cache', 'context-lens-bench', 'bert-base-random');

/** The parts (bench/parts/*.ts); `--only` takes a comma-separated list of them. */
export const PARTS = ['load', 'analyze', 'hover', 'guesses', 'predictions', 'words', 'senses', 'fp32', 'torch', 'wasm', 'projection', 'worker', 'activation', 'vsix', 'causal'] as const;

export interface Options {
  quick: boolean;
  json?: string;
  /** Also write the table and notes as Markdown (for BENCHMARKS.md). */
  markdown?: string;
  model: string;
  only?: Set<string>;
  child?: string;
  lengths: number[];
  repeats: number;
}

export function parseOptions(argv: string[]): Options {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  const only = get('--only')?.split(',');
  const unknown = only?.filter((p) => !(PARTS as readonly string[]).includes(p)) ?? [];
  if (unknown.length) throw new Error(`--only: no part ${unknown.join(', ')}; the parts are ${PARTS.join(', ')}`);
  return {
    quick,
    json: get('--json'),
    markdown: get('--markdown'),
    model: resolve(get('--model') ?? process.env.CONTEXT_LENS_BENCH_MODEL ?? DEFAULT_MODEL_DIR),
    only: only ? new Set(only) : undefined,
    child: get('--child'),
    lengths: quick ? [16, 64, 256] : [16, 64, 256, 512],
    repeats: Number(get('--repeats') ?? (quick ? 3 : 7)),
  };
}

export const wants = (o: Options, part: string): boolean => !o.only || o.only.has(part);
export const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);

export function specFor(o: Options, dtype: Dtype, cacheDir: string, device: ModelSpec['device'] = 'cpu'): ModelSpec {
  return { model: o.model, dtype, device, cacheDir, offline: true };
}

export const freshCacheDir = (): string => mkdtempSync(join(tmpdir(), 'context-lens-bench-'));
