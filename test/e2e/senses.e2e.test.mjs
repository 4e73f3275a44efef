// Explore Word Senses as a person does it, in the real workbench (code-server + Chromium, demo model): put
// the cursor on an empty line first (the input box says there is no word there and refuses a blank one);
// then 果 in demo/senses/apple-zh.txt, selected: run "Context Lens: Explore Word Senses" from the
// palette, confirm the word, skip the compared word, choose Workspace. The panel opens on the Senses tab with
// the contextuality chart, the scatter and the concordance; clicking a concordance line selects that 果 in
// its editor; "Standardize dimensions" recomputes and comes back; the CSV export writes one row per
// occurrence. Every step leaves test-results/e2e-senses-<step>.png.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { answerPathDialog, fileWritten, openFromExplorer, screenshot, webviewFrame, withWorkbench } from './harness.mjs';

const FIRST_LINE = '我喜欢吃苹果。';

/** Rows of a CSV text (quoted cells may hold line breaks), header included. */
function csvRows(text) {
  const rows = [];
  let cells = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') cells.push(cell), (cell = '');
    else if (ch === '\n' || (ch === '\r' && text[i + 1] === '\n')) {
      if (ch === '\r') i++;
      cells.push(cell);
      rows.push(cells);
      (cells = []), (cell = '');
    } else cell += ch;
  }
  if (cell || cells.length) rows.push([...cells, cell]);
  return rows;
}

/**
 * Runs Explore Word Senses from the palette. Not the harness's runPaletteCommand: that waits for the
 * palette to close, and here the command's own input box opens in the same quick-input widget at once.
 */
async function runExploreWordSenses(page) {
  const title = 'Context Lens: Explore Word Senses';
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  for (const deadline = Date.now() + 45_000; ; ) {
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').waitFor({ timeout: 10_000 });
    await page.locator('.quick-input-widget input').fill(`>${title}`);
    try {
      await row.waitFor({ timeout: 2_000 });
      break;
    } catch {
      // The palette lists the command once the extension host has read the manifest: reopen it until then.
      if (Date.now() > deadline) throw new Error(`"${title}" did not appear in the palette`);
      await page.keyboard.press('Escape');
    }
  }
  await page.keyboard.press('Enter');
}

