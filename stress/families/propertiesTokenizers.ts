/**
 * The real tokenizers the property family tries, one list per model kind the engine supports, each loaded
 * as modelStore loads a prepared model (transformers.js `AutoTokenizer.from_pretrained` on a folder):
 * - masked (WordPiece): the demo BERT (assets/demo-model) and the published bert-base-chinese and
 *   bert-base-uncased vocabularies (test/fixtures/tokenizers/);
 * - causal (byte-level BPE): the GPT-2 fixture model (test/fixtures/tiny-gpt2) and GPT-2's own 50,257-piece
 *   tokenizer (test/fixtures/tokenizers/gpt2.tokenizer.json).
 * The fixture files hold only tokenizer.json; the folder made for each gets the tokenizer_config.json its
 * model ships with (the same as test/unit/tokenizerOracle.test.ts and tokenOffsetsByteLevel.test.ts write).
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TokenizerLike } from '../../src/engine/hfInternals';
import { loadRuntime } from '../../src/engine/modelRuntime';
import { REPO, type ModelKindName } from '../context';

export interface NamedTokenizer {
  name: string;
  kind: ModelKindName;
  load(tmp: string): Promise<TokenizerLike>;
}


const BERT_CONFIG = { tokenizer_class: 'BertTokenizer', model_max_length: 512, cls_token: '[CLS]', sep_token: '[SEP]', mask_token: '[MASK]', pad_token: '[PAD]', unk_token: '[UNK]' };
const GPT2_CONFIG = { tokenizer_class: 'GPT2Tokenizer', model_max_length: 1024, bos_token: '<|endoftext|>', eos_token: '<|endoftext|>', unk_token: '<|endoftext|>' };

async function fromFolder(dir: string): Promise<TokenizerLike> {
  const { AutoTokenizer, env } = loadRuntime('auto').transformers;
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  return (await AutoTokenizer.from_pretrained(dir)) as unknown as TokenizerLike;
}

/** A folder holding a fixture's tokenizer.json and the config its model ships with. */
function fixture(repo: string, name: string, kind: ModelKindName, file: string, config: object): NamedTokenizer {
  return {
    name,
    kind,
    load: (tmp) => {
      const dir = join(tmp, name);
      mkdirSync(dir, { recursive: true });
      copyFileSync(resolve(repo, 'test', 'fixtures', 'tokenizers', file), join(dir, 'tokenizer.json'));
      writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(config));
      return fromFolder(dir);
    },
  };
}

/** The list, with its files under `repo` (the campaign's REPO; a unit test passes its working directory). */
export function propertyTokenizers(repo = REPO): NamedTokenizer[] {
  return [
    { name: 'demo BERT', kind: 'masked', load: () => fromFolder(resolve(repo, 'assets', 'demo-model')) },
    fixture(repo, 'bert-base-chinese', 'masked', 'bert-base-chinese-vocab.tokenizer.json', BERT_CONFIG),
    fixture(repo, 'bert-base-uncased', 'masked', 'bert-base-uncased-vocab.tokenizer.json', BERT_CONFIG),
    { name: 'tiny GPT-2', kind: 'causal', load: () => fromFolder(resolve(repo, 'test', 'fixtures', 'tiny-gpt2')) },
    fixture(repo, 'GPT-2', 'causal', 'gpt2.tokenizer.json', GPT2_CONFIG),
  ];
}
