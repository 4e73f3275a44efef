/**
 * The one place the Embedding Map's snippet list is kept for the panel serializer (a window reload).
 *
 * Three copies of the list exist. On restore the first of these that holds a list wins, an empty list
 * included (that is a map the user cleared):
 *  1. `map-snippets.json` in the extension's storage folder, written by the host on every change. VS Code's
 *     own stores are flushed lazily by the workbench and were seen to lose the last "Add Selection to Map"
 *     on an abrupt reload; a file the extension host writes itself does not.
 *  2. workspaceState: the same list, for a storage folder that is not on a file system (no file there).
 *  3. The webview's own state (webview/main.ts persists the snippets with its tab and layer), which VS Code
 *     hands to the serializer: the fallback for a panel saved before the host kept a list.
 *
 * The file is replaced atomically (a torn write would lose the list), and writes run one at a time with the
 * newest list last, so two quick changes (Explore clears, then adds) cannot land out of order.
 */
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import type * as vscode from 'vscode';
import { messageOf } from '../../engine/errors';
import { writeFileAtomic } from '../../engine/fsUtil';
import type { Log } from '../log';
import type { PersistedSnippet } from '../mapState';

const WORKSPACE_STATE_KEY = 'contextLens.mapSnippets';
const FILE_NAME = 'map-snippets.json';

/** What the store uses of vscode.ExtensionContext. */
export type SnippetStoreContext = Pick<vscode.ExtensionContext, 'storageUri' | 'globalStorageUri' | 'workspaceState'>;

export class SnippetStore {
  private readonly file: string | undefined;
  /** The list waiting to be written while a write is in flight. */
  private next: PersistedSnippet[] | undefined;
  private writing: Promise<void> | undefined;

  constructor(
    private readonly extension: SnippetStoreContext,
    private readonly log: Pick<Log, 'warn'>,
  ) {
    const dir = extension.storageUri ?? extension.globalStorageUri;
    this.file = dir.scheme === 'file' ? path.join(dir.fsPath, FILE_NAME) : undefined;
  }

  save(list: PersistedSnippet[]): void {
    void this.extension.workspaceState.update(WORKSPACE_STATE_KEY, list);
    if (!this.file) return;
    this.next = list;
    this.writing ??= this.writeLatest();
  }

  /** Resolves once every list saved so far is on disk. */
  async flushed(): Promise<void> {
    await this.writing;
  }

  /** The list to restore, by the precedence above; `fromWebview` is the webview's persisted `snippets`. */
  restore(fromWebview: unknown): PersistedSnippet[] {
    const saved = this.readFile() ?? this.extension.workspaceState.get<unknown>(WORKSPACE_STATE_KEY);
    if (Array.isArray(saved)) return saved.filter(isPersistedSnippet);
    const list = Array.isArray(fromWebview) ? fromWebview.filter((x): x is PersistedSnippet => !!x && typeof (x as PersistedSnippet).text === 'string') : [];
    return list.map((x) => ({
      uri: typeof x.uri === 'string' ? x.uri : '',
      label: typeof x.label === 'string' ? x.label : '',
      text: x.text,
      startOffset: typeof x.startOffset === 'number' ? x.startOffset : 0,
    }));
  }

  private async writeLatest(): Promise<void> {
    const file = this.file!;
    try {
      for (let list = this.next; list; list = this.next) {
        this.next = undefined;
        try {
          await writeFileAtomic(file, JSON.stringify(list));
        } catch (e) {
          this.log.warn(`Could not save the map's snippets to ${file}: ${messageOf(e)}`);
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  /** The file's list; undefined when there is none or it cannot be read (then workspaceState decides). */
  private readFile(): unknown[] | undefined {
    if (!this.file) return undefined;
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.file, 'utf8'));
      return Array.isArray(parsed) ? parsed : undefined;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn(`Ignoring an unreadable ${this.file}: ${messageOf(e)}`);
      return undefined;
    }
  }
}

function isPersistedSnippet(x: unknown): x is PersistedSnippet {
  const s = x as PersistedSnippet;
  return !!s && typeof s.text === 'string' && typeof s.uri === 'string' && typeof s.label === 'string' && typeof s.startOffset === 'number';
}
