/**
 * words (issue 12) on the bert-base-sized model, a 512-token text (510 CJK characters, so ICU's dictionary
 * segments it, [CLS], [SEP]):
 * - the map switched to words and back: the text segmented afresh, every word's vector pooled at the last
 *   layer, the same-word links with their cosines, then the pieces' rows and same-token links again; the
 *   floor is the way back alone (what the map costs with no words);
 * - attention rollout over 12 layers × 12 heads: the head means, Â = ½·mean + ½·I renormalised and 11
 *   products of 512 × 512 matrices (onnxruntime's MatMul); the floor is the mean over layers, one pass over
 *   the same attentions.
 */
import type { AnalysisSession } from '../../src/engine/session';
import { groupWords } from '../../src/engine/words';
import { textOf } from '../benchModel';
import type { BenchContext } from '../context';
import { figure, interleaved } from '../stats';

const TOKENS = 512;

export async function part(c: BenchContext, session: AnalysisSession): Promise<void> {
  const text = textOf(c.o.model, TOKENS);
  const summary = await session.analyze(text, 1, {}, undefined, false);
  try {
    const id = summary.analysisId;
    const layer = summary.numLayers;
    const analysis = session.get(id);
    const words = session.words(id).words;
    const [switched, back] = await interleaved(
      () => {
        groupWords(text, analysis.tokens, session.words(id).language);
        session.wordRows([id], layer);
        session.sameWordLinks([id], layer, true);
        session.sameTokenLinks([id], layer, true);
      },
      () => session.sameTokenLinks([id], layer, true),
      c.o.repeats * 2,
    );
    c.add(figure(`pieces → words → pieces, ${TOKENS}-token text (${words.length} words), hidden layer ${layer}`, switched, 'ms', {
      floor: back,
      target: '≤ 150 ms',
      met: switched.median <= 150,
      note: `Intl.Segmenter afresh + ${words.length} word vectors (mean of pieces, ${summary.hiddenSize} dims) + same-word links on standardized dimensions, then the same-token links back; ratio = / the same-token links alone (the map without words)`,
    }));
    const [rollout, meanLayers] = await interleaved(
      () => session.attentionSummary(id, 'rollout'),
      () => session.attentionSummary(id, 'mean-layers'),
      c.o.repeats,
    );
    c.add(figure(`attention rollout, ${TOKENS} tokens × ${summary.numLayers} layers × ${summary.numHeads} heads`, rollout, 'ms', {
      floor: meanLayers,
      target: '≤ 300 ms',
      met: rollout.median <= 300,
      note: `head means, ½·mean + ½·I renormalised, ${summary.numLayers - 1} products of ${TOKENS}² matrices in onnxruntime (transformers.js matmul); ratio = / the mean over layers (one pass over the same attentions)`,
    }));
  } finally {
    session.release([summary.analysisId]);
  }
}
