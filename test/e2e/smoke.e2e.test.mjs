// Smoke test in the real workbench: the Embedding Map opens from the command palette and its webview
// renders, with the model the runner chose (CONTEXT_LENS_MODEL = assets/demo-model).
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { test } from 'node:test';
import { runPaletteCommand, screenshot, waitForActivation, webviewFrame, withWorkbench } from './harness.mjs';

test('"Context Lens: Open Embedding Map" shows the map webview', { timeout: 180_000 }, async () => {
  await withWorkbench('smoke', async ({ page, lap }) => {
    await runPaletteCommand(page, 'Context Lens: Open Embedding Map');
    lap('command run');
    lap(`activated: ${await waitForActivation()}`);

    const map = webviewFrame(page);
    const app = map.locator('#app');
    await app.locator(':scope > *').first().waitFor({ timeout: 30_000 });
    const text = (await app.innerText()).trim();
    lap(`webview shows ${JSON.stringify(text.slice(0, 80))}`);
    assert.ok(text.length > 0, 'the map webview is empty');

    const model = process.env.CONTEXT_LENS_MODEL;
    if (model) {
      const label = map.getByTestId('model-label');
      await assert.doesNotReject(() => label.filter({ hasText: basename(model) }).waitFor({ timeout: 30_000 }),
        `model label should name ${basename(model)}`);
      lap(`model label: ${await label.innerText()}`);
    }
    lap(`screenshot ${await screenshot(page, 'smoke-embedding-map')}`);
  });
});
