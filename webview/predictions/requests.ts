/** The Tokens tab's prediction requests: each asked once until answered (or failed, then asked again when needed). */
import { pointKey } from '../keys';
import { sendRequest } from '../requests';
import { state, tokenOf } from '../state';

/** Asks for the per-layer guesses of a token, unless they are here or on their way (special tokens have none). */
export function requestLayerGuesses(snippetId: string, tokenIndex: number): void {
  const key = pointKey(snippetId, tokenIndex);
  const found = tokenOf(snippetId, tokenIndex);
  if (!found || found.token.special || state.layerGuesses.has(key) || state.layerGuessesRequested.has(key)) return;
  state.layerGuessesRequested.add(key);
  sendRequest({ type: 'requestLayerGuesses', ref: { snippetId, tokenIndex } }, { kind: 'layerGuesses', key });
}

/** Asks for every snippet's unmasked predictions not here yet. */
export function requestUnmaskedAll(): void {
  for (const s of state.snippets) {
    if (state.unmasked.has(s.id) || state.unmaskedRequested.has(s.id)) continue;
    state.unmaskedRequested.add(s.id);
    sendRequest({ type: 'requestUnmasked', snippetId: s.id }, { kind: 'unmasked', snippetId: s.id });
  }
}
