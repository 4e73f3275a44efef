/**
 * predictions (issue 11), each against raw onnxruntime on the unedited file running the forwards it needs:
 * guesses at every layer for one token (one masked forward), unmasked predictions at every token of a
 * 256-token text (one forward), and a 4-token span with its joint fills (1 + 3 batched beam steps).
 */
import { analyze, guessesAt } from '../../src/engine/analyze';
import type { LoadedModel } from '../../src/engine/modelStore';
import { layerGuessesAt, SPAN_BEAM_WIDTH, spanGuesses, unmaskedGuesses } from '../../src/engine/predictions';
import { textOf } from '../benchModel';
import type { BenchContext } from '../context';
import { feedsFor, idsOf, onnxFile, ort, type OrtSession } from '../rawOrt';
import { figure, interleaved, interleavedAll, round } from '../stats';

export async function part(c: BenchContext, lm: LoadedModel): Promise<void> {
  const raw = await ort().InferenceSession.create(onnxFile(c.o.model, 'q8'));
  try {
    await layerRow(c, lm, raw);
    await unmaskedRow(c, lm, raw);
    await spanRow(c, lm, raw);
  } finally {
    await raw.release();
  }
}

async function layerRow(c: BenchContext, lm: LoadedModel, raw: OrtSession): Promise<void> {
  const text = textOf(c.o.model, 64);
  const ids = idsOf(lm, text);
  const offset = 31; // text token 31 = position 32
  const masked = ids.map((id, i) => (i === offset + 1 ? lm.specialIds.mask : id));
  const feeds = feedsFor(raw, [masked]);
  const [ours, floor, hover] = await interleavedAll([() => layerGuessesAt(lm, text, offset, 5), () => raw.run(feeds), () => guessesAt(lm, text, offset, 5)], c.o.repeats * 2);
  c.add(figure(`guesses at every layer q8, 1 token of a 64-token text (${lm.info.numLayers + 1} hidden layers)`, ours, 'ms', {
    floor,
    target: '≤ 1.3× one masked forward',
    met: ours.median / floor.median <= 1.3,
    note: `tokenize + one forward with the token masked, the head's copy on its hidden state at every layer (one graph output) + top-5 per layer; ratio = / one raw forward of the masked ids (unedited file, logits everywhere); the hover (final layer only) took ${round(hover.median)} ms in the same rounds`,
  }));
  c.add(figure('raw ORT forward q8, 64 tokens, one masked (layer guesses floor)', floor, 'ms'));
}

async function unmaskedRow(c: BenchContext, lm: LoadedModel, raw: OrtSession): Promise<void> {
  const n = 256;
  const text = textOf(c.o.model, n);
  const analysis = await analyze(lm, text, { guesses: false });
  const feeds = feedsFor(raw, [idsOf(lm, text)]);
  const [ours, floor] = await interleaved(() => unmaskedGuesses(lm, analysis, 5), () => raw.run(feeds), c.o.repeats);
  c.add(figure(`unmasked predictions q8, every token of a ${n}-token text`, ours, 'ms', {
    floor,
    target: '≤ 1.2× one raw forward',
    met: ours.median / floor.median <= 1.2,
    note: `one forward of the analysis's window, the narrowed head and its softmax (in the graph) at its ${n - 2} text tokens, + top-5 each; ratio = / one raw forward of the same ids (unedited file, logits at every position)`,
  }));
  c.add(figure(`raw ORT forward q8, ${n} tokens (unmasked floor)`, floor, 'ms'));
}

async function spanRow(c: BenchContext, lm: LoadedModel, raw: OrtSession): Promise<void> {
  const text = textOf(c.o.model, 64);
  const ids = idsOf(lm, text);
  const [start, end] = [30, 34]; // four one-character tokens, positions 31 … 34
  const spanPositions = [31, 32, 33, 34];
  const mask = lm.specialIds.mask;
  const masked = ids.map((id, i) => (spanPositions.includes(i) ? mask : id));
  // The forwards the beam search needs: all masked (1 row), then SPAN_BEAM_WIDTH rows per step until one position is left.
  const steps = [feedsFor(raw, [masked])];
  for (let s = 1; s < spanPositions.length; s++) {
    const rows = Array.from({ length: SPAN_BEAM_WIDTH }, (_, b) => masked.map((id, i) => (spanPositions.slice(0, s).includes(i) ? ids[(i + b) % ids.length] : id)));
    steps.push(feedsFor(raw, rows));
  }
  const [ours, floor] = await interleaved(
    () => spanGuesses(lm, text, start, end, 5),
    async () => {
      for (const f of steps) await raw.run(f);
    },
    c.o.repeats,
  );
  c.add(figure('masked span q8, 4 tokens of a 64-token text, with joint fills (beam 5)', ours, 'ms', {
    floor,
    target: '≤ 1.2× the raw forwards it needs',
    met: ours.median / floor.median <= 1.2,
    note: `1 forward with the span masked, then ${spanPositions.length - 1} steps of ${SPAN_BEAM_WIDTH} beams, each step one batched forward (logits at the still-masked positions only) + top-k; ratio = / raw ORT running the same ${1 + (spanPositions.length - 1) * SPAN_BEAM_WIDTH} rows in the same ${spanPositions.length} batches (unedited file, logits everywhere)`,
  }));
  c.add(figure(`raw ORT q8, 1 + ${spanPositions.length - 1} × ${SPAN_BEAM_WIDTH} rows of 64 tokens (span floor)`, floor, 'ms'));
}
