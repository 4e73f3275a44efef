// Compare Models (issue 13) in the real workbench (code-server + Chromium): the first line of demo/apple.txt
// through model A (contextLens.model: the demo model) and model B, chosen in the command's quick pick ("Enter a
// Hub id…" with a folder). Model B is the tiny GPT-2 fixture when the causal engine can analyse it
// (test/fixtures/tiny-gpt2 with a causal family in the build), else the BERT fixture in its opset-17 export (the
// same weights as the demo model: both sides must then agree row by row). The Compare tab: a row per
// character, both maps side by side, the depth slider with the keyboard; a missing model B is named in the
// error and leaves the tab as it was; Clear empties it and ends model B's engine.
// Every step leaves test-results/e2e-compare-<step>.png.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { answerPathDialog, fileWritten, notification, openFromExplorer, repoRoot, runPaletteCommand, screenshot, selectLine, webviewFrame, withWorkbench } from './harness.mjs';

const APPLE_LINE = '我用苹果手机。我爱吃苹果。';
const DEMO_LAYERS = JSON.parse(readFileSync(join(repoRoot, 'assets/demo-model/config.json'), 'utf8')).num_hidden_layers;
/** CONTEXT_LENS_GPT_FIXTURE: another copy of the fixture, before its branch (gpt-fixture) is merged. */
const GPT_FIXTURE = process.env.CONTEXT_LENS_GPT_FIXTURE || join(repoRoot, 'test/fixtures/tiny-gpt2');
const BERT_FIXTURE = join(repoRoot, 'test/fixtures/tiny-bert-opset17');
/** The causal engine is in this build when its family is: then model B is the GPT-2 fixture. */
const CAUSAL = existsSync(join(GPT_FIXTURE, 'config.json')) && existsSync(join(repoRoot, 'src/engine/families/causalLm.ts'));
const MODEL_B = CAUSAL ? GPT_FIXTURE : BERT_FIXTURE;
const B_LAYERS = JSON.parse(readFileSync(join(MODEL_B, 'config.json'), 'utf8'))[CAUSAL ? 'n_layer' : 'num_hidden_layers'];

/** The command's quick input once its title shows (the palette's list, fading out, may hold the same words). */
async function quickInput(page) {
  const widget = page.locator('.quick-input-widget:not(.quick-input-widget-closing)', { has: page.locator('.quick-input-title', { hasText: 'the second model' }) });
  await widget.waitFor({ state: 'visible', timeout: 20_000 });
  return widget;
}

/** Compare Models with model B typed into "Enter a Hub id…". */
async function compareWith(page, model, shot) {
  await runPaletteCommand(page, 'Context Lens: Compare Models', { waitForClose: false });
  const pick = await quickInput(page);
  await pick.locator('.monaco-list-row', { hasText: 'Enter a Hub id' }).waitFor({ timeout: 10_000 });
  if (shot) await screenshot(page, shot);
  await pick.locator('input').first().fill('Enter a Hub id');
  await page.keyboard.press('Enter');
  const box = (await quickInput(page)).locator('input').first();
  for (let i = 0; i < 10 && (await box.inputValue()) !== model; i++) {
    await box.fill(model);
    await new Promise((r) => setTimeout(r, 200));
  }
  await page.keyboard.press('Enter');
}

/** The Compare tab with `rows` rows and both maps drawn at hidden layers `layers`. */
async function compareShown(frame, rows, layers) {
  await frame.locator(`body[data-compare-ready="true"] [data-testid="compare-table"][data-rows="${rows}"]`).waitFor({ timeout: 120_000 });
  for (const [i, side] of ['a', 'b'].entries()) {
    await frame.locator(`body[data-compare-ready="true"] [data-testid="compare-map-${side}"][data-layer="${layers[i]}"]`).waitFor({ timeout: 60_000 });
  }
}

