/** The bert-base-sized model the benchmark runs (generated once outside the repository) and its texts. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { log, PY, REPO, SIZE_ARGS } from './options';

export function pythonHasTorch(): boolean {
  return spawnSync(PY, ['-c', 'import torch, onnx'], { stdio: 'ignore' }).status === 0;
}

/** Makes sure the bert-base-sized random model exists; returns why not when it cannot. */
export function ensureModel(dir: string): { ok: boolean; torchState: boolean; why?: string } {
  const need = ['config.json', 'tokenizer.json', 'vocab.txt', 'onnx/model.onnx', 'onnx/model_quantized.onnx'];
  const complete = () => need.every((f) => existsSync(join(dir, f)));
  if (!complete() || !existsSync(join(dir, 'torch_state.pt'))) {
    if (!pythonHasTorch() && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
      log('installing python3-torch python3-onnx libopenblas0-pthread (apt-get)');
      spawnSync('apt-get', ['install', '-y', 'python3-torch', 'python3-onnx', 'libopenblas0-pthread'], { stdio: 'inherit' });
    }
    if (pythonHasTorch()) {
      log(`generating the bert-base-sized random model in ${dir} (~1 min)`);
      mkdirSync(dirname(dir), { recursive: true });
      const r = spawnSync(PY, [join(REPO, 'scripts/make_bert_model.py'), dir, ...SIZE_ARGS, '--steps', '0', '--no-reference', '--save-torch'], { stdio: 'inherit' });
      if (r.status !== 0) return { ok: complete(), torchState: false, why: `make_bert_model.py failed (exit ${r.status})` };
    } else if (!complete()) {
      return { ok: false, torchState: false, why: `${PY} cannot import torch and onnx, so the model cannot be generated` };
    }
  }
  return { ok: complete(), torchState: existsSync(join(dir, 'torch_state.pt')) };
}

function isCjk(ch: string): boolean {
  const cp = ch.codePointAt(0) ?? 0;
  return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0xf900 && cp <= 0xfaff);
}

/** A text of n-2 CJK characters that are in the vocabulary (one token each): n tokens with [CLS] and [SEP]. */
export function textOf(modelDir: string, n: number): string {
  const chars = readFileSync(join(modelDir, 'vocab.txt'), 'utf8').split('\n').map((l) => l.trim()).filter((t) => t.length === 1 && isCjk(t));
  if (chars.length < 2) throw new Error(`${modelDir}/vocab.txt has no CJK characters to build texts from`);
  let s = 12345;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n - 2 }, () => chars[Math.floor(next() * chars.length)]).join('');
}
