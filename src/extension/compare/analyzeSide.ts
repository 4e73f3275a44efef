/** One model's analysis for Compare Models, with every masked guess filled in (a masked model's probabilities come from them). */
import { throwIfAborted } from '../../engine/errors';
import type { AnalysisSummary } from '../../engine/workerProtocol';
import type { EngineClient } from '../engineClient';

/** Tokens per guesses call: small, so that progress moves and a cancel is heard between calls. */
const GUESS_BATCH = 8;

/**
 * Fills `summary.guesses` (an analysis made with `guesses: false`) for every token of a masked model, a few
 * tokens per call; a causal model's guesses come with the analysis (one forward) and are left as they are.
 */
export async function fillMaskedGuesses(engine: EngineClient, summary: AnalysisSummary, topK: number, signal: AbortSignal, onFraction: (done: number, total: number) => void): Promise<AnalysisSummary> {
  if (summary.kind !== 'masked') return summary;
  const wanted = summary.tokens.filter((t) => !t.special && (summary.guesses[t.index]?.length ?? 0) < topK).map((t) => t.index);
  const guesses = summary.guesses.map((g) => [...g]);
  for (let i = 0; i < wanted.length; i += GUESS_BATCH) {
    throwIfAborted(signal);
    onFraction(i, wanted.length);
    const found = await engine.call('guesses', { analysisId: summary.analysisId, tokenIndices: wanted.slice(i, i + GUESS_BATCH), topK }, { signal });
    for (const f of found) guesses[f.tokenIndex] = f.guesses;
  }
  onFraction(wanted.length, wanted.length);
  return { ...summary, guesses };
}
