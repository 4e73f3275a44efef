/** Finding an occurrence again in a document edited since it was analysed. No `vscode` import (unit-tested in plain Node). */
import type { SenseOccurrence } from '../../engine/senses/types';

/**
 * Where the occurrence starts in the document's text now: where it was when its context is still there,
 * else the copy of its context nearest to where it was (the file was edited since); undefined when the
 * context is gone.
 */
export function whereNow(text: string, o: Pick<SenseOccurrence, 'start' | 'context' | 'contextStart'>): number | undefined {
  const inContext = o.start - o.contextStart;
  if (text.startsWith(o.context, o.contextStart)) return o.start;
  let best: number | undefined;
  for (let i = text.indexOf(o.context), n = 0; i >= 0 && n < 1000; i = text.indexOf(o.context, i + 1), n++) {
    if (best === undefined || Math.abs(i - o.contextStart) < Math.abs(best - o.contextStart)) best = i;
  }
  return best === undefined ? undefined : best + inContext;
}
