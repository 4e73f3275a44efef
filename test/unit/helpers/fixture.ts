/** The demo model (a tiny BERT, shipped with the extension) and the torch reference outputs generated with it (scripts/make_bert_model.py). */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const FIXTURE_MODEL = resolve('assets/demo-model');
export const FIXTURE_MODEL_OPSET17 = resolve('test/fixtures/tiny-bert-opset17');

export interface ReferenceText {
  text: string;
  input_ids: number[];
  tokens: string[];
  argmax: number[];
  logits: Float32Array;
  logits_shape: number[];
  hidden_states: Float32Array;
  hidden_states_shape: number[];
  attentions: Float32Array;
  attentions_shape: number[];
}

function decodeF32(b64: string): Float32Array {
  const buf = Buffer.from(b64, 'base64');
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

export function loadReference(folder = FIXTURE_MODEL): { vocabSize: number; hiddenSize: number; numLayers: number; numHeads: number; texts: ReferenceText[] } {
  const raw = JSON.parse(readFileSync(join(folder, 'reference.json'), 'utf8'));
  return {
    vocabSize: raw.vocab_size,
    hiddenSize: raw.hidden_size,
    numLayers: raw.num_layers,
    numHeads: raw.num_heads,
    texts: raw.texts.map((t: Record<string, unknown>) => ({
      ...t,
      logits: decodeF32(t.logits as string),
      hidden_states: decodeF32(t.hidden_states as string),
      attentions: decodeF32(t.attentions as string),
    })),
  };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
