/** "Show in editor": opens the document a snippet came from and selects one of its tokens. */
import * as vscode from 'vscode';
import { messageOf } from '../../engine/errors';
import type { PointRef } from '../../protocol';
import type { Ctx } from '../context';

/** Opens the snippet's document and selects the token, or `span` ([start, end) in the snippet's text: a word's range) instead. */
export async function revealToken(ctx: Ctx, ref: PointRef, span?: { start: number; end: number }): Promise<void> {
  const s = ref && typeof ref.snippetId === 'string' ? ctx.map.get(ref.snippetId) : undefined;
  const token = s?.analysis?.tokens[ref.tokenIndex];
  if (!s || !token) return;
  if (!s.uri) {
    ctx.warn('NO_SOURCE', vscode.l10n.t('The file this snippet came from is not known.'));
    return;
  }
  const doc = await openSource(ctx, s.uri, s.label);
  if (!doc) return;
  // The document may have been edited since: find the snippet again, nearest to where it was.
  let base = s.startOffset;
  const full = doc.getText();
  if (full.slice(base, base + s.text.length) !== s.text) {
    const candidates: number[] = [];
    for (let i = full.indexOf(s.text); i >= 0 && candidates.length < 1000; i = full.indexOf(s.text, i + 1)) candidates.push(i);
    if (candidates.length) base = candidates.reduce((best, i) => (Math.abs(i - s.startOffset) < Math.abs(best - s.startOffset) ? i : best));
    else ctx.log.warn(`${s.label}: the text changed since it was analyzed; the selection may be off.`);
  }
  const range = span ?? token;
  await selectInEditor(doc, base + range.start, base + range.end);
}

/** The document behind `uri`, or undefined after telling the user why it cannot be opened (`label` names it). */
export async function openSource(ctx: Ctx, uri: string, label: string): Promise<vscode.TextDocument | undefined> {
  try {
    return await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
  } catch (e) {
    ctx.warn('NO_SOURCE', vscode.l10n.t('Cannot open {0}: {1}', label, messageOf(e)));
    return undefined;
  }
}

/** Shows `doc` (in the column where it is already visible, if any) with [start, end) selected and in view. */
export async function selectInEditor(doc: vscode.TextDocument, start: number, end: number): Promise<void> {
  const range = doc.validateRange(new vscode.Range(doc.positionAt(start), doc.positionAt(end)));
  const column = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === doc.uri.toString())?.viewColumn;
  const editor = await vscode.window.showTextDocument(doc, { viewColumn: column ?? vscode.ViewColumn.One, preserveFocus: false });
  editor.selection = new vscode.Selection(range.start, range.end);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
