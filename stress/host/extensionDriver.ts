/**
 * What the host parts of engine-death and hostile-host use to drive the extension and read what it shows:
 * its internal test hooks (contextLens._lastError, _engine, _mapSnippets; src/extension/commands.ts) and
 * an editor holding a text, selected.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CaseFailure } from '../record';

const EXTENSION_ID = 'context-lens.context-lens';

export interface LastError {
  code: string;
  message: string;
}

/** contextLens._engine. */
export interface EngineSnapshot {
  running: boolean;
  workersStarted: number;
  pendingCalls: number;
  deathsTold: number;
  messagesShown: number;
  openProgress: number;
  statusBusy: boolean;
  status: string;
  modelLoaded: boolean;
}

/** contextLens._mapSnippets. */
export interface MapSnippetState {
  id: string;
  label: string;
  textLength: number;
  tokens?: { piece: string; start: number; end: number; special: boolean }[];
}

export async function activateExtension(): Promise<vscode.Extension<unknown>> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed`);
  // The runner sets the demo model; the extension host and this bundle share process.env.
  process.env.CONTEXT_LENS_MODEL ||= path.join(ext.extensionPath, 'assets', 'demo-model');
  await ext.activate();
  return ext;
}

/** The last error or warning shown, and clears it. */
export const lastError = (): Thenable<LastError | undefined> => vscode.commands.executeCommand<LastError | undefined>('contextLens._lastError', true);
export const engineSnapshot = (): Thenable<EngineSnapshot> => vscode.commands.executeCommand<EngineSnapshot>('contextLens._engine');
export const mapSnippets = (): Thenable<MapSnippetState[]> => vscode.commands.executeCommand<MapSnippetState[]>('contextLens._mapSnippets');

export async function setting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('contextLens').update(key, value, vscode.ConfigurationTarget.Global);
}

let opened = 0;

/**
 * A new untitled plain-text editor holding `text`, all of it selected. Each has a name of its own: VS Code
 * reuses Untitled-1 once it is closed, and an untitled document opened right after a close was seen to come
 * back with the closed one's text.
 */
export async function openSelected(text: string): Promise<vscode.TextEditor> {
  const uri = vscode.Uri.from({ scheme: 'untitled', path: `context-lens-stress-${Date.now().toString(36)}-${++opened}.txt` });
  const doc = await vscode.workspace.openTextDocument(uri);
  const edit = new vscode.WorkspaceEdit();
  edit.insert(uri, new vscode.Position(0, 0), text);
  if (!(await vscode.workspace.applyEdit(edit))) throw new CaseFailure(`the text could not be put into ${uri.toString()}`);
  if (doc.getText().length === 0 && text.length > 0 && text.replace(/\ufeff/g, '').length > 0) throw new CaseFailure(`${uri.toString()} stayed empty`);
  return focusSelected(doc);
}

/** What the editor made of `text` (line ends, a leading BOM, lone surrogates…), for a note: undefined when it kept it. */
export function changedByEditor(text: string, doc: vscode.TextDocument): string | undefined {
  const eol = doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
  const kept = doc.getText();
  if (kept === text.replace(/\r\n|\r|\n/g, eol)) return undefined;
  return `${text.length} → ${kept.length} characters${kept.replace(/\r\n|\r|\n/g, '') === text.replace(/\r\n|\r|\n/g, '') ? ' (line ends)' : ''}`;
}

/** CONTEXT_LENS_STRESS_GREP=<a>|<b>: only the host cases whose name holds one of them (to rerun a case while fixing it). */
export function wanted(name: string): boolean {
  const grep = process.env.CONTEXT_LENS_STRESS_GREP;
  return !grep || grep.split('|').some((g) => name.includes(g));
}

/**
 * Makes `doc` the active editor with `[start, end)` selected (all of it by default). The map panel takes
 * the focus when it opens, and the commands read the active editor: every command starts from here.
 */
export async function focusSelected(doc: vscode.TextDocument, start = 0, end = doc.getText().length): Promise<vscode.TextEditor> {
  const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: false, preserveFocus: false });
  editor.selection = new vscode.Selection(doc.positionAt(start), doc.positionAt(end));
  const active = vscode.window.activeTextEditor;
  if (active?.document !== doc) throw new CaseFailure(`the editor of the case is not the active one (${active ? active.document.uri.toString() : 'no active editor'})`);
  return editor;
}

/** Closes every untitled editor without saving (the documents of the cases), and checks that none is left. */
export async function closeEditors(): Promise<void> {
  for (const doc of vscode.workspace.textDocuments.filter((d) => d.isUntitled && !d.isClosed)) {
    await vscode.window.showTextDocument(doc, { preview: false, preserveFocus: false });
    if (vscode.window.activeTextEditor?.document === doc) await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    // VS Code reuses the name (untitled:Untitled-1): until the close has reached this side, opening a new
    // untitled document may hand back this one, text and all.
    await until(`${doc.uri.toString()} to close`, async () => (doc.isClosed ? true : undefined), 10_000);
  }
  const left = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.scheme === 'untitled');
  if (left.length) throw new Error(`${left.length} untitled editor(s) left open: ${left.map((t) => t.label).join(', ')}`);
}

export async function until<T>(what: string, probe: () => Promise<T | undefined>, ms: number): Promise<T> {
  for (const end = Date.now() + ms; ; ) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new CaseFailure(`still waiting for ${what} after ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
