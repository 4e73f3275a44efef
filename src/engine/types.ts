/** Shapes produced by the analysis engine. No `vscode` import anywhere under src/engine. */

export type Dtype = 'fp32' | 'q8';
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
  timings: Record<string, number>;
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
