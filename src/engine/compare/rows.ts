/** The Compare rows from two analyses of one text: each model's guess and probability per aligned span. */
import type { AnalyzedToken, Guess, ModelKind, TokenProbability } from '../types';
import { byteLevelPieceText } from '../tokenOffsets/byteLevel';
import { alignTokenRanges } from './align';
import type { CompareModelSummary, CompareRow, CompareSide } from './types';

/** What the rows need of an analysis (an AnalysisSummary has it). */
export interface CompareInput {
  kind: ModelKind;
  tokens: readonly AnalyzedToken[];
  /** Masked: guesses[i] with token i alone masked. Causal: guesses[i] = next[i − 1] (see types.ts Analysis). */
  guesses: readonly (readonly Guess[])[];
  /** Causal models: the top-k after token i; guesses[i] is read from next[i − 1] when guesses are empty. */
  next?: readonly (readonly Guess[])[];
  tokenProbabilities?: readonly (TokenProbability | null)[];
}

/** Masked models' probabilities are read from their top-k guesses: compare asks for this many (the CLI's default, the tab's least). */
export const DEFAULT_COMPARE_TOP_K = 20;

/** One token's guess (the model's top one) and the probability of the token that is there. */
export interface TokenPrediction {
  guess: string | null;
  probability: number | null;
  /** The top guess is this very token (same vocabulary id). */
  guessIsToken: boolean;
}

export function tokenPrediction(input: CompareInput, i: number): TokenPrediction {
  const token = input.tokens[i];
  if (input.kind === 'causal') {
    const expected = input.guesses[i]?.length ? input.guesses[i] : i > 0 ? input.next?.[i - 1] : undefined;
    return { guess: expected?.[0]?.token ?? null, probability: input.tokenProbabilities?.[i]?.probability ?? null, guessIsToken: expected?.[0]?.id === token.id };
  }
  const guesses = input.guesses[i] ?? [];
  // P(token | masked) is known only when the token is among the top-k: the engine's guesses are no full softmax.
  const own = guesses.find((g) => g.id === token.id);
  return { guess: guesses[0]?.token ?? null, probability: own ? own.probability : null, guessIsToken: guesses[0]?.id === token.id };
}

/**
 * How a row names its tokens: each vocabulary piece as the tokenizer writes it (`play ##ing`), except that a
 * byte-level piece reads as the text it spells (`æĪij` → 我, `Ġbank` → ␣bank) and the byte tokens of one split
 * character show once, as the character and how many tokens it took (龍×3): raw byte pieces mean nothing to a reader.
 */
function tokenLabels(text: string, input: CompareInput, indices: number[]): string {
  const labels: string[] = [];
  for (let k = 0; k < indices.length; ) {
    const t = input.tokens[indices[k]];
    let parts = 1;
    while (t.end > t.start && k + parts < indices.length && input.tokens[indices[k + parts]].start === t.start && input.tokens[indices[k + parts]].end === t.end) parts++;
    const surface = text.slice(t.start, t.end);
    if (parts > 1) labels.push(`${surface}×${parts}`);
    else {
      const spelled = byteLevelPieceText(t.piece);
      const readable = spelled !== null && spelled !== t.piece && spelled.trim() === surface.trim();
      labels.push(readable ? spelled.replace(/^ /, '␣') : t.piece);
    }
    k += parts;
  }
  return labels.join(' ');
}

function side(text: string, input: CompareInput, indices: number[]): CompareSide | null {
  if (indices.length === 0) return null;
  const predictions = indices.map((i) => tokenPrediction(input, i));
  const guesses = predictions.map((p) => p.guess);
  const probabilities = predictions.map((p) => p.probability);
  return {
    token: tokenLabels(text, input, indices),
    // A token without a guess (a causal model's first) shows as — beside its neighbours' guesses.
    guess: guesses.some((g) => g !== null) ? guesses.map((g) => g ?? '—').join(' ') : null,
    probability: probabilities.every((p): p is number => p !== null) ? probabilities.reduce((x, y) => x * y, 1) : null,
    guessIsToken: predictions.every((p) => p.guessIsToken),
    tokens: indices.map((i) => input.tokens[i].index),
  };
}

/** The aligned rows of `text` as analysed by model A and model B. */
export function compareRows(text: string, a: CompareInput, b: CompareInput): CompareRow[] {
  return alignTokenRanges(text.length, a.tokens, b.tokens).map((span) => ({
    start: span.start,
    end: span.end,
    text: text.slice(span.start, span.end),
    a: side(text, a, span.a),
    b: side(text, b, span.b),
  }));
}

/** The hidden layer shown at relative depth `depth` (0 = the embeddings … 1 = the last layer). */
export function layerAtDepth(depth: number, numLayers: number): number {
  const d = Number.isFinite(depth) ? Math.max(0, Math.min(1, depth)) : 1;
  return Math.round(d * numLayers);
}

export function modelSummary(model: string, kind: ModelKind, numLayers: number, depth: number): CompareModelSummary {
  return { model, kind, layer: layerAtDepth(depth, numLayers), numLayers };
}
