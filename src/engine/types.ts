/** Shapes produced by the analysis engine. No `vscode` import anywhere under src/engine. */

export type Dtype = 'fp32' | 'q8';
/**
 * What a language model learned to do (issue 13): `masked` fills in a masked token reading both ways (BERT);
 * `causal` predicts the next token reading only leftwards (GPT-2). From config.json (families/).
 */
export type ModelKind = 'masked' | 'causal';
export type DevicePreference = 'auto' | 'cpu' | 'wasm' | 'webgpu';

export interface ModelSpec {
  /** A Hub id (`Xenova/bert-base-chinese`) or a folder in the Hub layout: `isFolderSpec` (modelSpec.ts) tells which. */
  model: string;
  dtype: Dtype;
  device: DevicePreference;
  /** Where downloaded Hub files and edited graphs are kept. */
  cacheDir: string;
  /** Hub mirror base URL (tests point it at a local server). Default: https://huggingface.co/ */
  remoteHost?: string;
  revision?: string;
  /** Only use what is cached: never touch the network. */
  offline?: boolean;
}

export interface ModelInfo {
  model: string;
  /** Masked or causal (issue 13): decides what a token's guesses mean (see Analysis.guesses). */
  kind: ModelKind;
  /**
   * False where the export fuses attention (no softmax to expose): hidden states and predictions work, the
   * attention views say the export hides them. Absent = true.
   */
  attentionAvailable?: boolean;
  source: 'folder' | 'hub';
  dtype: Dtype;
  /** The backend that actually runs: 'cpu' (onnxruntime-node), 'wasm', 'webgpu'. */
  backend: string;
  /** Why the native runtime is not in use though the device preference allowed it (e.g. this package holds none for the platform). */
  nativeFailure?: string;
  numLayers: number;
  numHeads: number;
  hiddenSize: number;
  vocabSize: number;
  maxTokens: number;
  loadMs: number;
}

export interface Guess {
  token: string;
  id: number;
  probability: number;
}

export interface AnalyzedToken {
  /** Position in `Analysis.tokens`. */
  index: number;
  id: number;
  /** The vocabulary piece, e.g. `##ing`, `果`, `[CLS]`. */
  piece: string;
  /** [start, end) in the analyzed text, UTF-16 code units; special tokens have start === end. */
  start: number;
  end: number;
  special: boolean;
}

export interface AnalysisWindow {
  /** For each position of this window's model input: the index in `Analysis.tokens`. */
  tokenIndices: number[];
  /** One Float32Array per layer, [heads][n][n] row-major, n = tokenIndices.length. */
  attentions: Float32Array[];
  /** [start, end) of the indices in `Analysis.tokens` this window speaks for (hidden states, guesses). */
  keptTokens: [number, number];
}

export interface Analysis {
  text: string;
  model: ModelInfo;
  /** [CLS], the text's tokens, [SEP]. */
  tokens: AnalyzedToken[];
  /** hiddenStates[layer] (0 = embeddings … numLayers): [tokens.length][hiddenSize] row-major. */
  hiddenStates: Float32Array[];
  /** One window when the text fits the model; several overlapping windows otherwise. */
  windows: AnalysisWindow[];
  /** True when the text was longer than the model's maximum and was analyzed in windows. */
  windowed: boolean;
  /**
   * guesses[i]: top-k when token i alone is masked; [] for special tokens and for tokens not asked yet
   * (analyze with `guesses: false`, then guessesForTokens fills them in); null if none was asked.
   */
  guesses: Guess[][] | null;
  /**
   * Causal models only (issue 13), from the analysis's own forward: next[i] is the top-k for the token after
   * token i (the CLI's `next`). A causal model's `guesses[i]` is next[i − 1]: what it expected at token i
   * before seeing it ([] where nothing precedes).
   */
  next?: Guess[][];
  /** Causal models only: token i's probability and rank under the model given the tokens before it; null where nothing precedes. */
  tokenProbabilities?: (TokenProbability | null)[];
  timings: Record<string, number>;
}

/** How likely a causal model found a token that is there (its surprisal is −log2 probability). */
export interface TokenProbability {
  probability: number;
  /** 1 = the model's top guess. */
  rank: number;
}

export interface AnalyzeOptions {
  topK?: number;
  /** Compute the per-token masked guesses (one forward per token, batched). Default true. */
  guesses?: boolean;
  signal?: AbortSignal;
}

export interface ProgressEvent {
  phase: 'download' | 'graph-edit' | 'load' | 'analyze';
  file?: string;
  loaded?: number;
  total?: number;
  /** 0..1 when known */
  fraction?: number;
}
