/** The map's "same token, different context" list. */
import type { TokenLink } from '../src/protocol';

/** Links sorted most different first (lowest cosine), ties by piece. Does not mutate. */
export function sortLinks<T extends Pick<TokenLink, 'cosine' | 'piece'>>(links: readonly T[]): T[] {
  return [...links].sort((a, b) => a.cosine - b.cosine || a.piece.localeCompare(b.piece));
}
