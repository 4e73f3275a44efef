/**
 * The webview's side of Pieces / Words (issue 12): asking the host for a snippet's words (engine rule:
 * Intl.Segmenter in the model's language or contextLens.words.language) and reading them.
 */
import type { Word } from '../../src/protocol';
import { sendRequest } from '../requests';
import { state } from '../state';

/** Asks for the snippet's words once (until they come or the request fails). */
export function requestWords(snippetId: string): void {
  if (state.words.has(snippetId) || state.wordsRequested.has(snippetId)) return;
  state.wordsRequested.add(snippetId);
  sendRequest({ type: 'requestWords', snippetId }, { kind: 'words', snippetId });
}

/** Every shown snippet's words, asked for where missing. */
export function requestAllWords(): void {
  for (const s of state.snippets) requestWords(s.id);
}

/** The snippet's words, or undefined while they are asked for. */
export function wordsOf(snippetId: string): readonly Word[] | undefined {
  return state.words.get(snippetId)?.words;
}

/** The word `wordIndex` of the snippet, when its words are here. */
export function wordAt(snippetId: string, wordIndex: number | undefined): Word | undefined {
  return wordIndex === undefined ? undefined : wordsOf(snippetId)?.[wordIndex];
}

/** The language the snippet's words were segmented in, for the UI ('' = the runtime's default). */
export function wordsLanguage(snippetId: string): string {
  return state.words.get(snippetId)?.language ?? '';
}
