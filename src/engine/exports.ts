/** What the user can take away: the analysis as JSON, vectors for the Embedding Projector. */
import type { Analysis } from './types';
import type { Word } from './words/types';
import type { ExportedProjection } from './workerProtocol';

const round = (x: number) => Math.round(x * 1e6) / 1e6;

/** Vectors of every layer are included while the analysis is small enough to stay a readable file. */
const MAX_TOKENS_WITH_VECTORS = 256;

/**
 * The analysis as JSON: per snippet its text, model, tokens with their masked guesses and hidden states of
 * every layer. With `projection` (the map the user sees) the file also says which map that is
 * (`projection: {layer, method}`) and each token carries its `x`, `y` on it.
 */
/** `words`: the snippet's tokens grouped into words (words/segment.ts), exported beside its tokens. */
export function buildAnalysisJson(snippets: { analysisId: string; analysis: Analysis; words?: Word[] }[], projection?: ExportedProjection): string {
  const xy = new Map(projection?.points.map((p) => [`${p.analysisId}\u0000${p.tokenIndex}`, p]));
  return JSON.stringify(
    {
      format: 'context-lens-analysis/1',
      // `layer` is the hidden layer (0 = embeddings): the file format keeps its name (other programs read it).
      ...(projection ? { projection: { layer: projection.hiddenLayer, method: projection.method } } : {}),
      snippets: snippets.map(({ analysisId, analysis: a, words }) => ({
        text: a.text,
        model: a.model,
        windowed: a.windowed,
        tokens: a.tokens.map((t) => {
          const point = xy.get(`${analysisId}\u0000${t.index}`);
          return {
            ...t,
            text: a.text.slice(t.start, t.end),
            guesses: a.guesses?.[t.index]?.map((g) => ({ token: g.token, id: g.id, probability: round(g.probability) })) ?? [],
            ...(point ? { x: point.x, y: point.y } : {}),
          };
        }),
        ...(words ? { words } : {}),
        hiddenStates:
          a.tokens.length <= MAX_TOKENS_WITH_VECTORS
            ? a.hiddenStates.map((layer) => a.tokens.map((t) => Array.from(layer.subarray(t.index * a.model.hiddenSize, (t.index + 1) * a.model.hiddenSize), round)))
            : 'omitted: more than 256 tokens; use the Embedding Projector export for one layer',
      })),
    },
    null,
    1,
  );
}

/** TSV cells may not hold tabs or line breaks. */
function tsvCell(s: string): string {
  return s.replace(/[\t\r\n]+/g, ' ');
}

/** Embedding Projector files (projector.tensorflow.org → Load): vectors.tsv and metadata.tsv with a header. */
export function buildProjectorTsv(analyses: Analysis[], hiddenLayer: number): { vectorsTsv: string; metadataTsv: string } {
  const vectors: string[] = [];
  const metadata: string[] = ['token\tsnippet\tstart\tend\tcontext'];
  analyses.forEach((a, s) => {
    const dim = a.model.hiddenSize;
    for (const t of a.tokens) {
      if (t.special) continue;
      vectors.push(Array.from(a.hiddenStates[hiddenLayer].subarray(t.index * dim, (t.index + 1) * dim), (x) => x.toPrecision(6)).join('\t'));
      const context = `${a.text.slice(Math.max(0, t.start - 12), t.start)}[${a.text.slice(t.start, t.end)}]${a.text.slice(t.end, t.end + 12)}`;
      metadata.push([tsvCell(t.piece), String(s + 1), String(t.start), String(t.end), tsvCell(context)].join('\t'));
    }
  });
  return { vectorsTsv: vectors.join('\n') + '\n', metadataTsv: metadata.join('\n') + '\n' };
}
