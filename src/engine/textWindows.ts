/**
 * Overlapping windows over a text longer than the model's maximum input.
 *
 * Positions are text-token positions (0 = the first token after [CLS]). Each window is run as
 * [CLS] tokens[start..end) [SEP]; every token is taken ("kept") from exactly one window — the one where it
 * has the most context on its poorer side. A window edge that is also an edge of the text costs no context
 * (no window could give more there), so the first and last tokens are kept from the first and last window.
 * Pure; no dependencies.
 */

export interface TextWindow {
  /** Text-token positions [start, end) fed to the model in this window. */
  start: number;
  end: number;
  /** Text-token positions [keepStart, keepEnd) whose vectors are taken from this window; within [start, end). */
  keepStart: number;
  keepEnd: number;
}

/**
 * @param numTextTokens tokens of the text, without [CLS]/[SEP]
 * @param maxTokens the model's maximum input length, [CLS] and [SEP] included (>= 3)
 * @param overlap text tokens shared by consecutive windows; default floor(maxTokens / 4), clamped to
 *   [0, maxTokens - 3] so that windows always advance
 * @returns windows in text order; their keep ranges tile [0, numTextTokens) without gaps or overlaps.
 *   One window when the text fits (also for an empty text: { 0, 0, 0, 0 }).
 */
export function planWindows(numTextTokens: number, maxTokens: number, overlap?: number): TextWindow[] {
  if (!Number.isInteger(numTextTokens) || numTextTokens < 0) {
    throw new RangeError(`numTextTokens must be a non-negative integer, got ${numTextTokens}`);
  }
  if (!Number.isInteger(maxTokens) || maxTokens < 3) {
    throw new RangeError(`maxTokens must be an integer of at least 3 ([CLS], one token, [SEP]), got ${maxTokens}`);
  }
  const n = numTextTokens;
  const capacity = maxTokens - 2;
  if (n <= capacity) return [{ start: 0, end: n, keepStart: 0, keepEnd: n }];

  let ov = overlap === undefined || !Number.isFinite(overlap) ? Math.floor(maxTokens / 4) : Math.floor(overlap);
  ov = Math.max(0, Math.min(ov, capacity - 1));
  const stride = capacity - ov;
  // Fewest full-size windows with at least `ov` overlap, spread evenly so the last one ends at the text's end.
  const count = Math.ceil((n - capacity) / stride) + 1;
  const span = n - capacity;
  const starts: number[] = [];
  for (let i = 0; i < count; i++) starts.push(Math.round((i * span) / (count - 1)));

  // Context a token at p gets in window [s, s + capacity) on its poorer side.
  const score = (p: number, s: number): number => {
    const e = s + capacity;
    const left = s === 0 ? Infinity : p - s;
    const right = e === n ? Infinity : e - 1 - p;
    return Math.min(left, right);
  };

  const owner = new Int32Array(n);
  let lo = 0; // first window that can contain p
  for (let p = 0; p < n; p++) {
    while (starts[lo] + capacity <= p) lo++;
    let best = lo;
    let bestScore = score(p, starts[lo]);
    for (let w = lo + 1; w < count && starts[w] <= p; w++) {
      const sc = score(p, starts[w]);
      if (sc > bestScore) {
        best = w;
        bestScore = sc;
      }
    }
    owner[p] = best;
  }

  const windows: TextWindow[] = [];
  let p = 0;
  while (p < n) {
    const w = owner[p];
    let q = p;
    while (q < n && owner[q] === w) q++;
    windows.push({ start: starts[w], end: starts[w] + capacity, keepStart: p, keepEnd: q });
    p = q;
  }
  return windows;
}

/**
 * Windows for a causal model, whose tokens see only what precedes them: `capacity` text tokens per window
 * (the model's maximum less its template tokens), consecutive windows overlapping by `overlap` tokens
 * (default a quarter), and every token kept from the FIRST window that holds it, where it has the most
 * left context. So every kept token but the first window's has at least `overlap` tokens of context, and
 * its predecessor is in the same window (the next-token row that scores it is that window's).
 * @returns windows in text order whose keep ranges tile [0, numTextTokens); one window when the text fits.
 */
export function planCausalWindows(numTextTokens: number, capacity: number, overlap?: number): TextWindow[] {
  if (!Number.isInteger(numTextTokens) || numTextTokens < 0) {
    throw new RangeError(`numTextTokens must be a non-negative integer, got ${numTextTokens}`);
  }
  if (!Number.isInteger(capacity) || capacity < 2) throw new RangeError(`capacity must be an integer of at least 2, got ${capacity}`);
  const n = numTextTokens;
  if (n <= capacity) return [{ start: 0, end: n, keepStart: 0, keepEnd: n }];
  let ov = overlap === undefined || !Number.isFinite(overlap) ? Math.floor(capacity / 4) : Math.floor(overlap);
  ov = Math.max(1, Math.min(ov, capacity - 1));
  const windows: TextWindow[] = [{ start: 0, end: capacity, keepStart: 0, keepEnd: capacity }];
  while (windows[windows.length - 1].keepEnd < n) {
    const keepStart = windows[windows.length - 1].keepEnd;
    // The last window ends at the text's end and starts as early as its size allows: more context.
    const start = Math.max(0, Math.min(keepStart - ov, n - capacity));
    const end = Math.min(n, start + capacity);
    windows.push({ start, end, keepStart, keepEnd: end });
  }
  return windows;
}
