/**
 * The models Context Lens: Choose Model suggests (issue 13), as plain data: the quick pick shows them, the
 * README lists them, test/unit/modelChoices.test.ts pins them. No `vscode` import.
 *
 * Sizes are the download at the default dtype (q8: one byte per weight, about the parameter count in MB)
 * and at fp32 (four bytes per weight). The parameter counts are the model cards'; where the Hub lists the
 * ONNX file the engine loads, its size agrees (Xenova/gpt2: decoder_model_merged_quantized.onnx 128 MB,
 * decoder_model_merged.onnx 501 MB).
 *
 * A Chinese GPT-2 is not offered: uer/gpt2-chinese-cluecorpussmall, the usual one, publishes PyTorch,
 * TensorFlow and Flax weights only, and no ONNX export of it in the transformers.js layout was found.
 */
import { join } from 'node:path';
import type { ModelKind } from '../engine/types';

export interface ModelChoice {
  /** Hub id (`owner/name`); the demo model is the bundled folder instead (`demo: true`). */
  id: string;
  kind: ModelKind;
  /** Millions of parameters (the model card's). */
  paramsM: number;
  /** BCP 47 tags, or `multi` for about a hundred languages. */
  languages: string[];
  /** The bundled demo model (assets/demo-model): chosen with Use the bundled demo model, never downloaded. */
  demo?: boolean;
}

export const MODEL_CHOICES: readonly ModelChoice[] = [
  { id: 'Xenova/bert-base-chinese', kind: 'masked', paramsM: 102, languages: ['zh'] },
  { id: 'Xenova/bert-base-multilingual-uncased', kind: 'masked', paramsM: 167, languages: ['multi'] },
  { id: 'Xenova/bert-base-uncased', kind: 'masked', paramsM: 110, languages: ['en'] },
  { id: 'Xenova/distilbert-base-uncased', kind: 'masked', paramsM: 66, languages: ['en'] },
  { id: 'Xenova/gpt2', kind: 'causal', paramsM: 124, languages: ['en'] },
  { id: 'Xenova/distilgpt2', kind: 'causal', paramsM: 82, languages: ['en'] },
  // 233-token vocabulary, 2 layers of 64: a fraction of a million weights (onnx/model_quantized.onnx is 186 kB).
  { id: 'demo', kind: 'masked', paramsM: 0.1, languages: ['zh', 'en'], demo: true },
];

/** Download size in MB of a choice at `dtype` (q8 ≈ 1 byte per weight, fp32 ≈ 4). */
export function downloadMb(choice: Pick<ModelChoice, 'paramsM'>, dtype: 'q8' | 'fp32'): number {
  return choice.paramsM * (dtype === 'q8' ? 1 : 4);
}

/** "≈ 124 MB", "≈ 0.4 GB", "< 1 MB": what the quick pick says of a size. */
export function formatMb(mb: number): string {
  if (mb < 1) return '< 1 MB';
  if (mb >= 1000) return `≈ ${(mb / 1000).toFixed(1)} GB`;
  return `≈ ${Math.round(mb)} MB`;
}

/**
 * Whether a Hub model is in the extension's download cache: modelStore.ts keeps a Hub id's files under
 * `<cacheDir>/hub/<id>/` (hubCacheDirFor, revision main), its config.json first. Not imported from there:
 * modelStore pulls transformers.js, which the extension host never loads.
 */
export function cachedConfigPath(cacheDir: string, id: string): string {
  return join(cacheDir, 'hub', ...id.split('/'), 'config.json');
}
