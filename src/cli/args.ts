/** The context-lens command line's arguments: parsed, checked, and turned into a model spec and a text. */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ContextLensError } from '../engine/errors';
import { DEFAULT_MODEL_ID, expandFolderSpec, isFolderSpec } from '../engine/modelSpec';
import type { Dtype, DevicePreference, ModelSpec } from '../engine/types';
import { parseSensesArgs } from './sensesArgs';
import { checkPredictionArgs, PREDICTION_SWITCHES } from './predictions';
import { checkWordsArgs, WORDS_SWITCHES } from './words';
import { checkCompareArgs } from './compare';

export const USAGE = `Usage:
  context-lens analyze --model <hub-id|folder> [--top-k 5] [--json] [--dtype q8|fp32] [--device auto|cpu|wasm] "text"
    [--layer-guesses --at OFFSET] [--unmasked] [--mask START:END]   (guesses at every layer, unmasked, a masked span)
    A causal model (GPT-2) shows each token's probability and rank and its next-token guesses; --layer-guesses is
    then the logit lens for the token after OFFSET; --unmasked and --mask are for masked models only.
    [--words [--language TAG]] [--attention rollout|mean-heads|mean-layers [--layer N]] [--head-stats]   (words, attention summaries, head statistics)
  context-lens export --format projector --model <hub-id|folder> [--layer N] [--out DIR] "text"
  context-lens compare --model <hub-id|folder> --with <hub-id|folder> [--depth 0…1] [--top-k 20] [--json] "text"   (two models, aligned rows)
  context-lens senses --model <hub-id|folder> --word W [--also W2] [--max 200] [--context-tokens 64] [--layer L] [--include-vectors] [--json] PATH...
Common options: --file PATH (read the text from a file; --file - reads standard input), --cache-dir DIR, --offline, --hub-mirror URL
The model defaults to $CONTEXT_LENS_MODEL or ${DEFAULT_MODEL_ID}.`;

export interface CliArgs {
  command: string;
  flags: Map<string, string | true>;
  positional: string[];
}

const BOOLEAN_FLAGS = new Set(['json', 'offline', 'help', 'include-vectors', ...PREDICTION_SWITCHES, ...WORDS_SWITCHES]);

/**
 * The command, its flags and its words. Throws a BAD_ARGUMENTS error for what can be found wrong before
 * the model loads (a flag without its value, an unknown export format), so that a typo costs no load.
 */
export function parseArgs(argv: string[]): CliArgs {
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
      else throw new ContextLensError('BAD_ARGUMENTS', `--${name} needs a value.`);
    } else positional.push(a);
  }
  const args = { command, flags, positional };
  const format = flag(args, 'format', 'projector');
  if (command === 'export' && format !== 'projector') throw new ContextLensError('BAD_ARGUMENTS', `Unknown export format "${format}"; use --format projector.`);
  if (command === 'senses') parseSensesArgs(flags, positional);
  if (command === 'compare') checkCompareArgs(args);
  if (command === 'analyze') {
    checkPredictionArgs(args);
    checkWordsArgs(args);
  }
  return args;
}

/** The value of `--name`, or `fallback` when it is not given. */
export function flag(args: CliArgs, name: string, fallback: string): string {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : fallback;
}

export function modelSpecFrom(args: CliArgs): ModelSpec {
  let model = flag(args, 'model', process.env.CONTEXT_LENS_MODEL || DEFAULT_MODEL_ID);
  // The engine's rule (isFolderSpec), plus what only a process with a working directory can tell: a bare
  // relative path that exists on disk (assets/demo-model) is a folder, not the Hub id owner/name.
  if (isFolderSpec(model) || existsSync(model)) model = expandFolderSpec(model);
  return {
    model,
    dtype: flag(args, 'dtype', 'q8') as Dtype,
    device: flag(args, 'device', 'auto') as DevicePreference,
    cacheDir: flag(args, 'cache-dir', process.env.CONTEXT_LENS_CACHE || join(homedir(), '.cache', 'context-lens')),
    remoteHost: args.flags.has('hub-mirror') ? flag(args, 'hub-mirror', '') : undefined,
    offline: args.flags.get('offline') === true,
  };
}

export function inputText(args: CliArgs): string {
  const file = args.flags.get('file');
  // `-` is standard input (a pipe or a redirected file: `… | context-lens analyze --file -`), read as UTF-8 like a file.
  if (typeof file === 'string') return readFileSync(file === '-' ? 0 : file, 'utf8');
  return args.positional.join(' ');
}
