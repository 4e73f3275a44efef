/**
 * A causal model's tokens for the webview (issue 13): from the analysis's one forward, what the model
 * expected at each token before seeing it (`guesses`, the next-token guesses at the token before), what it
 * expects after it (`next`), and the token's probability and rank. No guess stream: nothing is pending.
 * Pure (no vscode): unit-tested on constructed summaries.
 */
import type { Guess } from '../../engine/types';
import type { AnalysisSummary } from '../../engine/workerProtocol';
import type { GuessView, TokenView } from '../../protocol';

export type CausalTokenFields = Pick<TokenView, 'guesses' | 'guessesPending' | 'next' | 'probability' | 'rank'>;

export function isCausal(a: Pick<AnalysisSummary, 'kind'>): boolean {
  return a.kind === 'causal';
}

/** Token `index`'s causal fields; undefined for a masked model's analysis (its guesses stream in). */
export function causalTokenFields(a: Pick<AnalysisSummary, 'kind' | 'guesses' | 'next' | 'tokenProbabilities'>, index: number): CausalTokenFields | undefined {
  if (!isCausal(a)) return undefined;
  // guesses[i] is next[i − 1] (types.ts Analysis); read next where an engine left guesses empty.
  const expected = a.guesses[index]?.length ? a.guesses[index] : index > 0 ? (a.next?.[index - 1] ?? []) : [];
  const fields: CausalTokenFields = { guesses: views(expected), guessesPending: false };
  const next = a.next?.[index];
  if (next) fields.next = views(next);
  const p = a.tokenProbabilities?.[index];
  if (p) {
    fields.probability = p.probability;
    fields.rank = p.rank;
  }
  return fields;
}

function views(guesses: readonly Guess[]): GuessView[] {
  return guesses.map((g) => ({ token: g.token, probability: g.probability }));
}
