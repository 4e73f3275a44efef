// A causal model (GPT-2) in the real workbench (code-server + Chromium; issue 13): a copy of demo/ whose
// .vscode/settings.json sets contextLens.model to the GPT fixture (test/fixtures/tiny-gpt2; a setting wins
// over the runner's CONTEXT_LENS_MODEL). Explore a line: the status bar says "causal"; the Tokens tab's strip
// is coloured by surprisal (a legend, a labelled toggle, the value in every chip's name), the masked /
// unmasked switch is hidden; the inspector shows what the model expected at a token before seeing it, the
// token's probability, rank and surprisal, the next-token guesses, and the logit lens (one row per hidden
// layer); the Attention tab says the model cannot look ahead; the editor hover shows the expected guesses and
// the lens line; Context Lens: Choose Model lists the suggested models with their kind.
// Every step leaves test-results/e2e-causal-<step>.png.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { charCenter, hoverUntil, mapRendered, openFromExplorer, repoRoot, runPaletteCommand, screenshot, selectLine, serverFromEnv, webviewFrame, withWorkbench, workbenchUrlFor } from './harness.mjs';

/** The GPT fixture; CONTEXT_LENS_E2E_GPT_MODEL names another causal model folder (a local check before the fixture lands). */
const GPT_MODEL = process.env.CONTEXT_LENS_E2E_GPT_MODEL || join(repoRoot, 'test/fixtures/tiny-gpt2');
// Words of the fixture's corpus (吃苹果, the bank of the river: whole tokens, likely ones) and characters its
// byte-level BPE splits into byte tokens (the full-width comma, 龍).
const LINE = '我爱吃苹果，龍也喜欢 the bank of the river.';

