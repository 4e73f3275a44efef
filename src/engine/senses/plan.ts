/** Starting a word-senses job: the request checked, the sources searched, the contexts planned. */
import { ContextLensError, throwIfAborted } from '../errors';
import type { LoadedModel } from '../modelStore';
import { buildContexts, DEFAULT_CONTEXT_TOKENS } from './contexts';
import { DEFAULT_TOP_K, type SensesJob } from './job';
import { checkWord, DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_OCCURRENCES, searchSources, type SearchProgress } from './search';
import { DEFAULT_SENSES_SEED, type SensesRequest } from './types';

/**
 * Whether the tokenizer reads upper and lower case alike (an uncased BERT lowercases first): then the
 * search ignores case too, since "Bank" and "bank" are the same tokens to the model. Asked of the tokenizer
 * itself, on the words searched, rather than read from its configuration.
 */
export function tokenizerIgnoresCase(lm: LoadedModel, words: readonly string[]): boolean {
  const cased = words.filter((w) => w.toUpperCase() !== w.toLowerCase());
  if (!cased.length) return false;
  const ids = (s: string): string => Array.from(lm.tokenizer.encode(s), Number).join(',');
  return cased.every((w) => ids(w.toUpperCase()) === ids(w.toLowerCase()));
}

/** Both words' contexts taken in turn, so every batch (the first chart included) has some of each. */
function interleaveWords<T extends { word: number }>(contexts: T[]): T[] {
  const a = contexts.filter((c) => c.word === 0);
  const b = contexts.filter((c) => c.word !== 0);
  const out: T[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (i < a.length) out.push(a[i]);
    if (i < b.length) out.push(b[i]);
  }
  return out;
}

export async function planJob(lm: LoadedModel, request: SensesRequest, signal?: AbortSignal, onSearch?: (p: SearchProgress) => void): Promise<SensesJob> {
  const words = [checkWord(request.word, 'the word')];
  if (request.also !== undefined && request.also.trim() !== '') words.push(checkWord(request.also, 'the second word'));
  const maxOccurrences = Math.max(1, Math.floor(request.maxOccurrences ?? DEFAULT_MAX_OCCURRENCES));
  // Two special tokens around every context: the model's limit bounds the context.
  const contextTokens = Math.max(1, Math.min(lm.info.maxTokens - 2, Math.floor(request.contextTokens ?? DEFAULT_CONTEXT_TOKENS)));
  const search = await searchSources(request.sources, words, {
    maxFileBytes: request.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
    maxOccurrences,
    ignoreCase: tokenizerIgnoresCase(lm, words),
    signal,
    onProgress: onSearch,
  });
  const files = `${search.filesSearched.toLocaleString('en-US')} file${search.filesSearched === 1 ? '' : 's'} searched`;
  const skipped = search.skippedBinary + search.skippedTooLarge + search.skippedUnreadable;
  const skippedNote = skipped ? `; ${skipped} skipped (binary ${search.skippedBinary}, too large ${search.skippedTooLarge}, unreadable ${search.skippedUnreadable})` : '';
  words.forEach((w, i) => {
    if (search.found[i] === 0) {
      throw new ContextLensError('NO_OCCURRENCES', `"${w}" was not found (${files}${skippedNote}). Check the spelling, or search more files (the workspace instead of this file).`);
    }
  });
  throwIfAborted(signal);
  const contexts = interleaveWords(buildContexts(search, lm.tokenizer, contextTokens, signal, lm.info.maxTokens));
  words.forEach((w, i) => {
    if (!contexts.some((c) => c.word === i)) {
      throw new ContextLensError('NO_OCCURRENCES', `"${w}" was found ${search.found[i]} times (${files}), but the model reads none of them: each is no token, or more tokens than the model reads at once (${lm.info.maxTokens}). Search for a shorter word.`);
    }
  });
  const { numLayers, hiddenSize } = lm.info;
  return {
    request,
    words,
    sources: request.sources,
    model: lm.info.model,
    numLayers,
    hiddenSize,
    topK: Math.max(1, Math.floor(request.topK ?? DEFAULT_TOP_K)),
    seed: request.seed ?? DEFAULT_SENSES_SEED,
    search: {
      filesSearched: search.filesSearched,
      skippedBinary: search.skippedBinary,
      skippedTooLarge: search.skippedTooLarge,
      skippedUnreadable: search.skippedUnreadable,
      found: search.found[0],
      ...(words.length > 1 ? { foundAlso: search.found[1] } : {}),
      toAnalyse: contexts.length,
      analysed: 0,
    },
    contexts,
    analysed: 0,
    vectors: [],
    substitutes: [],
    sample: [],
    sampleContext: [],
    batches: 0,
  };
}
