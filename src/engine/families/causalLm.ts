/**
 * The causal language models (GPT-2 and distilgpt2 as transformers.js publishes them): a token's guesses
 * are what the model predicted at that point from the tokens before it, read from the one forward that
 * also gives the hidden states and attentions (GPT's own training task, nothing masked).
 *
 * Checked: model_type `gpt2` (GPT2LMHeadModel; Xenova/gpt2 and Xenova/distilgpt2 share it). Other causal
 * types transformers.js loads (gpt_neo, gptj, gpt_bigcode, codegen, llama, …) are refused with a message:
 * the decoder edit (onnx/decoderTargets.ts) was checked on GPT-2's block layout only (pre-LN blocks with
 * LayerNorm; llama's RMSNorm and rotary positions are a different graph).
 */
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import { throwIfAborted } from '../errors';
import { runRows } from '../forward';
import { maxLength, specialTokenId } from '../hfInternals';
import type { LoadedModel } from '../modelStore';
import { prepareEditedModelFile } from '../onnx';
import { nextTokenOutputs, nextTokenRows } from '../predictions/nextToken';
import type { Guess } from '../types';
import { configNumber, type ModelConfig, type ModelFamily } from './family';

export const CAUSAL_MODEL_TYPES = new Set(['gpt2']);
/** Causal types transformers.js supports that the decoder edit has not been checked on (families/index.ts names them). */
export const UNCHECKED_CAUSAL_MODEL_TYPES = new Set(['gpt_neo', 'gpt_neox', 'gptj', 'gpt_bigcode', 'codegen', 'llama', 'mistral', 'qwen2', 'phi', 'phi3', 'gemma', 'opt', 'bloom', 'falcon', 'mpt', 'olmo', 'stablelm']);

function accepts(config: ModelConfig): boolean {
  const architectures = Array.isArray(config.architectures) ? config.architectures.map(String) : [];
  const causalArchitecture = architectures.length === 0 || architectures.some((a) => a.endsWith('LMHeadModel') || a.endsWith('ForCausalLM'));
  return CAUSAL_MODEL_TYPES.has(String(config.model_type ?? '')) && causalArchitecture;
}

function maxTokens(config: ModelConfig, tokenizer: PreTrainedTokenizer): number {
  const positions = configNumber(config, ['n_positions', 'max_position_embeddings', 'n_ctx']) ?? 1024;
  const tokenizerMax = maxLength(tokenizer);
  return tokenizerMax !== undefined && tokenizerMax > 0 && tokenizerMax < positions ? tokenizerMax : positions;
}

/**
 * For every position p in `positions`, the top-k the model gave for the token there before seeing it (the
 * row at p − 1), [] at p = 0: one forward of the window, the head asked only at those rows.
 */
async function nextTokenGuesses(lm: LoadedModel, windowIds: number[], positions: number[], topK: number, signal: AbortSignal | undefined, onRows?: (done: number) => void): Promise<Guess[][]> {
  throwIfAborted(signal);
  const asked = [...new Set(positions.filter((p) => p > 0).map((p) => p - 1))];
  if (!asked.length) return positions.map(() => []);
  const reads = { topK: Math.max(1, topK), ids: asked.map(() => 0) };
  const out = await runRows(lm, [windowIds], nextTokenOutputs(lm), asked, [], reads);
  const rows = nextTokenRows(lm, out, asked, reads);
  const result = positions.map((p) => (p > 0 ? rows.topK(asked.indexOf(p - 1), topK) : []));
  onRows?.(positions.length);
  return result;
}

export const causalLm: ModelFamily = {
  name: 'causal language model',
  kind: 'causal',
  accepts,
  modelClass: (transformers) => transformers.AutoModelForCausalLM,
  editGraph: (source, dest, cacheDir) => prepareEditedModelFile(source, dest, cacheDir, 'causal'),
  // Nothing is masked and no template token is added: every vocabulary entry (<|endoftext|> too) is a
  // prediction the model can make, so none is left out of the guesses.
  specialIds: (tokenizer) => ({
    cls: -1,
    sep: -1,
    mask: -1,
    pad: -1,
    unk: -1,
    bos: specialTokenId(tokenizer, 'bos_token'),
    eos: specialTokenId(tokenizer, 'eos_token'),
  }),
  maxTokens,
  guesses: nextTokenGuesses,
  decoderShape: (config) => {
    const heads = configNumber(config, ['n_head', 'num_attention_heads']) ?? 1;
    const hidden = configNumber(config, ['n_embd', 'hidden_size']) ?? heads;
    return { pastHeads: configNumber(config, ['num_key_value_heads']) ?? heads, headDim: configNumber(config, ['head_dim']) ?? hidden / heads };
  },
};
