/**
 * analyze: analyze() (attentions + hidden states, no guesses) at each text length, interleaved with a
 * raw forward of the unedited file and, as a diagnostic, a raw run of the edited graph with the same
 * fetches. The fp32 part runs the same rows on the fp32 model.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../src/engine/analyze';
import type { LoadedModel } from '../../src/engine/modelStore';
import type { Dtype } from '../../src/engine/types';
import { textOf } from '../benchModel';
import type { BenchContext } from '../context';
import { feedsFor, idsOf, onnxFile, ort } from '../rawOrt';
import { figure, interleavedAll, round, summarize } from '../stats';

/** The edited graph the model store prepared in `cacheDir` (for the diagnostic row). */
export function editedFileIn(cacheDir: string, dtype: Dtype): string | undefined {
  const prepared = join(cacheDir, 'prepared');
  if (!existsSync(prepared)) return undefined;
  const name = dtype === 'q8' ? 'model_attn_quantized.onnx' : 'model_attn.onnx';
  for (const key of readdirSync(prepared)) if (existsSync(join(prepared, key, 'onnx', name))) return join(prepared, key, 'onnx', name);
  return undefined;
}

/** `lm` was loaded with `cacheDir`; `repeats` per length (fewer at 512 tokens). */
export async function part(c: BenchContext, lm: LoadedModel, dtype: Dtype, cacheDir: string, repeatsPerLength = c.o.repeats): Promise<void> {
  const raw = await ort().InferenceSession.create(onnxFile(c.o.model, dtype));
  // Diagnostic: onnxruntime alone on the edited graph, fetching what analyze fetches, separates the
  // cost of the extra outputs inside onnxruntime from our JavaScript around it.
  const editedPath = editedFileIn(cacheDir, dtype);
  const edited = editedPath ? await ort().InferenceSession.create(editedPath) : undefined;
  const fetches = [...lm.attentionOutputs, ...lm.hiddenStateOutputs];
  try {
    for (const n of c.o.lengths) {
      const text = textOf(c.o.model, n);
      const ids = idsOf(lm, text);
      if (ids.length !== n) throw new Error(`text for ${n} tokens tokenized to ${ids.length}`);
      const feeds = feedsFor(raw, [ids]);
      const repeats = n >= 512 ? Math.max(3, repeatsPerLength - 2) : repeatsPerLength;
      const tokenizeMs: number[] = [];
      const fns = [async () => tokenizeMs.push((await analyze(lm, text, { guesses: false })).timings.tokenizeMs), () => raw.run(feeds)];
      if (edited) {
        const editedFeeds = feedsFor(edited, [ids]);
        fns.push(() => edited.run(editedFeeds, fetches));
      }
      const [ours, floor, diag] = await interleavedAll(fns, repeats);
      c.native.set(`${dtype}:${n}`, ours);
      c.native.set(`raw-${dtype}:${n}`, floor);
      const target = dtype === 'q8' ? '≤ 1.15× raw' : null;
      c.add(figure(`analyze ${dtype}, ${n} tokens (attentions + hidden states, no guesses)`, ours, 'ms', {
        floor,
        target: target ?? undefined,
        met: target ? ours.median / floor.median <= 1.15 : null,
        series: `ours ${dtype}`,
        tokens: n,
        note: `${repeats} runs interleaved with the raw forwards; ratio = / raw onnxruntime-node session.run of the unedited ${dtype} file on the same ids (logits only); of which tokenize + offsets ${round(summarize(tokenizeMs).median, 1)} ms`,
      }));
      c.add(figure(`raw ORT forward ${dtype}, ${n} tokens (floor)`, floor, 'ms', { series: `raw ORT ${dtype}`, tokens: n }));
      if (diag) {
        c.add(figure(`  diagnostic: raw ORT on the edited ${dtype} graph, ${n} tokens, same fetches as analyze`, diag, 'ms', {
          floor,
          note: `${fetches.length} outputs (attentions ${144 * n * n * 4 > 1e6 ? `${round((lm.info.numLayers * lm.info.numHeads * n * n * 4) / 1e6, 1)} MB` : 'small'}); ratio = / raw forward of the unedited file: what the extra outputs cost inside onnxruntime; analyze / this = our JavaScript (tokenizer, offsets, copies)`,
        }));
      }
    }
  } finally {
    await raw.release();
    await edited?.release();
  }
}
