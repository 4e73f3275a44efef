/**
 * Masked spans (issue 11; SpanBERT masks whole spans, Chinese BERTs whole words): every token of a span
 * masked at once, the top-k at each masked position, and joint fills. A masked LM gives no joint
 * probability for several masks, so the fills come from a beam search, as in the span-infilling
 * literature: each beam fills its most confident still-masked position (highest top probability) with each
 * of its top candidates and runs again with the rest still masked; a fill's score is the product of the
 * conditional probabilities of its choices. Every step's beams run as one batched forward.
 */
import { DEFAULT_MAX_CHARS, windowAround } from '../analyze';
import { ContextLensError, throwIfAborted } from '../errors';
import { runRows } from '../forward';
import { checkInputText } from '../inputCheck';
import { guessVocabulary, topKFromLogits } from '../maskedGuesses';
import type { LoadedModel } from '../modelStore';
import { tokenizeWithOffsets } from '../tokenOffsets';
import type { AnalyzedToken, Guess } from '../types';
import { askedRows } from './logitRows';
import { MAX_SPAN_TOKENS, type SpanFill, type SpanGuessesResult } from './types';

/** Beams kept after each step, candidates tried per step and beam, and fills returned. */
export const SPAN_BEAM_WIDTH = 5;

const LINE_BREAK = /[\n\r\u2028\u2029\u0085]/;

/** One partial fill: the window's ids with some span positions filled, the others still [MASK]. */
interface Beam {
  row: number[];
  /** Window positions still masked, in span order. */
  masked: number[];
  score: number;
}

function badSpan(message: string): ContextLensError {
  return new ContextLensError('BAD_SPAN', message);
}

/**
 * The tokens of `text` covering [start, end): non-special tokens whose range overlaps it, without the
 * template tokens a text may spell out ([CLS], [SEP], [PAD]). Throws BAD_SPAN for a span that cannot be
 * guessed, before any forward.
 */
export function spanTokens(lm: LoadedModel, text: string, start: number, end: number): { tokens: AnalyzedToken[]; covered: AnalyzedToken[] } {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > text.length) {
    throw badSpan(`The span [${start}, ${end}) is not inside the text (${text.length} characters). Select the span again.`);
  }
  if (end <= start) throw badSpan('The span is empty. Select the characters to mask (a word, or a phrase of up to 8 tokens).');
  const spanText = text.slice(start, end);
  if (LINE_BREAK.test(spanText)) throw badSpan('The span runs across a line break. Select a span within one line.');
  const onlyWhitespace = badSpan('The span holds only whitespace or special tokens, so there is nothing to mask. Select a word.');
  if (!spanText.trim()) throw onlyWhitespace;
  checkInputText(text, DEFAULT_MAX_CHARS);
  const tokens = tokenizeWithOffsets(lm.tokenizer, text);
  const { cls, sep, pad } = lm.specialIds;
  const template = new Set([cls, sep, pad]);
  const covered = tokens.filter((t) => !t.special && t.end > t.start && t.start < end && t.end > start && !template.has(t.id));
  if (!covered.length) throw onlyWhitespace;
  if (covered.length > MAX_SPAN_TOKENS) {
    throw badSpan(`The span is ${covered.length} tokens long; at most ${MAX_SPAN_TOKENS} tokens can be masked together. Select a shorter span.`);
  }
  return { tokens, covered };
}

/** The tokens covering [start, end) of `text` masked together: per-position top-k and up to SPAN_BEAM_WIDTH joint fills. */
export async function spanGuesses(lm: LoadedModel, text: string, start: number, end: number, topK: number, signal?: AbortSignal): Promise<SpanGuessesResult> {
  throwIfAborted(signal);
  const { tokens, covered } = spanTokens(lm, text, start, end);
  const tokenIndices = covered.map((t) => t.index);
  const { windowIds, positionOf } = windowAround(lm, tokens, tokenIndices[0], tokenIndices[tokenIndices.length - 1]);
  const spanPositions = tokenIndices.map(positionOf);
  const mask = lm.specialIds.mask;
  const vocab = lm.info.vocabSize;
  const { idToText, exclude } = guessVocabulary(lm);
  const n = windowIds.length;

  const initial = windowIds.map((id, i) => (spanPositions.includes(i) ? mask : id));
  let beams: Beam[] = [{ row: initial, masked: spanPositions, score: 1 }];
  let positions: Guess[][] = [];
  for (let step = 0; step < spanPositions.length; step++) {
    throwIfAborted(signal);
    // One forward for every beam of this step, logits only at their masked positions.
    const asked = beams.flatMap((b, r) => b.masked.map((p) => r * n + p));
    const { logits } = await runRows(lm, beams.map((b) => b.row), ['logits'], asked);
    const rows = askedRows(lm, logits, asked);
    let k = 0;
    const candidates: Beam[] = [];
    for (const beam of beams) {
      const tops = beam.masked.map(() => topKFromLogits(rows.data, rows.offsetOf(k++), vocab, Math.max(topK, SPAN_BEAM_WIDTH), idToText, exclude));
      if (step === 0) positions = tops.map((t) => t.slice(0, topK));
      // The most confident still-masked position (the first of equals, in span order).
      let chosen = 0;
      tops.forEach((t, i) => (t[0].probability > tops[chosen][0].probability ? (chosen = i) : undefined));
      const at = beam.masked[chosen];
      for (const guess of tops[chosen].slice(0, SPAN_BEAM_WIDTH)) {
        const row = beam.row.slice();
        row[at] = guess.id;
        candidates.push({ row, masked: beam.masked.filter((p) => p !== at), score: beam.score * guess.probability });
      }
    }
    // Array.prototype.sort is stable: equal scores keep the order their beams were made in.
    beams = candidates.sort((a, b) => b.score - a.score).slice(0, SPAN_BEAM_WIDTH);
  }
  const fills: SpanFill[] = beams.map((b) => {
    const ids = spanPositions.map((p) => b.row[p]);
    return { text: spanText(lm, ids), tokens: ids.map(idToText), score: b.score };
  });
  return { start, end, tokenIndices, tokens: covered, positions, fills };
}

/**
 * A fill's ids as text, decoded by the tokenizer (WordPiece joins `##` pieces to their word). BERT's
 * decoder puts a space between every two tokens, also between two CJK characters, which the text never
 * had (BasicTokenizer splits CJK characters apart on input); those spaces are dropped, as the Chinese
 * fill-mask demos show their words.
 */
function spanText(lm: LoadedModel, ids: number[]): string {
  const decoded = lm.tokenizer.decode(ids, { skip_special_tokens: false });
  return decoded.replace(/(?<=[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]) (?=[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef])/g, '');
}
