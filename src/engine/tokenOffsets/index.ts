/**
 * Token ids with character offsets for a transformers.js tokenizer.
 *
 * transformers.js (`@huggingface/tokenizers`) returns token strings and ids but no offsets. We get the ids from the
 * real tokenizer (the ground truth) and derive offsets by replaying its pipeline (`replay.ts`): added-token
 * splitting, normalizer, pre-tokenizer, WordPiece, on the original string while keeping, for every code unit of
 * the normalized text, the range of original code units it came from (`mapped.ts`). The replay is driven by the
 * tokenizer's own JSON (read through `hfInternals.ts`), mirrors the JS implementation's quirks, and is only
 * trusted when it yields exactly the real ids; otherwise a fuzzy alignment of the real pieces against the text
 * (`align.ts`) gives every token a sensible range. Offsets are UTF-16 code units, as VS Code positions are.
 *
 * No `vscode` import; only a type import of transformers.js.
 */
import type { TokenizerLike } from '../hfInternals';
import type { AnalyzedToken } from '../types';
import { alignPieces } from './align';
import { byteLevelSpans } from './byteLevel';
import { replayTokenize } from './replay';
import { tokenizerInfo, type Span } from './tokenizerInfo';

/** The parts of a transformers.js `PreTrainedTokenizer` this module uses (a real one satisfies it). */
export type OffsetTokenizer = TokenizerLike;

/** How the offsets of a `tokenizeWithOffsets` result were obtained (for diagnostics and tests). */
export type OffsetMethod = 'replay' | 'aligned' | 'byte-level';

export interface TokenizeWithOffsetsResult {
  tokens: AnalyzedToken[];
  method: OffsetMethod;
}

/**
 * [CLS], the text's tokens, [SEP] — each with the real tokenizer's id, its vocabulary piece and its
 * [start, end) in `text` (UTF-16 code units). Tokens added by the post-processor are `special` with
 * start === end (0 before the text, text.length after it). A special token typed in the text (a literal
 * "[MASK]") is a text token: `special: false`, covering the characters typed. Never throws for a tokenizer
 * that can encode the text.
 */
export function tokenizeWithOffsets(tokenizer: OffsetTokenizer, text: string): AnalyzedToken[] {
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
  if (info.byteLevelAdded) {
    body = byteLevelSpans(text, textIds, info.idToToken, info.byteLevelAdded);
    method = 'byte-level';
  }
  try {
    if (!body) {
      method = 'replay';
      body = info.replay ? replayTokenize(info.replay, text) : null;
    }
  } catch {
    body = null;
  }
  if (!body || body.length !== textIds.length || body.some((t, i) => t.id !== textIds[i])) {
    method = 'aligned';
    body = alignPieces(info, text, textIds);
  }

  const out: AnalyzedToken[] = [];
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
export function tokenIndexAtOffset(tokens: readonly AnalyzedToken[], offset: number): number {
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

/** How many template tokens the tokenizer's post-processor puts before and after a text (BERT 1 and 1, GPT-2 0 and 0): measured, not assumed. */
export function templateShape(tokenizer: OffsetTokenizer): { prefix: number; suffix: number } {
  const info = tokenizerInfo(tokenizer);
  return { prefix: info.templatePrefix, suffix: info.templateSuffix };
}
