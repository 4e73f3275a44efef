/**
 * Token ids with character offsets for a transformers.js tokenizer.
 *
 * transformers.js (`@huggingface/tokenizers`) returns token strings and ids but no offsets. We get the ids from the
 * real tokenizer (the ground truth) and derive offsets by replaying its pipeline — added-token splitting,
 * normalizer, pre-tokenizer, WordPiece — on the original string while keeping, for every code unit of the
 * normalized text, the range of original code units it came from. The replay is driven by the tokenizer's own
 * JSON (`tokenizer._tokenizerJSON`), mirrors the JS implementation's quirks, and is only trusted when it yields
 * exactly the real ids; otherwise a fuzzy alignment of the real pieces against the text gives every token a
 * sensible range. Offsets are UTF-16 code units, as VS Code positions are.
 *
 * No `vscode` import; only a type import of transformers.js.
 */
import type { AnalysedToken } from './types';

/** The parts of a transformers.js `PreTrainedTokenizer` this module uses (a real one satisfies it). */
export interface OffsetTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
  /** tokenizer.json, as transformers.js keeps it. */
  _tokenizerJSON?: any;
  /** tokenizer_config.json, as transformers.js keeps it. */
  _tokenizerConfig?: any;
  /** The `@huggingface/tokenizers` Tokenizer: normalizer / pre_tokenizer / model objects, id_to_token. */
  _tokenizer?: any;
  get_vocab?(): Map<string, number>;
}

/** How the offsets of a `tokenizeWithOffsets` result were obtained (for diagnostics and tests). */
export type OffsetMethod = 'replay' | 'aligned';

export interface TokenizeWithOffsetsResult {
  tokens: AnalysedToken[];
  method: OffsetMethod;
}

/**
 * [CLS], the text's tokens, [SEP] — each with the real tokenizer's id, its vocabulary piece and its
 * [start, end) in `text` (UTF-16 code units). Tokens added by the post-processor are `special` with
 * start === end (0 before the text, text.length after it). A special token typed in the text (a literal
 * "[MASK]") is a text token: `special: false`, covering the characters typed. Never throws for a tokenizer
 * that can encode the text.
 */
export function tokenizeWithOffsets(tokenizer: OffsetTokenizer, text: string): AnalysedToken[] {
  return tokenizeWithOffsetsDetailed(tokenizer, text).tokens;
}

/** `tokenizeWithOffsets`, also saying whether the exact replay or the fallback alignment produced the offsets. */
export function tokenizeWithOffsetsDetailed(tokenizer: OffsetTokenizer, text: string): TokenizeWithOffsetsResult {
  const info = tokenizerInfo(tokenizer);
  const full = Array.from(tokenizer.encode(text), Number);
  const prefix = Math.min(info.templatePrefix, full.length);
  const suffix = Math.min(info.templateSuffix, full.length - prefix);
  const textIds = full.slice(prefix, full.length - suffix);

  let body: Span[] | null = null;
  let method: OffsetMethod = 'replay';
  try {
    body = info.replay ? replayTokenize(info, text) : null;
  } catch {
    body = null;
  }
  if (!body || body.length !== textIds.length || body.some((t, i) => t.id !== textIds[i])) {
    method = 'aligned';
    body = alignPieces(info, text, textIds);
  }

  const out: AnalysedToken[] = [];
  const push = (id: number, start: number, end: number, special: boolean, fallbackPiece?: string) => {
    out.push({ index: out.length, id, piece: info.idToToken(id) ?? fallbackPiece ?? '', start, end, special });
  };
  for (let i = 0; i < prefix; i++) push(full[i], 0, 0, true);
  for (const t of body) push(t.id, t.start, t.end, false, t.token);
  for (let i = full.length - suffix; i < full.length; i++) push(full[i], text.length, text.length, true);
  return { tokens: out, method };
}

/**
 * The index (in `tokens`) of the non-special token whose range covers the character at `offset`
 * (UTF-16 code units), or -1 (whitespace, outside the text, only special tokens there).
 * `tokens` must be ordered by position, as `tokenizeWithOffsets` returns them.
 */
