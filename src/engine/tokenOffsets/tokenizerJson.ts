/**
 * The fields of a Hugging Face `tokenizer.json` and `tokenizer_config.json` that the replay reads. Every
 * field is optional and checked where it is used: the files come from any model on the Hub, and the replay
 * is only trusted when its ids equal the real tokenizer's.
 */

export interface TokenizerJson {
  added_tokens?: AddedTokenJson[];
  normalizer?: NormalizerJson | null;
  pre_tokenizer?: { type?: string } | null;
  model?: TokenizerModelJson | null;
}

export interface AddedTokenJson {
  id: number;
  content: string;
  lstrip?: boolean;
  rstrip?: boolean;
  normalized?: boolean;
  special?: boolean;
}

/** BertNormalizer's options; other normalizer types are run through the real one. */
export interface NormalizerJson {
  type?: string;
  clean_text?: boolean;
  handle_chinese_chars?: boolean;
  lowercase?: boolean;
  /** null (the default) follows `lowercase`. */
  strip_accents?: boolean | null;
}

export interface TokenizerModelJson {
  /** `WordPiece`, `BPE`, `Unigram`…; older files leave it out (WordPiece is then recognised by its fields). */
  type?: string;
  /** token -> id (WordPiece, BPE); Unigram has a list of [token, score] instead. */
  vocab?: Record<string, number> | unknown[];
  unk_token?: string;
  continuing_subword_prefix?: string | null;
  max_input_chars_per_word?: number;
  fuse_unk?: boolean;
  merges?: unknown;
}

/** tokenizer_config.json: the options the tokenizer applies before its normalizer. */
export interface TokenizerConfigJson {
  remove_space?: boolean;
  do_lowercase_and_remove_accent?: boolean;
}
