/**
 * The masked language models (BERT, RoBERTa, DistilBERT, ELECTRA, …): a token's guesses are what the
 * model fills in when that token alone is replaced by [MASK].
 */
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import { throwIfAborted } from '../errors';
import { floatData, runRows } from '../forward';
import { maxLength, specialTokenId } from '../hfInternals';
import { guessVocabulary, topKFromLogits } from '../maskedGuesses';
import type { LoadedModel } from '../modelStore';
import { prepareEditedModelFile } from '../onnx';
import type { Guess } from '../types';
import { configNumber, type ModelConfig, type ModelFamily } from './family';

const MODEL_TYPES = new Set([
  'bert',
  'roberta',
  'xlm-roberta',
  'distilbert',
  'electra',
  'camembert',
  'albert',
  'mpnet',
  'deberta',
  'deberta-v2',
  'mobilebert',
  'squeezebert',
  'xlm',
  'flaubert',
  'ernie',
  'roformer',
  'nezha',
  'megatron-bert',
  'esm',
]);
/** Their position ids start after the padding index, so two positions are not usable by tokens. */
const PADDED_POSITION_MODEL_TYPES = new Set(['roberta', 'xlm-roberta', 'camembert']);

/** Largest logits block one masked-guess forward may produce (rows × tokens × vocabulary floats). */
const MAX_LOGITS_BYTES = 96 * 1024 * 1024;
/** Rows × tokens of one masked-guess forward: bounds the activations (attention is rows × heads × n²). */
const MAX_TOKENS_PER_FORWARD = 2048;

function accepts(config: ModelConfig): boolean {
  const architectures = Array.isArray(config.architectures) ? config.architectures.map(String) : [];
  const maskedArchitecture = architectures.length === 0 || architectures.some((a) => a.endsWith('ForMaskedLM'));
  return MODEL_TYPES.has(String(config.model_type ?? '')) && maskedArchitecture;
}

function maxTokens(config: ModelConfig, tokenizer: PreTrainedTokenizer): number {
  const positions = configNumber(config, ['max_position_embeddings']) ?? 512;
  const modelType = String(config.model_type ?? '');
  const padOffset = PADDED_POSITION_MODEL_TYPES.has(modelType) ? (configNumber(config, ['pad_token_id']) ?? 1) + 1 : 0;
  const usablePositions = positions - padOffset;
  const tokenizerMax = maxLength(tokenizer);
  // Tokenizers without a limit report a huge sentinel (1e30) or Infinity.
  return tokenizerMax !== undefined && tokenizerMax > 0 && tokenizerMax < usablePositions ? tokenizerMax : usablePositions;
}

/**
 * For every position in `positions` of `windowIds`, the top-k guesses when that token alone is masked:
 * one batched forward per chunk of rows, chunks sized so the logits stay under MAX_LOGITS_BYTES.
 */
async function maskedGuesses(
  lm: LoadedModel,
  windowIds: number[],
  positions: number[],
  topK: number,
  signal: AbortSignal | undefined,
  onRows?: (done: number) => void,
): Promise<Guess[][]> {
  const n = windowIds.length;
  const vocab = lm.info.vocabSize;
  // A narrowed head returns one logits row per masked row; a full one returns every position's.
  const narrow = !!lm.maskedPositionsInput;
  const byLogits = Math.floor(MAX_LOGITS_BYTES / ((narrow ? 1 : n) * vocab * 4));
  const rowsPerChunk = Math.max(1, Math.min(byLogits, Math.floor(MAX_TOKENS_PER_FORWARD / n)));
  const { idToText, exclude } = guessVocabulary(lm);
  const { mask } = lm.specialIds;
  const out: Guess[][] = [];
  for (let c = 0; c < positions.length; c += rowsPerChunk) {
    throwIfAborted(signal);
    const chunk = positions.slice(c, c + rowsPerChunk);
    const rows = chunk.map((p) => windowIds.map((id, i) => (i === p ? mask : id)));
    const { logits } = await runRows(
      lm,
      rows,
      ['logits'],
      chunk.map((p, r) => r * n + p),
    );
    const data = floatData(logits);
    chunk.forEach((p, r) => out.push(topKFromLogits(data, (narrow ? r : r * n + p) * vocab, vocab, topK, idToText, exclude)));
    onRows?.(c + chunk.length);
  }
  return out;
}

export const maskedLm: ModelFamily = {
  name: 'masked language model',
  kind: 'masked',
  accepts,
  modelClass: (transformers) => transformers.AutoModelForMaskedLM,
  // Attentions and hidden states become outputs, and the masked-LM head computes logits only at the
  // masked positions (MASKED_POSITIONS_INPUT).
  editGraph: prepareEditedModelFile,
  specialIds: (tokenizer) => ({
    cls: specialTokenId(tokenizer, 'cls_token'),
    sep: specialTokenId(tokenizer, 'sep_token'),
    mask: specialTokenId(tokenizer, 'mask_token'),
    pad: specialTokenId(tokenizer, 'pad_token'),
    unk: specialTokenId(tokenizer, 'unk_token'),
  }),
  maxTokens,
  guesses: maskedGuesses,
};
