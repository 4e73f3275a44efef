// Attention across heads and layers (issue 12) in the real workbench (code-server + Chromium, demo model
// assets/demo-model): explore the whole of demo/apple.txt (a long Chinese text) → the Attention tab picks the
// horizontal head view by itself (arcs, scrolling sideways); the head select's Rollout draws the engine's
// rollout in the heat map (its rows sum to 1 as the page received them; hiding [CLS]/[SEP]/punctuation leaves
// less, "Renormalise rows" brings them back to 1, the captions say which); the layers × heads grid coloured by
// entropy with its legend, its cells' values in their tooltips, a click and the keyboard (arrows, Enter)
// opening a head; the layout switch; screenshots in the dark, light and high-contrast themes.
// Every step leaves test-results/e2e-heads-<step>.png.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openFromExplorer, repoRoot, runPaletteCommand, screenshot, selectLine, webviewFrame, withWorkbench } from './harness.mjs';

const FIRST_LINE = '我用苹果手机。我爱吃苹果。';
const config = JSON.parse(readFileSync(join(repoRoot, 'assets/demo-model/config.json'), 'utf8'));
const LAYERS = config.num_hidden_layers;
const HEADS = config.num_attention_heads;

/** The heat map's values as Plotly holds them (what the page drew from the message it received). */
async function heatmapRows(frame) {
  return frame.getByTestId('heatmap').evaluate((gd) => (gd.data?.[0]?.z ?? []).map((row) => row.reduce((s, v) => s + v, 0)));
}

