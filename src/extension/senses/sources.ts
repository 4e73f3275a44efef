/**
 * Where Explore Word Senses looks: this file, the open editors, or the workspace. Open documents go to the
 * engine with their text as the editor has it (unsaved edits included); other files by path, read and
 * searched in the engine worker (reading files is not the extension host's job), or, outside the file
 * system (a remote or virtual folder), read here through workspace.fs.
 */
import * as vscode from 'vscode';
import type { SensesSource } from '../../engine/senses/types';
import { readWorkbenchExcludes, type SensesConfig } from '../config';
import { combinedExclude } from './globs';

export type SensesScope = 'file' | 'openEditors' | 'workspace';

/** Files of one workspace search at most: a bigger workspace is searched in part, and the user is told. */
export const MAX_WORKSPACE_FILES = 5000;

export interface CollectedSources {
  sources: SensesSource[];
  /** The workspace search stopped at MAX_WORKSPACE_FILES. */
  capped: boolean;
  /** The glob used to exclude files (workspace only), for the log. */
  exclude?: string;
  /** Files outside the local file system that could not be read (left out). */
  unreadable: number;
}

export async function collectSources(scope: SensesScope, cfg: SensesConfig, token?: vscode.CancellationToken): Promise<CollectedSources> {
  if (scope === 'file') {
    const doc = vscode.window.activeTextEditor?.document;
    return { sources: doc ? [fromDocument(doc)] : [], capped: false, unreadable: 0 };
  }
  if (scope === 'openEditors') return { sources: await openEditorSources(), capped: false, unreadable: 0 };
  const { filesExclude, searchExclude } = readWorkbenchExcludes();
  const exclude = combinedExclude(filesExclude, searchExclude, cfg.exclude);
  const uris = await vscode.workspace.findFiles(cfg.include, exclude ?? null, MAX_WORKSPACE_FILES + 1, token);
  const capped = uris.length > MAX_WORKSPACE_FILES;
  const chosen = uris.sort((a, b) => a.toString().localeCompare(b.toString())).slice(0, MAX_WORKSPACE_FILES);
  const open = openDocuments();
  const sources: SensesSource[] = [];
  let unreadable = 0;
  for (const uri of chosen) {
    const doc = open.get(uri.toString());
    if (doc) sources.push(fromDocument(doc));
    else if (uri.scheme === 'file') sources.push({ label: labelOf(uri), uri: uri.toString(), path: uri.fsPath });
    else {
      const text = await readElsewhere(uri);
      if (text !== undefined) sources.push({ label: labelOf(uri), uri: uri.toString(), text });
      else unreadable++;
    }
  }
  return { sources, capped, exclude, unreadable };
}

/** The text editors' documents of every tab group (a tab whose document is not loaded yet is opened). */
async function openEditorSources(): Promise<SensesSource[]> {
  const open = openDocuments();
  const seen = new Set<string>();
  const sources: SensesSource[] = [];
  for (const tab of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
    if (!(tab.input instanceof vscode.TabInputText)) continue;
    const key = tab.input.uri.toString();
    if (seen.has(key)) continue;
    seen.add(key);
    const doc = open.get(key) ?? (await vscode.workspace.openTextDocument(tab.input.uri).then((d) => d, () => undefined));
    if (doc) sources.push(fromDocument(doc));
  }
  return sources;
}

function openDocuments(): Map<string, vscode.TextDocument> {
  return new Map(vscode.workspace.textDocuments.map((d) => [d.uri.toString(), d]));
}

function fromDocument(doc: vscode.TextDocument): SensesSource {
  return { label: labelOf(doc.uri), uri: doc.uri.toString(), text: doc.getText() };
}

/** Workspace-relative for files in the workspace, the path of an untitled or outside document otherwise. */
export function labelOf(uri: vscode.Uri): string {
  if (uri.scheme === 'untitled') return uri.path;
  return vscode.workspace.asRelativePath(uri, (vscode.workspace.workspaceFolders?.length ?? 0) > 1);
}

/** A file outside the local file system, as text; undefined when it cannot be read (the engine never sees it). */
async function readElsewhere(uri: vscode.Uri): Promise<string | undefined> {
  try {
    return new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}
