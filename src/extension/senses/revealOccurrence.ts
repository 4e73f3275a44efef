/** A concordance line back in its editor: opens the occurrence's document and selects the word. */
import * as vscode from 'vscode';
import { messageOf } from '../../engine/errors';
import type { SenseOccurrence } from '../../engine/senses/types';
import type { Ctx } from '../context';
import { whereNow } from './relocate';

export async function revealOccurrence(ctx: Ctx, occurrence: SenseOccurrence): Promise<void> {
  let doc: vscode.TextDocument;
  try {
    doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(occurrence.uri));
  } catch (e) {
    ctx.warn('NO_SOURCE', vscode.l10n.t('Cannot open {0}: {1}', occurrence.file, messageOf(e)));
    return;
  }
  const start = whereNow(doc.getText(), occurrence);
  if (start === undefined) ctx.log.warn(`${occurrence.file}:${occurrence.line}: the text changed since it was analysed; the selection may be off.`);
  const from = start ?? occurrence.start;
  const range = doc.validateRange(new vscode.Range(doc.positionAt(from), doc.positionAt(from + occurrence.end - occurrence.start)));
  const column = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === doc.uri.toString())?.viewColumn;
  const editor = await vscode.window.showTextDocument(doc, { viewColumn: column ?? vscode.ViewColumn.One, preserveFocus: false });
  editor.selection = new vscode.Selection(range.start, range.end);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
