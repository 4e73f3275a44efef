import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PreTrainedModel, PreTrainedTokenizer } from '@huggingface/transformers';
import {
  idToPiece,
  int64Tensor,
  LibraryShapeError,
  maxLength,
  ortSession,
  replaceNormalizer,
  replacePreTokenizer,
  specialTokenId,
  tokenizerComponents,
  tokenizerConfigJson,
  tokenizerJson,
  WRITTEN_AGAINST,
  type TokenizerLike,
} from '../../src/engine/hfInternals';
import { isContextLensError } from '../../src/engine/errors';
import { FIXTURE_MODEL, loadReference, maxAbsDiff } from './helpers/fixture';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AutoModelForMaskedLM, AutoTokenizer, env } = require('@huggingface/transformers') as typeof import('@huggingface/transformers');
env.allowRemoteModels = false;
env.allowLocalModels = true;

const fixtureJson = (file: string) => JSON.parse(readFileSync(join(FIXTURE_MODEL, file), 'utf8'));
const installedVersion = (pkg: string): string => JSON.parse(readFileSync(join('node_modules', pkg, 'package.json'), 'utf8')).version;

let tokenizer: PreTrainedTokenizer;
let model: PreTrainedModel;

before(async () => {
  tokenizer = await AutoTokenizer.from_pretrained(FIXTURE_MODEL);
  model = await AutoModelForMaskedLM.from_pretrained(FIXTURE_MODEL, { dtype: 'fp32', device: 'cpu' });
});
after(async () => {
  await model?.dispose();
});

/** The adapter's error for a changed library: names the field, the versions and the file to update. */
function isShapeError(field: string) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof LibraryShapeError, `a LibraryShapeError, got ${String(e)}`);
    assert.ok(e.message.includes(field), `names ${field}: ${e.message}`);
    assert.match(e.message, /@huggingface\/transformers 4\.3\.1 with onnxruntime-node 1\.30\.0/);
    assert.match(e.message, /src\/engine\/hfInternals\.ts/);
    return true;
  };
}

test('the installed transformers.js and onnxruntime are the versions the adapter was written against', () => {
  // An upgrade fails here first: re-check the shapes below against the new version, then update WRITTEN_AGAINST.
  assert.equal(installedVersion('@huggingface/transformers'), WRITTEN_AGAINST.transformers);
  assert.equal(installedVersion('onnxruntime-node'), WRITTEN_AGAINST.onnxruntimeNode);
});

test('ortSession + int64Tensor: a forward on the session under a transformers.js model gives torch\'s logits', async () => {
  const session = ortSession(model);
  assert.deepEqual([...session.inputNames], ['input_ids', 'attention_mask', 'token_type_ids']);
  const reference = loadReference();
  const ref = reference.texts[0];
  const n = ref.input_ids.length;
  const ids = int64Tensor(BigInt64Array.from(ref.input_ids, BigInt), [1, n]);
  assert.deepEqual([...ids.dims], [1, n]);
  const out = await session.run(
    {
      input_ids: ids,
      attention_mask: int64Tensor(new BigInt64Array(n).fill(1n), [1, n]),
      token_type_ids: int64Tensor(new BigInt64Array(n), [1, n]),
    },
    ['logits'],
  );
  assert.deepEqual(Object.keys(out), ['logits'], 'only the fetched output');
  assert.deepEqual([...out.logits.dims], [1, n, reference.vocabSize]);
  assert.ok(out.logits.data instanceof Float32Array);
  assert.ok(maxAbsDiff(out.logits.data, ref.logits) <= 1e-4);
});

