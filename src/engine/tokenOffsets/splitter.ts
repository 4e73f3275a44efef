/** Splitting a text at added tokens (`[MASK]`, `<city>`…), as @huggingface/tokenizers does before normalizing. */

export interface AddedTokenInfo {
  content: string;
  id: number;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
}

interface TrieNode {
  /** The added token that ends here. */
  end?: string;
  next: Record<string, TrieNode>;
}

const trieNode = (): TrieNode => ({ next: Object.create(null) as Record<string, TrieNode> });

/** DictionarySplitter of @huggingface/tokenizers (leftmost, longest match over UTF-16 units), with positions. */
export class Splitter {
  private readonly trie = trieNode();
  private readonly empty: boolean;
  constructor(words: string[]) {
    for (const w of words) {
      let node = this.trie;
      for (let i = 0; i < w.length; i++) node = node.next[w[i]] ??= trieNode();
      node.end = w;
    }
    this.empty = words.length === 0;
  }
  /** Sections [start, end) of `text`; `match` for an added token. */
  split(text: string): { start: number; end: number; match: boolean }[] {
    const out: { start: number; end: number; match: boolean }[] = [];
    const n = text.length;
    if (this.empty) return n ? [{ start: 0, end: n, match: false }] : [];
    let start = 0;
    let i = 0;
    while (i < n) {
      let node: TrieNode | undefined = this.trie;
      let match: string | null = null;
      let j = i;
      while (j < n && (node = node.next[text[j]])) {
        if (node.end) match = node.end;
        ++j;
      }
      if (match) {
        if (i > start) out.push({ start, end: i, match: false });
        out.push({ start: i, end: i + match.length, match: true });
        i += match.length;
        start = i;
      } else ++i;
    }
    if (start < n) out.push({ start, end: n, match: false });
    return out;
  }
}

function trimStartPos(text: string, s: number, e: number): number {
  while (s < e && /\s/.test(text[s])) s++;
  return s;
}
function trimEndPos(text: string, s: number, e: number): number {
  while (e > s && /\s/.test(text[e - 1])) e--;
  return e;
}

/** An added token with lstrip/rstrip eats the whitespace beside it from the neighbouring sections. */
export function applyStrips(
  text: string,
  secs: { start: number; end: number; match: boolean }[],
  addedMap: Map<string, AddedTokenInfo>,
): void {
  for (let i = 0; i < secs.length; i++) {
    const a = addedMap.get(text.slice(secs[i].start, secs[i].end));
    if (!a) continue;
    if (a.lstrip && i > 0) secs[i - 1].end = trimEndPos(text, secs[i - 1].start, secs[i - 1].end);
    if (a.rstrip && i < secs.length - 1) secs[i + 1].start = trimStartPos(text, secs[i + 1].start, secs[i + 1].end);
  }
}
