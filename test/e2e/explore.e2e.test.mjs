// A person's tour of the Embedding Map in the real workbench (code-server + Chromium, demo model
// assets/demo-model): select a line of demo/apple.txt → "Context Lens: Explore Selection" → the map
// shows one point per token and a 果 ↔ 果 link with its cosine; the editor hover shows masked-token
// guesses; moving the layer slider to 0 re-projects (and 果's two contexts grow more alike); the Attention
// tab shows the head view, heat map and the layers × heads grid; PCA re-projects; a link's context selects
// the token in the editor; "JSON" and "PNG" exports go through VS Code's save dialog; "Context Lens: Add
// Selection to Map" with a line of demo/bank.md adds its points.
// Every step leaves test-results/e2e-<step>.png.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { answerPathDialog, charCenter, mapRendered, openFromExplorer, repoRoot, runPaletteCommand as paletteCommand, screenshot, webviewFrame, withWorkbench } from './harness.mjs';

const APPLE_LINE = '我用苹果手机。我爱吃苹果。';
const BANK_LINE = 'I put my money in the bank.';
const fixtureConfig = JSON.parse(readFileSync(join(repoRoot, 'assets/demo-model/config.json'), 'utf8'));

/** Selects one whole line as a person would: click it, Home, Shift+End. */
async function selectLine(page, text) {
  const line = page.locator('.editor-instance .monaco-editor .view-line', { hasText: text }).first();
  await line.click();
  await page.keyboard.press('Home');
  await page.keyboard.press('Shift+End');
  await page.waitForFunction(
    (t) => {
      const sel = document.querySelectorAll('.monaco-editor .selected-text');
      return sel.length > 0 && document.activeElement?.closest('.monaco-editor') && t;
    },
    text,
    { timeout: 5_000 },
  );
}

/** The cosine of the 果 ↔ 果 row in "Same token, different context". */
async function guoCosine(frame) {
  const row = frame.locator('[data-testid="link-row"][data-piece="果"]').first();
  await row.waitFor({ state: 'attached', timeout: 20_000 });
  const cos = Number(await row.getAttribute('data-cosine'));
  assert.ok(Number.isFinite(cos) && cos >= -1 && cos <= 1, `果 cosine ${cos}`);
  assert.match(await row.innerText(), /\d\.\d/, 'the 果 row shows its cosine');
  return cos;
}