test('tokenizer internals: the parsed JSON files, the pipeline stages, pieces, special ids and max length', () => {
  assert.deepEqual(tokenizerJson(tokenizer), fixtureJson('tokenizer.json'));
  assert.deepEqual(tokenizerConfigJson(tokenizer), fixtureJson('tokenizer_config.json'));

  const { normalizer, preTokenizer, model: wordModel, unkTokenId } = tokenizerComponents(tokenizer);
  assert.equal(normalizer?.('Café ÄB'), 'cafe ab', 'BertNormalizer: lowercase, accents stripped');
  assert.deepEqual(preTokenizer?.('apples, bank.', { section_index: 0 }), ['apples', ',', 'bank', '.']);
  assert.deepEqual(wordModel?.(['phones']), ['phone', '##s']);
  assert.equal(unkTokenId, 1);

  const vocab: Record<string, number> = fixtureJson('tokenizer.json').model.vocab;
  const piece = idToPiece(tokenizer);
  assert.equal(piece(vocab['果']), '果');
  assert.equal(piece(vocab['##s']), '##s');
  assert.equal(piece(10 ** 6), undefined, 'an id outside the vocabulary');

  const ids = Object.fromEntries((['cls_token', 'sep_token', 'mask_token', 'pad_token', 'unk_token', 'bos_token'] as const).map((name) => [name, specialTokenId(tokenizer, name)]));
  assert.deepEqual(ids, { cls_token: 2, sep_token: 3, mask_token: 4, pad_token: 0, unk_token: 1, bos_token: -1 });
  assert.equal(maxLength(tokenizer), fixtureJson('tokenizer_config.json').model_max_length);
});

test('replaceNormalizer / replacePreTokenizer: the replacement runs in every later encode', async () => {
  const fresh: PreTrainedTokenizer = await AutoTokenizer.from_pretrained(FIXTURE_MODEL);
  const before = Array.from(fresh.encode('apple', { add_special_tokens: false }), Number);
  replaceNormalizer(fresh, (text) => text.replace('pear', 'apple'));
  // Without lowercasing, 'apple' is still 'apple' and 'pear' (not in the vocabulary) now reads as 'apple'.
  assert.deepEqual(Array.from(fresh.encode('pear', { add_special_tokens: false }), Number), before);
  // And the pre-tokenizer: one word per character.
  replacePreTokenizer(fresh, (text) => Array.from(text));
  assert.equal(fresh.encode('apple', { add_special_tokens: false }).length, 5);
});

test('a changed library shape is a LibraryShapeError naming the field, the versions and the adapter', () => {
  const encode = (): number[] => [];
  assert.throws(() => ortSession({} as PreTrainedModel), isShapeError('PreTrainedModel.sessions'));
  assert.throws(() => ortSession({ sessions: { model: { run: () => undefined } } } as unknown as PreTrainedModel), isShapeError('PreTrainedModel.sessions.model'));
  assert.throws(() => tokenizerJson({ encode }), isShapeError('PreTrainedTokenizer._tokenizerJSON'));
  assert.throws(() => tokenizerConfigJson({ encode, _tokenizerConfig: 'not an object' }), isShapeError('PreTrainedTokenizer._tokenizerConfig'));
  assert.throws(() => tokenizerComponents({ encode }), isShapeError('PreTrainedTokenizer._tokenizer'));
  assert.throws(() => tokenizerComponents({ encode, _tokenizer: { normalizer: 'lowercase' } }), isShapeError('PreTrainedTokenizer._tokenizer.normalizer'));
  assert.throws(() => replaceNormalizer({ encode, _tokenizer: { normalizer: 'lowercase' } }, (t) => t), isShapeError('PreTrainedTokenizer._tokenizer.normalizer'));
  assert.throws(() => replacePreTokenizer({ encode, _tokenizer: {} }, (t) => [t]), isShapeError('PreTrainedTokenizer._tokenizer.pre_tokenizer'));
  assert.throws(() => idToPiece({ encode, _tokenizer: { vocab: [] } } satisfies TokenizerLike), isShapeError('PreTrainedTokenizer._tokenizer.id_to_token'));
  assert.throws(() => specialTokenId({ config: { cls_token: '[CLS]' } } as unknown as PreTrainedTokenizer, 'cls_token'), isShapeError('PreTrainedTokenizer._tokenizer.token_to_id'));
  assert.throws(() => maxLength({} as PreTrainedTokenizer), isShapeError('PreTrainedTokenizer.model_max_length'));
  // A model without any session is the file's fault, not the library's: CORRUPT_MODEL, as before the adapter.
  assert.throws(() => ortSession({ sessions: {} } as unknown as PreTrainedModel), (e: unknown) => isContextLensError(e, 'CORRUPT_MODEL'));
});
