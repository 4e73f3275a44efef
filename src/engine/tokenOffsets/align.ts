/** The fallback: align the real pieces with the text when the replay cannot run or disagrees with the real ids. */
import { mapCodePoints, mappedFrom, rangeOf } from './mapped';
import { isControl, RE_M } from './normalizers';
import type { Span, TokenizerInfo } from './tokenizerInfo';

const looseChar = (ch: string) => {
  const c = ch.charCodeAt(0);
  if (c === 0 || c === 0xfffd || isControl(ch)) return '';
  if (/^\s$/u.test(ch)) return ' ';
  return ch.toLowerCase().normalize('NFD').replace(RE_M, '');
};
const looseString = (s: string) => Array.from(s, looseChar).join('');

export function alignPieces(info: TokenizerInfo, text: string, ids: number[]): Span[] {
  const loose = mapCodePoints(mappedFrom(text, 0, text.length), looseChar);
  const n = ids.length;
  const spans: (Span & { anchored: boolean })[] = ids.map((id) => ({
    id,
    token: info.idToToken(id) ?? '',
    start: -1,
    end: -1,
    anchored: false,
  }));

  // 1. Anchor the pieces found in order, not too far from where the previous one ended.
  let cursor = 0;
  let pending = 0;
  for (const sp of spans) {
    let piece = sp.token;
    if (info.continuingPrefix && piece.startsWith(info.continuingPrefix) && piece.length > info.continuingPrefix.length) {
      piece = piece.slice(info.continuingPrefix.length);
    }
    const key = looseString(piece).trim();
    if (sp.id === info.unkId || !key) {
      pending++;
      continue;
    }
    const at = loose.text.indexOf(key, cursor);
    if (at >= 0) {
      const skipped = loose.text.slice(cursor, at).replace(/\s+/g, '').length;
      if (skipped <= 64 + 100 * pending) {
        [sp.start, sp.end] = rangeOf(loose, at, at + key.length);
        sp.anchored = true;
        cursor = at + key.length;
        pending = 0;
        continue;
      }
    }
    pending++;
  }

  // 2. Share the gaps between anchors among the unanchored pieces.
  let i = 0;
  let prevEnd = 0;
  while (i < n) {
    if (spans[i].anchored) {
      prevEnd = Math.max(prevEnd, spans[i].end);
      i++;
      continue;
    }
    let j = i;
    while (j < n && !spans[j].anchored) j++;
    const gapEnd = j < n ? spans[j].start : text.length;
    shareGap(text, prevEnd, Math.max(prevEnd, gapEnd), spans.slice(i, j));
    prevEnd = Math.max(prevEnd, gapEnd);
    i = j;
  }
  return spans.map(({ id, token, start, end }) => ({ id, token, start, end }));
}

function shareGap(text: string, from: number, to: number, group: Span[]): void {
  const words: [number, number][] = [];
  const re = /\S+/g;
  re.lastIndex = from;
  const gap = text.slice(0, to);
  for (let m = re.exec(gap); m; m = re.exec(gap)) words.push([m.index, m.index + m[0].length]);
  const k = group.length;
  if (words.length === 0) {
    for (const g of group) g.start = g.end = from;
    return;
  }
  if (k <= words.length) {
    for (let t = 0; t < k; t++) {
      group[t].start = words[t][0];
      group[t].end = t === k - 1 ? words[words.length - 1][1] : words[t][1];
    }
    return;
  }
  // More tokens than words: split the non-blank stretch evenly, on code point boundaries.
  const s0 = words[0][0];
  const e0 = words[words.length - 1][1];
  const bounds: number[] = [];
  for (let p = s0; p < e0; ) {
    bounds.push(p);
    p += text.codePointAt(p)! > 0xffff ? 2 : 1;
  }
  bounds.push(e0);
  const cps = bounds.length - 1;
  for (let t = 0; t < k; t++) {
    group[t].start = bounds[Math.floor((t * cps) / k)];
    group[t].end = bounds[Math.floor(((t + 1) * cps) / k)];
  }
}
