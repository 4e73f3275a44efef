/**
 * causal (issue 13): a GPT-2-sized random causal model (12 layers, 768 wide, vocabulary 50,257;
 * bench/causalBenchModel.ts). analyze() with attentions, hidden states, and the next-token predictions and
 * token probabilities at every position (all from its one forward), interleaved with a raw onnxruntime-node
 * forward of the UNEDITED file on the same ids (logits at every position and the cache outputs, as the
 * export computes them): target ≤ 1.15× for q8. Then the same forward in PyTorch eager fp32
 * (scripts/make_gpt2_model.py --torch-bench) as a ratio, as the torch part does for BERT.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { analyze } from '../../src/engine/analyze';
import { forwardFeeds } from '../../src/engine/forward';
import { onnxFileFor, type LoadedModel } from '../../src/engine/modelStore';
import { AnalysisSession } from '../../src/engine/session';
import { tokenizeWithOffsets } from '../../src/engine/tokenOffsets';
import type { Dtype } from '../../src/engine/types';
import { pythonHasTorch } from '../benchModel';
import { CAUSAL_BENCH_MODEL_DIR, causalTextOf, causalTorchBenchArgs, ensureCausalModel } from '../causalBenchModel';
import type { BenchContext } from '../context';
import { freshCacheDir, PY } from '../options';
import { ort, type OrtSession } from '../rawOrt';
import { figure, interleavedAll, round, single, summarize, type Summary } from '../stats';

/** The feeds the engine gives a decoder (ids, mask, positions, an empty cache), as onnxruntime-node tensors. */
function rawFeeds(session: OrtSession, lm: LoadedModel, ids: number[]): Record<string, unknown> {
  const { Tensor } = ort();
  const decoder = { shape: lm.decoder!, float32: (data: Float32Array, dims: number[]) => new Tensor('float32', data, dims), bool: (data: Uint8Array, dims: number[]) => new Tensor('bool', data, dims) };
  return forwardFeeds(session.inputNames, [ids], (data, dims) => new Tensor('int64', data, dims), undefined, [0], [], decoder);
}

async function dtypeRows(c: BenchContext, dir: string, dtype: Dtype, lengths: number[], repeats: number): Promise<Map<number, Summary>> {
  const cacheDir = freshCacheDir();
  const session = new AnalysisSession();
  const ours = new Map<number, Summary>();
  await session.load({ model: dir, dtype, device: 'cpu', cacheDir, offline: true });
  const lm = session.model;
  const raw = await ort().InferenceSession.create(join(dir, onnxFileFor(dtype)));
  try {
    for (const n of lengths) {
      const text = causalTextOf(dir, n);
      const ids = tokenizeWithOffsets(lm.tokenizer, text).map((t) => t.id);
      if (ids.length !== n) throw new Error(`causal text for ${n} tokens tokenized to ${ids.length}`);
      const feeds = rawFeeds(raw, lm, ids);
      const [mine, floor] = await interleavedAll([() => analyze(lm, text, { topK: 5 }), () => raw.run(feeds)], n >= 512 ? Math.max(3, repeats - 2) : repeats);
      ours.set(n, mine);
      const target = dtype === 'q8' ? '≤ 1.15× raw' : null;
      c.add(figure(`causal analyze ${dtype}, ${n} tokens (attentions + hidden states + next-token predictions and token probabilities)`, mine, 'ms', {
        floor,
        target: target ?? undefined,
        met: target ? mine.median / floor.median <= 1.15 : null,
        series: `ours causal ${dtype}`,
        tokens: n,
        note: `GPT-2-sized random model (${lm.info.numLayers} layers, hidden ${lm.info.hiddenSize}, vocabulary ${lm.info.vocabSize}); ratio = / raw onnxruntime-node session.run of the unedited ${dtype} file on the same ids (all outputs: logits at every position, the cache); top-5 next tokens and each token's probability and rank at every position come from analyze's one forward`,
      }));
      c.add(figure(`raw ORT forward causal ${dtype}, ${n} tokens (floor)`, floor, 'ms', { series: `raw ORT causal ${dtype}`, tokens: n }));
    }
  } finally {
    await raw.release();
    await session.dispose();
  }
  return ours;
}

function torchRows(c: BenchContext, dir: string, lengths: number[], fp32: Map<number, Summary>, q8: Map<number, Summary>): void {
  if (!pythonHasTorch()) {
    c.add(figure('causal: PyTorch eager fp32 rows skipped', single(NaN), '', { note: `${PY} cannot import torch` }));
    return;
  }
  const repeats = c.o.quick ? 3 : 5;
  const r = spawnSync(PY, causalTorchBenchArgs(dir, lengths, repeats), {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' },
  });
  if (r.status !== 0) {
    c.add(figure('causal: PyTorch eager fp32 failed', single(NaN), '', { note: r.stderr.slice(-300) }));
    return;
  }
  const runs = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { threads: number; torch: string; runs: Record<string, number[]> };
  for (const n of lengths) {
    const t = summarize(runs.runs[String(n)]);
    c.add(figure(`causal PyTorch eager fp32, ${n} tokens (attentions + hidden states), OMP_WAIT_POLICY=PASSIVE`, t, 'ms', {
      series: 'PyTorch causal fp32 eager',
      tokens: n,
      note: `torch ${runs.torch}, ${runs.threads} threads, ${repeats} runs after 1 warm-up, same weights as the ONNX files`,
    }));
    const ours = fp32.get(n);
    if (ours) {
      const q = q8.get(n);
      c.add(figure(`causal fp32 analyze vs PyTorch fp32, ${n} tokens`, ours, 'ms', {
        floor: t,
        note: `ratio = our fp32 causal analyze / PyTorch eager fp32 (both with attentions + hidden states)${q ? `; our q8 / torch = ${round(q.median / t.median, 2)}×` : ''}`,
      }));
    }
  }
}

export async function part(c: BenchContext): Promise<void> {
  const dir = CAUSAL_BENCH_MODEL_DIR;
  const model = ensureCausalModel(dir);
  if (!model.ok) {
    c.add(figure('causal: skipped', single(NaN), '', { note: model.why ?? 'no GPT-2-sized model' }));
    return;
  }
  const lengths = c.o.lengths;
  const q8 = await dtypeRows(c, dir, 'q8', lengths, c.o.repeats);
  const fp32 = await dtypeRows(c, dir, 'fp32', lengths, Math.max(3, c.o.repeats - 2));
  if (model.torchState) torchRows(c, dir, lengths, fp32, q8);
  else c.add(figure('causal: PyTorch eager fp32 rows skipped', single(NaN), '', { note: 'torch_state.pt missing (regenerate with --save-torch)' }));
}
