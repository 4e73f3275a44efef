/** What a model family is: everything about a kind of language model that the rest of the engine must not branch on. */
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import type { DecoderShape } from '../forward';
import type { LoadedModel, SpecialTokenIds } from '../modelStore';
import type { Transformers } from '../modelRuntime';
import type { PreparedEdit } from '../onnx';
import type { Guess, ModelKind } from '../types';

/** A parsed config.json. */
export type ModelConfig = Record<string, unknown>;

/** The transformers.js class (AutoModelFor…) that downloads and loads a family's ONNX exports. */
export type ModelClass = Pick<Transformers['AutoModel'], 'from_pretrained'>;

export interface ModelFamily {
  /** How messages and diagnostics name the family. */
  readonly name: string;
  /** What its guesses mean (types.ts ModelKind). */
  readonly kind: ModelKind;
  /** Whether config.json describes a model of this family (model type and head). */
  accepts(config: ModelConfig): boolean;
  modelClass(transformers: Transformers): ModelClass;
  /**
   * Writes the edited copy of the ONNX graph: which tensors become outputs (attentions, hidden states)
   * and which head computes only at the positions asked for.
   */
  editGraph(sourceOnnxPath: string, destPath: string, cacheDir: string): Promise<PreparedEdit>;
  /** The special tokens the family's predictions need. */
  specialIds(tokenizer: PreTrainedTokenizer): SpecialTokenIds;
  /** Tokens (specials included) one forward may take. */
  maxTokens(config: ModelConfig, tokenizer: PreTrainedTokenizer): number;
  /**
   * For each position in `positions` of one window's ids, the model's top-k guesses for the token there.
   * `onRows(done)` reports how many positions are done.
   */
  guesses(lm: LoadedModel, windowIds: number[], positions: number[], topK: number, signal: AbortSignal | undefined, onRows?: (done: number) => void): Promise<Guess[][]>;
  /** Causal families: the shape of the empty cache every forward is fed (forward.ts). */
  decoderShape?(config: ModelConfig): DecoderShape;
}

/** The first of `keys` that config.json sets to a number (model types name the same thing differently). */
export function configNumber(config: ModelConfig, keys: string[]): number | undefined {
  for (const k of keys) if (typeof config[k] === 'number') return config[k] as number;
  return undefined;
}
