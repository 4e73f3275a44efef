/**
 * `context-lens analyze` options for words and attention summaries (issue 12):
 *   --words                                   the tokens grouped into words (Intl.Segmenter; --language TAG overrides the model's)
 *   --attention rollout|mean-heads|mean-layers  attention over heads and layers (over words with --words);
 *                                             mean-heads averages one layer: --layer N (1 … layers, default the last)
 *   --head-stats                              every layer × head's statistics (Clark et al. 2019)
 * The `--json` field names (`words`, `attentionSummary`, `headStats`) are the issue's contract.
 */
import { ATTENTION_SUMMARY_KINDS, type AttentionSummaryKind, type AttentionSummarySlice, type HeadStat } from '../engine/attentionSummary';
import { ContextLensError } from '../engine/errors';
import type { AnalysisSession } from '../engine/session';
import type { AnalysisSummary } from '../engine/workerProtocol';
import { wordSegmenter, type Word } from '../engine/words';
import type { CliArgs } from './args';

/** The options that take no value. */
export const WORDS_SWITCHES = ['words', 'head-stats'];

/** Throws BAD_ARGUMENTS for a malformed words or attention option, so that it costs no model load. */
export function checkWordsArgs(args: CliArgs): void {
  const kind = args.flags.get('attention');
  if (kind !== undefined && !(ATTENTION_SUMMARY_KINDS as readonly unknown[]).includes(kind)) {
    throw new ContextLensError('BAD_ARGUMENTS', `Unknown --attention "${String(kind)}"; use one of ${ATTENTION_SUMMARY_KINDS.join(', ')}.`);
  }
  const layer = args.flags.get('layer');
  if (layer !== undefined) {
    if (kind !== 'mean-heads') throw new ContextLensError('BAD_ARGUMENTS', '--layer goes with --attention mean-heads (the layer whose heads are averaged).');
    if (typeof layer !== 'string' || !/^[1-9]\d*$/.test(layer)) throw new ContextLensError('BAD_ARGUMENTS', `--layer needs an attention layer (1 … the model's layers), not "${String(layer)}".`);
  }
  const language = args.flags.get('language');
  if (language !== undefined) {
    if (typeof language !== 'string') throw new ContextLensError('BAD_ARGUMENTS', '--language needs a language tag (e.g. zh, ja, en).');
    wordSegmenter(language);
  }
}

const round6 = (v: number): number => Number(v.toFixed(6));
const percent = (p: number): string => `${(p * 100).toFixed(1)}%`;

function wordsJson(words: Word[]) {
  return words.map((w) => ({ text: w.text, start: w.start, end: w.end, tokenIndices: w.tokenIndices, special: w.special }));
}

function summaryJson(s: AttentionSummarySlice) {
  return {
    kind: s.kind,
    ...(s.layer === undefined ? {} : { layer: s.layer }),
    size: s.size,
    tokenIndices: s.tokenIndices,
    ...(s.wordIndices ? { wordIndices: s.wordIndices } : {}),
    values: Array.from(s.weights, round6),
  };
}

function headStatsJson(stats: HeadStat[]) {
  return stats.map((h) => ({
    layer: h.layer,
    head: h.head,
    entropy: round6(h.entropy),
    distance: round6(h.distance),
    toCls: round6(h.toCls),
    toSep: round6(h.toSep),
    toPrev: round6(h.toPrev),
    toNext: round6(h.toNext),
    toPunct: round6(h.toPunct),
  }));
}

function summaryLines(s: AttentionSummarySlice, labels: string[]): string[] {
  const what = { rollout: 'attention rollout (Abnar & Zuidema 2020)', 'mean-heads': `mean over the heads of layer ${s.layer}`, 'mean-layers': 'mean over layers and heads' }[s.kind];
  const over = s.wordIndices ? 'words (from a word: mean over its pieces; to a word: sum over its pieces)' : 'tokens';
  const lines = ['', `${what}, ${s.size} × ${s.size} over ${over}; each row: where it attends most`];
  for (let i = 0; i < s.size; i++) {
    const row = Array.from(s.weights.subarray(i * s.size, (i + 1) * s.size));
    const top = row.map((v, j) => [v, j] as const).sort((x, y) => y[0] - x[0]).slice(0, 3);
    lines.push(`  ${labels[i]} → ${top.map(([v, j]) => `${labels[j]} ${percent(v)}`).join(', ')}`);
  }
  return lines;
}

function headStatsLines(stats: HeadStat[]): string[] {
  const columns = ['layer', 'head', 'entropy', 'distance', '[CLS]', '[SEP]', 'prev', 'next', 'punct'];
  const lines = ['', 'head statistics (Clark et al. 2019; entropy in nats, distance in positions, the rest mean attention per row)', columns.map((c) => c.padEnd(9)).join('')];
  for (const h of stats) {
    const cells = [String(h.layer), String(h.head), h.entropy.toFixed(3), h.distance.toFixed(2), percent(h.toCls), percent(h.toSep), percent(h.toPrev), percent(h.toNext), percent(h.toPunct)];
    lines.push(cells.map((c) => c.padEnd(9)).join(''));
  }
  return lines;
}

/** Runs the words and attention options given with `analyze`; returns the JSON fields and the readable lines to add. */
export async function runWords(args: CliArgs, session: AnalysisSession, summary: AnalysisSummary): Promise<{ json: Record<string, unknown>; lines: string[] }> {
  const json: Record<string, unknown> = {};
  const lines: string[] = [];
  const wantWords = args.flags.has('words');
  const valueOf = (name: string): string | undefined => {
    const v = args.flags.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  const language = valueOf('language');
  const { words } = session.words(summary.analysisId, language);
  if (wantWords) {
    json.words = wordsJson(words);
    lines.push('', `words (${words.length}, Intl.Segmenter): ${words.map((w) => (w.special ? w.text : `${w.text}[${w.tokenIndices.join(',')}]`)).join(' | ')}`);
  }
  const kind = valueOf('attention') as AttentionSummaryKind | undefined;
  if (kind !== undefined) {
    const layerFlag = valueOf('layer');
    const numLayers = session.model.info.numLayers;
    if (layerFlag !== undefined && Number(layerFlag) > numLayers) {
      throw new ContextLensError('BAD_ARGUMENTS', `--layer ${layerFlag}: this model has attention layers 1 … ${numLayers}.`);
    }
    const s = await session.attentionSummary(summary.analysisId, kind, { attentionLayer: layerFlag === undefined ? undefined : Number(layerFlag), words: wantWords, language });
    json.attentionSummary = summaryJson(s);
    const labels = s.wordIndices ? s.wordIndices.map((k) => words[k].text) : s.tokenIndices.map((t) => summary.tokens[t].piece);
    lines.push(...summaryLines(s, labels));
  }
  if (args.flags.has('head-stats')) {
    const stats = session.headStats(summary.analysisId);
    json.headStats = headStatsJson(stats);
    lines.push(...headStatsLines(stats));
  }
  return { json, lines };
}
