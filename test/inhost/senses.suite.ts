/**
 * Explore Word Senses inside a real extension host, on the fixture model and the demo folder (the
 * workspace of the in-host run): the command with its answers given as arguments, what it posts to the
 * panel, and its refusals (a whitespace-only word, a word that occurs nowhere, a cancel, a newer search).
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { InHostTest } from './index';

interface SensesSnapshot {
  jobId?: string;
  running?: string;
  result?: { word: string; done: boolean; standardized: boolean; numLayers: number; occurrences: number; files: string[]; search: { filesSearched: number; skippedBinary: number; skippedTooLarge: number; skippedUnreadable: number; found: number; toAnalyse: number; analysed: number } };
  trace: { posted: { senses: number; sensesProjection: number; showTab: number }; released: string[]; notice?: string };
}

const EXPLORE = 'contextLens.exploreWordSenses';

async function ready(): Promise<void> {
  const ext = vscode.extensions.getExtension('context-lens.context-lens');
  assert.ok(ext, 'the extension is installed');
  process.env.CONTEXT_LENS_MODEL ||= path.join(ext.extensionPath, 'assets', 'demo-model');
  await ext.activate();
}

const snapshot = () => vscode.commands.executeCommand<SensesSnapshot>('contextLens._senses');
const lastError = () => vscode.commands.executeCommand<{ code: string; message: string } | undefined>('contextLens._lastError', true);
const explore = (args: object) => vscode.commands.executeCommand<string>(EXPLORE, args);

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  for (const end = Date.now() + ms; ; ) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`still waiting for ${what} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** How often `needle` occurs in `text` (substrings: the rule for Chinese). */
function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