test('a causal model: surprisal strip, next-token inspector, logit lens, causal attention note, hover, Choose Model', { timeout: 300_000 }, async () => {
  assert.ok(existsSync(join(GPT_MODEL, 'config.json')), `the GPT fixture ${GPT_MODEL} is missing`);
  const layers = JSON.parse(readFileSync(join(GPT_MODEL, 'config.json'), 'utf8')).n_layer;
  const workspace = mkdtempSync(join(tmpdir(), 'context-lens-causal-'));
  try {
    cpSync(serverFromEnv().workspace, workspace, { recursive: true });
    mkdirSync(join(workspace, '.vscode'), { recursive: true });
    writeFileSync(join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'contextLens.model': GPT_MODEL, 'contextLens.dtype': 'fp32' }, null, 2));
    writeFileSync(join(workspace, 'causal.txt'), `${LINE}\n`);

    await withWorkbench('e2e-causal', async ({ page, lap, extensionLog }) => {
      await openFromExplorer(page, 'causal.txt', LINE);
      await selectLine(page, LINE);
      await runPaletteCommand(page, 'Context Lens: Explore Selection');
      const frame = webviewFrame(page);
      await mapRendered(frame, { layer: layers, timeout: 120_000 });
      const ready = await extensionLog({ pattern: /Model ready: .*\(causal,/ });
      lap(`explored with the causal model: ${/Model ready: .*/.exec(ready)?.[0]}`);
      const status = page.locator('.statusbar-item', { hasText: 'Context Lens: ready' }).first();
      await status.waitFor({ timeout: 20_000 });
      assert.match(await status.innerText(), /· causal/, 'the status bar says the kind');
      await screenshot(page, 'e2e-causal-map');

      // ---- the Tokens tab: the strip coloured by surprisal -------------------------------------------------
      await frame.getByTestId('tab-tokens').click();
      const controls = frame.getByTestId('surprisal-controls');
      await controls.waitFor({ timeout: 10_000 });
      assert.equal(await frame.getByTestId('guess-mode-masked').isVisible(), false, 'no masked / unmasked switch for a causal model');
      const toggle = frame.getByTestId('surprisal-toggle');
      assert.equal(await toggle.isChecked(), true, 'on by default');
      assert.match(await controls.locator('label').innerText(), /Colour by surprisal/);
      const legend = await frame.getByTestId('surprisal-legend').innerText();
      assert.match(legend, /Surprisal \(bits\)/);
      assert.match(legend, /0–1[\s\S]*15\+/);
      const chips = frame.locator('[data-testid="token-chip"]');
      const names = await chips.evaluateAll((cs) => cs.map((c) => ({ cls: c.className, label: c.getAttribute('aria-label') ?? '', title: c.title })));
      assert.ok(names.length >= 5, `chips: ${names.length}`);
      assert.match(names[0].label, /the first token/, 'the first token has no probability');
      assert.ok(names[0].cls.includes('surprisal-none'));
      const scored = names.slice(1).filter((n) => /surprisal [\d.]+ bits/.test(n.label));
      assert.ok(scored.length >= names.length - 1 - names.filter((n) => n.cls.includes('byte-part')).length, `every later chip names its surprisal: ${JSON.stringify(names)}`);
      for (const n of scored) assert.match(n.cls, /surprisal-[0-5]\b/, 'coloured by its bin');
      const byteParts = names.filter((n) => n.cls.includes('byte-part'));
      assert.ok(byteParts.some((n) => /byte 2 of 3 of “龍”/.test(n.label)), `龍's later byte tokens are named as its parts: ${JSON.stringify(byteParts)}`);
      lap(`strip: ${names.map((n) => n.label).join(' | ')}`);
      await screenshot(page, 'e2e-causal-strip');

      // Off with the mouse, on again with the keyboard (Space on the focused checkbox).
      await toggle.click();
      assert.equal(await chips.evaluateAll((cs) => cs.filter((c) => /surprisal-\d/.test(c.className)).length), 0, 'no colour when off');
      assert.ok((await chips.nth(1).getAttribute('aria-label'))?.includes('bits'), 'the value stays in the name');
      await toggle.focus();
      await page.keyboard.press('Space');
      assert.equal(await toggle.isChecked(), true);
      assert.ok((await chips.evaluateAll((cs) => cs.filter((c) => /surprisal-\d/.test(c.className)).length)) > 0);

      // ---- the inspector: expected here, the token's probability, next, the logit lens --------------------
      await chips.filter({ hasText: 'bank' }).first().hover();
      const inspector = frame.getByTestId('causal-inspector');
      await inspector.waitFor({ timeout: 10_000 });
      assert.match(await inspector.locator('h2').innerText(), /Next-token predictions at “bank”/);
      const expected = inspector.getByTestId('causal-expected').locator('.guess');
      assert.ok((await expected.count()) >= 1, 'expected guesses');
      const line = await inspector.getByTestId('causal-token-line').innerText();
      assert.match(line, /probability \d+(\.\d)?%|<0\.1%/);
      assert.match(line, /rank \d+, surprisal [\d.]+ bits/);
      assert.ok((await inspector.getByTestId('causal-next').locator('.guess').count()) >= 1, 'next-token guesses');
      const lens = frame.locator('[data-testid="layer-guesses"][data-lens="logit"]');
      await lens.waitFor({ timeout: 30_000 });
      assert.match(await lens.locator('h3').innerText(), /Next token after “bank”, by layer \(logit lens\)/);
      assert.equal(await lens.getByTestId('layer-guesses-table').locator('tbody tr').count(), layers + 1, 'one row per hidden layer, 0 … L');
      assert.match(await lens.getByTestId('layer-guesses-summary').innerText(), /Logit lens: “.+” first on top at layer \d+/);
      assert.match(await lens.innerText(), /ln_f/);
      lap(`inspector: ${JSON.stringify(line)}; ${await lens.getByTestId('layer-guesses-summary').innerText()}`);
      await screenshot(page, 'e2e-causal-inspector');

      // ---- the Attention tab: the causal note -----------------------------------------------------------------
      await frame.getByTestId('tab-attention').click();
      const note = frame.getByTestId('attention-causal-note');
      await note.waitFor({ timeout: 10_000 });
      assert.match(await note.innerText(), /cannot look ahead[\s\S]*by construction/);
      await screenshot(page, 'e2e-causal-attention');

      // ---- the editor hover ---------------------------------------------------------------------------------
      await page.locator('.editor-instance .monaco-editor .view-line', { hasText: LINE }).first().click();
      await page.keyboard.press('End');
      // MarkdownString.appendText writes spaces as &nbsp; (\s matches both).
      const hover = (await hoverUntil(page, await charCenter(page, '我爱吃苹果', 'river', 0), /What\sthe\smodel\sexpected\sat\s“river”/, { timeoutMs: 40_000 })).replace(/\u00a0/g, ' ');
      assert.match(hover, /river — [\d.]+% ✓/, 'the token that is there is marked among the expected guesses');
      assert.match(hover, /probability .*, rank \d+, surprisal [\d.]+ bits/);
      assert.match(hover, /Logit lens: “.+” first on top at layer \d+/);
      assert.match(hover, /\(causal\)/);
      lap(`hover: ${JSON.stringify(hover.slice(0, 240))}`);
      await screenshot(page, 'e2e-causal-hover');
      await page.mouse.move(5, 5);
      await page.keyboard.press('Escape');

      // ---- Choose Model -----------------------------------------------------------------------------------
      // Not the harness's runPaletteCommand, which waits for the palette to close: the command's quick pick opens
      // in the same widget at once. The extension's commands are listed by now (it ran Explore Selection).
      const palette = page.locator('.quick-input-widget input');
      await page.keyboard.press('F1');
      await palette.fill('>Context Lens: Choose Model');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Context Lens: Choose Model' }).first().waitFor({ timeout: 10_000 });
      await page.keyboard.press('Enter');
      const rows = page.locator('.quick-input-list .monaco-list-row');
      await rows.filter({ hasText: 'Xenova/gpt2' }).first().waitFor({ timeout: 10_000 });
      const gpt2 = await rows.filter({ hasText: 'Xenova/gpt2' }).first().innerText();
      assert.match(gpt2, /causal/);
      assert.match(gpt2, /124M parameters/);
      assert.match(await rows.filter({ hasText: 'Xenova/bert-base-chinese' }).first().innerText(), /masked/);
      assert.ok((await rows.filter({ hasText: 'Choose a local folder' }).count()) === 1);
      lap(`Choose Model: ${JSON.stringify(gpt2)}`);
      await screenshot(page, 'e2e-causal-choose-model');
      await page.keyboard.press('Escape');
    }, { url: workbenchUrlFor(workspace) });
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
});