export function tokenIndexAtOffset(tokens: readonly AnalysedToken[], offset: number): number {
  if (!Number.isFinite(offset) || tokens.length === 0) return -1;
  // Last token with start <= offset.
  let lo = 0;
  let hi = tokens.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid].start <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  // Walk back over zero-width and special tokens (ranges of text tokens do not overlap).
  for (let i = found; i >= 0; i--) {
    const t = tokens[i];
    if (t.special || t.end <= t.start) continue;
    return t.end > offset && t.start <= offset ? i : -1;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------------------------
// Mapped strings: a string with, for every code unit, the [start, end) of original code units it came from.

interface Mapped {
  text: string;
  /** Per code unit of `text`. Int32Array or number[] (only read by index). */
  starts: ArrayLike<number>;
  ends: ArrayLike<number>;
}

function mappedFrom(text: string, from: number, to: number): Mapped {
  const n = to - from;
  const starts = new Int32Array(n);
  const ends = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    starts[i] = from + i;
    ends[i] = from + i + 1;
  }
  return { text: text.slice(from, to), starts, ends };
}

/** [start, end) in the original text of the mapped code units [from, to). */
function rangeOf(m: Mapped, from: number, to: number): [number, number] {
  let s = Infinity;
  let e = -Infinity;
  for (let i = from; i < to; i++) {
    if (m.starts[i] < s) s = m.starts[i];
    if (m.ends[i] > e) e = m.ends[i];
  }
  return s === Infinity ? [0, 0] : [s, e];
}

/**
 * Applies `f` to every code point (lone surrogates included, as `for…of` yields them); every unit of the
 * output inherits the range of the code point it came from. When `whole(text)` (the transform applied to the
 * whole string, which is what the tokenizer does) differs from the per-code-point result only in content but not
 * length (context-sensitive lowercasing of Σ, canonical reordering of marks), its text is used with our map.
 */
function mapCodePoints(m: Mapped, f: (ch: string) => string, whole?: (s: string) => string): Mapped {
  const parts: string[] = [];
  const s = m.text;
  let cap = s.length + 16;
  let starts = new Int32Array(cap);
  let ends = new Int32Array(cap);
  let n = 0;
  for (let i = 0; i < s.length; ) {
    const cp = s.codePointAt(i)!;
    const w = cp > 0xffff ? 2 : 1;
    const ch = w === 1 ? s[i] : s.slice(i, i + 2);
    const out = f(ch);
    const len = out.length;
    if (len) {
      parts.push(out);
      if (n + len > cap) {
        cap = Math.max(cap * 2, n + len);
        const ns = new Int32Array(cap);
        ns.set(starts.subarray(0, n));
        const ne = new Int32Array(cap);
        ne.set(ends.subarray(0, n));
        starts = ns;
        ends = ne;
      }
      const st = m.starts[i];
      const en = m.ends[i + w - 1];
      for (let k = 0; k < len; k++) {
        starts[n] = st;
        ends[n] = en;
        n++;
      }
    }
    i += w;
  }
  let text = parts.join('');
  if (whole) {
    const wh = whole(s);
    if (wh !== text && wh.length === text.length) text = wh;
  }
  return { text, starts: starts.subarray(0, n), ends: ends.subarray(0, n) };
}

// ---------------------------------------------------------------------------------------------------------------
// Replays of the @huggingface/tokenizers (JS) components, quirks included.

const RE_SINGLE_WS = /^\s$/; // no `u` flag, as in BertNormalizer.clean_text: a surrogate pair is never whitespace
const RE_CONTROL = /^\p{Cc}|\p{Cf}|\p{Co}|\p{Cs}$/u;
const RE_MN = /\p{Mn}/gu;
const RE_M = /\p{M}/gu;
const PUNCTUATION = '\\p{P}\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E';
const RE_BERT_PRETOKENIZE = new RegExp(`[^\\s${PUNCTUATION}]+|[${PUNCTUATION}]`, 'gu');

