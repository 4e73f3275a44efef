/**
 * The analysis's tokens grouped into words by `Intl.Segmenter` (word granularity: ICU's rules, with
 * dictionaries for Chinese, Japanese and Thai). A piece and a word segment need not line up, so one rule
 * decides: tokens are never split. A word is a run of consecutive text tokens joined whenever two of them
 * touch the same segment, so a token that spans two segments ("[MASK]" typed: "[", "MASK", "]") merges them,
 * and a segment split into pieces ("playing" = play ##ing, "苹果" = 苹 果) keeps its pieces together. A token
 * with an empty range (a character the normalizer dropped) joins the segment at its start. Segments no token
 * touches (spaces, characters the normalizer removed) belong to no word, so a word's range is exactly its
 * pieces': the first piece's start to the last piece's end. Special tokens ([CLS], [SEP]) are words alone.
 * Hand-written because no library maps a segmentation onto a tokenizer's pieces.
 */
import { ContextLensError } from '../errors';
import type { AnalyzedToken } from '../types';
import type { Word } from './types';

/** A segmenter for `language` (a BCP 47 tag; undefined = the runtime's default). Throws BAD_ARGUMENTS for a malformed tag. */
export function wordSegmenter(language: string | undefined): Intl.Segmenter {
  try {
    return new Intl.Segmenter(language, { granularity: 'word' });
  } catch (e) {
    throw new ContextLensError('BAD_ARGUMENTS', `"${language}" is not a language tag Intl.Segmenter accepts (e.g. zh, ja, en): ${(e as Error).message}`);
  }
}

/** For every UTF-16 code unit of `text`, the index of the word segment it is in. */
function segmentIndexOfUnits(text: string, segmenter: Intl.Segmenter): Int32Array {
  const at = new Int32Array(Math.max(1, text.length));
  let k = 0;
  for (const s of segmenter.segment(text)) at.fill(k++, s.index, s.index + s.segment.length);
  return at;
}

export function groupWords(text: string, tokens: readonly AnalyzedToken[], language?: string): Word[] {
  const segmentOf = segmentIndexOfUnits(text, wordSegmenter(language));
  const unitAt = (offset: number): number => segmentOf[Math.max(0, Math.min(segmentOf.length - 1, offset))];
  const words: Word[] = [];
  let current: { tokenIndices: number[]; start: number; end: number; lastSegment: number } | undefined;
  const close = (): void => {
    if (current) words.push({ text: text.slice(current.start, current.end), start: current.start, end: current.end, tokenIndices: current.tokenIndices, special: false });
    current = undefined;
  };
  for (const t of tokens) {
    if (t.special) {
      close();
      words.push({ text: t.piece, start: t.start, end: t.start, tokenIndices: [t.index], special: true });
      continue;
    }
    const first = unitAt(t.start);
    const last = t.end > t.start ? unitAt(t.end - 1) : first;
    if (current && first <= current.lastSegment) {
      current.tokenIndices.push(t.index);
      current.start = Math.min(current.start, t.start);
      current.end = Math.max(current.end, t.end);
      current.lastSegment = Math.max(current.lastSegment, last);
    } else {
      close();
      current = { tokenIndices: [t.index], start: t.start, end: t.end, lastSegment: last };
    }
  }
  close();
  return words;
}
