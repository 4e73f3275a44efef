// Offline with a Hub model that was never downloaded, in the real workbench: a copy of demo/ whose
// .vscode/settings.json says contextLens.offline = true and contextLens.model = google-bert/bert-base-chinese
// (a setting wins over the runner's CONTEXT_LENS_MODEL, see src/extension/config.ts). "Context Lens: Explore
// Selection" fails with an error notification offering "Use the bundled demo model"; clicking that button
// switches to the demo model shipped with the extension (assets/demo-model) and the same selection
// is explored: the map shows its points. The copy is a temporary folder, so demo/ and the other tests'
// windows are untouched (the choice lasts for this window's extension host only).
// Screenshots: test-results/e2e-offline-*.png.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  mapRendered, notification, openFromExplorer, runPaletteCommand, screenshot, selectLine, serverFromEnv, webviewFrame, withWorkbench, workbenchUrlFor,
} from './harness.mjs';

const APPLE_LINE = '我用苹果手机。我爱吃苹果。';
const HUB_MODEL = 'google-bert/bert-base-chinese';

test('offline, model not cached: the error offers the bundled demo model, which then explores the selection', { timeout: 120_000 }, async () => {
  const workspace = mkdtempSync(join(tmpdir(), 'context-lens-offline-'));
  try {
    cpSync(serverFromEnv().workspace, workspace, { recursive: true });
    mkdirSync(join(workspace, '.vscode'), { recursive: true });
    writeFileSync(join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'contextLens.offline': true, 'contextLens.model': HUB_MODEL }, null, 2));

    await withWorkbench('e2e-offline', async ({ page, lap, extensionLog }) => {
      await openFromExplorer(page, 'apple.txt', APPLE_LINE);
      await selectLine(page, APPLE_LINE);
      await runPaletteCommand(page, 'Context Lens: Explore Selection');
      const activated = await extensionLog({ pattern: /activated in/ });
      assert.match(activated, new RegExp(`model ${HUB_MODEL} from setting`), 'the workspace setting chose the Hub model');
      lap('explore run with the Hub model, offline');

      // ---- the error, with its button ------------------------------------------------------------------
      const error = await notification(page, /Context Lens: The model google-bert\/bert-base-chinese has not been downloaded yet/, { timeoutMs: 30_000 });
      const errorText = await error.innerText();
      lap(`error: ${JSON.stringify(errorText)}`);
      assert.match(errorText, /offline/);
      const log = await extensionLog({ pattern: /OFFLINE_NOT_CACHED/ });
      assert.match(log, /Loading model google-bert\/bert-base-chinese \(dtype q8, device auto, offline\)/);
      const useDemo = error.locator('.monaco-button', { hasText: 'Use the bundled demo model' });
      assert.equal(await useDemo.count(), 1, 'the error has a "Use the bundled demo model" button');
      await screenshot(page, 'e2e-offline-error');
      await useDemo.click();
      lap('clicked "Use the bundled demo model"');

      // ---- the demo model explores the same selection ------------------------------------------------
      const frame = webviewFrame(page);
      const map = await mapRendered(frame);
      const chips = await frame.locator('[data-testid="token-chip"]').allTextContents();
      lap(`map: ${map.count} points, chips ${JSON.stringify(chips)}`);
      assert.equal(map.count, chips.length, 'one point per token');
      assert.equal(chips.filter((t) => !/^\[(CLS|SEP)\]$/.test(t)).join(''), APPLE_LINE, 'the selection was explored');
      await frame.getByTestId('model-label').filter({ hasText: 'demo-model' }).waitFor({ timeout: 10_000 });
      await page.locator('.statusbar-item', { hasText: 'Context Lens: ready (demo-model)' }).first().waitFor({ timeout: 10_000 });
      const after = await extensionLog({ pattern: /Explored apple\.txt:1/ });
      const demoPath = /Using the bundled demo model: (.*)$/m.exec(after)?.[1];
      lap(`demo model: ${demoPath}`);
      assert.match(demoPath ?? '', /[\\/]assets[\\/]demo-model$/, 'the demo model is the one shipped with the extension');
      assert.match(after, /Model ready: .*demo-model \(masked, folder/, 'the demo model loaded from its folder');
      await notification(page, /Context Lens now uses the bundled demo model/);
      await screenshot(page, 'e2e-offline-demo-map');
    }, { url: workbenchUrlFor(workspace) });
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
});
