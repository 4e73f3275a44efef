/**
 * Tokenizing as the reference implementation (the Rust `tokenizers` library) does, with a transformers.js
 * tokenizer. The JS port diverges from the reference in BertNormalizer: it tests UTF-16 code units for CJK
 * ideographs, so an ideograph outside the BMP (U+20000…) is never split off its neighbours ("bank𠀀" became
 * one [UNK] instead of "bank" + [UNK]), and it lowercases with JavaScript's final-sigma rule and before
 * stripping accents. Both BertNormalizer and BertPreTokenizer also read this Node's Unicode tables, newer than
 * the reference's (referenceUnicode.ts). BERT was trained on the reference's ids, so those stages of the
 * tokenizer are replaced by the reference's (normalizers.ts, preTokenizers.ts) before any token is made: the
 * model, the replayed ranges and every view then read the same, reference ids.
 * test/unit/tokenizerOracle.test.ts checks the result against the reference library.
 */
import { replaceNormalizer, replacePreTokenizer, tokenizerJson, type TokenizerLike } from '../hfInternals';
import { bertNormalizeText } from './normalizers';
import { bertPreTokenize } from './preTokenizers';

const conformed = new WeakSet<object>();

/**
 * Gives `tokenizer` the reference's BertNormalizer and BertPreTokenizer where its tokenizer.json names them;
 * other stages are left as they are. Idempotent. Returns whether a stage was replaced.
 */
export function conformTokenizer(tokenizer: TokenizerLike): boolean {
  if (conformed.has(tokenizer)) return true;
  const json = tokenizerJson(tokenizer);
  const nCfg = json.normalizer;
  let replaced = false;
  if (nCfg?.type === 'BertNormalizer') {
    replaceNormalizer(tokenizer, (text) => bertNormalizeText(text, nCfg));
    replaced = true;
  }
  if (json.pre_tokenizer?.type === 'BertPreTokenizer') {
    replacePreTokenizer(tokenizer, (text) => bertPreTokenize(text).map(([start, end]) => text.slice(start, end)));
    replaced = true;
  }
  if (replaced) conformed.add(tokenizer);
  return replaced;
}
