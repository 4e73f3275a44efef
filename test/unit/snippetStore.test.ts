// SnippetStore (src/extension/panel/snippetStore.ts): which saved copy of the map's snippet list a window
// reload gets back (the host's file, then workspaceState, then the webview's state), and that the file is
// replaced whole, newest list last.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SnippetStore, type SnippetStoreContext } from '../../src/extension/panel/snippetStore';
import type { PersistedSnippet } from '../../src/extension/mapState';

const root = mkdtempSync(join(tmpdir(), 'context-lens-snippets-'));
after(() => rmSync(root, { recursive: true, force: true }));

const APPLE: PersistedSnippet = { uri: 'file:///demo/apple.txt', label: 'demo/apple.txt:1', text: '我用苹果手机。', startOffset: 0 };
const BANK: PersistedSnippet = { uri: 'file:///demo/bank.md', label: 'demo/bank.md:3', text: 'the river bank', startOffset: 42 };

let n = 0;
/** A store over a fresh folder (`scheme: 'file'`) or none on disk (`scheme: 'vscode-userdata'`), with an in-memory workspaceState. */
function makeStore(scheme = 'file') {
  const dir = join(root, `s${n++}`);
  const memento = new Map<string, unknown>();
  const warnings: string[] = [];
  const extension = {
    storageUri: { scheme, fsPath: dir },
    globalStorageUri: { scheme, fsPath: join(root, 'global') },
    workspaceState: {
      get: (key: string) => memento.get(key),
      update: async (key: string, value: unknown) => void memento.set(key, value),
    },
  } as unknown as SnippetStoreContext;
  const store = new SnippetStore(extension, { warn: (m: string) => void warnings.push(m) });
  return { store, dir, file: join(dir, 'map-snippets.json'), memento, warnings };
}

test('a saved list comes back; the host\'s copy wins over the webview\'s', async () => {
  const { store, file } = makeStore();
  store.save([APPLE, BANK]);
  await store.flushed();
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), [APPLE, BANK]);
  assert.deepEqual(store.restore([{ text: 'what the webview kept' }]), [APPLE, BANK]);
});

test('a cleared map stays cleared: an empty saved list wins over the webview\'s', async () => {
  const { store } = makeStore();
  store.save([]);
  await store.flushed();
  assert.deepEqual(store.restore([APPLE]), []);
});

test('file, then workspaceState, then the webview: each is used when the ones before it have no list', async () => {
  const { store, file, memento, dir } = makeStore();
  memento.set('contextLens.mapSnippets', [BANK]);
  assert.deepEqual(store.restore([APPLE]), [BANK], 'no file: workspaceState');
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify([APPLE]));
  assert.deepEqual(store.restore([]), [APPLE], 'the file first');
  memento.clear();
  rmSync(file);
  assert.deepEqual(store.restore([{ text: 'from the webview', uri: 7 }, null, { label: 'no text' }]), [
    { uri: '', label: '', text: 'from the webview', startOffset: 0 },
  ], 'neither: the webview\'s entries that have a text, with defaults for the rest');
  assert.deepEqual(store.restore(undefined), [], 'nothing anywhere');
});

test('an unreadable file is ignored with a warning (workspaceState decides); malformed entries are dropped', () => {
  const { store, file, memento, dir, warnings } = makeStore();
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, '[{"uri": "file:///a", "label": "a", "te');
  memento.set('contextLens.mapSnippets', [BANK, { text: 'no uri' }, 'junk']);
  assert.deepEqual(store.restore([APPLE]), [BANK]);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /Ignoring an unreadable .*map-snippets\.json/);
});

test('without a file system for storage, workspaceState alone keeps the list', async () => {
  const { store, memento, dir } = makeStore('vscode-userdata');
  store.save([APPLE]);
  await store.flushed();
  assert.equal(existsSync(dir), false, 'no file written');
  assert.deepEqual(memento.get('contextLens.mapSnippets'), [APPLE]);
  assert.deepEqual(store.restore([]), [APPLE]);
});

test('quick successive saves end with the newest list on disk, and no temporary files left', async () => {
  const { store, file, dir } = makeStore();
  const lists = [[APPLE], [], [APPLE, BANK], [BANK], [BANK, APPLE]];
  for (const list of lists) store.save(list);
  await store.flushed();
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), [BANK, APPLE]);
  assert.deepEqual(readdirSync(dir), ['map-snippets.json']);
  // A save while a write is in flight is written after it.
  store.save([APPLE]);
  store.save([BANK]);
  await store.flushed();
  assert.deepEqual(store.restore([]), [BANK]);
});

test('a file that cannot be written is reported, not thrown', async () => {
  const { store, dir, warnings, memento } = makeStore();
  mkdirSync(join(dir, 'map-snippets.json'), { recursive: true }); // a folder where the file should go
  store.save([APPLE]);
  await store.flushed();
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /Could not save the map's snippets/);
  assert.deepEqual(memento.get('contextLens.mapSnippets'), [APPLE], 'workspaceState still has it');
});
