/** guesses: analyze() with every token's masked guesses (64 tokens) against raw onnxruntime running the same rows. */
import { analyze } from '../../src/engine/analyze';
import type { LoadedModel } from '../../src/engine/modelStore';
import { textOf } from '../benchModel';
import type { BenchContext } from '../context';
import { feedsFor, idsOf, onnxFile, ort } from '../rawOrt';
import { figure, interleaved, round, summarize } from '../stats';

export async function part(c: BenchContext, lm: LoadedModel): Promise<void> {
  const raw = await ort().InferenceSession.create(onnxFile(c.o.model, 'q8'));
  try {
    const n = 64;
    const text = textOf(c.o.model, n);
    const ids = idsOf(lm, text);
    const mask = lm.specialIds.mask;
    // The same work done raw: the plain forward, then every text token masked once, in analyze's chunk size.
    const rowsPerChunk = Math.max(1, Math.floor((96 * 1024 * 1024) / (n * lm.info.vocabSize * 4)));
    const masked = Array.from({ length: n - 2 }, (_, k) => ids.map((id, i) => (i === k + 1 ? mask : id)));
    const chunks: Record<string, unknown>[] = [feedsFor(raw, [ids])];
    for (let i = 0; i < masked.length; i += rowsPerChunk) chunks.push(feedsFor(raw, masked.slice(i, i + rowsPerChunk)));
    const repeats = Math.max(3, Math.ceil(c.o.repeats / 2));
    let guessMs: number[] = [];
    const [ours, floor] = await interleaved(
      async () => guessMs.push((await analyze(lm, text, { guesses: true, topK: 5 })).timings.guessesMs),
      async () => {
        for (const f of chunks) await raw.run(f);
      },
      repeats,
    );
    guessMs = guessMs.slice(1);
    c.add(figure('all-token masked guesses q8, 64 tokens (full analyze)', ours, 'ms', {
      floor,
      target: '≤ 1200 ms',
      met: ours.median <= 1200,
      note: `analyze() with guesses: 1 forward + ${n - 2} rows (each one token masked)${lm.maskedPositionsInput ? ', the edited head computing logits at the masked position only' : ''}; of which guesses ${round(summarize(guessMs).median, 0)} ms; ratio = / raw ORT on the unedited file running the same rows in ${1 + Math.ceil(masked.length / rowsPerChunk)} batches (logits at every position)`,
    }));
    c.add(figure(`raw ORT q8, 1 + ${n - 2} masked rows of 64 tokens (floor)`, floor, 'ms'));
  } finally {
    await raw.release();
  }
}
