/** The tiny GPT-2 test fixture and torch's reference outputs for it (scripts/make_gpt2_model.py; the
 * layout of reference.json is described in test/fixtures/tiny-gpt2/README.md). */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const GPT2_FIXTURE = resolve('test/fixtures/tiny-gpt2');

/** Top-k of softmax(lm_head(ln_f(h))) per position: ids[t][k], probs[t][k]. */
export interface LensTopK {
  ids: number[][];
  probs: number[][];
}

export interface Gpt2ReferenceText {
  text: string;
  input_ids: number[];
  /** Byte-level token strings (GPT-2's byte-to-unicode alphabet, 'Ġ' = space). */
  tokens: string[];
  argmax: number[];
  /** [T, vocab_size] */
  logits: Float32Array;
  logits_shape: number[];
  /** [L + 1, T, hidden]: embeddings (wte + wpe), then each block's residual output, all before ln_f. */
  hidden_states: Float32Array;
  hidden_states_shape: number[];
  /** [T, hidden]: ln_f(hidden_states[L]), what HF returns as hidden_states[-1]. */
  final_hidden: Float32Array;
  final_hidden_shape: number[];
  /** [L, heads, T, T]: each block's Softmax output. */
  attentions: Float32Array;
  attentions_shape: number[];
  /** lens[l] for l = 0..L (lens[L] is the model's own prediction). */
  lens: LensTopK[];
  /** lens_rank[l][t]: 0-based rank at layer l of the final argmax at t. */
  lens_rank: number[][];
}

export interface Gpt2Reference {
  vocabSize: number;
  tokenizerVocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  topK: number;
  eosTokenId: number;
  texts: Gpt2ReferenceText[];
  tokenizerCases: { text: string; ids: number[] }[];
  /** The last token of texts[textIndex] run with the others as past_key_values. */
  cachedStep: { textIndex: number; pastLength: number; inputIds: number[]; logits: Float32Array; logitsShape: number[] };
}

function decodeF32(b64: string): Float32Array {
  const buf = Buffer.from(b64, 'base64');
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

export function loadGpt2Reference(folder = GPT2_FIXTURE): Gpt2Reference {
  const raw = JSON.parse(readFileSync(join(folder, 'reference.json'), 'utf8'));
  const step = raw.cached_step;
  return {
    vocabSize: raw.vocab_size,
    tokenizerVocabSize: raw.tokenizer_vocab_size,
    hiddenSize: raw.hidden_size,
    numLayers: raw.num_layers,
    numHeads: raw.num_heads,
    topK: raw.top_k,
    eosTokenId: raw.eos_token_id,
    texts: raw.texts.map((t: Record<string, unknown>) => ({
      ...t,
      logits: decodeF32(t.logits as string),
      hidden_states: decodeF32(t.hidden_states as string),
      final_hidden: decodeF32(t.final_hidden as string),
      attentions: decodeF32(t.attentions as string),
    })),
    tokenizerCases: raw.tokenizer_cases,
    cachedStep: { textIndex: step.text_index, pastLength: step.past_length, inputIds: step.input_ids, logits: decodeF32(step.logits), logitsShape: step.logits_shape },
  };
}