/** Waits until the input box holds `value` (it is filled in as the box opens). */
async function boxHolds(box, value) {
  for (const deadline = Date.now() + 5_000; (await box.inputValue()) !== value; ) {
    if (Date.now() > deadline) assert.equal(await box.inputValue(), value);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The quick input's text box once it shows `title` (the input boxes and the quick pick of the command). */
async function quickInput(page, title) {
  // By its title bar: the palette's list, still fading out, may show the same words in a row.
  const widget = page.locator('.quick-input-widget:not(.quick-input-widget-closing)', { has: page.locator('.quick-input-title', { hasText: title }) });
  await widget.waitFor({ state: 'visible', timeout: 20_000 });
  return widget.locator('input').first();
}

test('explore word senses of 果: chart, scatter, concordance, reveal, standardize, CSV', { timeout: 420_000 }, async () => {
  await withWorkbench('e2e-senses', async ({ page, lap, extensionLog }) => {
    const outDir = mkdtempSync(join(tmpdir(), 'context-lens-senses-'));
    try {
      // ---- the cursor on 果, selected -------------------------------------------------------------------
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'senses' }).first().click();
      await openFromExplorer(page, 'apple-zh.txt', FIRST_LINE);

      // ---- first on an empty line: no word under the cursor, and the box says how to give one ----------
      await page.locator('.editor-instance .monaco-editor .view-line', { hasText: FIRST_LINE }).first().click();
      await page.keyboard.press('End');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await page.locator('.statusbar-item', { hasText: 'Ln 5, Col 1' }).first().waitFor({ timeout: 5_000 });
      await runExploreWordSenses(page);
      const emptyBox = await quickInput(page, 'Explore Word Senses');
      await boxHolds(emptyBox, '');
      await page.locator('.quick-input-widget', { hasText: 'No word under the cursor' }).waitFor({ timeout: 5_000 });
      await emptyBox.fill('   ');
      await page.locator('.quick-input-widget', { hasText: 'cannot be empty or only spaces' }).waitFor({ timeout: 5_000 });
      await screenshot(page, 'e2e-senses-no-word');
      await page.keyboard.press('Escape');
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 5_000 });
      lap('no word under the cursor: said, and a blank word refused');
      await page.locator('.editor-instance .monaco-editor .view-line', { hasText: FIRST_LINE }).first().click();
      await page.keyboard.press('Home');
      for (let i = 0; i < FIRST_LINE.indexOf('果'); i++) await page.keyboard.press('ArrowRight');
      await page.keyboard.press('Shift+ArrowRight');
      await page.locator('.editor-instance .monaco-editor .selected-text').first().waitFor({ state: 'attached', timeout: 5_000 });
      lap('果 selected');

      // ---- the command: the word offered, no compared word, the workspace -----------------------------
      await runExploreWordSenses(page);
      const wordBox = await quickInput(page, 'Explore Word Senses');
      await boxHolds(wordBox, '果'); // the selection is the word offered
      await screenshot(page, 'e2e-senses-word');
      await page.keyboard.press('Enter');
      const alsoBox = await quickInput(page, 'Compare with another word');
      await boxHolds(alsoBox, '');
      await page.keyboard.press('Enter');
      const scopeBox = await quickInput(page, 'Where to look for the word');
      await screenshot(page, 'e2e-senses-scope');
      await scopeBox.fill('Workspace');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Workspace' }).first().waitFor({ timeout: 5_000 });
      await page.keyboard.press('Enter');
      lap('command answered');

      // ---- the Senses tab: chart, scatter, concordance -------------------------------------------------
      const frame = webviewFrame(page);
      await frame.locator('[data-testid="tab-senses"][aria-selected="true"]').waitFor({ timeout: 120_000 });
      await frame.locator('[data-testid="panel-senses"]').waitFor({ state: 'visible', timeout: 10_000 });
      const figures = frame.locator('[data-testid="senses-summary"] .figures');
      await figures.waitFor({ timeout: 120_000 });
      await frame.locator('[data-testid="senses-summary"] .analysing').waitFor({ state: 'detached', timeout: 180_000 });
      const found = Number(await figures.getAttribute('data-found'));
      const analysed = Number(await figures.getAttribute('data-analysed'));
      assert.ok(found >= 30 && analysed > 0 && analysed <= found, `found ${found}, analysed ${analysed}`);
      await frame.locator('[data-testid="senses-chart"]').waitFor({ state: 'visible', timeout: 30_000 });
      const scatter = frame.locator('[data-testid="senses-scatter"]');
      await scatter.waitFor({ state: 'visible', timeout: 30_000 });
      const lines = frame.locator('[data-testid="senses-concordance"] [data-testid="senses-line"]');
      await lines.first().waitFor({ timeout: 30_000 });
      const lineCount = await lines.count();
      for (const deadline = Date.now() + 60_000; Number(await scatter.getAttribute('data-point-count')) < lineCount; ) {
        if (Date.now() > deadline) throw new Error(`the scatter shows ${await scatter.getAttribute('data-point-count')} of ${lineCount} occurrences`);
        await new Promise((r) => setTimeout(r, 250));
      }
      assert.match(await frame.locator('[data-testid="senses-summary"]').innerText(), new RegExp(String(found)));
      await extensionLog({ pattern: /Word senses: searched \d+ file\(s\).*found \d+/ });
      lap(`senses shown: ${found} found, ${lineCount} concordance lines`);
      await screenshot(page, 'e2e-senses-tab');

      // ---- a concordance line back in its editor -------------------------------------------------------
      const line = lines.nth(Math.min(3, lineCount - 1));
      const where = (await line.locator('.kwic-where').innerText()).trim();
      const lineNumber = Number(where.slice(where.lastIndexOf(':') + 1));
      const fileName = where.slice(0, where.lastIndexOf(':')).split('/').pop();
      await line.click();
      await page.locator('.tabs-container .tab.active', { hasText: fileName }).first().waitFor({ timeout: 20_000 });
      const selection = page.locator('.statusbar-item', { hasText: /Ln \d+, Col \d+ \(\d+ selected\)/ }).first();
      await selection.waitFor({ timeout: 20_000 });
      const status = await selection.innerText();
      assert.match(status, new RegExp(`Ln ${lineNumber}, Col \\d+ \\(1 selected\\)`), `${where} → ${status}`);
      lap(`revealed ${where}`);
      await screenshot(page, 'e2e-senses-reveal');

      // ---- Standardize dimensions: on, recomputed, off again ------------------------------------------
      const toggle = frame.locator('[data-testid="senses-standardize"]');
      assert.equal(await toggle.isChecked(), false);
      await toggle.click();
      await extensionLog({ pattern: /Standardize dimensions: on/ });
      await frame.locator('[data-testid="senses-standardize"]:checked').waitFor({ timeout: 20_000 });
      await screenshot(page, 'e2e-senses-standardized');
      await toggle.click();
      await extensionLog({ pattern: /Standardize dimensions: off/ });
      lap('standardize on and off');

      // ---- CSV: one row per occurrence -----------------------------------------------------------------
      const csvPath = join(outDir, 'senses.csv');
      await frame.locator('[data-testid="senses-export-csv"]').click();
      await answerPathDialog(page, '.csv', csvPath, lap);
      const csv = await fileWritten(csvPath, (s) => s.endsWith('\r\n'), { encoding: 'utf8' });
      const rows = csvRows(csv);
      assert.deepEqual(rows[0], ['word', 'file', 'line', 'column', 'start', 'end', 'count', 'cluster', 'context']);
      assert.equal(rows.length - 1, lineCount, 'one row per occurrence (each concordance line)');
      assert.ok(rows.slice(1).every((r) => r[0] === '果' && r[8].includes('果')), 'every row is a context of 果');
      const counted = rows.slice(1).reduce((n, r) => n + Number(r[6]), 0);
      assert.ok(counted >= rows.length - 1 && counted <= found, `the rows' counts (${counted}: identical contexts merged) lie between the rows and the ${found} found`);
      lap(`CSV: ${rows.length - 1} rows`);
      await screenshot(page, 'e2e-senses-exported');
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
