/**
 * Feature tests, inside a real extension host, on the fixture model (CONTEXT_LENS_MODEL = the
 * absolute path of assets/demo-model; set here from the extension's folder when the runner
 * did not set it). Commands, the Embedding Map tab, the hover and its settings, error reporting.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { InHostTest } from './index';

const EXTENSION_ID = 'context-lens.context-lens';
const APPLE_LINE = '我用苹果手机。我爱吃苹果。';
/** A model setting that names no folder: loading it fails at once with MODEL_FOLDER_MISSING. */
const MISSING_MODEL = path.join(process.platform === 'win32' ? 'C:\\' : '/', 'nonexistent-context-lens', 'no-such-model');

interface LastError {
  code: string;
  message: string;
}

async function activate(): Promise<vscode.Extension<unknown>> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not installed`);
  if (!process.env.CONTEXT_LENS_MODEL) {
    // The extension host and this suite share process.env; the extension reads it on each use.
    process.env.CONTEXT_LENS_MODEL = path.join(ext.extensionPath, 'assets', 'demo-model');
  }
  await ext.activate();
  return ext;
}

function takeLastError(): Thenable<LastError | undefined> {
  return vscode.commands.executeCommand<LastError | undefined>('contextLens._lastError', true);
}

async function setting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('contextLens').update(key, value, vscode.ConfigurationTarget.Global);
  await sleep(50);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function until<T>(what: string, f: () => T | undefined | Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function openText(content: string, language = 'plaintext'): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument({ content, language });
  return vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: false });
}

/** demo/apple.txt from the workspace or the extension folder; an untitled copy of its first line otherwise. */
async function openApple(ext: vscode.Extension<unknown>): Promise<vscode.TextEditor> {
  const candidates = [
    ...(vscode.workspace.workspaceFolders ?? []).flatMap((f) => [path.join(f.uri.fsPath, 'demo', 'apple.txt'), path.join(f.uri.fsPath, 'apple.txt')]),
    path.join(ext.extensionPath, 'demo', 'apple.txt'),
  ];
  const file = candidates.find((p) => fs.existsSync(p));
  if (!file) return openText(`${APPLE_LINE}\n`);
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  return vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: false });
}

function selectFirst(editor: vscode.TextEditor, needle: string): void {
  const at = editor.document.getText().indexOf(needle);
  assert.ok(at >= 0, `"${needle}" not in ${editor.document.uri.toString()}`);
  editor.selection = new vscode.Selection(editor.document.positionAt(at), editor.document.positionAt(at + needle.length));
}

function mapTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('contextLens.map'));
}

async function closeMapTabs(): Promise<void> {
  const tabs = mapTabs();
  if (tabs.length) await vscode.window.tabGroups.close(tabs);
}

/** The Context Lens hover's guess lines ("1. 果 — 12.3%") at `offset`, or undefined when it gave no hover. */
async function contextLensHover(doc: vscode.TextDocument, offset: number): Promise<{ text: string; guesses: { token: string; pct: string }[] } | undefined> {
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, doc.positionAt(offset))) ?? [];
  const texts = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')));
  const text = texts.find((t) => t.includes('Context Lens'));
  if (text === undefined) return undefined;
  const guesses = [...text.matchAll(/^\d+\. (.+?) — ([<\d.]+%)/gm)].map((m) => ({ token: m[1].replace(/\\(.)/g, '$1'), pct: m[2] }));
  return { text, guesses };
}

export const tests: InHostTest[] = [
  {
    name: 'all commands are registered, the internal test hook too',
    run: async () => {
      await activate();
      const registered = new Set(await vscode.commands.getCommands(true));
      const expected = [
        'contextLens.exploreSelection',
        'contextLens.addSelectionToMap',
        'contextLens.openMap',
        'contextLens.clearMap',
        'contextLens.showLog',
        'contextLens.useDemoModel',
        'contextLens._lastError',
        'contextLens._status',
      ];
      assert.deepEqual(expected.filter((c) => !registered.has(c)), []);
    },
  },
  {
    name: 'an empty selection says "Select some text first"',
    run: async () => {
      await activate();
      const editor = await openText('我爱吃苹果。');
      editor.selection = new vscode.Selection(0, 1, 0, 1);
      await takeLastError();
      await vscode.commands.executeCommand('contextLens.exploreSelection');
      const e = await takeLastError();
      assert.equal(e?.code, 'EMPTY_SELECTION');
      assert.match(e.message, /Select some text/);
      assert.equal(mapTabs().length, 0, 'no map for an empty selection');
    },
  },
  {
    name: 'a huge selection and binary junk are refused with a message',
    run: async () => {
      await activate();
      const big = await openText('the bank '.repeat(10_000));
      big.selection = new vscode.Selection(new vscode.Position(0, 0), big.document.lineAt(0).range.end);
      await vscode.commands.executeCommand('contextLens.exploreSelection');
      assert.equal((await takeLastError())?.code, 'INPUT_TOO_LARGE');
      const junk = await openText(`ab\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000e\u000f\u0010cd`);
      junk.selection = new vscode.Selection(new vscode.Position(0, 0), junk.document.lineAt(0).range.end);
      await vscode.commands.executeCommand('contextLens.exploreSelection');
      assert.equal((await takeLastError())?.code, 'BINARY_INPUT');
    },
  },
  {
    name: 'a selection the engine would refuse is refused before any model loads, in the editor\'s words',
    timeoutMs: 120_000,
    run: async () => {
      await activate();
      // A model that cannot load: were the input checked after loading, the error would be MODEL_FOLDER_MISSING
      // (and, for a Hub model, a download would have started for nothing).
      try {
        await setting('model', MISSING_MODEL);
        const big = await openText('the bank '.repeat(10_000));
        big.selection = new vscode.Selection(new vscode.Position(0, 0), big.document.lineAt(0).range.end);
        await takeLastError();
        await vscode.commands.executeCommand('contextLens.exploreSelection');
        const tooLarge = await takeLastError();
        assert.equal(tooLarge?.code, 'INPUT_TOO_LARGE', tooLarge?.message);
        assert.match(tooLarge.message, /90,?000 characters.*40,?960 characters.*contextLens\.maxTokens/);
        const junk = await openText(`ab\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000e\u000f\u0010cd`);
        junk.selection = new vscode.Selection(new vscode.Position(0, 0), junk.document.lineAt(0).range.end);
        await vscode.commands.executeCommand('contextLens.exploreSelection');
        const binary = await takeLastError();
        assert.equal(binary?.code, 'BINARY_INPUT', binary?.message);
        assert.match(binary.message, /does not look like text/);
        assert.equal(mapTabs().length, 0, 'no map for a refused selection');
      } finally {
        await setting('model', undefined);
      }
    },
  },
  {
    name: 'Explore Selection on demo/apple.txt opens the Embedding Map',
    timeoutMs: 120_000,
    run: async () => {
      const ext = await activate();
      await closeMapTabs();
      const editor = await openApple(ext);
      selectFirst(editor, APPLE_LINE);
      await takeLastError();
      await vscode.commands.executeCommand('contextLens.exploreSelection');
      const err = await takeLastError();
      assert.equal(err, undefined, `unexpected error: ${err?.message}`);
      const tab = await until('the Embedding Map tab', () => mapTabs()[0]);
      assert.equal(tab.label, 'Embedding Map');
      // Add Selection to Map reuses the same panel.
      selectFirst(editor, '我爱吃苹果');
      await vscode.commands.executeCommand('contextLens.addSelectionToMap');
      assert.equal(await takeLastError(), undefined);
      assert.equal(mapTabs().length, 1);
      await vscode.commands.executeCommand('contextLens.clearMap');
      await vscode.commands.executeCommand('contextLens.openMap');
      assert.equal(mapTabs().length, 1);
      await closeMapTabs();
    },
  },
  {
    name: 'hostile text is analyzed without errors',
    timeoutMs: 120_000,
    run: async () => {
      await activate();
      const editor = await openText('<img src=x onerror=alert(1)> </script> ${alert(1)} 我爱吃苹果');
      editor.selection = new vscode.Selection(new vscode.Position(0, 0), editor.document.lineAt(0).range.end);
      await vscode.commands.executeCommand('contextLens.exploreSelection');
      const err = await takeLastError();
      assert.equal(err, undefined, `unexpected error: ${err?.message}`);
      await until('the Embedding Map tab', () => mapTabs()[0]);
      await closeMapTabs();
    },
  },
  {
    name: 'hover on 果 lists guesses with probabilities, 果 among them',
    timeoutMs: 120_000,
    run: async () => {
      await activate();
      const editor = await openText('我喜欢吃苹果。');
      const hover = await contextLensHover(editor.document, '我喜欢吃苹果。'.indexOf('果'));
      assert.ok(hover, 'no Context Lens hover');
      assert.match(hover.text, /%/);
      assert.ok(hover.guesses.length >= 1, `no guesses in: ${hover.text}`);
      assert.ok(
        hover.guesses.some((g) => g.token === '果'),
        `果 not among ${hover.guesses.map((g) => `${g.token} ${g.pct}`).join(', ')}`,
      );
    },
  },
  {
    name: 'settings are respected: hover.enabled=false hides it, topK=2 gives 2 guesses',
    timeoutMs: 120_000,
    run: async () => {
      await activate();
      const editor = await openText('我爱吃苹果。');
      const at = '我爱吃苹果。'.indexOf('果');
      try {
        await setting('topK', 2);
        const two = await contextLensHover(editor.document, at);
        assert.equal(two?.guesses.length, 2, two?.text);
        await setting('hover.enabled', false);
        assert.equal(await contextLensHover(editor.document, at), undefined);
      } finally {
        await setting('topK', undefined);
        await setting('hover.enabled', undefined);
      }
      assert.ok(await contextLensHover(editor.document, at), 'hover back after re-enabling');
    },
  },
  {
    name: 'a model setting pointing to a missing folder gives a clear error',
    timeoutMs: 120_000,
    run: async () => {
      await activate();
      const editor = await openText('我爱吃苹果。');
      editor.selection = new vscode.Selection(new vscode.Position(0, 0), editor.document.lineAt(0).range.end);
      try {
        await setting('model', MISSING_MODEL);
        await takeLastError();
        await vscode.commands.executeCommand('contextLens.exploreSelection');
        const e = await takeLastError();
        assert.ok(e, 'no error reported');
        assert.equal(e.code, 'MODEL_FOLDER_MISSING', e.message);
        assert.doesNotMatch(e.message, /^Internal error/);
        assert.ok(e.message.length > 10);
      } finally {
        await setting('model', undefined);
      }
      // And it recovers on the fixture model.
      await vscode.commands.executeCommand('contextLens.exploreSelection');
      const after = await takeLastError();
      assert.equal(after, undefined, `unexpected error: ${after?.message}`);
      await closeMapTabs();
    },
  },
];
