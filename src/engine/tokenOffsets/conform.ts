/**
 * Tokenizing as the reference implementation (the Rust `tokenizers` library) does, with a transformers.js
 * tokenizer. The JS port diverges from the reference in BertNormalizer: it tests UTF-16 code units for CJK
 * ideographs, so an ideograph outside the BMP (U+20000…) is never split off its neighbours ("bank𠀀" became
 * one [UNK] instead of "bank" + [UNK]), and it lowercases with JavaScript's final-sigma rule and before
 * stripping accents. BERT was trained on the reference's ids, so the tokenizer's normalizer stage is replaced
 * by the reference's (normalizers.ts `bertNormalize`), before any token is made: the model, the replayed
 * ranges and every view then read the same, reference ids. test/unit/tokenizerOracle.test.ts checks the
 * result against the reference library.
 */
import { replaceNormalizer, tokenizerJson, type TokenizerLike } from '../hfInternals';
import { bertNormalizeText } from './normalizers';

const conformed = new WeakSet<object>();

/**
 * Gives `tokenizer` the reference's BertNormalizer where its tokenizer.json names one; other tokenizers are
 * left as they are. Idempotent. Returns whether the normalizer was replaced.
 */
export function conformTokenizer(tokenizer: TokenizerLike): boolean {
  if (conformed.has(tokenizer)) return true;
  const nCfg = tokenizerJson(tokenizer).normalizer;
  if (nCfg?.type !== 'BertNormalizer') return false;
  replaceNormalizer(tokenizer, (text) => bertNormalizeText(text, nCfg));
  conformed.add(tokenizer);
  return true;
}