test('Compare Models: the two models row by row, both maps at one depth, errors and clearing', { timeout: 420_000 }, async () => {
  await withWorkbench('e2e-compare', async ({ page, lap, extensionLog }) => {
    lap(`model B: ${CAUSAL ? 'the tiny GPT-2 (causal)' : 'the BERT fixture again (no causal engine in this build)'}`);
    await openFromExplorer(page, 'apple.txt', APPLE_LINE);
    await selectLine(page, APPLE_LINE);
    await compareWith(page, MODEL_B, 'e2e-compare-pick');
    const frame = webviewFrame(page);
    const chars = [...APPLE_LINE];
    await compareShown(frame, chars.length, [DEMO_LAYERS, B_LAYERS]);
    assert.equal(await frame.getByTestId('tab-compare').getAttribute('aria-selected'), 'true', 'the command shows the Compare tab');
    lap('compared');

    // ---- the table: a row per character, model A's BERT token in each; both models' columns -------------
    const rows = frame.locator('[data-testid="compare-row"]');
    const table = await rows.evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent)));
    assert.deepEqual(table.map((r) => r[0]), chars, 'a row per character, in order');
    assert.deepEqual(table.map((r) => r[1]), chars, 'model A (BERT): one token per character');
    const head = await frame.getByTestId('compare-title').innerText();
    assert.match(head, /A: demo-model \(masked\)/);
    assert.match(head, new RegExp(`B: ${CAUSAL ? `${basename(GPT_FIXTURE)} \\(causal\\)` : 'tiny-bert-opset17 \\(masked\\)'}`));
    for (const r of table) assert.match(r[3], /^(\d+(\.\d+)?%|—)$/, `a probability or — : ${JSON.stringify(r)}`);
    if (CAUSAL) {
      assert.equal(table[0][6], '—', 'nothing precedes the first token: the causal model has no probability for it');
    } else {
      // The same weights in two exports: the same guesses and probabilities on both sides.
      for (const r of table) assert.deepEqual(r.slice(4), r.slice(1, 4), `row ${r[0]}`);
    }
    for (const side of ['a', 'b']) {
      assert.equal(Number(await frame.getByTestId(`compare-map-${side}`).getAttribute('data-point-count')) >= chars.length, true, `map ${side}: a point per token`);
    }
    await screenshot(page, 'e2e-compare-table');

    // ---- the depth slider with the keyboard: Home = the embeddings, then halfway -------------------------
    const depth = frame.getByTestId('compare-depth');
    await depth.focus();
    await page.keyboard.press('Home');
    await compareShown(frame, chars.length, [0, 0]);
    assert.match(await frame.getByTestId('compare-caption-a').innerText(), /layer 0 \(embeddings\)/);
    for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowRight');
    const half = [Math.round(0.5 * DEMO_LAYERS), Math.round(0.5 * B_LAYERS)];
    await compareShown(frame, chars.length, half);
    assert.match(await frame.getByTestId('compare-depth-value').innerText(), new RegExp(`^0\\.50 → A layer ${half[0]}/${DEMO_LAYERS}, B layer ${half[1]}/${B_LAYERS}$`));
    // A row focused (↓ from the first) is marked on both maps.
    await rows.first().focus();
    await page.keyboard.press('ArrowDown');
    assert.equal(await frame.locator('[data-testid="compare-row"]:focus').getAttribute('data-row'), '1');
    lap(`depth 0 and 0.5: layers ${half.join(', ')}`);
    await screenshot(page, 'e2e-compare-depth');

    // ---- the table as CSV: a header and a row per span ------------------------------------------------------
    const csvPath = join(mkdtempSync(join(tmpdir(), 'context-lens-compare-')), 'apple-compare.csv');
    await frame.getByTestId('compare-export-csv').click();
    await answerPathDialog(page, 'compare.csv', csvPath, lap);
    const csv = (await fileWritten(csvPath, (b) => b.length > 0, { encoding: 'utf8' })).trimEnd().split('\r\n');
    assert.equal(csv[0], 'start,end,text,a_token,a_guess,a_probability,b_token,b_guess,b_probability');
    assert.deepEqual(csv.slice(1).map((line) => line.split(',')[2]), chars, 'a CSV row per table row');

    // ---- a second model that does not exist: the error names model B; the tab stays as it was -------------
    const missing = join(repoRoot, 'test/fixtures/no-such-model');
    await selectLine(page, APPLE_LINE);
    await compareWith(page, missing);
    // The error, not the progress notification (which also names model B while it loads).
    const error = await notification(page, 'does not exist', { timeoutMs: 60_000 });
    assert.match(await error.innerText(), /Context Lens: Model B \(no-such-model\): The model folder .*no-such-model does not exist/);
    await frame.locator(`[data-testid="compare-table"][data-rows="${chars.length}"]`).waitFor({ timeout: 5_000 });
    lap('missing model B: named in the error, the tab unchanged');
    await screenshot(page, 'e2e-compare-error');
    await page.keyboard.press('Escape');

    // ---- Clear: the tab empties and model B's engine ends --------------------------------------------------
    await frame.getByTestId('compare-clear').click();
    await frame.getByTestId('compare-empty').waitFor({ state: 'visible', timeout: 10_000 });
    await extensionLog({ pattern: /Compare Models: cleared; model B's engine ended/ });
    lap('cleared');
    await screenshot(page, 'e2e-compare-cleared');
  });
});
