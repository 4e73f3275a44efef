/**
 * BertPreTokenizer as the reference implements it: words are runs of characters that are neither whitespace
 * nor punctuation; every punctuation character is a word of its own. The character classes are this Node's,
 * corrected where the reference's older Unicode tables differ (referenceUnicode.ts).
 */
import { PUNCTUATION, WHITESPACE, WORD_CHARACTERS } from './referenceUnicode';

const PUNCTUATION_CLASS = `[[[\\p{P}\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E]--[${WORD_CHARACTERS}]][${PUNCTUATION}]]`;
const WHITESPACE_CLASS = `[[\\s--[${WORD_CHARACTERS}]][${WHITESPACE}]]`;
const RE_BERT_WORD = new RegExp(`[^${WHITESPACE_CLASS}${PUNCTUATION_CLASS}]+|${PUNCTUATION_CLASS}`, 'gv');

/** The words of `text`, each as [start, end) in UTF-16 code units. */
export function bertPreTokenize(text: string): [number, number][] {
  const words: [number, number][] = [];
  for (const m of text.matchAll(RE_BERT_WORD)) words.push([m.index!, m.index! + m[0].length]);
  return words;
}
