/**
 * context-lens compare --model A --with B [--depth D] [--top-k K] [--json] TEXT|--file F (issue 13): the text
 * through two models, in two sessions one after the other, printed as the Compare tab's aligned rows
 * (src/engine/compare/). `--json`: the CompareResult object (field names in src/engine/compare/types.ts).
 */
import { ContextLensError, isContextLensError, messageOf } from '../engine/errors';
import { compareJson, compareRows, DEFAULT_COMPARE_TOP_K, modelSummary, type CompareResult, type CompareSide } from '../engine/compare';
import { AnalysisSession } from '../engine/session';
import { formatProbability } from '../shared/format';
import type { AnalysisSummary } from '../engine/workerProtocol';
import type { ModelSpec } from '../engine/types';
import { flag, inputText, modelSpecFrom, type CliArgs } from './args';
import { CLI_MAX_CHARS } from './limits';

const MAX_COMPARE_TOP_K = 100;

/** What can be found wrong before any model loads: --with missing, --depth outside 0 … 1, a bad --top-k. */
export function checkCompareArgs(args: CliArgs): void {
  const other = args.flags.get('with');
  if (typeof other !== 'string' || other.trim() === '') throw new ContextLensError('BAD_ARGUMENTS', 'compare needs the second model: --with <hub-id|folder>.');
  const depth = Number(flag(args, 'depth', '1'));
  if (!Number.isFinite(depth) || depth < 0 || depth > 1) throw new ContextLensError('BAD_ARGUMENTS', `--depth must be a number from 0 (embeddings) to 1 (last layer), not "${flag(args, 'depth', '')}".`);
  const topK = Number(flag(args, 'top-k', String(DEFAULT_COMPARE_TOP_K)));
  if (!Number.isInteger(topK) || topK < 1 || topK > MAX_COMPARE_TOP_K) throw new ContextLensError('BAD_ARGUMENTS', `--top-k must be a whole number from 1 to ${MAX_COMPARE_TOP_K}.`);
}

/** Loads one model and analyses the text with it; a failure names the model ("model B (…)"). */
async function analyzeWith(which: 'A' | 'B', spec: ModelSpec, text: string, topK: number): Promise<{ session: AnalysisSession; summary: AnalysisSummary }> {
  const session = new AnalysisSession();
  try {
    await session.load(spec);
    return { session, summary: await session.analyze(text, topK, {}, undefined, true, CLI_MAX_CHARS) };
  } catch (e) {
    await session.dispose();
    if (isContextLensError(e)) throw new ContextLensError(e.code, `Model ${which} (${spec.model}): ${e.message}`, e.detail);
    throw new Error(`Model ${which} (${spec.model}): ${messageOf(e)}`);
  }
}

export async function compareCommand(args: CliArgs): Promise<string> {
  checkCompareArgs(args);
  const text = inputText(args);
  const depth = Number(flag(args, 'depth', '1'));
  const topK = Number(flag(args, 'top-k', String(DEFAULT_COMPARE_TOP_K)));
  const specA = modelSpecFrom(args);
  const specB = modelSpecFrom({ ...args, flags: new Map(args.flags).set('model', flag(args, 'with', '')) });
  const a = await analyzeWith('A', specA, text, topK);
  try {
    const b = await analyzeWith('B', specB, text, topK);
    try {
      const result: CompareResult = {
        text,
        depth,
        models: [
          modelSummary(specA.model, a.summary.kind, a.summary.numLayers, depth),
          modelSummary(specB.model, b.summary.kind, b.summary.numLayers, depth),
        ],
        rows: compareRows(text, a.summary, b.summary),
      };
      return args.flags.get('json') ? compareJson(result) : compareTable(result);
    } finally {
      await b.session.dispose();
    }
  } finally {
    await a.session.dispose();
  }
}

function percent(p: number | null): string {
  return p === null ? '—' : formatProbability(p);
}

function sideText(s: CompareSide | null): string[] {
  return s ? [s.token, s.guess ?? '—', percent(s.probability)] : ['', '', ''];
}

/** Tab-separated: a terminal aligns it, a spreadsheet reads it; whitespace in token text shown escaped. */
function compareTable(result: CompareResult): string {
  const [a, b] = result.models;
  const shown = (s: string): string => JSON.stringify(s).slice(1, -1);
  const lines = [
    `A: ${a.model} (${a.kind}, map layer ${a.layer}/${a.numLayers})`,
    `B: ${b.model} (${b.kind}, map layer ${b.layer}/${b.numLayers})`,
    ['range', 'text', 'A token', 'A guess', 'A p(token)', 'B token', 'B guess', 'B p(token)'].join('\t'),
    ...result.rows.map((r) => [`[${r.start},${r.end})`, shown(r.text), ...sideText(r.a).map(shown), ...sideText(r.b).map(shown)].join('\t')),
  ];
  return lines.join('\n') + '\n';
}