function isControl(ch: string): boolean {
  if (ch === '\t' || ch === '\n' || ch === '\r') return false;
  return RE_CONTROL.test(ch);
}

function isChineseChar(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

const stripAccentsNFD = (s: string) => s.normalize('NFD').replace(RE_MN, '');
/** Per code point: ASCII needs no decomposition. */
const stripAccentsChar = (ch: string) => (ch.charCodeAt(0) < 0x80 ? ch : stripAccentsNFD(ch));

/** BertNormalizer, as @huggingface/tokenizers implements it. */
function bertNormalize(m: Mapped, cfg: any): Mapped {
  if (cfg.clean_text) {
    m = mapCodePoints(m, (ch) => {
      const c = ch.charCodeAt(0);
      if (c > 0x20 && c < 0x7f) return ch;
      if (c === 0 || c === 0xfffd || isControl(ch)) return '';
      return RE_SINGLE_WS.test(ch) ? ' ' : ch;
    });
  }
  if (cfg.handle_chinese_chars) {
    // The JS implementation tests UTF-16 code units, so astral ideographs are not padded.
    m = mapCodePoints(m, (ch) => (ch.length === 1 && isChineseChar(ch.charCodeAt(0)) ? ` ${ch} ` : ch));
  }
  if (cfg.lowercase) {
    m = mapCodePoints(m, (ch) => ch.toLowerCase(), (s) => s.toLowerCase());
    if (cfg.strip_accents !== false) m = mapCodePoints(m, stripAccentsChar, stripAccentsNFD);
  } else if (cfg.strip_accents) {
    m = mapCodePoints(m, stripAccentsChar, stripAccentsNFD);
  }
  return m;
}

/** Any normalizer: the real one applied per code point, checked against the whole string. */
function genericNormalize(m: Mapped, normalizer: (s: string) => string): Mapped {
  const out = mapCodePoints(m, normalizer, normalizer);
  if (out.text !== normalizer(m.text)) throw new Error('normalizer is context-sensitive');
  return out;
}

/** DictionarySplitter of @huggingface/tokenizers (leftmost, longest match over UTF-16 units), with positions. */
class Splitter {
  private readonly trie: any = Object.create(null);
  private readonly empty: boolean;
  constructor(words: string[]) {
    for (const w of words) {
      let node = this.trie;
      for (let i = 0; i < w.length; i++) node = node[w[i]] ??= Object.create(null);
      node.end = w;
    }
    this.empty = words.length === 0;
  }
  /** Sections [start, end) of `text`; `match` for an added token. */
  split(text: string): { start: number; end: number; match: boolean }[] {
    const out: { start: number; end: number; match: boolean }[] = [];
    const n = text.length;
    if (this.empty) return n ? [{ start: 0, end: n, match: false }] : [];
    let start = 0;
    let i = 0;
    while (i < n) {
      let node = this.trie;
      let match: string | null = null;
      let j = i;
      while (j < n && (node = node[text[j]])) {
        if (node.end) match = node.end;
        ++j;
      }
      if (match) {
        if (i > start) out.push({ start, end: i, match: false });
        out.push({ start: i, end: i + match.length, match: true });
        i += match.length;
        start = i;
      } else ++i;
    }
    if (start < n) out.push({ start, end: n, match: false });
    return out;
  }
}

interface AddedTokenInfo {
  content: string;
  id: number;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
}

interface TokenizerInfo {
  templatePrefix: number;
  templateSuffix: number;
  idToToken(id: number): string | undefined;
  /** Null when the replay cannot run for this tokenizer (unknown JSON): only the alignment is used. */
  replay: ReplayInfo | null;
  /** Prefix of continuation pieces (`##`), stripped before aligning pieces with the text. */
  continuingPrefix: string;
  unkId: number | undefined;
}

interface ReplayInfo {
  addedMap: Map<string, AddedTokenInfo>;
  splitUnnormalized: Splitter;
  splitNormalized: Splitter;
  removeSpace: boolean;
  lowercaseAndRemoveAccent: boolean;
  normalize: ((m: Mapped) => Mapped) | null;
  /** Words [start, end) of a normalized subsection. */
  preTokenize: (text: string, sectionIndex: number) => [number, number][];
  /** Token strings for one word (a normalized string) with their [from, to) in the word. */
  model: (word: string) => { token: string; from: number; to: number }[];
  fuseUnk: boolean;
  vocab: Map<string, number>;
  unkId: number | undefined;
}

const infoCache = new WeakMap<object, TokenizerInfo>();

function tokenizerInfo(tokenizer: OffsetTokenizer): TokenizerInfo {
  const cached = infoCache.get(tokenizer);
  if (cached) return cached;
  const json = tokenizer._tokenizerJSON;
  const inner = tokenizer._tokenizer;

  // id -> piece
  let idToTokenArr: (string | undefined)[] | null = null;
  const idToToken = (id: number): string | undefined => {
    if (inner && typeof inner.id_to_token === 'function') {
      try {
        const t = inner.id_to_token(id);
        if (typeof t === 'string') return t;
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

  let replay: ReplayInfo | null = null;
  try {
    replay = json ? buildReplay(json, tokenizer._tokenizerConfig ?? {}, inner) : null;
  } catch {
    replay = null;
  }
  const modelCfg = json?.model ?? {};
  const continuingPrefix =
    typeof modelCfg.continuing_subword_prefix === 'string' ? modelCfg.continuing_subword_prefix : '##';
  const info: TokenizerInfo = {
    templatePrefix,
    templateSuffix,
    idToToken,
    replay,
    continuingPrefix,
    unkId: replay?.unkId ?? (inner?.model?.unk_token_id as number | undefined),
  };
  infoCache.set(tokenizer, info);
  return info;
}

function buildReplay(json: any, config: any, inner: any): ReplayInfo {
  const modelCfg = json.model;
  if (!modelCfg || typeof modelCfg !== 'object') throw new Error('no model');

  // Normalizer.
  let normalize: ((m: Mapped) => Mapped) | null = null;
  const nCfg = json.normalizer;
  if (nCfg) {
    if (nCfg.type === 'BertNormalizer') normalize = (m) => bertNormalize(m, nCfg);
    else if (inner?.normalizer) {
      const real = inner.normalizer;
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
    preTokenize = (text) => {
      const words: [number, number][] = [];
      for (const m of text.matchAll(RE_BERT_PRETOKENIZE)) words.push([m.index!, m.index! + m[0].length]);
      return words;
    };
  } else if (inner?.pre_tokenizer) {
    const real = inner.pre_tokenizer;
    preTokenize = (text, section_index) => {
      const pieces: string[] = real(text, { section_index });
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
    for (const [k, v] of Object.entries(modelCfg.vocab)) vocab.set(k, v as number);
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
  const unkId = vocab.get(modelCfg.unk_token);

  // Model.
  let model: ReplayInfo['model'];
  const isWordPiece =
    modelCfg.type === 'WordPiece' ||
    (!modelCfg.type &&
      modelCfg.vocab &&
      !Array.isArray(modelCfg.vocab) &&
      Object.hasOwn(modelCfg, 'continuing_subword_prefix') &&
      Object.hasOwn(modelCfg, 'unk_token') &&
      !Object.hasOwn(modelCfg, 'merges'));
  if (isWordPiece) {
    const maxChars: number = modelCfg.max_input_chars_per_word ?? 100;
    const prefix = modelCfg.continuing_subword_prefix; // used verbatim, as the JS model does
    const unk = modelCfg.unk_token;
    model = (word) => {
      // Code point boundaries in UTF-16 units.
      const bounds: number[] = [0];
      for (let i = 0; i < word.length; ) {
        i += word.codePointAt(i)! > 0xffff ? 2 : 1;
        bounds.push(i);
      }
      const nChars = bounds.length - 1;
      if (nChars > maxChars) return [{ token: unk, from: 0, to: word.length }];
      const subs: { token: string; from: number; to: number }[] = [];
      let start = 0;
      while (start < nChars) {
        let end = nChars;
        let current: string | null = null;
        while (start < end) {
          let sub = word.slice(bounds[start], bounds[end]);
          if (start > 0) sub = prefix + sub;
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
  } else if (inner?.model) {
    const real = inner.model;
    const cont = typeof modelCfg.continuing_subword_prefix === 'string' ? modelCfg.continuing_subword_prefix : '';
    model = (word) => {
      const toks: string[] = real([word]);
      return spreadInWord(word, toks, cont);
    };
  } else throw new Error('model not available');

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

/** Positions for tokens of a non-WordPiece model within a word: located when they occur verbatim, else spread. */
function spreadInWord(word: string, toks: string[], cont: string): { token: string; from: number; to: number }[] {
  const out: { token: string; from: number; to: number }[] = [];
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

interface Span {
  id: number;
  token: string;
  start: number;
  end: number;
}

function trimStartPos(text: string, s: number, e: number): number {
  while (s < e && /\s/.test(text[s])) s++;
  return s;
}
function trimEndPos(text: string, s: number, e: number): number {
  while (e > s && /\s/.test(text[e - 1])) e--;
  return e;
}

function applyStrips(
  text: string,
  secs: { start: number; end: number; match: boolean }[],
  addedMap: Map<string, AddedTokenInfo>,
): void {
  for (let i = 0; i < secs.length; i++) {
    const a = addedMap.get(text.slice(secs[i].start, secs[i].end));
    if (!a) continue;
    if (a.lstrip && i > 0) secs[i - 1].end = trimEndPos(text, secs[i - 1].start, secs[i - 1].end);
    if (a.rstrip && i < secs.length - 1) secs[i + 1].start = trimStartPos(text, secs[i + 1].start, secs[i + 1].end);
  }
}

/** Collapse as `text.trim().split(/\s+/).join(' ')` does, keeping the map. */
function removeSpaceMapped(m: Mapped): Mapped {
  const t = m.text;
  let s = 0;
  let e = t.length;
  while (s < e && /\s/.test(t[s])) s++;
  while (e > s && /\s/.test(t[e - 1])) e--;
  const parts: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  for (let i = s; i < e; i++) {
    if (/\s/.test(t[i])) {
      const runStart = i;
      while (i + 1 < e && /\s/.test(t[i + 1])) i++;
      parts.push(' ');
      starts.push(m.starts[runStart]);
      ends.push(m.ends[runStart]);
    } else {
      parts.push(t[i]);
      starts.push(m.starts[i]);
      ends.push(m.ends[i]);
    }
  }
  return { text: parts.join(''), starts, ends };
}

function replayTokenize(info: TokenizerInfo, text: string): Span[] {
  const r = info.replay!;
  const out: Span[] = [];
  const idOf = (t: string): number => r.addedMap.get(t)?.id ?? r.vocab.get(t) ?? (r.unkId as number);
  /** Original code units that no normalized unit comes from (removed controls, marks, ZWJ…). */
  const covered = new Uint8Array(text.length);

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
    for (let i = 0; i < m.text.length; i++) for (let k = m.starts[i]; k < m.ends[i]; k++) covered[k] = 1;

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

  // Let a token also cover the removed characters right after it (combining marks, ZWJ, controls): they
  // belong to what the user sees as that word.
  for (let i = 0; i < out.length; i++) {
    const limit = i + 1 < out.length ? out[i + 1].start : text.length;
    let e = out[i].end;
    while (e < limit && !covered[e] && !/\s/.test(text[e])) e++;
    out[i].end = e;
  }
  return out;
}

function fuseUnk<T extends { token: string; from: number; to: number }>(pieces: T[], isUnk: (t: string) => boolean): T[] {
  const fused: T[] = [];
  for (const p of pieces) {
    const last = fused[fused.length - 1];
    if (last && isUnk(last.token) && isUnk(p.token)) last.to = p.to;
    else fused.push({ ...p });
  }
  return fused;
}

// ---------------------------------------------------------------------------------------------------------------
// Fallback: align the real pieces with the text.

const looseChar = (ch: string) => {
  const c = ch.charCodeAt(0);
  if (c === 0 || c === 0xfffd || isControl(ch)) return '';
  if (/^\s$/u.test(ch)) return ' ';
  return ch.toLowerCase().normalize('NFD').replace(RE_M, '');
};
const looseString = (s: string) => Array.from(s, looseChar).join('');

function alignPieces(info: TokenizerInfo, text: string, ids: number[]): Span[] {
  const loose = mapCodePoints(mappedFrom(text, 0, text.length), looseChar);
  const n = ids.length;
  const spans: (Span & { anchored: boolean })[] = ids.map((id) => ({
    id,
    token: info.idToToken(id) ?? '',
    start: -1,
    end: -1,
    anchored: false,
  }));

  // 1. Anchor the pieces found in order, not too far from where the previous one ended.
  let cursor = 0;
  let pending = 0;
  for (const sp of spans) {
    let piece = sp.token;
    if (info.continuingPrefix && piece.startsWith(info.continuingPrefix) && piece.length > info.continuingPrefix.length) {
      piece = piece.slice(info.continuingPrefix.length);
    }
    const key = looseString(piece).trim();
    if (sp.id === info.unkId || !key) {
      pending++;
      continue;
    }
    const at = loose.text.indexOf(key, cursor);
    if (at >= 0) {
      const skipped = loose.text.slice(cursor, at).replace(/\s+/g, '').length;
      if (skipped <= 64 + 100 * pending) {
        [sp.start, sp.end] = rangeOf(loose, at, at + key.length);
        sp.anchored = true;
        cursor = at + key.length;
        pending = 0;
        continue;
      }
    }
    pending++;
  }

  // 2. Share the gaps between anchors among the unanchored pieces.
  let i = 0;
  let prevEnd = 0;
  while (i < n) {
    if (spans[i].anchored) {
      prevEnd = Math.max(prevEnd, spans[i].end);
      i++;
      continue;
    }
    let j = i;
    while (j < n && !spans[j].anchored) j++;
    const gapEnd = j < n ? spans[j].start : text.length;
    shareGap(text, prevEnd, Math.max(prevEnd, gapEnd), spans.slice(i, j));
    prevEnd = Math.max(prevEnd, gapEnd);
    i = j;
  }
  return spans.map(({ id, token, start, end }) => ({ id, token, start, end }));
}

function shareGap(text: string, from: number, to: number, group: Span[]): void {
  const words: [number, number][] = [];
  const re = /\S+/g;
  re.lastIndex = from;
  const gap = text.slice(0, to);
  for (let m = re.exec(gap); m; m = re.exec(gap)) words.push([m.index, m.index + m[0].length]);
  const k = group.length;
  if (words.length === 0) {
    for (const g of group) g.start = g.end = from;
    return;
  }
  if (k <= words.length) {
    for (let t = 0; t < k; t++) {
      group[t].start = words[t][0];
      group[t].end = t === k - 1 ? words[words.length - 1][1] : words[t][1];
    }
    return;
  }
  // More tokens than words: split the non-blank stretch evenly, on code point boundaries.
  const s0 = words[0][0];
  const e0 = words[words.length - 1][1];
  const bounds: number[] = [];
  for (let p = s0; p < e0; ) {
    bounds.push(p);
    p += text.codePointAt(p)! > 0xffff ? 2 : 1;
  }
  bounds.push(e0);
  const cps = bounds.length - 1;
  for (let t = 0; t < k; t++) {
    group[t].start = bounds[Math.floor((t * cps) / k)];
    group[t].end = bounds[Math.floor(((t + 1) * cps) / k)];
  }
}
