/** The GPT-2-sized random causal model the benchmark runs (generated once outside the repository) and its texts. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { pythonHasTorch } from './benchModel';
import { log, PY, REPO } from './options';

/** Where the model lives unless CONTEXT_LENS_BENCH_CAUSAL_MODEL names another folder. */
export const CAUSAL_BENCH_MODEL_DIR = process.env.CONTEXT_LENS_BENCH_CAUSAL_MODEL ?? join(homedir(), '.cache', 'context-lens-bench', 'gpt2-random');

/** scripts/make_gpt2_model.py's arguments for GPT-2 small's shape: 12 layers, 12 heads, 768 wide, 1,024
 * positions, vocabulary 50,257. Untrained: speed does not depend on the weights. The tokenizer is the
 * fixture's byte-level BPE (the generator learns the same merges whatever the size), so every id it gives
 * is below 50,257; rows past the tokenizer's ~500 ids are never looked up but are multiplied by the LM
 * head like a real GPT-2's. */
export const GPT2_SIZE_ARGS = ['--gpt2-size', '--steps', '0', '--no-reference'];

/** Makes sure the GPT-2-sized model exists (with torch_state.pt for the torch ratio); returns why not when it cannot. */
export function ensureCausalModel(dir = CAUSAL_BENCH_MODEL_DIR): { ok: boolean; torchState: boolean; why?: string } {
  const need = ['config.json', 'tokenizer.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx'];
  const complete = () => need.every((f) => existsSync(join(dir, f)));
  if (!complete() || !existsSync(join(dir, 'torch_state.pt'))) {
    if (pythonHasTorch()) {
      log(`generating the GPT-2-sized random model in ${dir} (a few minutes)`);
      mkdirSync(dirname(dir), { recursive: true });
      const r = spawnSync(PY, [join(REPO, 'scripts/make_gpt2_model.py'), dir, ...GPT2_SIZE_ARGS, '--save-torch'], { stdio: 'inherit' });
      if (r.status !== 0) return { ok: complete(), torchState: false, why: `make_gpt2_model.py failed (exit ${r.status})` };
    } else if (!complete()) {
      return { ok: false, torchState: false, why: `${PY} cannot import torch and onnx, so the GPT-2-sized model cannot be generated` };
    }
  }
  return { ok: complete(), torchState: existsSync(join(dir, 'torch_state.pt')) };
}

/** Vocabulary entries that are one space-led lower-case word ('Ġ' is GPT-2's byte character for a space). */
export function causalSpaceWords(modelDir: string): string[] {
  const vocab = JSON.parse(readFileSync(join(modelDir, 'tokenizer.json'), 'utf8')).model.vocab as Record<string, number>;
  return Object.keys(vocab).filter((t) => /^Ġ[a-z]+$/.test(t)).map((t) => ' ' + t.slice(1));
}

/**
 * A text of exactly n tokens: n words that are each one token. The pre-tokenizer cuts a text at every
 * space-led word and BPE then sees one word at a time, so the count cannot drift by merges across words
 * (test/unit/gpt2Fixture.test.ts checks every such word encodes to its own id).
 */
export function causalTextOf(modelDir: string, n: number): string {
  const words = causalSpaceWords(modelDir);
  if (words.length < 2) throw new Error(`${modelDir}/tokenizer.json has no space-led words to build texts from`);
  let s = 12345;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n }, () => words[Math.floor(next() * words.length)]).join('');
}

/** Arguments for PY: time PyTorch eager fp32 forwards (attentions and hidden states kept, empty past) on the
 * model's own weights (torch_state.pt); the script prints {threads, torch, runs: {n: ms[]}} as its last line. */
export function causalTorchBenchArgs(dir: string, lengths: number[], repeats: number): string[] {
  return [join(REPO, 'scripts/make_gpt2_model.py'), dir, '--gpt2-size', '--torch-bench', lengths.join(','), '--repeats', String(repeats)];
}
