/**
 * Replaying a tokenizer's pipeline (added-token splitting, normalizer, pre-tokenizer, model) on the original
 * string while keeping, for every code unit of the normalized text, the range of original code units it
 * came from. Driven by the tokenizer's own JSON and mirroring the JS implementation's quirks; the caller
 * only trusts the result when it yields exactly the real ids.
 */
import type { TokenizerComponents } from '../hfInternals';
import { mapCodePoints, mappedFrom, rangeOf, removeSpaceMapped, type Mapped } from './mapped';
import { fuseUnk, isWordPiece, realModel, wordPieceModel, type WordModel } from './models';
import { bertNormalize, genericNormalize, RE_M } from './normalizers';
import { bertPreTokenize } from './preTokenizers';
import { applyStrips, Splitter, type AddedTokenInfo } from './splitter';
import type { TokenizerConfigJson, TokenizerJson } from './tokenizerJson';
import type { Span } from './tokenizerInfo';


export interface ReplayInfo {
  addedMap: Map<string, AddedTokenInfo>;
  splitUnnormalized: Splitter;
  splitNormalized: Splitter;
  removeSpace: boolean;
  lowercaseAndRemoveAccent: boolean;
  normalize: ((m: Mapped) => Mapped) | null;
  /** Words [start, end) of a normalized subsection. */
  preTokenize: (text: string, sectionIndex: number) => [number, number][];
  /** Token strings for one word (a normalized string) with their [from, to) in the word. */
  model: WordModel;
  fuseUnk: boolean;
  vocab: Map<string, number>;
  unkId: number | undefined;
}

/**
 * What the replay needs, from the tokenizer's JSON; components the JSON does not describe well enough to
 * replay (a normalizer other than BertNormalizer…) are the real ones, run piece by piece. Throws when the
 * replay cannot run for this tokenizer.
 */
export function buildReplay(json: TokenizerJson, config: TokenizerConfigJson, components: TokenizerComponents | undefined): ReplayInfo {
  const modelCfg = json.model;
  if (!modelCfg || typeof modelCfg !== 'object') throw new Error('no model');

  // Normalizer.
  let normalize: ((m: Mapped) => Mapped) | null = null;
  const nCfg = json.normalizer;
  if (nCfg) {
    if (nCfg.type === 'BertNormalizer') normalize = (m) => bertNormalize(m, nCfg);
    else if (components?.normalizer) {
      const real = components.normalizer;
      normalize = (m) => genericNormalize(m, (s) => real(s));
    } else throw new Error('normalizer not available');
  }
  const normalizeString = (s: string) => (normalize ? normalize(mappedFrom(s, 0, s.length)).text : s);

  // Pre-tokenizer.
  let preTokenize: ReplayInfo['preTokenize'];
  const pCfg = json.pre_tokenizer;
  if (!pCfg) {
    preTokenize = (text) => (text.length ? [[0, text.length]] : []);
  } else if (pCfg.type === 'BertPreTokenizer') {
    preTokenize = (text) => bertPreTokenize(text);
  } else if (components?.preTokenizer) {
    const real = components.preTokenizer;
    preTokenize = (text, section_index) => {
      const pieces = real(text, { section_index });
      const words: [number, number][] = [];
      let cursor = 0;
      for (const p of pieces) {
        const at = text.indexOf(p, cursor);
        if (at < 0) throw new Error('pre-tokenizer transforms the text');
        words.push([at, at + p.length]);
        cursor = at + p.length;
      }
      return words;
    };
  } else throw new Error('pre-tokenizer not available');

  // Vocabulary (the model's, with the added tokens set into it as the Tokenizer constructor does).
  const vocab = new Map<string, number>();
  if (modelCfg.vocab && !Array.isArray(modelCfg.vocab)) {
    for (const [k, v] of Object.entries(modelCfg.vocab)) vocab.set(k, v);
  }
  const addedMap = new Map<string, AddedTokenInfo>();
  const unnormalized: string[] = [];
  const normalizedContents: string[] = [];
  for (const a of json.added_tokens ?? []) {
    const special = a.special ?? false;
    const tok: AddedTokenInfo = {
      content: a.content,
      id: a.id,
      lstrip: a.lstrip ?? false,
      rstrip: a.rstrip ?? false,
      normalized: a.normalized ?? !special,
    };
    vocab.set(tok.content, tok.id);
    addedMap.set(tok.content, tok);
    if (tok.normalized && nCfg) {
      const nc = normalizeString(tok.content);
      normalizedContents.push(nc);
      addedMap.set(nc, tok);
    } else unnormalized.push(tok.content);
  }
  const unkId = modelCfg.unk_token === undefined ? undefined : vocab.get(modelCfg.unk_token);

  // Model.
  let model: WordModel;
  if (isWordPiece(modelCfg)) model = wordPieceModel(modelCfg, vocab);
  else if (components?.model) model = realModel(components.model, modelCfg);
  else throw new Error('model not available');

  return {
    addedMap,
    splitUnnormalized: new Splitter(unnormalized),
    splitNormalized: new Splitter(normalizedContents),
    removeSpace: config.remove_space === true,
    lowercaseAndRemoveAccent: config.do_lowercase_and_remove_accent ?? false,
    normalize,
    preTokenize,
    model,
    fuseUnk: modelCfg.fuse_unk ?? false,
    vocab,
    unkId,
  };
}

/**
 * The text's tokens (no template tokens) with their ranges in `text`: from the first to the last original
 * character its normalized characters came from, as the reference reports them. A character the normalizer
 * removed (zero-width space, U+FFFD, a stripped accent) between two tokens is in neither.
 */
export function replayTokenize(r: ReplayInfo, text: string): Span[] {
  const out: Span[] = [];
  const idOf = (t: string): number => r.addedMap.get(t)?.id ?? r.vocab.get(t) ?? (r.unkId as number);

  const sections = r.splitUnnormalized.split(text);
  applyStrips(text, sections, r.addedMap);
  sections.forEach((sec, sectionIndex) => {
    if (sec.end <= sec.start) return;
    const raw = text.slice(sec.start, sec.end);
    if (r.addedMap.has(raw)) {
      out.push({ id: idOf(raw), token: raw, start: sec.start, end: sec.end });
      return;
    }
    let m = mappedFrom(text, sec.start, sec.end);
    if (r.removeSpace) m = removeSpaceMapped(m);
    if (r.lowercaseAndRemoveAccent) {
      const f = (s: string) => s.toLowerCase().replace(RE_M, '');
      m = mapCodePoints(m, f, f);
    }
    if (r.normalize) m = r.normalize(m);
    if (m.text.length === 0) return;

    const subs = r.splitNormalized.split(m.text);
    applyStrips(m.text, subs, r.addedMap);
    for (const sub of subs) {
      if (sub.end <= sub.start) continue;
      const subText = m.text.slice(sub.start, sub.end);
      if (r.addedMap.has(subText)) {
        const [s, e] = rangeOf(m, sub.start, sub.end);
        out.push({ id: idOf(subText), token: subText, start: s, end: e });
        continue;
      }
      for (const [ws, we] of r.preTokenize(subText, sectionIndex)) {
        const word = subText.slice(ws, we);
        let pieces = r.model(word);
        if (r.fuseUnk) pieces = fuseUnk(pieces, (t) => idOf(t) === r.unkId);
        for (const p of pieces) {
          const [s, e] = rangeOf(m, sub.start + ws + p.from, sub.start + ws + p.to);
          out.push({ id: idOf(p.token), token: p.token, start: s, end: e });
        }
      }
    }
  });

  return out;
}