export const tests: InHostTest[] = [
  {
    name: 'the command is registered with its test hooks',
    run: async () => {
      await ready();
      const all = new Set(await vscode.commands.getCommands(true));
      assert.deepEqual([EXPLORE, 'contextLens._senses', 'contextLens._cancelWordSenses'].filter((c) => !all.has(c)), []);
    },
  },
  {
    name: '果 in the workspace: every occurrence found, all analysed, results and a scatter posted to the Senses tab',
    timeoutMs: 180_000,
    run: async () => {
      await ready();
      await lastError();
      const before = await snapshot();
      const outcome = await explore({ word: '果', scope: 'workspace' });
      const err = await lastError();
      assert.equal(outcome, 'done', `outcome ${outcome}: ${err?.message}`);
      const after = await snapshot();
      const r = after.result!;
      assert.equal(r.word, '果');
      assert.ok(r.done, 'the job ran to the end');
      assert.ok(r.search.filesSearched >= 3, `${r.search.filesSearched} files searched`);
      // The files on disk hold this many 果: the engine must have found each one.
      const include = vscode.workspace.getConfiguration('contextLens').get<string>('senses.include')!;
      const uris = await vscode.workspace.findFiles(include);
      let expected = 0;
      for (const uri of uris) expected += count(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)), '果');
      assert.equal(r.search.found, expected, 'found = the 果 in the demo files');
      assert.equal(r.search.analysed, r.search.toAnalyse);
      assert.ok(r.occurrences > 1 && r.files.length >= 2, `${r.occurrences} occurrences in ${r.files.join(', ')}`);
      assert.ok(after.trace.posted.senses > before.trace.posted.senses, 'results posted');
      assert.ok(after.trace.posted.showTab > before.trace.posted.showTab, 'the Senses tab shown');
      await eventually('a scatter of the occurrences', async () => ((await snapshot()).trace.posted.sensesProjection > before.trace.posted.sensesProjection ? true : undefined));
      const panel = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('contextLens.map'));
      assert.ok(panel, 'the panel is open');
    },
  },
  {
    name: 'this file and open editors: the editor\'s text as it is, unsaved edits included',
    timeoutMs: 120_000,
    run: async () => {
      await ready();
      const doc = await vscode.workspace.openTextDocument({ language: 'plaintext', content: '我爱吃苹果。\n' });
      const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: false });
      await editor.edit((e) => e.insert(doc.positionAt(doc.getText().length), '苹果手机很贵。苹果很甜。\n'));
      assert.ok(doc.isDirty);
      const outcome = await explore({ word: '苹果', scope: 'file' });
      assert.equal(outcome, 'done', (await lastError())?.message);
      const r = (await snapshot()).result!;
      assert.equal(r.search.filesSearched, 1);
      assert.equal(r.search.found, 3, 'the two unsaved occurrences count');
      // Open editors: every text tab once, this unsaved one among them.
      const tabs = new Set(vscode.window.tabGroups.all.flatMap((g) => g.tabs).flatMap((t) => (t.input instanceof vscode.TabInputText ? [t.input.uri.toString()] : [])));
      assert.equal(await explore({ word: '苹果', scope: 'openEditors' }), 'done', (await lastError())?.message);
      const open = (await snapshot()).result!;
      // Every tab is looked at once: searched, or skipped and counted (other suites leave binary and huge documents open).
      const { filesSearched, skippedBinary, skippedTooLarge, skippedUnreadable } = open.search;
      assert.equal(filesSearched + skippedBinary + skippedTooLarge + skippedUnreadable, tabs.size, JSON.stringify(open.search));
      assert.ok(open.files.includes(doc.uri.path), `${doc.uri.path} among ${open.files.join(', ')}`);
    },
  },
  {
    name: 'a whitespace-only word is refused with a clear message, no job started',
    run: async () => {
      await ready();
      await lastError();
      const before = await snapshot();
      assert.equal(await explore({ word: ' \u3000\t', scope: 'workspace' }), 'invalid');
      const e = await lastError();
      assert.equal(e?.code, 'BAD_WORD');
      assert.match(e.message, /cannot be empty or only spaces/);
      assert.equal(await explore({ word: 'river bank', scope: 'workspace' }), 'invalid');
      assert.match((await lastError())?.message ?? '', /without spaces/);
      assert.equal((await snapshot()).jobId, before.jobId, 'no new job');
    },
  },
  {
    name: 'a word that occurs nowhere says so and names where it looked',
    timeoutMs: 120_000,
    run: async () => {
      await ready();
      await lastError();
      assert.equal(await explore({ word: 'qzxjvwk', scope: 'workspace' }), 'noOccurrences');
      const e = await lastError();
      assert.equal(e?.code, 'NO_OCCURRENCES');
      assert.match(e.message, /“qzxjvwk” does not occur in the \d+ file\(s\) searched/);
    },
  },
  {
    name: '10,000 occurrences: an even sample of contextLens.senses.maxOccurrences is analysed, and the user is told',
    timeoutMs: 120_000,
    run: async () => {
      await ready();
      const lines = Array.from({ length: 10_000 }, (_, i) => `第${i + 1}个苹果。`).join('\n');
      const doc = await vscode.workspace.openTextDocument({ language: 'plaintext', content: lines });
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: false });
      const config = vscode.workspace.getConfiguration('contextLens');
      try {
        await config.update('senses.maxOccurrences', 40, vscode.ConfigurationTarget.Global);
        assert.equal(await explore({ word: '苹果', scope: 'file' }), 'done', (await lastError())?.message);
      } finally {
        await config.update('senses.maxOccurrences', undefined, vscode.ConfigurationTarget.Global);
      }
      const after = await snapshot();
      assert.equal(after.result?.search.found, 10_000);
      assert.equal(after.result?.search.toAnalyse, 40);
      assert.equal(after.result?.occurrences, 40);
      assert.match(after.trace.notice ?? '', /Found 10,?000 occurrences of “苹果”: 40 of them, sampled evenly, were analysed/);
    },
  },
  {
    name: 'a cancel releases the job and says so',
    timeoutMs: 120_000,
    run: async () => {
      await ready();
      await vscode.commands.executeCommand('contextLens._cancelWordSenses', 'whenStarted');
      const before = await snapshot();
      assert.equal(await explore({ word: '果', scope: 'workspace' }), 'cancelled');
      const after = await snapshot();
      assert.equal(after.trace.released.length, before.trace.released.length + 1 + (before.jobId ? 1 : 0), 'the cancelled job (and the one shown before it) released');
      assert.equal(after.jobId, undefined, 'nothing left on screen from a released job');
      assert.match(after.trace.notice ?? '', /Word senses for “果” cancelled/);
    },
  },
  {
    name: 'a newer search supersedes a running one; the setting standardizes the result shown',
    timeoutMs: 180_000,
    run: async () => {
      await ready();
      // A file with 200 different contexts of 苹果 keeps the first job busy for a while (batches of 8 first).
      const lines = Array.from({ length: 200 }, (_, i) => `第${i + 1}个苹果很甜。`).join('\n');
      const doc = await vscode.workspace.openTextDocument({ language: 'plaintext', content: lines });
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: false });
      const first = explore({ word: '苹果', scope: 'file' });
      await eventually('the first job running', async () => ((await snapshot()).running === '苹果' ? true : undefined), 10_000);
      // The same file: no workspace search to wait for before the second job starts.
      const second = explore({ word: '果', scope: 'file' });
      assert.deepEqual([await first, await second], ['superseded', 'done']);
      assert.equal((await snapshot()).result?.word, '果');
      const config = vscode.workspace.getConfiguration('contextLens');
      try {
        await config.update('standardizeDimensions', true, vscode.ConfigurationTarget.Global);
        await eventually('the standardized result', async () => ((await snapshot()).result?.standardized ? true : undefined));
      } finally {
        await config.update('standardizeDimensions', undefined, vscode.ConfigurationTarget.Global);
      }
      await eventually('the raw result again', async () => ((await snapshot()).result?.standardized === false ? true : undefined));
    },
  },
];
