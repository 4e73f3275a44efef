/**
 * `context-lens analyze` with a causal model (issue 13): the `--json` fields `next` (top-k for the token
 * after each position) and, on every token, `tokenProbability` ({probability, rank} given the tokens
 * before it; null where nothing precedes); the readable table shows per token its probability and rank,
 * its surprisal, what the model expected there, and what it predicts next.
 */
import type { Guess } from '../engine/types';
import type { AnalysisSummary } from '../engine/workerProtocol';

const rounded = (guesses: Guess[]) => guesses.map((g) => ({ token: g.token, probability: Number(g.probability.toFixed(6)) }));
const percent = (p: number): string => `${(p * 100).toFixed(1)}%`;
/** Guesses as the terminal shows them: a token's leading space visible, so " the" and "the" differ. */
const guessList = (guesses: Guess[]): string => guesses.map((g) => `${JSON.stringify(g.token)} ${percent(g.probability)}`).join(', ');

/** The top-level `next` field of a causal model's JSON (nothing for a masked model). */
export function causalJson(summary: AnalysisSummary): Record<string, unknown> {
  return summary.next ? { next: summary.next.map(rounded) } : {};
}

/** A token's `tokenProbability` field (causal models only). */
export function tokenProbabilityJson(summary: AnalysisSummary, index: number): Record<string, unknown> {
  if (!summary.tokenProbabilities) return {};
  const p = summary.tokenProbabilities[index];
  return { tokenProbability: p ? { probability: Number(p.probability.toPrecision(6)), rank: p.rank } : null };
}

/** The readable table of a causal model's analysis. */
export function causalLines(summary: AnalysisSummary, pad: (s: string, width: number) => string): string[] {
  const lines = [
    'causal model: each token scored given the tokens before it (probability, rank, surprisal in bits); "expected" is what it predicted there before seeing the token, "next" what it predicts after it',
    `${pad('#', 5)}${pad('token', 14)}${pad('range', 12)}${pad('p', 9)}${pad('rank', 8)}${pad('bits', 7)}expected | next`,
  ];
  for (const t of summary.tokens) {
    const p = summary.tokenProbabilities?.[t.index] ?? null;
    const score = p ? `${pad(percent(p.probability), 9)}${pad(String(p.rank), 8)}${pad((-Math.log2(Math.max(p.probability, 1e-45))).toFixed(1), 7)}` : `${pad('-', 9)}${pad('-', 8)}${pad('-', 7)}`;
    lines.push(`${pad(String(t.index), 5)}${pad(JSON.stringify(t.piece).slice(1, -1), 14)}${pad(`[${t.start},${t.end})`, 12)}${score}${guessList(summary.guesses[t.index] ?? []) || '-'} | ${guessList(summary.next?.[t.index] ?? [])}`);
  }
  return lines;
}
