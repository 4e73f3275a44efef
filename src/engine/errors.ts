/** Typed errors with a plain message a user can act on. Every failure the engine knows about is one of these. */

export type ContextLensErrorCode =
  | 'MODEL_FOLDER_MISSING'
  | 'NOT_A_MASKED_LM'
  | 'CORRUPT_MODEL'
  | 'OFFLINE_NOT_CACHED'
  | 'DOWNLOAD_FAILED'
  | 'CANCELLED'
  | 'EMPTY_INPUT'
  | 'INPUT_TOO_LARGE'
  | 'BINARY_INPUT'
  | 'BACKEND_UNAVAILABLE'
  /** The engine worker ended (it crashed, or the host restarted it) and took the model and the analyses with it. */
  | 'ENGINE_STOPPED'
  /** The command line was given an unknown option value, a flag without its value, or an unknown format. */
  | 'BAD_ARGUMENTS'
  /** Word senses: the word was not found in the files searched. */
  | 'NO_OCCURRENCES'
  /** A masked span that cannot be guessed: empty, only whitespace or special tokens, across lines, or over MAX_SPAN_TOKENS. */
  | 'BAD_SPAN'
  /**
   * Issue 13: the model's export fuses attention (ModelInfo.attentionAvailable false), so the attention
   * views have nothing to show; hidden states and predictions still work.
   */
  | 'ATTENTION_UNAVAILABLE'
  /**
   * Issue 14: the model cache (downloads, prepared copies, edited graphs) cannot be written: the disk is full,
   * the folder is read-only or not writable, or a part of its path is a file. Nothing half-written is kept.
   */
  | 'CACHE_WRITE_FAILED';

export class ContextLensError extends Error {
  constructor(
    readonly code: ContextLensErrorCode,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'ContextLensError';
  }
}

export function cancelledError(): ContextLensError {
  return new ContextLensError('CANCELLED', 'The request was cancelled.');
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError();
}

/** The text to show or log for anything thrown. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function isContextLensError(e: unknown, code?: ContextLensErrorCode): e is ContextLensError {
  return e instanceof ContextLensError && (code === undefined || e.code === code);
}

/** Errors cross the worker boundary as plain objects. */
export interface SerializedError {
  code: ContextLensErrorCode | 'INTERNAL';
  message: string;
  detail?: string;
}

export function serializeError(e: unknown): SerializedError {
  if (e instanceof ContextLensError) return { code: e.code, message: e.message, detail: e.detail };
  const err = e instanceof Error ? e : new Error(String(e));
  return { code: 'INTERNAL', message: `Internal error: ${err.message}`, detail: err.stack };
}

export function deserializeError(s: SerializedError): Error {
  if (s.code === 'INTERNAL') return Object.assign(new Error(s.message), { detail: s.detail });
  return new ContextLensError(s.code, s.message, s.detail);
}
