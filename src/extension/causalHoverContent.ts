/**
 * What the editor hover says at a token of a causal model (issue 13), as plain data from one analysis of
 * the paragraph and, optionally, the logit lens at the token before: what the model expected here before
 * seeing the token, the token's probability, rank and surprisal, and at which layer the lens first put the
 * final guess on top. Pure (no vscode): unit-tested on constructed summaries; hover.ts words it.
 */
import type { AnalysisSummary } from '../engine/workerProtocol';
import type { GuessView, LayerGuessesResult } from '../protocol';
import { causalFacts, characterProbability } from '../../webview/causal/causalFacts';
import { layerSummary, type LayerSummary } from '../../webview/predictions/layerRows';
import { causalTokenFields } from './panel/causalTokens';

export interface CausalHoverContent {
  tokenIndex: number;
  /** The text the token covers. */
  surface: string;
  piece: string;
  /** The model's guesses here before it saw the token, `hit` on the token that is there. */
  expected: (GuessView & { hit: boolean })[];
  probability?: number;
  rank?: number;
  bits?: number;
  /**
   * Byte-level BPE split the character into several tokens (all covering it): how many, and the
   * character's probability, the product of its parts' (each given the parts before it).
   */
  parts?: { count: number; probability: number };
  /** The logit lens at the token before: its final top guess and the layer it first came out on top. */
  lens?: LayerSummary;
}

/** The first token covering `offset` (byte tokens of one character share its range: the first part). */
export function causalTokenAt(a: Pick<AnalysisSummary, 'tokens'>, offset: number): number {
  return a.tokens.findIndex((t) => !t.special && t.start <= offset && offset < t.end);
}

export function causalHoverContent(a: AnalysisSummary, tokenIndex: number, lens: LayerGuessesResult | null | undefined): CausalHoverContent | undefined {
  const t = a.tokens[tokenIndex];
  const fields = causalTokenFields(a, tokenIndex);
  if (!t || t.special || !fields) return undefined;
  const facts = causalFacts({ piece: t.piece, ...fields });
  const content: CausalHoverContent = {
    tokenIndex,
    surface: a.text.slice(t.start, t.end),
    piece: t.piece,
    expected: facts.expected.map((g, i) => ({ token: g.token, probability: g.probability, hit: i === facts.hit })),
  };
  if (facts.probability !== undefined) {
    content.probability = facts.probability;
    content.bits = facts.bits;
  }
  if (facts.rank !== undefined) content.rank = facts.rank;
  const parts = characterProbability(a.tokens.map((x, j) => ({ ...x, probability: a.tokenProbabilities?.[j]?.probability })), tokenIndex);
  if (parts) content.parts = parts;
  const summary = layerSummary(lens);
  if (summary) content.lens = summary;
  return content;
}
