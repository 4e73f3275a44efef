/**
 * context-lens: the analysis engine on the command line.
 *   context-lens analyze --model <id|folder> [--top-k 5] [--json] "text"   (masked or causal models: causal.ts)
 *   context-lens export --format projector --model <id|folder> [--layer N] [--out DIR] "text"
 *   context-lens senses --model <id|folder> --word W [--also W2] [--max N] [--json] PATH...   (senses.ts)
 *   context-lens compare --model A --with B [--depth D] [--json] "text"   (compare.ts: two models, two sessions)
 *
 * Exit codes: 0 done, 1 the engine failed (a typed error's message on stderr; with --json also
 * `{"error": {"code", "message"}}` on stdout), 2 bad arguments (BAD_ARGUMENTS, with the usage). Every output is written in one piece and awaited before the process
 * ends: a pipe's reader (`| jq`) gets all of it, not the first 64 KiB (the pipe's buffer) that a
 * process.exit() right after a large write would leave.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ContextLensError } from '../engine/errors';
import { AnalysisSession } from '../engine/session';
import { flag, inputText, modelSpecFrom, parseArgs, USAGE, type CliArgs } from './args';
import { sensesCommand } from './senses';
import { compareCommand } from './compare';
import { runPredictions } from './predictions';
import { runWords } from './words';
import { causalJson, causalLines, tokenProbabilityJson } from './causal';
import { CLI_MAX_CHARS } from './limits';

function pad(s: string, width: number): string {
  // CJK characters take two columns in a terminal.
  const cols = [...s].reduce((n, ch) => n + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1), 0);
  return s + ' '.repeat(Math.max(0, width - cols));
}

/** Resolves once `text` is handed to the operating system, however slowly the reader takes it. */
function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((done, fail) => stream.write(text, (e) => (e ? fail(e) : done())));
}
const out = (text: string): Promise<void> => write(process.stdout, text);

async function runAnalyze(args: CliArgs, session: AnalysisSession): Promise<void> {
  const topK = Number(flag(args, 'top-k', '5'));
  const summary = await session.analyze(inputText(args), topK, {}, undefined, true, CLI_MAX_CHARS);
  const info = session.model.info;
  const predictions = await runPredictions(args, session, summary, topK);
  const words = await runWords(args, session, summary);
  if (args.flags.get('json')) {
    const json = {
      model: info.model,
      kind: info.kind,
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
        ...tokenProbabilityJson(summary, t.index),
      })),
      ...causalJson(summary),
      ...predictions.json,
      ...words.json,
      timings: summary.timings,
    };
    await out(JSON.stringify(json, null, 2) + '\n');
    return;
  }
  const lines = [`model ${info.model} (${info.backend}, ${info.dtype}): ${info.numLayers} layers, ${info.numHeads} heads, hidden ${info.hiddenSize}`];
  if (summary.windowed) lines.push(`text longer than ${info.maxTokens} tokens: analyzed in overlapping windows`);
  if (summary.kind === 'causal') lines.push(...causalLines(summary, pad));
  else {
    lines.push(`${pad('#', 5)}${pad('token', 14)}${pad('range', 12)}guesses when masked`);
    for (const t of summary.tokens) {
      const guesses = summary.guesses[t.index].map((g) => `${g.token} ${(g.probability * 100).toFixed(1)}%`).join(', ');
      lines.push(`${pad(String(t.index), 5)}${pad(t.piece, 14)}${pad(`[${t.start},${t.end})`, 12)}${guesses}`);
    }
  }
  lines.push(...predictions.lines, ...words.lines);
  await out(lines.join('\n') + '\n');
}

async function runExport(args: CliArgs, session: AnalysisSession): Promise<void> {
  const summary = await session.analyze(inputText(args), 1, {}, undefined, true, CLI_MAX_CHARS);
  const layer = Number(flag(args, 'layer', String(session.model.info.numLayers)));
  const outDir = resolve(flag(args, 'out', '.'));
  mkdirSync(outDir, { recursive: true });
  const { vectorsTsv, metadataTsv } = session.exportProjector([summary.analysisId], layer);
  writeFileSync(join(outDir, 'vectors.tsv'), vectorsTsv);
  writeFileSync(join(outDir, 'metadata.tsv'), metadataTsv);
  await out(`wrote ${join(outDir, 'vectors.tsv')} and metadata.tsv (layer ${layer}, ${vectorsTsv.trim().split('\n').length} tokens)\n`);
}

/** Runs one command line; resolves with the exit code once everything it printed is written. */
export async function main(argv: string[]): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    await write(process.stderr, `context-lens: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.command === 'help' || args.flags.has('help') || !['analyze', 'export', 'senses', 'compare'].includes(args.command)) {
    await out(USAGE + '\n');
    return args.command === 'help' || args.flags.has('help') ? 0 : 2;
  }
  if (args.command === 'compare') return runCompare(args);
  const session = new AnalysisSession();
  try {
    await session.load(modelSpecFrom(args), {
      onProgress: (e) => {
        if ('file' in e && e.phase === 'download' && e.fraction !== undefined) process.stderr.write(`\rdownloading ${e.file} ${(e.fraction * 100).toFixed(0)}%   `);
      },
    });
    if (args.command === 'analyze') await runAnalyze(args, session);
    else if (args.command === 'senses') await out(await sensesCommand(args.flags, args.positional, session));
    else await runExport(args, session);
    return 0;
  } catch (e) {
    return failed(e, args.flags.get('json') === true);
  } finally {
    await session.dispose();
  }
}

/** Compare loads two models, each in its own session (compare.ts). */
async function runCompare(args: CliArgs): Promise<number> {
  try {
    await out(await compareCommand(args));
    return 0;
  } catch (e) {
    return failed(e, args.flags.get('json') === true);
  }
}

/**
 * Writes the error and gives the exit code. With --json a program reads stdout, so it gets the error there
 * too, as `{"error": {"code", "message"}}` (the engine's ContextLensError code; INTERNAL for anything else),
 * and can tell "too large" from "binary" without parsing the sentence on standard error.
 */
async function failed(e: unknown, json = false): Promise<number> {
  const typed = e instanceof ContextLensError;
  const message = typed ? e.message : `Internal error: ${(e as Error).stack ?? e}`;
  await write(process.stderr, `context-lens: ${message}\n`);
  if (json) await out(JSON.stringify({ error: { code: typed ? e.code : 'INTERNAL', message: typed ? e.message : `Internal error: ${(e as Error).message ?? e}` } }, null, 2) + '\n');
  // An argument only the loaded model can judge (senses --layer beyond its layers) is still an argument error.
  return typed && e.code === 'BAD_ARGUMENTS' ? 2 : 1;
}

if (require.main === module) {
  // exitCode, not process.exit(): the process ends when its output is written, not before.
  void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
