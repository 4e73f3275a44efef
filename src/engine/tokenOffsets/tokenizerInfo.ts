/** What the offset mapping knows of a tokenizer, worked out once per tokenizer. */
import { idToPiece, tokenizerComponents, tokenizerConfigJson, tokenizerJson, type TokenizerLike } from '../hfInternals';
import { conformTokenizer } from './conform';
import { isByteLevel } from './byteLevel';
import { buildReplay, type ReplayInfo } from './replay';

/** A token of the text: its id, its piece, and its [start, end) in the original text. */
export interface Span {
  id: number;
  token: string;
  start: number;
  end: number;
}

export interface TokenizerInfo {
  templatePrefix: number;
  templateSuffix: number;
  idToToken(id: number): string | undefined;
  /** Null when the replay cannot run for this tokenizer (unknown JSON): only the alignment is used. */
  replay: ReplayInfo | null;
  /** Prefix of continuation pieces (`##`), stripped before aligning pieces with the text. */
  continuingPrefix: string;
  unkId: number | undefined;
  /** Byte-level BPE (byteLevel.ts): the added tokens' ids and contents; undefined for other tokenizers. */
  byteLevelAdded?: ReadonlyMap<number, string>;
}

const infoCache = new WeakMap<object, TokenizerInfo>();

/**
 * The offset mapping must work for any tokenizer that can encode (its contract: never throw), so a part
 * the library does not give (hfInternals throws) only narrows what it can do: no replay, the alignment
 * instead. test/unit/hfInternals.test.ts is what fails loudly when an upgrade moves these parts.
 */
function attempt<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

export function tokenizerInfo(tokenizer: TokenizerLike): TokenizerInfo {
  const cached = infoCache.get(tokenizer);
  if (cached) return cached;
  // First of all, so that every id (the template's below, the text's in tokenizeWithOffsets) is the reference's.
  attempt(() => conformTokenizer(tokenizer));
  const json = attempt(() => tokenizerJson(tokenizer));
  const components = attempt(() => tokenizerComponents(tokenizer));

  // id -> piece
  const viaTokenizer = attempt(() => idToPiece(tokenizer));
  let idToTokenArr: (string | undefined)[] | null = null;
  const idToToken = (id: number): string | undefined => {
    if (viaTokenizer) {
      try {
        const t = viaTokenizer(id);
        if (t !== undefined) return t;
      } catch {
        /* fall through */
      }
    }
    if (!idToTokenArr) {
      idToTokenArr = [];
      try {
        const v = tokenizer.get_vocab?.();
        if (v) for (const [k, i] of v) idToTokenArr[i] = k;
      } catch {
        /* no vocabulary */
      }
    }
    return idToTokenArr[id];
  };

  // Template shape: how many tokens the post-processor puts before and after a single sequence.
  let templatePrefix = 0;
  let templateSuffix = 0;
  try {
    const withSpecial = Array.from(tokenizer.encode('a'), Number);
    const bare = Array.from(tokenizer.encode('a', { add_special_tokens: false }), Number);
    for (let k = 0; k + bare.length <= withSpecial.length; k++) {
      if (bare.every((id, i) => withSpecial[k + i] === id)) {
        templatePrefix = k;
        templateSuffix = withSpecial.length - k - bare.length;
        break;
      }
    }
  } catch {
    /* keep 0/0 */
  }

  const replay = (json && attempt(() => buildReplay(json, attempt(() => tokenizerConfigJson(tokenizer)) ?? {}, components))) ?? null;
  const prefix = json?.model?.continuing_subword_prefix;
  const info: TokenizerInfo = {
    templatePrefix,
    templateSuffix,
    idToToken,
    replay,
    continuingPrefix: typeof prefix === 'string' ? prefix : '##',
    unkId: replay?.unkId ?? components?.unkTokenId,
    ...(json && isByteLevel(json) ? { byteLevelAdded: new Map((json.added_tokens ?? []).map((a) => [a.id, a.content])) } : {}),
  };
  infoCache.set(tokenizer, info);
  return info;
}
