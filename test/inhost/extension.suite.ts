/** Smoke tests: the installed extension is present, activates, and registers its commands. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { InHostTest } from './index';

const EXTENSION_ID = 'context-lens.context-lens';
const COMMANDS = ['contextLens.exploreSelection', 'contextLens.addSelectionToMap', 'contextLens.openMap', 'contextLens.clearMap'];

function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not installed`);
  return ext;
}

export const tests: InHostTest[] = [
  {
    name: 'the extension is present and activates',
    run: async () => {
      const ext = extension();
      await ext.activate();
      assert.equal(ext.isActive, true);
    },
  },
  {
    name: 'its commands are registered',
    run: async () => {
      await extension().activate();
      const registered = new Set(await vscode.commands.getCommands(true));
      const missing = COMMANDS.filter((c) => !registered.has(c));
      assert.deepEqual(missing, [], `commands not registered: ${missing.join(', ')}`);
    },
  },
];
