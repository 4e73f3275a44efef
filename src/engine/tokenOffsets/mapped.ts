/**
 * Mapped strings: a string with, for every code unit, the [start, end) of the original code units it came
 * from, so that a normalized text still knows where each of its characters was typed.
 */

export interface Mapped {
  text: string;
  /** Per code unit of `text`. Int32Array or number[] (only read by index). */
  starts: ArrayLike<number>;
  ends: ArrayLike<number>;
}

export function mappedFrom(text: string, from: number, to: number): Mapped {
  const n = to - from;
  const starts = new Int32Array(n);
  const ends = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    starts[i] = from + i;
    ends[i] = from + i + 1;
  }
  return { text: text.slice(from, to), starts, ends };
}

/** [start, end) in the original text of the mapped code units [from, to). */
export function rangeOf(m: Mapped, from: number, to: number): [number, number] {
  let s = Infinity;
  let e = -Infinity;
  for (let i = from; i < to; i++) {
    if (m.starts[i] < s) s = m.starts[i];
    if (m.ends[i] > e) e = m.ends[i];
  }
  return s === Infinity ? [0, 0] : [s, e];
}

/**
 * Applies `f` to every code point (lone surrogates included, as `for…of` yields them); every unit of the
 * output inherits the range of the code point it came from. When `whole(text)` (the transform applied to the
 * whole string, which is what the tokenizer does) differs from the per-code-point result only in content but not
 * length (context-sensitive lowercasing of Σ, canonical reordering of marks), its text is used with our map.
 */
export function mapCodePoints(m: Mapped, f: (ch: string) => string, whole?: (s: string) => string): Mapped {
  const parts: string[] = [];
  const s = m.text;
  let cap = s.length + 16;
  let starts = new Int32Array(cap);
  let ends = new Int32Array(cap);
  let n = 0;
  for (let i = 0; i < s.length; ) {
    const cp = s.codePointAt(i)!;
    const w = cp > 0xffff ? 2 : 1;
    const ch = w === 1 ? s[i] : s.slice(i, i + 2);
    const out = f(ch);
    const len = out.length;
    if (len) {
      parts.push(out);
      if (n + len > cap) {
        cap = Math.max(cap * 2, n + len);
        const ns = new Int32Array(cap);
        ns.set(starts.subarray(0, n));
        const ne = new Int32Array(cap);
        ne.set(ends.subarray(0, n));
        starts = ns;
        ends = ne;
      }
      const st = m.starts[i];
      const en = m.ends[i + w - 1];
      for (let k = 0; k < len; k++) {
        starts[n] = st;
        ends[n] = en;
        n++;
      }
    }
    i += w;
  }
  let text = parts.join('');
  if (whole) {
    const wh = whole(s);
    if (wh !== text && wh.length === text.length) text = wh;
  }
  return { text, starts: starts.subarray(0, n), ends: ends.subarray(0, n) };
}

/** Collapse as `text.trim().split(/\s+/).join(' ')` does, keeping the map. */
export function removeSpaceMapped(m: Mapped): Mapped {
  const t = m.text;
  let s = 0;
  let e = t.length;
  while (s < e && /\s/.test(t[s])) s++;
  while (e > s && /\s/.test(t[e - 1])) e--;
  const parts: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  for (let i = s; i < e; i++) {
    if (/\s/.test(t[i])) {
      const runStart = i;
      while (i + 1 < e && /\s/.test(t[i + 1])) i++;
      parts.push(' ');
      starts.push(m.starts[runStart]);
      ends.push(m.ends[runStart]);
    } else {
      parts.push(t[i]);
      starts.push(m.starts[i]);
      ends.push(m.ends[i]);
    }
  }
  return { text: parts.join(''), starts, ends };
}
