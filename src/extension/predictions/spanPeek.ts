/**
 * Where a Guess Masked Span result shows: the span highlighted in its editor, whose hover is the peek
 * (opened at once with editor.action.showHover, and again whenever the pointer rests on the span), and
 * the Tokens tab of the Embedding Map. A peek rather than a QuickPick: the fills are something to read
 * next to the text, not a choice to make, and a hover does not take the editor's focus. The highlight
 * goes on the next edit of the document or when the selection moves off the span.
 */
import * as vscode from 'vscode';
import type { SpanView } from '../../protocol';
import type { Ctx } from '../context';
import { MapPanel } from '../panel';
import { spanMarkdown } from './spanMarkdown';

/** A page that loads this soon after the command is the one opened for it: it shows the Tokens tab. */
const SHOW_TAB_MS = 30_000;

export class SpanPeek implements vscode.Disposable {
  private readonly decoration = vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor('editor.findMatchHighlightBackground'),
    border: '1px solid',
    borderColor: new vscode.ThemeColor('editor.findMatchBorder'),
    borderRadius: '2px',
  });
  private shown: { uri: string; range: vscode.Range } | undefined;
  /** The span the panel shows, re-sent whenever its page loads again (hidden panels are not kept). */
  private span: SpanView | undefined;
  /** Until when a page that loads should also switch to the Tokens tab (a page opened for this span). */
  private showTabUntil = 0;
  private readonly watchedPanels = new WeakSet<MapPanel>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: Ctx) {
    this.disposables.push(
      this.decoration,
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.shown && e.contentChanges.length && e.document.uri.toString() === this.shown.uri) this.clearHighlight('the document changed');
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (!this.shown || e.textEditor.document.uri.toString() !== this.shown.uri) return;
        const range = this.shown.range;
        if (!e.selections.every((s) => range.contains(s))) this.clearHighlight('the selection moved');
      }),
    );
  }

  /** Highlights `range` in `editor` with the result as its hover, and opens that hover. */
  async highlight(editor: vscode.TextEditor, range: vscode.Range, span: SpanView): Promise<void> {
    this.clearHighlight();
    const hoverMessage = spanMarkdown(span.result, span.text.slice(span.result.start, span.result.end), this.ctx.modelDisplayName);
    editor.setDecorations(this.decoration, [{ range, hoverMessage }]);
    this.shown = { uri: editor.document.uri.toString(), range };
    if (vscode.window.activeTextEditor === editor && range.contains(editor.selection.active)) {
      await vscode.commands.executeCommand('editor.action.showHover');
    }
  }

  /** Whether the highlighted span covers `position` (the hover leaves the peek alone there). */
  covers(document: vscode.TextDocument, position: vscode.Position): boolean {
    return !!this.shown && this.shown.uri === document.uri.toString() && this.shown.range.contains(position);
  }

  clearHighlight(why?: string): void {
    if (!this.shown) return;
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.uri.toString() === this.shown.uri) editor.setDecorations(this.decoration, []);
    }
    this.shown = undefined;
    if (why) this.ctx.log.debug(`Span highlight cleared: ${why}`);
  }

  /** Shows the span in the Embedding Map's Tokens tab (opening the map beside the editor when it is closed). */
  showInPanel(span: SpanView): void {
    this.span = span;
    this.showTabUntil = Date.now() + SHOW_TAB_MS;
    const panel = MapPanel.show(this.ctx, true);
    if (!this.watchedPanels.has(panel)) {
      this.watchedPanels.add(panel);
      // A new page (first load, or shown again after being hidden) asks with 'ready': give it the span.
      const sub = panel.panel.webview.onDidReceiveMessage((m: unknown) => {
        if ((m as { type?: unknown } | null)?.type === 'ready' && this.span) this.postSpan(panel, Date.now() < this.showTabUntil);
      });
      panel.panel.onDidDispose(() => sub.dispose());
    }
    this.postSpan(panel, true);
  }

  private postSpan(panel: MapPanel, showTab: boolean): void {
    panel.post({ type: 'span', span: this.span ?? null });
    if (showTab) panel.post({ type: 'showTab', tab: 'tokens' });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
