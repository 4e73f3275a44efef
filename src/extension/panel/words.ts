/**
 * The panel's words (issue 12): a snippet's tokens grouped by the engine's Intl.Segmenter rule in the
 * language of contextLens.words.language (empty: the engine's default, the model's language).
 */
import type { WordsView } from '../../protocol';
import type { Word } from '../../engine/words/types';
import type { Ctx } from '../context';
import type { AnalyzedSnippet } from '../mapState';

export async function wordsView(ctx: Ctx, s: AnalyzedSnippet): Promise<WordsView> {
  const r = await ctx.engine.call('words', { analysisId: s.analysis.analysisId, language: ctx.config.wordsLanguage });
  return { snippetId: s.id, language: r.language, words: r.words };
}

/** The word holding token `tokenIndex` (a special token is a word of its own), or undefined. */
export function wordOfToken(words: readonly Word[], tokenIndex: number): Word | undefined {
  return words.find((w) => w.tokenIndices.includes(tokenIndex));
}
