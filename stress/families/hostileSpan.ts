/**
 * Guess Masked Span over a hostile text, as the extension asks it (src/extension/predictions/spanCommand.ts):
 * the span's line, clipped around the span when long (spanSource), handed to the engine's spanGuesses.
 * For an analysable text the span is a token of the analysis (its word when that is short and on one line)
 * and the guesses must be for exactly the tokens it covers; otherwise a word of the text, and the ending
 * may be BAD_SPAN or the text's refusal, each with a next step.
 */
import { spanSource } from '../../src/extension/predictions/spanSource';
import type { AnalysisSession } from '../../src/engine/session';
import type { AnalysisSummary } from '../../src/engine/workerProtocol';
import { MAX_SPAN_TOKENS } from '../../src/engine/predictions/types';
import { expect, type FamilyRecorder } from '../record';
import type { HostileText } from '../hostileTexts';
import { expectEnding, refusalCode, wordOf } from './hostileRules';

/** spanCommand.ts: the window the extension cuts from a long line (maxTokens 512 × 8 characters). */
const SPAN_WINDOW_CHARS = 512 * 8;
const LINE_BREAK = /[\n\r\u2028\u2029\u0085]/g;

/** [start, end) of the line holding `at`. */
function lineAround(text: string, at: number): [number, number] {
  let start = 0;
  let end = text.length;
  for (const m of text.matchAll(LINE_BREAK)) {
    const i = m.index ?? 0;
    if (i < at) start = i + 1;
    else {
      end = i;
      break;
    }
  }
  return [start, end];
}

/** The span to mask: a middle token of the analysis that is no typed special token, widened to its word when that fits. */
function spanOfAnalysis(session: AnalysisSession, a: AnalysisSummary): { start: number; end: number } | undefined {
  const { cls, sep, pad } = session.model.specialIds;
  const candidates = a.tokens.filter((t) => !t.special && t.end > t.start && ![cls, sep, pad].includes(t.id) && a.text.slice(t.start, t.end).trim() && !/[\n\r\u2028\u2029\u0085]/.test(a.text.slice(t.start, t.end)));
  const t = candidates[Math.floor(candidates.length / 2)];
  if (!t) return undefined;
  const word = session.words(a.analysisId).words.find((w) => w.tokenIndices.includes(t.index));
  if (word && word.tokenIndices.length <= MAX_SPAN_TOKENS && !/[\n\r\u2028\u2029\u0085]/.test(word.text) && word.text.trim()) return { start: word.start, end: word.end };
  return { start: t.start, end: t.end };
}

export async function spanCase(rec: FamilyRecorder, session: AnalysisSession, t: HostileText, text: string, summary: AnalysisSummary | undefined, bound: number): Promise<void> {
  const span = summary ? spanOfAnalysis(session, summary) : wordOf(text);
  await rec.run(`${t.name} · span · masked`, 'engine', bound, async (signal) => {
    const [lineStart, lineEnd] = span ? lineAround(text, span.start) : [0, text.length];
    const source = spanSource(text.slice(lineStart, lineEnd), (span?.start ?? 0) - lineStart, (span?.end ?? 0) - lineStart, SPAN_WINDOW_CHARS);
    try {
      const r = await session.spanGuesses(source.text, source.start, source.end, 5, { signal });
      const covered = r.tokens.filter((k) => r.tokenIndices.includes(k.index));
      expect(r.tokenIndices.length > 0 && r.tokenIndices.length <= MAX_SPAN_TOKENS, `${r.tokenIndices.length} tokens masked`);
      expect(covered.every((k) => k.start < source.end && k.end > source.start), 'a masked token lies outside the span');
      expect(r.positions.length === r.tokenIndices.length, `${r.positions.length} guess lists for ${r.tokenIndices.length} masked tokens`);
      expect(r.positions.every((g) => g.length > 0 && g.every((x) => x.probability >= 0 && x.probability <= 1)), 'a masked position without guesses, or a probability outside [0, 1]');
      expect(r.fills.length > 0 && r.fills.every((f) => f.tokens.length === r.tokenIndices.length), 'no joint fill, or a fill of another length than the span');
      return 'guesses';
    } catch (e) {
      const code = refusalCode(e, 'spanGuesses');
      // An analysable text's span is the analysis's own token: it must be guessed, never refused.
      expectEnding(code, summary ? [] : ['BAD_SPAN', ...t.endings.filter((x) => x !== 'analysis')], 'spanGuesses');
      return code;
    }
  });
}
