/**
 * context-lens: the analysis engine on the command line.
 *   context-lens analyze --model <id|folder> [--top-k 5] [--json] "text"
 *   context-lens export --format projector --model <id|folder> [--layer N] [--out DIR] "text"
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { ContextLensError } from '../engine/errors';
import { AnalysisSession } from '../engine/session';
import type { Dtype, DevicePreference, ModelSpec } from '../engine/types';

const USAGE = `Usage:
  context-lens analyze --model <hub-id|folder> [--top-k 5] [--json] [--dtype q8|fp32] [--device auto|cpu|wasm] "text"
  context-lens export --format projector --model <hub-id|folder> [--layer N] [--out DIR] "text"
Common options: --file PATH (read the text from a file), --cache-dir DIR, --offline, --hub-mirror URL
The model defaults to $CONTEXT_LENS_MODEL or Xenova/bert-base-chinese.`;

interface CliArgs {
  command: string;
  flags: Map<string, string | true>;
  positional: string[];
}

const BOOLEAN_FLAGS = new Set(['json', 'offline', 'help']);

function parseArgs(argv: string[]): CliArgs {
  const [command = 'help', ...rest] = argv;
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split('=', 2);
      if (inline !== undefined) flags.set(name, inline);
      else if (BOOLEAN_FLAGS.has(name)) flags.set(name, true);
      else if (i + 1 < rest.length) flags.set(name, rest[++i]);
      else throw new ContextLensError('EMPTY_INPUT', `--${name} needs a value.`);
    } else positional.push(a);
  }
  return { command, flags, positional };
}

function str(args: CliArgs, name: string, fallback: string): string {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : fallback;
}

function modelSpecFrom(args: CliArgs): ModelSpec {
  let model = str(args, 'model', process.env.CONTEXT_LENS_MODEL || 'Xenova/bert-base-chinese');
  // A path that exists on disk is a model folder; anything else shaped like owner/name is a Hub id.
  if (model.startsWith('.') || isAbsolute(model) || existsSync(model)) model = resolve(model);
  return {
    model,
    dtype: str(args, 'dtype', 'q8') as Dtype,
    device: str(args, 'device', 'auto') as DevicePreference,
    cacheDir: str(args, 'cache-dir', process.env.CONTEXT_LENS_CACHE || join(homedir(), '.cache', 'context-lens')),
    remoteHost: args.flags.has('hub-mirror') ? str(args, 'hub-mirror', '') : undefined,
    offline: args.flags.get('offline') === true,
  };
}

function inputText(args: CliArgs): string {
  const file = args.flags.get('file');
  if (typeof file === 'string') return readFileSync(file, 'utf8');
  return args.positional.join(' ');
}

function pad(s: string, width: number): string {
  // CJK characters take two columns in a terminal.
  const cols = [...s].reduce((n, ch) => n + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1), 0);
  return s + ' '.repeat(Math.max(0, width - cols));
}

async function runAnalyze(args: CliArgs, session: AnalysisSession): Promise<void> {
  const topK = Number(str(args, 'top-k', '5'));
  const summary = await session.analyze(inputText(args), topK);
  const info = session.model.info;
  if (args.flags.get('json')) {
    const out = {
      model: info.model,
      numLayers: info.numLayers,
      numHeads: info.numHeads,
      hiddenSize: info.hiddenSize,
      windowed: summary.windowed,
      tokens: summary.tokens.map((t) => ({
        index: t.index,
        token: t.piece,
        id: t.id,
        start: t.start,
        end: t.end,
        text: summary.text.slice(t.start, t.end),
        special: t.special,
        guesses: summary.guesses[t.index].map((g) => ({ token: g.token, probability: Number(g.probability.toFixed(6)) })),
      })),
      timings: summary.timings,
    };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return;
  }
  process.stdout.write(`model ${info.model} (${info.backend}, ${info.dtype}): ${info.numLayers} layers, ${info.numHeads} heads, hidden ${info.hiddenSize}\n`);
  if (summary.windowed) process.stdout.write(`text longer than ${info.maxTokens} tokens: analysed in overlapping windows\n`);
  process.stdout.write(`${pad('#', 5)}${pad('token', 14)}${pad('range', 12)}guesses when masked\n`);
  for (const t of summary.tokens) {
    const guesses = summary.guesses[t.index].map((g) => `${g.token} ${(g.probability * 100).toFixed(1)}%`).join(', ');
    process.stdout.write(`${pad(String(t.index), 5)}${pad(t.piece, 14)}${pad(`[${t.start},${t.end})`, 12)}${guesses}\n`);
  }
}

async function runExport(args: CliArgs, session: AnalysisSession): Promise<void> {
  const format = str(args, 'format', 'projector');
  if (format !== 'projector') throw new ContextLensError('EMPTY_INPUT', `Unknown export format "${format}"; use --format projector.`);
  const summary = await session.analyze(inputText(args), 1);
  const layer = Number(str(args, 'layer', String(session.model.info.numLayers)));
  const outDir = resolve(str(args, 'out', '.'));
  mkdirSync(outDir, { recursive: true });
  const { vectorsTsv, metadataTsv } = session.exportProjector([summary.analysisId], layer);
  writeFileSync(join(outDir, 'vectors.tsv'), vectorsTsv);
  writeFileSync(join(outDir, 'metadata.tsv'), metadataTsv);
  process.stdout.write(`wrote ${join(outDir, 'vectors.tsv')} and metadata.tsv (layer ${layer}, ${vectorsTsv.trim().split('\n').length} tokens)\n`);
}

export async function main(argv: string[]): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.command === 'help' || args.flags.has('help') || !['analyze', 'export'].includes(args.command)) {
    process.stdout.write(USAGE + '\n');
    return args.command === 'help' || args.flags.has('help') ? 0 : 2;
  }
  const session = new AnalysisSession();
  try {
    await session.load(modelSpecFrom(args), {
      onProgress: (e) => {
        if ('file' in e && e.phase === 'download' && e.fraction !== undefined) process.stderr.write(`\rdownloading ${e.file} ${(e.fraction * 100).toFixed(0)}%   `);
      },
    });
    if (args.command === 'analyze') await runAnalyze(args, session);
    else await runExport(args, session);
    return 0;
  } catch (e) {
    const message = e instanceof ContextLensError ? e.message : `Internal error: ${(e as Error).stack ?? e}`;
    process.stderr.write(`context-lens: ${message}\n`);
    return 1;
  } finally {
    await session.dispose();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
