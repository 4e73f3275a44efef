/**
 * What the Tokens tab's inspector and the editor hover say of a causal model's token (issue 13), as plain
 * data: what the model expected here before seeing the token, what it expects next, how likely the token
 * was (probability, rank, surprisal). Pure (no DOM, no vscode): the host's hover imports it too.
 */
import type { GuessView, ModelStatusView, SnippetView, TokenView } from '../../src/protocol';
import { displayPiece } from '../tokenText';
import { surprisalBin, surprisalBits } from './surprisal';

export interface CausalTokenFacts {
  /** The model's guesses for this position before it saw the token ([] for the first token). */
  expected: GuessView[];
  /** Index in `expected` of the token that is there; -1 when it is not among them. */
  hit: number;
  /** Its guesses for the token after this one. */
  next: GuessView[];
  /** Absent where nothing precedes (the first token). */
  probability?: number;
  rank?: number;
  /** −log2 probability. */
  bits?: number;
  /** surprisalBin(bits), -1 without a probability. */
  bin: number;
}

/** Whether the panel shows a causal model: the model says so, or the snippet's tokens carry causal fields. */
export function isCausalView(model: Pick<ModelStatusView, 'kind'> | null | undefined, snippet?: Pick<SnippetView, 'tokens'>): boolean {
  if (model?.kind) return model.kind === 'causal';
  return !!snippet?.tokens.some((t) => t.next !== undefined || t.probability !== undefined);
}

export function causalFacts(token: Pick<TokenView, 'piece' | 'guesses' | 'next' | 'probability' | 'rank'>): CausalTokenFacts {
  const expected = token.guesses ?? [];
  // The rank says where the token is among the guesses (exact, also for a byte token, whose guess decodes to
  // U+FFFD); without one, the text.
  const byRank = typeof token.rank === 'number' && token.rank <= expected.length ? token.rank - 1 : -1;
  const hit = byRank >= 0 ? byRank : typeof token.rank === 'number' ? -1 : expected.findIndex((g) => sameToken(g.token, token.piece));
  const facts: CausalTokenFacts = { expected, hit, next: token.next ?? [], bin: -1 };
  if (typeof token.probability === 'number') {
    facts.probability = token.probability;
    facts.bits = surprisalBits(token.probability);
    facts.bin = surprisalBin(facts.bits);
  }
  if (typeof token.rank === 'number') facts.rank = token.rank;
  return facts;
}

/** How titles and the inspector name a token: its text without GPT-2's leading space. */
export function tokenName(token: Pick<TokenView, 'piece' | 'surface' | 'special'>): string {
  const shown = displayPiece(token);
  return shown.trim() || shown;
}

/**
 * A byte-level BPE piece as it reads: GPT-2's vocabulary writes a leading space as `Ġ` and a newline as
 * `Ċ`; both show as visible marks (␣, ↵), so that " the" and "the" read differently.
 */
export function displayGuessToken(token: string): string {
  return token.replace(/^[Ġ ]/, '␣').replace(/[Ċ\n]/g, '↵');
}

/** Two pieces are the same token, whichever of the two spellings of a leading space each uses. */
export function sameToken(a: string, b: string): boolean {
  return displayGuessToken(a) === displayGuessToken(b);
}

/**
 * Byte-level BPE splits a character it has no token for (a CJK character, an emoji) into byte tokens that all
 * cover the whole character: the 1-based part and the count of parts of token `index`, or undefined when it
 * has a range of its own.
 */
export function bytePart(tokens: readonly Pick<TokenView, 'start' | 'end' | 'special'>[], index: number): { part: number; of: number } | undefined {
  const t = tokens[index];
  if (!t || t.special || t.end <= t.start) return undefined;
  const same = (i: number) => !!tokens[i] && !tokens[i].special && tokens[i].start === t.start && tokens[i].end === t.end;
  let first = index;
  while (same(first - 1)) first--;
  let last = index;
  while (same(last + 1)) last++;
  return last > first ? { part: index - first + 1, of: last - first + 1 } : undefined;
}

/**
 * A character split into byte tokens: its probability, the product of its parts' (each given the parts before
 * it), from the first part at `index`; undefined when the token is not a first part or a part has none.
 */
export function characterProbability(tokens: readonly Pick<TokenView, 'start' | 'end' | 'special' | 'probability'>[], index: number): { count: number; probability: number } | undefined {
  const part = bytePart(tokens, index);
  if (!part || part.part !== 1) return undefined;
  let probability = 1;
  for (let i = index; i < index + part.of; i++) {
    const p = tokens[i].probability;
    if (typeof p !== 'number') return undefined;
    probability *= p;
  }
  return { count: part.of, probability };
}
