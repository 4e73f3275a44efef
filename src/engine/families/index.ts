/**
 * Model families: what differs between kinds of language model lives in one module per family, so that
 * analyze, session and modelStore call `lm.family` and never branch on the kind.
 *
 * Today there is one family, the masked language models (`maskedLm.ts`). A causal language model
 * (GPT-2 style) is meant to be a second module implementing `ModelFamily` (`family.ts`) and one more entry
 * in FAMILIES: its config test (`…ForCausalLM`), its transformers.js class (AutoModelForCausalLM), its
 * graph edit (the same exposures; the head after the last hidden state narrowed the same way), its special
 * tokens (bos/eos, no mask), and its guesses (what the model predicted at each position from the tokens
 * before it: one forward, nothing masked). What it will also have to touch outside its module: analyze's
 * windows put one template token on each side of the text ([CLS] … [SEP]); a tokenizer without template
 * tokens needs the template shape, which tokenOffsets already measures, passed to the window plan.
 */
import { ContextLensError } from '../errors';
import type { ModelConfig, ModelFamily } from './family';
import { maskedLm } from './maskedLm';

export { configNumber, type ModelClass, type ModelConfig, type ModelFamily } from './family';

const FAMILIES: readonly ModelFamily[] = [maskedLm];

/** The family of the model config.json describes; NOT_A_MASKED_LM for every model no family accepts. */
export function familyFor(config: ModelConfig, what: string): ModelFamily {
  const family = FAMILIES.find((f) => f.accepts(config));
  if (family) return family;
  const modelType = String(config.model_type ?? '');
  const architectures = Array.isArray(config.architectures) ? config.architectures.map(String) : [];
  const kind = modelType ? `a "${modelType}" model${architectures.length ? ` (${architectures.join(', ')})` : ''}` : 'a model without a model_type';
  throw new ContextLensError(
    'NOT_A_MASKED_LM',
    `${what} is ${kind}, not a BERT-style masked language model. Context Lens needs a model such as BERT, RoBERTa, DistilBERT or ELECTRA with a fill-mask head.`,
  );
}
