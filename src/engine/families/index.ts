/**
 * Model families: what differs between kinds of language model lives in one module per family, so that
 * analyze, session and modelStore call `lm.family` and rarely branch on the kind.
 *
 * Two families: the masked language models (`maskedLm.ts`: BERT and kin, guesses = the token masked alone)
 * and the causal language models (`causalLm.ts`: GPT-2, guesses = the next-token prediction made before
 * the token, from one forward). The kind comes from config.json (model_type and architectures); a model
 * no family accepts is refused with NOT_A_MASKED_LM and a message that says what it is and what to use.
 */
import { ContextLensError } from '../errors';
import { causalLm, UNCHECKED_CAUSAL_MODEL_TYPES } from './causalLm';
import type { ModelConfig, ModelFamily } from './family';
import { maskedLm } from './maskedLm';

export { configNumber, type ModelClass, type ModelConfig, type ModelFamily } from './family';

const FAMILIES: readonly ModelFamily[] = [maskedLm, causalLm];

/** Encoder-decoder model types (a seq2seq model is neither kind). */
const ENCODER_DECODER_TYPES = new Set(['t5', 'mt5', 'bart', 'mbart', 'marian', 'pegasus', 'm2m_100', 'nllb', 'longt5', 'flan-t5', 'whisper', 'blenderbot', 'mvp']);

const SUPPORTED = 'Context Lens reads BERT-style masked language models (BERT, RoBERTa, DistilBERT, ELECTRA, … with a fill-mask head, e.g. Xenova/bert-base-chinese) and GPT-2 causal language models (e.g. Xenova/gpt2, Xenova/distilgpt2).';

/** The family of the model config.json describes; NOT_A_MASKED_LM for every model no family accepts. */
export function familyFor(config: ModelConfig, what: string): ModelFamily {
  const family = FAMILIES.find((f) => f.accepts(config));
  if (family) return family;
  const modelType = String(config.model_type ?? '');
  const architectures = Array.isArray(config.architectures) ? config.architectures.map(String) : [];
  const kind = modelType ? `a "${modelType}" model${architectures.length ? ` (${architectures.join(', ')})` : ''}` : 'a model without a model_type';
  if (config.is_encoder_decoder === true || ENCODER_DECODER_TYPES.has(modelType)) {
    throw new ContextLensError('NOT_A_MASKED_LM', `${what} is ${kind}, an encoder-decoder model, neither a masked nor a causal language model. ${SUPPORTED}`);
  }
  if (UNCHECKED_CAUSAL_MODEL_TYPES.has(modelType)) {
    throw new ContextLensError(
      'NOT_A_MASKED_LM',
      `${what} is ${kind}, a causal language model of a type Context Lens has not been checked with yet (its graph edit knows GPT-2's layout). ${SUPPORTED}`,
    );
  }
  if (modelType === 'gpt2') {
    throw new ContextLensError('NOT_A_MASKED_LM', `${what} is ${kind}, a GPT-2 without a language-model head. ${SUPPORTED}`);
  }
  throw new ContextLensError(
    'NOT_A_MASKED_LM',
    `${what} is ${kind}, not a BERT-style masked language model. Context Lens needs a model such as BERT, RoBERTa, DistilBERT or ELECTRA with a fill-mask head, or a GPT-2 causal language model (e.g. Xenova/gpt2).`,
  );
}
