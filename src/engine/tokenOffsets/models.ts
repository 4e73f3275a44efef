/** Replays of the tokenizer model that splits one word into tokens, with each token's place in the word. */
import type { TokenizerModelJson } from './tokenizerJson';

/** One token of a word (a normalized string) and its [from, to) in the word. */
export interface PieceInWord {
  token: string;
  from: number;
  to: number;
}

export type WordModel = (word: string) => PieceInWord[];

/** A WordPiece model, by its type or, in older files without one, by its fields. */
export function isWordPiece(modelCfg: TokenizerModelJson): boolean {
  return (
    modelCfg.type === 'WordPiece' ||
    (!modelCfg.type &&
      !!modelCfg.vocab &&
      !Array.isArray(modelCfg.vocab) &&
      Object.hasOwn(modelCfg, 'continuing_subword_prefix') &&
      Object.hasOwn(modelCfg, 'unk_token') &&
      !Object.hasOwn(modelCfg, 'merges'))
  );
}

/** WordPiece (greedy longest match from the left), as @huggingface/tokenizers implements it. */
export function wordPieceModel(modelCfg: TokenizerModelJson, vocab: ReadonlyMap<string, number>): WordModel {
  const maxChars = modelCfg.max_input_chars_per_word ?? 100;
  const prefix = modelCfg.continuing_subword_prefix; // used verbatim, as the JS model does
  const unk = modelCfg.unk_token ?? '';
  return (word) => {
    // Code point boundaries in UTF-16 units.
    const bounds: number[] = [0];
    for (let i = 0; i < word.length; ) {
      i += word.codePointAt(i)! > 0xffff ? 2 : 1;
      bounds.push(i);
    }
    const nChars = bounds.length - 1;
    if (nChars > maxChars) return [{ token: unk, from: 0, to: word.length }];
    const subs: PieceInWord[] = [];
    let start = 0;
    while (start < nChars) {
      let end = nChars;
      let current: string | null = null;
      while (start < end) {
        let sub = word.slice(bounds[start], bounds[end]);
        if (start > 0) sub = `${prefix}${sub}`;
        if (vocab.has(sub)) {
          current = sub;
          break;
        }
        --end;
      }
      if (current === null) return [{ token: unk, from: 0, to: word.length }];
      subs.push({ token: current, from: bounds[start], to: bounds[end] });
      start = end;
    }
    return subs;
  };
}

/** Any other model: the real one, its tokens placed in the word afterwards. */
export function realModel(real: (words: string[]) => string[], modelCfg: TokenizerModelJson): WordModel {
  const cont = typeof modelCfg.continuing_subword_prefix === 'string' ? modelCfg.continuing_subword_prefix : '';
  return (word) => spreadInWord(word, real([word]), cont);
}

/** Positions for tokens of a non-WordPiece model within a word: located when they occur verbatim, else spread. */
function spreadInWord(word: string, toks: string[], cont: string): PieceInWord[] {
  const out: PieceInWord[] = [];
  let cursor = 0;
  for (let i = 0; i < toks.length; i++) {
    let t = toks[i];
    if (cont && t.startsWith(cont)) t = t.slice(cont.length);
    const at = t ? word.indexOf(t, cursor) : -1;
    if (at === cursor) {
      out.push({ token: toks[i], from: at, to: at + t.length });
      cursor = at + t.length;
    } else {
      const remaining = toks.length - i;
      const to = i === toks.length - 1 ? word.length : Math.min(word.length, cursor + Math.max(1, Math.floor((word.length - cursor) / remaining)));
      out.push({ token: toks[i], from: cursor, to });
      cursor = to;
    }
  }
  return out;
}

/** `fuse_unk`: consecutive unknown tokens become one. */
export function fuseUnk<T extends PieceInWord>(pieces: T[], isUnk: (t: string) => boolean): T[] {
  const fused: T[] = [];
  for (const p of pieces) {
    const last = fused[fused.length - 1];
    if (last && isUnk(last.token) && isUnk(p.token)) last.to = p.to;
    else fused.push({ ...p });
  }
  return fused;
}
