/** hover: guessesAt() for one token of a 64-token text (what the editor hover runs) against one raw forward. */
import { guessesAt } from '../../src/engine/analyze';
import type { LoadedModel } from '../../src/engine/modelStore';
import { textOf } from '../benchModel';
import type { BenchContext } from '../context';
import { feedsFor, idsOf, onnxFile, ort } from '../rawOrt';
import { figure, interleaved } from '../stats';

export async function part(c: BenchContext, lm: LoadedModel): Promise<void> {
  const raw = await ort().InferenceSession.create(onnxFile(c.o.model, 'q8'));
  try {
    const text = textOf(c.o.model, 64);
    const feeds = feedsFor(raw, [idsOf(lm, text)]);
    const [ours, floor] = await interleaved(() => guessesAt(lm, text, 31, 5), () => raw.run(feeds), c.o.repeats * 2);
    const row = figure('hover guessesAt q8, 1 token of a 64-token text', ours, 'ms', {
      floor,
      target: '≤ 1.2× raw',
      met: ours.median / floor.median <= 1.2,
      note: 'tokenize + offsets + one forward with the token masked (logits only) + top-5; ratio = / one raw forward of the 64 ids',
    });
    c.add(row);
    // The WASM part's hover row divides by this one, as printed.
    c.native.set('hover', { median: row.median, min: row.min, max: row.max, runs: [] });
    c.add(figure('raw ORT forward q8, 64 tokens (hover floor)', floor, 'ms'));
  } finally {
    await raw.release();
  }
}
