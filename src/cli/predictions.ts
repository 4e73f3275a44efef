/**
 * `context-lens analyze` options for what the masked-LM head predicts beyond the final-layer guess (issue 11):
 *   --layer-guesses --at OFFSET   the token covering UTF-16 offset OFFSET masked alone, top-k at every layer
 *                                 (a causal model: the logit lens, top-k for the token after it at every layer)
 *   --unmasked                    the head's top-k at every token of the unmasked text
 *   --mask START:END              the tokens covering [START, END) masked together: top-k per position, joint fills
 * The `--json` field names (`layerGuesses`, `unmasked`, `span`) are the issue's contract.
 */
import { ContextLensError } from '../engine/errors';
import type { LayerGuessesResult, SpanGuessesResult } from '../engine/predictions';
import type { AnalysisSession } from '../engine/session';
import type { Guess, ModelKind } from '../engine/types';
import type { AnalysisSummary, TokenGuesses } from '../engine/workerProtocol';
import type { CliArgs } from './args';

/** The options that take no value. */
export const PREDICTION_SWITCHES = ['layer-guesses', 'unmasked'];

const stringFlag = (args: CliArgs, name: string): string | undefined => {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
};

/** Throws BAD_ARGUMENTS for a malformed prediction option, so that it costs no model load. */
export function checkPredictionArgs(args: CliArgs): void {
  const at = args.flags.get('at');
  const layerGuesses = args.flags.has('layer-guesses');
  if (at !== undefined && (typeof at !== 'string' || !/^\d+$/.test(at))) {
    throw new ContextLensError('BAD_ARGUMENTS', `--at needs a character offset (a whole number, 0 or more), not "${String(at)}".`);
  }
  if (layerGuesses && at === undefined) throw new ContextLensError('BAD_ARGUMENTS', '--layer-guesses needs --at OFFSET: the UTF-16 offset of the token to mask (a causal model: the token after which to predict).');
  if (!layerGuesses && at !== undefined) throw new ContextLensError('BAD_ARGUMENTS', '--at goes with --layer-guesses.');
  const mask = args.flags.get('mask');
  if (mask !== undefined && (typeof mask !== 'string' || !/^\d+:\d+$/.test(mask))) {
    throw new ContextLensError('BAD_ARGUMENTS', `--mask needs START:END (UTF-16 offsets of the span, e.g. --mask 4:6), not "${String(mask)}".`);
  }
}

const roundedGuesses = (guesses: Guess[]) => guesses.map((g) => ({ token: g.token, probability: Number(g.probability.toFixed(6)) }));
const percent = (p: number): string => `${(p * 100).toFixed(1)}%`;
const guessList = (guesses: Guess[]): string => guesses.map((g) => `${g.token} ${percent(g.probability)}`).join(', ');

function layerGuessesJson(r: LayerGuessesResult) {
  return r.layers.map((row) => ({ layer: row.layer, guesses: roundedGuesses(row.guesses), finalRank: row.finalRank, finalProbability: Number(row.finalProbability.toFixed(6)) }));
}

function layerGuessesLines(r: LayerGuessesResult, text: string, kind: ModelKind): string[] {
  const final = r.layers[r.layers.length - 1].guesses[0];
  const what = kind === 'causal' ? 'logit lens: the next token after' : 'guesses at every layer for';
  const how = kind === 'causal' ? '' : ' masked alone';
  const lines = [
    '',
    `${what} "${text.slice(r.token.start, r.token.end)}" [${r.token.start},${r.token.end})${how}: ${final.token} first at layer ${r.firstLayer}, ${percent(final.probability)} at the last layer`,
    `${'layer'.padEnd(7)}${`p(${final.token})`.padEnd(10)}${'rank'.padEnd(7)}guesses`,
  ];
  for (const row of r.layers) lines.push(`${String(row.layer).padEnd(7)}${percent(row.finalProbability).padEnd(10)}${String(row.finalRank).padEnd(7)}${guessList(row.guesses)}`);
  return lines;
}

function spanJson(r: SpanGuessesResult) {
  return {
    start: r.start,
    end: r.end,
    tokenIndices: r.tokenIndices,
    positions: r.positions.map(roundedGuesses),
    fills: r.fills.map((f) => ({ text: f.text, tokens: f.tokens, score: Number(f.score.toFixed(6)) })),
  };
}

function spanLines(r: SpanGuessesResult, text: string): string[] {
  const lines = ['', `span [${r.start},${r.end}) "${text.slice(r.start, r.end)}": ${r.tokens.length} token(s) masked together`];
  r.tokens.forEach((t, i) => lines.push(`  #${t.index} ${t.piece}: ${guessList(r.positions[i])}`));
  lines.push('joint fills (most confident position first, beam 5):');
  // Scores first: a CJK fill is twice as wide as its length, which would push a column after it.
  for (const f of r.fills) lines.push(`  ${(f.score >= 0.001 ? percent(f.score) : f.score.toExponential(2)).padEnd(10)}${f.text}  (${f.tokens.join(' ')})`);
  return lines;
}

function unmaskedLines(summary: AnalysisSummary, unmasked: TokenGuesses[]): string[] {
  const lines = ['', 'unmasked: what the head reconstructs at each token of the text as it is (one forward, nothing masked)'];
  for (const u of unmasked) lines.push(`  #${u.tokenIndex} ${summary.tokens[u.tokenIndex].piece}: ${guessList(u.guesses)}`);
  return lines;
}

/** Runs the prediction options given with `analyze`; returns the JSON fields and the readable lines to add. */
export async function runPredictions(args: CliArgs, session: AnalysisSession, summary: AnalysisSummary, topK: number): Promise<{ json: Record<string, unknown>; lines: string[] }> {
  const json: Record<string, unknown> = {};
  const lines: string[] = [];
  const at = stringFlag(args, 'at');
  if (args.flags.has('layer-guesses') && at !== undefined) {
    const r = await session.layerGuesses(summary.text, Number(at), topK);
    if (!r) throw new ContextLensError('BAD_ARGUMENTS', `No token covers offset ${at} of the text (whitespace, or past its end at ${summary.text.length}).`);
    json.layerGuesses = layerGuessesJson(r);
    lines.push(...layerGuessesLines(r, summary.text, summary.kind));
  }
  if (args.flags.has('unmasked')) {
    const unmasked = await session.unmasked(summary.analysisId, topK);
    const byToken = new Map(unmasked.map((u) => [u.tokenIndex, u.guesses]));
    json.unmasked = summary.tokens.map((t) => roundedGuesses(byToken.get(t.index) ?? []));
    lines.push(...unmaskedLines(summary, unmasked));
  }
  const mask = stringFlag(args, 'mask');
  if (mask !== undefined) {
    const [start, end] = mask.split(':').map(Number);
    const r = await session.spanGuesses(summary.text, start, end, topK);
    json.span = spanJson(r);
    lines.push(...spanLines(r, summary.text));
  }
  return { json, lines };
}
