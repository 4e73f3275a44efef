/**
 * Which ONNX runtime the installed package runs on: native onnxruntime-node when the package holds this
 * platform's binary (the platform VSIXes), WebAssembly otherwise (the universal VSIX), and the status
 * bar says which. scripts/test.mjs runs the suites once on the linux-x64 VSIX and once on the universal
 * one with CONTEXT_LENS_EXPECT_BACKEND=wasm, so a package that wrongly holds a binary fails here too.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { InHostTest } from './index';

const EXTENSION_ID = 'context-lens.context-lens';

interface ShownStatus {
  state: { kind: string; backend?: string };
  text: string;
  tooltip: string;
}

export const tests: InHostTest[] = [
  {
    name: 'the backend is native exactly when the package holds this platform\'s binary, and the status bar names it',
    timeoutMs: 120_000,
    run: async () => {
      const ext = vscode.extensions.getExtension(EXTENSION_ID);
      assert.ok(ext, `${EXTENSION_ID} is not installed`);
      if (!process.env.CONTEXT_LENS_MODEL) process.env.CONTEXT_LENS_MODEL = path.join(ext.extensionPath, 'assets', 'demo-model');
      await ext.activate();
      const binary = path.join(ext.extensionPath, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', process.platform, process.arch, 'onnxruntime_binding.node');
      const expected = fs.existsSync(binary) ? 'cpu' : 'wasm';
      if (process.env.CONTEXT_LENS_EXPECT_BACKEND) assert.equal(expected, process.env.CONTEXT_LENS_EXPECT_BACKEND, `package at ${ext.extensionPath}`);
      const doc = await vscode.workspace.openTextDocument({ content: '我爱吃苹果。', language: 'plaintext' });
      const editor = await vscode.window.showTextDocument(doc, { preview: false });
      editor.selection = new vscode.Selection(doc.positionAt(0), doc.positionAt(doc.getText().length));
      await vscode.commands.executeCommand('contextLens._lastError', true);
      await vscode.commands.executeCommand('contextLens.exploreSelection');
      const err = await vscode.commands.executeCommand<{ message: string } | undefined>('contextLens._lastError', true);
      assert.equal(err, undefined, `unexpected error: ${err?.message}`);
      // The masked guesses stream in after the map shows; the item is back to "ready" once they are done.
      let status = await vscode.commands.executeCommand<ShownStatus>('contextLens._status');
      for (const end = Date.now() + 60_000; status.state.kind !== 'ready' && Date.now() < end; ) {
        await new Promise((r) => setTimeout(r, 200));
        status = await vscode.commands.executeCommand<ShownStatus>('contextLens._status');
      }
      assert.equal(status.state.kind, 'ready', JSON.stringify(status));
      assert.equal(status.state.backend, expected);
      assert.match(status.tooltip, new RegExp(`\\b${expected}\\b`), `status bar tooltip: ${status.tooltip}`);
      const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('contextLens.map'));
      if (tabs.length) await vscode.window.tabGroups.close(tabs);
    },
  },
];
