/** The Tokens tab's prediction requests (issue 11), answered from the engine: per-layer guesses and unmasked predictions. */
import type { LayerGuessesResult, TokenGuessesView } from '../../protocol';
import type { Ctx } from '../context';
import { ms } from '../log';
import type { AnalyzedSnippet } from '../mapState';

/**
 * The head at every layer for token `tokenIndex` of the snippet, masked alone in the snippet's text (the
 * same text and token as its streamed masked guess, so the last row equals that guess). null for a special
 * token or an index the snippet does not have.
 */
export async function snippetLayerGuesses(ctx: Pick<Ctx, 'engine' | 'config' | 'log'>, s: AnalyzedSnippet, tokenIndex: number): Promise<LayerGuessesResult | null> {
  const token = s.analysis.tokens[tokenIndex];
  if (!token || token.special) return null;
  const t0 = performance.now();
  const result = await ctx.engine.call('layerGuesses', { text: s.analysis.text, offset: token.start, topK: ctx.config.topK });
  ctx.log.debug(`Layer guesses for "${token.piece}" (${s.label}, token ${tokenIndex}): ${result?.layers.length ?? 0} layers, first at layer ${result?.firstLayer ?? '–'} in ${ms(performance.now() - t0)}`);
  return result;
}

/** What the head reconstructs at every position of the snippet's unmasked text (one forward per window). */
export async function snippetUnmasked(ctx: Pick<Ctx, 'engine' | 'config' | 'log'>, s: AnalyzedSnippet): Promise<TokenGuessesView[]> {
  const t0 = performance.now();
  const tokens = await ctx.engine.call('unmasked', { analysisId: s.analysis.analysisId, topK: ctx.config.topK });
  ctx.log.info(`Unmasked predictions for ${s.label}: ${tokens.length} tokens in ${ms(performance.now() - t0)}`);
  return tokens.map((t) => ({ tokenIndex: t.tokenIndex, guesses: t.guesses.map((g) => ({ token: g.token, probability: g.probability })) }));
}
