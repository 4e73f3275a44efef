/**
 * The webview's requests to the host. Each carries a new request id; those whose reply a view waits for
 * are kept in state.requests with what they asked, so that an error naming one fails that request only
 * (reduce.ts) and the view asks again when it next needs the data.
 */
import type { RequestId, WebviewToHost } from '../src/protocol';
import { state, tokenOf, type PendingRequest } from './state';
import { post } from './vscodeApi';

type WithoutRequestId<M> = M extends unknown ? Omit<M, 'requestId'> : never;

/** A message to the host as a view writes it: any but 'ready', without its request id. */
export type Request = WithoutRequestId<Exclude<WebviewToHost, { type: 'ready' }>>;

/** A page's ids differ from an earlier page's (hide/show reloads it), whose replies may still arrive. */
const page = Date.now().toString(36);
let counter = 0;

/** Sends `request` under a new id; `awaited`: what its reply brings, kept until that reply or its error. */
export function sendRequest(request: Request, awaited?: PendingRequest): RequestId {
  counter += 1;
  const requestId = `${page}.${counter}`;
  if (awaited?.kind === 'projection' || awaited?.kind === 'sensesProjection') {
    // The host projects the newest setLayer/setProjection (setSensesView) only: an older one gets no reply.
    for (const [id, p] of state.requests) if (p.kind === awaited.kind) state.requests.delete(id);
  }
  if (awaited) state.requests.set(requestId, awaited);
  post({ ...request, requestId } as WebviewToHost);
  return requestId;
}

/** Asks the host to compute this token's guesses next, when they are still pending. */
export function wantGuesses(snippetId: string, tokenIndex: number): void {
  if (tokenOf(snippetId, tokenIndex)?.token.guessesPending) sendRequest({ type: 'wantGuesses', ref: { snippetId, tokenIndex } });
}