test('explore a selection: map, hover, layers, PCA, reveal, attention, exports, add to map', { timeout: 300_000 }, async () => {
  await withWorkbench('e2e-explore', async ({ page, lap, extensionLog }) => {
    const outDir = mkdtempSync(join(tmpdir(), 'context-lens-export-'));
    try {
      // ---- explore the first line of apple.txt -------------------------------------------------------
      await openFromExplorer(page, 'apple.txt', APPLE_LINE);
      await selectLine(page, APPLE_LINE);
      lap('apple.txt open, line selected');
      await screenshot(page, 'e2e-selection');
      await paletteCommand(page, 'Context Lens: Explore Selection');
      lap('explore run');

      const frame = webviewFrame(page);
      const last = fixtureConfig.num_hidden_layers;
      const first = await mapRendered(frame, { layer: last });
      const chips = frame.locator('[data-testid="token-chip"]');
      const hideSpecial = await frame.getByTestId('hide-special').isChecked();
      const chipCount = await chips.count();
      const chipTexts = await chips.allTextContents();
      lap(`map: ${first.count} points at layer ${first.layer}; ${chipCount} token chips (hide special: ${hideSpecial}) ${JSON.stringify(chipTexts)}`);
      assert.equal(first.count, chipCount, 'one point per token of the snippet');
      assert.equal(chipTexts.filter((t) => t === '[CLS]' || t === '[SEP]').length, hideSpecial ? 0 : 2);
      assert.equal(chipTexts.filter((t) => !/^\[(CLS|SEP)\]$/.test(t)).join(''), APPLE_LINE, 'the text tokens spell the line');
      const cosLast = await guoCosine(frame);
      lap(`果 ↔ 果 cosine at layer ${last}: ${cosLast}`);
      await screenshot(page, 'e2e-map');

      // ---- the masked guesses stream in after the map: every text token gets them, the counter goes --
      const textTokens = chipTexts.filter((t) => !/^\[(CLS|SEP)\]$/.test(t)).length;
      const streamed = await extensionLog({ pattern: new RegExp(`Masked guesses for ${textTokens} tokens in \\d+ ms`) });
      lap(`host log: ${/Masked guesses for .*/.exec(streamed)?.[0]}`);
      await frame.getByTestId('guess-progress').waitFor({ state: 'hidden', timeout: 20_000 });
      await frame.getByTestId('tab-tokens').click();
      await frame.locator('[data-testid="token-chip"]', { hasText: '机' }).first().hover();
      const guessRows = frame.locator('[data-testid="guess-panel"] .guess');
      await guessRows.first().waitFor({ timeout: 20_000 });
      assert.equal(await frame.getByTestId('guesses-pending').count(), 0, 'no token is left pending');
      lap(`Tokens tab: 机 shows ${await guessRows.count()} guesses`);
      await frame.getByTestId('tab-map').click();

      // ---- hover 果 in the editor: masked-token guesses ------------------------------------------------
      const guo = await charCenter(page, APPLE_LINE, '果', 0);
      const hover = page.locator('.monaco-hover-content', { hasText: '%' }).first();
      let hoverText = '';
      for (let i = 0; i < 20 && !hoverText; i++) {
        await page.mouse.move(guo.x, guo.y + 150);
        await page.mouse.move(guo.x, guo.y, { steps: 3 });
        try {
          await hover.waitFor({ state: 'visible', timeout: 1_500 });
          hoverText = await hover.innerText();
        } catch { /* retry: hovers are asked for on a mouse move */ }
      }
      assert.ok(hoverText, 'a hover with guesses appears over 果');
      assert.match(hoverText, /\d+(\.\d+)?\s*%/, 'the hover shows guesses with percentages');
      lap(`hover: ${JSON.stringify(hoverText.slice(0, 160))}`);
      await screenshot(page, 'e2e-hover');
      await page.mouse.move(5, 5);
      await page.keyboard.press('Escape');

      // ---- layer 0: re-projection, 果's contexts closer --------------------------------------------------
      const slider = frame.getByTestId('layer');
      assert.equal(await slider.getAttribute('max'), String(last));
      await slider.focus();
      await page.keyboard.press('Home');
      const at0 = await mapRendered(frame, { layer: 0 });
      assert.equal(at0.count, first.count, 'same points at layer 0');
      const cos0 = await guoCosine(frame);
      lap(`layer 0: ${at0.count} points; 果 cosine ${cos0} (layer ${last}: ${cosLast})`);
      assert.notEqual(cos0, cosLast, 'the cosine changes with the layer');
      assert.ok(cos0 > cosLast, `果's two contexts are more alike at layer 0 (${cos0}) than at layer ${last} (${cosLast})`);
      await screenshot(page, 'e2e-layer0');

      // ---- PCA, then a link's context → the token is selected in the editor ---------------------------
      await frame.getByTestId('projection').selectOption('pca');
      await frame.locator('body[data-map-ready="true"] [data-testid="map"][data-method="pca"][data-layer="0"]').waitFor({ state: 'attached', timeout: 30_000 });
      assert.equal(Number(await frame.getByTestId('map').getAttribute('data-point-count')), first.count, 'same points with PCA');
      await frame.locator('[data-testid="link-row"][data-piece="果"] button.ctx').nth(1).click();
      const cursor = page.locator('.statusbar-item', { hasText: /\(1 selected\)/ });
      await cursor.first().waitFor({ timeout: 15_000 });
      lap(`PCA map; revealed 果: ${await cursor.first().innerText()}`);
      await screenshot(page, 'e2e-pca-reveal');

      // ---- attention tab ---------------------------------------------------------------------------
      await frame.getByTestId('tab-attention').click();
      await frame.getByTestId('head-view').waitFor({ timeout: 30_000 });
      await frame.locator('[data-testid="heatmap"] .main-svg').first().waitFor({ timeout: 30_000 });
      const cells = frame.locator('[data-testid="attention-grid"] .grid-cell');
      await cells.first().waitFor({ timeout: 30_000 });
      // A mostly-Chinese line gets the horizontal head view; with "hide special" the Attention tab hides punctuation too.
      const headLabels = await frame.locator('[data-testid="head-view"][data-layout="horizontal"] .hv-token text').count();
      const punctuationChips = chipTexts.filter((t) => /^\p{P}+$/u.test(t)).length;
      assert.equal(headLabels, chipCount - (hideSpecial ? punctuationChips : 0), 'the head view lists every shown token');
      assert.equal(await cells.count(), fixtureConfig.num_hidden_layers * fixtureConfig.num_attention_heads, 'grid = layers × heads');
      lap(`attention: head view (${headLabels} tokens), heat map, ${await cells.count()} grid cells`);
      await screenshot(page, 'e2e-attention');

      // ---- export JSON through the save dialog -------------------------------------------------------
      const target = join(outDir, 'analysis.json');
      await frame.getByTestId('export-json').click();
      await answerPathDialog(page, 'context-lens-analysis.json', target, lap, { beforeAccept: () => screenshot(page, 'e2e-export-dialog') });
      const deadline = Date.now() + 20_000;
      while (!existsSync(target) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      assert.ok(existsSync(target), `the export was written to ${target}`);
      let json;
      for (;;) {
        try {
          json = JSON.parse(readFileSync(target, 'utf8'));
          break;
        } catch (e) {
          if (Date.now() > deadline) throw e;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      assert.equal(json.format, 'context-lens-analysis/1');
      assert.equal(json.snippets.length, 1);
      assert.equal(json.snippets[0].text, APPLE_LINE);
      const special = json.snippets[0].tokens.filter((t) => t.special).length;
      assert.equal(json.snippets[0].tokens.length - (hideSpecial ? special : 0), chipCount, 'the export holds every token');
      assert.equal(json.snippets[0].hiddenStates.length, fixtureConfig.num_hidden_layers + 1, 'hidden states for every layer');
      assert.ok(json.snippets[0].tokens.every((t) => t.special || t.guesses.length > 0), 'the streamed guesses are in the export');
      assert.ok(json.projection && ['umap', 'pca'].includes(json.projection.method) && Number.isInteger(json.projection.layer), 'the export names the map on screen');
      assert.ok(json.snippets[0].tokens.every((t) => t.special || (Number.isFinite(t.x) && Number.isFinite(t.y))), "every text token carries its map coordinates");
      lap(`exported ${json.snippets[0].tokens.length} tokens to ${target}`);
      await screenshot(page, 'e2e-export');

      // ---- save the map as PNG through the same dialog ------------------------------------------------
      const png = join(outDir, 'map.png');
      await frame.getByTestId('export-png').click();
      await answerPathDialog(page, 'embedding-map.png', png, lap);
      const pngDeadline = Date.now() + 20_000;
      while (!(existsSync(png) && readFileSync(png).length > 1000) && Date.now() < pngDeadline) await new Promise((r) => setTimeout(r, 200));
      const bytes = readFileSync(png);
      assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');
      lap(`saved the map image: ${bytes.length} bytes`);

      // ---- add a line of bank.md ---------------------------------------------------------------------
      await page.locator('.editor-instance .monaco-editor .view-line', { hasText: APPLE_LINE }).first().click(); // focus the text editor's group
      await openFromExplorer(page, 'bank.md', BANK_LINE);
      await selectLine(page, BANK_LINE);
      await paletteCommand(page, 'Context Lens: Add Selection to Map');
      const frame2 = webviewFrame(page);
      await frame2.getByTestId('tab-map').click(); // the map renders only while its tab shows
      const added = await mapRendered(frame2, { minPoints: first.count + 1 });
      const allChips = await frame2.locator('[data-testid="token-chip"]').count();
      lap(`after adding: ${added.count} points, ${allChips} chips`);
      assert.ok(added.count > first.count, 'the point count grows');
      assert.equal(added.count, allChips, 'one point per token of both snippets');
      await screenshot(page, 'e2e-added');

      // ---- window reload: the panel comes back with both snippets (WebviewPanelSerializer) ------------
      await page.reload();
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      lap('window reloaded');
      const restoredFrame = webviewFrame(page);
      // The webview's saved tab may predate the last tab click (VS Code persists webview state lazily).
      await restoredFrame.getByTestId('tab-map').click({ timeout: 90_000 });
      const restored = await mapRendered(restoredFrame, { minPoints: added.count, timeout: 90_000 });
      lap(`restored after reload: ${restored.count} points`);
      assert.equal(restored.count, added.count, 'the restored map holds the same tokens');
      await screenshot(page, 'e2e-restored');
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
