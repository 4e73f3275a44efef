/**
 * Map keys for things that belong to a snippet. A snippet id is any string, so the separator is a
 * character no id contains (NUL).
 */

function snippetKey(snippetId: string, n: number): string {
  return `${snippetId}\u0000${n}`;
}

/** One token of one snippet: a point of the map. */
export function pointKey(snippetId: string, tokenIndex: number): string {
  return snippetKey(snippetId, tokenIndex);
}

/** One attention layer (1 … numLayers) of one snippet. */
export function attentionKey(snippetId: string, attentionLayer: number): string {
  return snippetKey(snippetId, attentionLayer);
}
