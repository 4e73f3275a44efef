/** A concordance line back in its editor: opens the occurrence's document and selects the word. */
import type { SenseOccurrence } from '../../engine/senses/types';
import type { Ctx } from '../context';
import { openSource, selectInEditor } from '../panel/reveal';
import { whereNow } from './relocate';

export async function revealOccurrence(ctx: Ctx, occurrence: SenseOccurrence): Promise<void> {
  const doc = await openSource(ctx, occurrence.uri, occurrence.file);
  if (!doc) return;
  const start = whereNow(doc.getText(), occurrence);
  if (start === undefined) ctx.log.warn(`${occurrence.file}:${occurrence.line}: the text changed since it was analysed; the selection may be off.`);
  const from = start ?? occurrence.start;
  await selectInEditor(doc, from, from + occurrence.end - occurrence.start);
}
