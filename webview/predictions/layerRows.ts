/**
 * What the per-layer guesses show, as plain data: the hover's one line and the Tokens tab's layers × top-k
 * table. Pure (no DOM, no vscode): the extension host imports it too, and unit tests run it in Node.
 */
import type { LayerGuessesResult } from '../../src/protocol';

/** The hover's line: the last layer's top guess, the layer it first came out on top, its final probability. */
export interface LayerSummary {
  token: string;
  firstLayer: number;
  finalProbability: number;
}

export function layerSummary(result: LayerGuessesResult | null | undefined): LayerSummary | undefined {
  const last = result?.layers[result.layers.length - 1];
  const top = last?.guesses[0];
  if (!result || !last || !top) return undefined;
  return { token: top.token, firstLayer: result.firstLayer, finalProbability: last.finalProbability };
}

export interface LayerTableCell {
  token: string;
  probability: number;
  /** The last layer's top guess: marked in every row where it appears. */
  final: boolean;
}

export interface LayerTableRow {
  layer: number;
  cells: LayerTableCell[];
  finalRank: number;
  finalProbability: number;
  /** From this layer up, the final guess is on top (LayerGuessesResult.firstLayer). */
  settled: boolean;
}

/** One row per hidden layer, last layer first (where the answer is), at most `topK` cells each. */
export function layerTableRows(result: LayerGuessesResult, topK: number): LayerTableRow[] {
  const finalToken = layerSummary(result)?.token;
  return result.layers
    .map((row) => ({
      layer: row.layer,
      cells: row.guesses.slice(0, Math.max(1, topK)).map((g) => ({ token: g.token, probability: g.probability, final: g.token === finalToken })),
      finalRank: row.finalRank,
      finalProbability: row.finalProbability,
      settled: row.layer >= result.firstLayer,
    }))
    .reverse();
}
