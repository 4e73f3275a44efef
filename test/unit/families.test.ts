import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import { familyFor } from '../../src/engine/families';
import { maskedLm } from '../../src/engine/families/maskedLm';
import { isContextLensError } from '../../src/engine/errors';

test('familyFor: BERT-style models with a masked-LM head (or no architectures listed) are the masked-LM family', () => {
  for (const config of [
    { model_type: 'bert', architectures: ['BertForMaskedLM'] },
    { model_type: 'roberta' },
    { model_type: 'distilbert', architectures: ['DistilBertModel', 'DistilBertForMaskedLM'] },
  ]) {
    assert.equal(familyFor(config, 'the model'), maskedLm, JSON.stringify(config));
  }
});

test('familyFor: every other model is NOT_A_MASKED_LM, naming its type and architectures', () => {
  const refused = (config: Record<string, unknown>, named: string) =>
    assert.throws(
      () => familyFor(config, 'my-model'),
      (e: unknown) => isContextLensError(e, 'NOT_A_MASKED_LM') && e.message.startsWith(`my-model is ${named}, not a BERT-style masked language model.`),
      JSON.stringify(config),
    );
  refused({ model_type: 'xlnet', architectures: ['XLNetLMHeadModel'] }, 'a "xlnet" model (XLNetLMHeadModel)');
  refused({ model_type: 'bert', architectures: ['BertForSequenceClassification'] }, 'a "bert" model (BertForSequenceClassification)');
  refused({ architectures: ['BertForMaskedLM'] }, 'a model without a model_type');
});

test('masked-LM maxTokens: the positions the model can use, or the tokenizer limit when smaller', () => {
  const tokenizerWithLimit = (model_max_length: number) => ({ model_max_length }) as unknown as PreTrainedTokenizer;
  // RoBERTa's position ids start after the padding index: 514 positions, 512 usable.
  assert.equal(maskedLm.maxTokens({ model_type: 'roberta', max_position_embeddings: 514, pad_token_id: 1 }, tokenizerWithLimit(1e30)), 512);
  assert.equal(maskedLm.maxTokens({ model_type: 'bert', max_position_embeddings: 512 }, tokenizerWithLimit(Infinity)), 512);
  assert.equal(maskedLm.maxTokens({ model_type: 'bert', max_position_embeddings: 512 }, tokenizerWithLimit(128)), 128);
  assert.equal(maskedLm.maxTokens({ model_type: 'bert' }, tokenizerWithLimit(1e30)), 512, 'no max_position_embeddings: BERT\'s 512');
});