/** Waits until the heat map's row sums satisfy `ok` (it redraws asynchronously); returns them. */
async function rowsWhen(frame, ok, what) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const rows = await heatmapRows(frame);
    if (rows.length && ok(rows)) return rows;
    if (Date.now() > deadline) throw new Error(`heat map rows never ${what}: ${JSON.stringify(rows.map((r) => +r.toFixed(4)))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Preferences: Color Theme → `name`: the palette turns into the theme picker (the same quick input), filtered by typing. */
async function colorTheme(page, name) {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('input');
  await page.keyboard.press('F1');
  await input.waitFor({ timeout: 10_000 });
  await input.fill('>Preferences: Color Theme');
  // Exactly that command (not "Preferences: Browse Color Themes in Marketplace", which needs the network).
  const command = page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: /^Preferences: Color Theme$/ }) }).first();
  await command.waitFor({ timeout: 10_000 });
  await command.click();
  await page.waitForFunction(() => !(document.querySelector('.quick-input-widget input')?.value ?? '').startsWith('>'), null, { timeout: 10_000 });
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await widget.waitFor({ state: 'hidden', timeout: 10_000 });
}

test('heads: rollout heat map, renormalised rows, grid coloured by entropy with legend, keyboard, horizontal head view, themes', { timeout: 300_000 }, async () => {
  await withWorkbench('e2e-heads', async ({ page, lap }) => {
    await openFromExplorer(page, 'apple.txt', FIRST_LINE);
    await page.locator('.editor-instance .monaco-editor .view-line', { hasText: FIRST_LINE }).first().click();
    await page.keyboard.press('ControlOrMeta+A');
    await runPaletteCommand(page, 'Context Lens: Explore Selection');
    const frame = webviewFrame(page);
    await frame.locator('body[data-map-ready="true"] [data-testid="map"]').waitFor({ state: 'attached', timeout: 60_000 });
    lap('whole of apple.txt explored');

    // ---- the horizontal head view, chosen by itself for a Chinese text; scrolls sideways ----------------
    await frame.getByTestId('tab-attention').click();
    const headView = frame.getByTestId('head-view');
    await headView.waitFor({ timeout: 30_000 });
    assert.equal(await frame.getByTestId('attention-layout').inputValue(), 'auto');
    assert.equal(await headView.getAttribute('data-layout'), 'horizontal', 'auto picks horizontal for a mostly-CJK text');
    const tokens = await headView.locator('.hv-token').count();
    const arcs = await headView.locator('path.hv-line').count();
    const box = await frame.getByTestId('head-view-box').evaluate((b) => ({ scroll: b.scrollWidth, client: b.clientWidth }));
    lap(`horizontal head view: ${tokens} tokens, ${arcs} arcs, box ${box.client}px showing ${box.scroll}px`);
    assert.ok(tokens > 40 && arcs > 0);
    assert.ok(box.scroll > box.client, 'the long line scrolls sideways');
    assert.match(await frame.getByTestId('attention-caption').innerText(), new RegExp(`mean of the ${HEADS} heads of layer`));
    // The box takes the focus, and the arrow keys scroll it.
    await frame.getByTestId('head-view-box').focus();
    for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowRight');
    await page.waitForTimeout(300);
    const scrolled = await frame.getByTestId('head-view-box').evaluate((b) => b.scrollLeft);
    lap(`ArrowRight ×8 scrolled the head view by ${scrolled}px`);
    assert.ok(scrolled > 0, 'the arrow keys scroll the focused head view');
    await screenshot(page, 'e2e-heads-horizontal');

    // ---- rollout: the engine's matrix, rows summing to 1 as received ------------------------------------
    const hide = frame.getByTestId('hide-special');
    if (await hide.isChecked()) await hide.click();
    await frame.getByTestId('attention-head').selectOption('rollout');
    const caption = frame.getByTestId('attention-caption');
    await frame.locator('[data-testid="attention-caption"]', { hasText: `layers 1–${LAYERS}` }).waitFor({ timeout: 30_000 });
    assert.match(await caption.innerText(), /rollout/i);
    const full = await rowsWhen(frame, (rows) => rows.every((s) => Math.abs(s - 1) < 1e-4), 'summed to 1');
    lap(`rollout, nothing hidden: ${full.length} rows, each sums to 1 (${full.slice(0, 3).map((s) => s.toFixed(5))}…)`);
    assert.match(await frame.getByTestId('attention-rows-caption').innerText(), /as the model gave them/);
    assert.equal(await frame.getByTestId('attention-layer').isDisabled(), true, 'a summary over every layer has no layer to pick');

    // Hidden [CLS]/[SEP]/punctuation: fewer rows, each summing to less; Renormalise rows (Space) → 1 again.
    await hide.click();
    const partial = await rowsWhen(frame, (rows) => rows.length < full.length && rows.every((s) => s < 1 - 1e-3), 'dropped below 1');
    const rowsCaption = await frame.getByTestId('attention-rows-caption').innerText();
    lap(`hidden: ${partial.length} rows summing to ${Math.min(...partial).toFixed(3)}–${Math.max(...partial).toFixed(3)}; "${rowsCaption}"`);
    assert.match(rowsCaption, /sum to \d\.\d\d–\d\.\d\d/);
    await frame.getByTestId('attention-renormalize').focus();
    await page.keyboard.press('Space');
    await rowsWhen(frame, (rows) => rows.length === partial.length && rows.every((s) => Math.abs(s - 1) < 1e-4), 'renormalised to 1');
    assert.match(await frame.getByTestId('attention-rows-caption').innerText(), /renormalised/);
    await screenshot(page, 'e2e-heads-rollout');

    // ---- the grid coloured by entropy: legend, values in tooltips, click and keyboard open a head -------
    await frame.getByTestId('grid-colouring').selectOption('entropy');
    const legendMax = frame.getByTestId('grid-legend-max');
    await legendMax.waitFor({ timeout: 30_000 });
    const cells = frame.locator('[data-testid="attention-grid"] .grid-cell');
    assert.equal(await cells.count(), LAYERS * HEADS);
    const values = (await cells.evaluateAll((cs) => cs.map((c) => Number(c.dataset.value))));
    assert.ok(values.every((v) => Number.isFinite(v) && v >= 0), 'every cell has its entropy');
    const [min, max] = [await frame.getByTestId('grid-legend-min').innerText(), await legendMax.innerText()];
    assert.equal(min, Math.min(...values).toFixed(2));
    assert.equal(max, Math.max(...values).toFixed(2));
    assert.match(await frame.getByTestId('grid-legend').innerText(), /Entropy of rows \(nats\)/);
    const title = await cells.nth(1).getAttribute('title');
    assert.equal(title, `Layer 1, head 2: ${values[1].toFixed(2)}`);
    const colours = new Set(await cells.evaluateAll((cs) => cs.map((c) => getComputedStyle(c.querySelector('.grid-swatch')).backgroundColor)));
    lap(`entropy grid: ${values.length} cells, legend ${min}–${max} nats, ${colours.size} colours; cell 2: "${title}"`);
    assert.ok(colours.size > 1, 'the cells differ in colour');

    await cells.nth(HEADS + 1).click();
    await frame.locator('[data-testid="attention-caption"]', { hasText: 'head 2 of layer 2' }).waitFor({ timeout: 20_000 });
    assert.equal(await frame.getByTestId('attention-head').inputValue(), '1');
    assert.equal(await frame.getByTestId('attention-layer').inputValue(), '2');
    // Keyboard: the clicked cell keeps the focus; ← then Enter opens head 1 of layer 2, ↑ then Space head 1 of layer 1.
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Enter');
    await frame.locator('[data-testid="attention-caption"]', { hasText: 'head 1 of layer 2' }).waitFor({ timeout: 20_000 });
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Space');
    await frame.locator('[data-testid="attention-caption"]', { hasText: 'head 1 of layer 1' }).waitFor({ timeout: 20_000 });
    assert.equal(await frame.locator('[data-testid="attention-grid"] .grid-cell.active').getAttribute('data-layer'), '1');
    lap('grid: a click and the keyboard (arrows, Enter, Space) opened heads');
    await screenshot(page, 'e2e-heads-grid-dark');

    // ---- the layout switch (keyboard on the select) ------------------------------------------------------
    await frame.getByTestId('attention-layout').selectOption('vertical');
    await frame.locator('[data-testid="head-view"][data-layout="vertical"]').waitFor({ timeout: 10_000 });
    await frame.getByTestId('attention-layout').selectOption('auto');
    await frame.locator('[data-testid="head-view"][data-layout="horizontal"]').waitFor({ timeout: 10_000 });

    // ---- themes ------------------------------------------------------------------------------------------
    for (const [theme, shot] of [['Light Modern', 'light'], ['Dark High Contrast', 'high-contrast']]) {
      await colorTheme(page, theme);
      await page.waitForTimeout(800);
      const swatch = await cells.first().evaluate((c) => getComputedStyle(c.querySelector('.grid-swatch')).backgroundColor);
      lap(`${theme}: first cell ${swatch}`);
      await screenshot(page, `e2e-heads-grid-${shot}`);
      await frame.getByTestId('head-view-box').scrollIntoViewIfNeeded();
      await screenshot(page, `e2e-heads-headview-${shot}`);
    }
    await colorTheme(page, 'Dark Modern');
  });
});

test('heads in words: the Attention tab over words (Clark et al.: rows mean, columns sum), labelled by word, rows summing to 1', { timeout: 300_000 }, async () => {
  await withWorkbench('e2e-heads-words', async ({ page, lap }) => {
    await openFromExplorer(page, 'apple.txt', FIRST_LINE);
    await selectLine(page, FIRST_LINE);
    await runPaletteCommand(page, 'Context Lens: Explore Selection');
    const frame = webviewFrame(page);
    await frame.locator('body[data-map-ready="true"] [data-testid="map"]').waitFor({ state: 'attached', timeout: 60_000 });
    const hide = frame.getByTestId('hide-special');
    if (await hide.isChecked()) await hide.click();
    await frame.getByTestId('tab-attention').click();
    await frame.getByTestId('head-view').waitFor({ timeout: 30_000 });
    const pieceLabels = await frame.getByTestId('heatmap').evaluate((gd) => gd.layout.xaxis.ticktext);
    lap(`pieces: ${pieceLabels.length} rows ${JSON.stringify(pieceLabels)}`);

    await frame.getByTestId('unit-words').click();
    const convention = frame.getByTestId('attention-words-caption');
    await frame.locator('[data-testid="attention-words-caption"]', { hasText: 'mean over the word’s pieces' }).waitFor({ timeout: 30_000 });
    // What Intl.Segmenter makes of the line (the engine segments in the model's language: Chinese).
    const words = [...new Intl.Segmenter('zh', { granularity: 'word' }).segment(FIRST_LINE)].map((w) => w.segment);
    const expected = ['[CLS]', ...words, '[SEP]'];
    const deadline = Date.now() + 20_000;
    let labels = [];
    while (Date.now() < deadline) {
      labels = await frame.getByTestId('heatmap').evaluate((gd) => gd.layout.xaxis.ticktext);
      if (labels.length === expected.length) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    lap(`words: ${labels.length} rows ${JSON.stringify(labels)}; "${await convention.innerText()}"`);
    assert.deepEqual(labels, expected, 'one row per word, labelled by its text');
    assert.ok(labels.length < pieceLabels.length);
    const rows = await heatmapRows(frame);
    assert.ok(rows.every((r) => Math.abs(r - 1) < 1e-4), `word rows sum to 1: ${rows.map((r) => r.toFixed(4))}`);
    const headLabels = await frame.locator('[data-testid="head-view"] .hv-token text').allTextContents();
    assert.ok(headLabels.includes('苹果') && headLabels.includes('手机'), `the head view names words: ${JSON.stringify(headLabels)}`);

    // Rollout over words: the engine pools the token rollout; its rows sum to 1 too.
    await frame.getByTestId('attention-head').selectOption('rollout');
    await frame.locator('[data-testid="attention-caption"]', { hasText: 'rollout' }).waitFor({ timeout: 30_000 });
    const rolled = await rowsWhen(frame, (r) => r.length === expected.length && r.every((v) => Math.abs(v - 1) < 1e-4), 'summed to 1 over words');
    lap(`word rollout: ${rolled.length} rows summing to 1`);
    await screenshot(page, 'e2e-heads-words');

    // Back to pieces: the pieces' rows again (both cached).
    await frame.getByTestId('unit-pieces').click();
    await rowsWhen(frame, (r) => r.length === pieceLabels.length, 'back to the pieces');
    assert.equal(await convention.isHidden(), true);
  });
});
