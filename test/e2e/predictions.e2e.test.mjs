// What BERT predicts, layer by layer and span by span (issue 11), in the real workbench (code-server +
// Chromium, demo model assets/demo-model): explore the first line of demo/apple.txt; the Tokens tab's
// inspector shows a token's guesses at every layer (a layers × top-k table and a sparkline, the last layer's
// row equal to the masked guesses); the Masked / Unmasked switch (mouse and keyboard); the editor hover's
// "first at layer …" line; Guess Masked Span on 苹果 from the hover's link and on 手机 from the palette (the
// peek in the editor, the span in the Tokens tab); bad spans: across two lines, empty, over 8 tokens, whitespace only.
// Every step leaves test-results/e2e-predictions-<step>.png.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { charCenter, mapRendered, notification, openFromExplorer, repoRoot, runPaletteCommand, screenshot, selectLine, webviewFrame, withWorkbench } from './harness.mjs';

const APPLE_LINE = '我用苹果手机。我爱吃苹果。';
const LONG_LINE = '今天我用苹果电脑学习。';
const BANK_LINE = 'I put my money in the bank.';
const LAST_LAYER = JSON.parse(readFileSync(join(repoRoot, 'assets/demo-model/config.json'), 'utf8')).num_hidden_layers;

/** Puts the cursor on the line showing `text`, `from` characters in, and selects `length` characters with Shift+Right. */
async function selectInLine(page, text, from, length) {
  await page.locator('.editor-instance .monaco-editor .view-line', { hasText: text }).first().click();
  await page.keyboard.press('Home');
  for (let i = 0; i < from; i++) await page.keyboard.press('ArrowRight');
  for (let i = 0; i < length; i++) await page.keyboard.press('Shift+ArrowRight');
}

const WARNING = /\[warning\] [^\n]*/g;

/** Waits for a warning logged after the first `seen` ones; returns it and the new count. */
async function nextWarning(extensionLog, seen, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const warnings = (await extensionLog()).match(WARNING) ?? [];
    if (warnings.length > seen) return { line: warnings[warnings.length - 1], seen: warnings.length };
    if (Date.now() > deadline) throw new Error(`no new warning in the Context Lens log after ${seen}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Rests the mouse on `at` (coming from the window's corner, away from any open hover) until a visible editor
 * hover's text matches `pattern`; returns that text. Hovers are asked for on a mouse move: retried.
 */
async function hoverUntil(page, at, pattern, { timeoutMs = 40_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let seen = [];
  for (;;) {
    await page.mouse.move(5, 5);
    await page.mouse.move(at.x, at.y, { steps: 4 });
    const until = Date.now() + 2_500;
    while (Date.now() < until) {
      seen = await page.evaluate(() =>
        Array.from(document.querySelectorAll('.monaco-hover'))
          .filter((h) => h.getBoundingClientRect().width > 0 && getComputedStyle(h).visibility !== 'hidden')
          // MarkdownString.appendText writes spaces as &nbsp;.
          .map((h) => h.innerText.replace(/\u00a0/g, ' ')),
      );
      const hit = seen.find((text) => pattern.test(text));
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 150));
    }
    if (Date.now() > deadline) throw new Error(`no hover matching ${pattern} over (${at.x}, ${at.y}) within ${timeoutMs / 1000} s; visible hovers: ${JSON.stringify(seen)}`);
  }
}

/** The Tokens tab shown (a command may have shown it already). */
async function tokensTab(frame) {
  const tab = frame.getByTestId('tab-tokens');
  if ((await tab.getAttribute('aria-selected')) !== 'true') await tab.click();
}

test('per-layer guesses, the unmasked switch, the hover line and Guess Masked Span', { timeout: 300_000 }, async () => {
  await withWorkbench('e2e-predictions', async ({ page, lap, extensionLog }) => {
    await openFromExplorer(page, 'apple.txt', APPLE_LINE);
    await selectLine(page, APPLE_LINE);
    await runPaletteCommand(page, 'Context Lens: Explore Selection');
    const frame = webviewFrame(page);
    await mapRendered(frame, { layer: LAST_LAYER });
    lap('apple.txt line 1 explored');

    // ---- the inspector: guesses at every layer for 机 ---------------------------------------------------
    await frame.getByTestId('tab-tokens').click();
    await frame.locator('[data-testid="token-chip"]', { hasText: '机' }).first().hover();
    const table = frame.getByTestId('layer-guesses-table');
    await table.waitFor({ timeout: 30_000 });
    const rows = table.locator('tbody tr');
    assert.equal(await rows.count(), LAST_LAYER + 1, 'one row per hidden layer, 0 … L');
    assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.layer))), Array.from({ length: LAST_LAYER + 1 }, (_, i) => LAST_LAYER - i), 'last layer first');
    const sparkline = frame.getByTestId('layer-guesses-sparkline');
    assert.equal(Number(await sparkline.getAttribute('data-points')), LAST_LAYER + 1, 'a sparkline point per layer');
    assert.equal(await sparkline.locator('circle').count(), LAST_LAYER + 1);
    // The last layer's row is the masked guess the inspector lists above it (and the hover shows below).
    await frame.locator('[data-testid="guess-panel"] .guesses[data-mode="masked"] .guess').first().waitFor({ timeout: 30_000 });
    const masked = await frame.locator('[data-testid="guess-panel"] .guesses .guess').first().innerText();
    const lastRow = await rows.first().locator('td').first().innerText();
    const [maskedToken, maskedProb] = masked.split(/\s+/).filter(Boolean);
    assert.deepEqual(lastRow.split(/\s+/).filter(Boolean), [maskedToken, maskedProb], `last layer row ${JSON.stringify(lastRow)} = masked guess ${JSON.stringify(masked)}`);
    const summary = await frame.getByTestId('layer-guesses-summary').innerText();
    assert.match(summary, new RegExp(`“${maskedToken}” — first at layer \\d+, ${maskedProb.replace('.', '\\.')} at the last layer`));
    lap(`机: ${await rows.count()} layer rows; ${summary}`);
    await screenshot(page, 'e2e-predictions-layers');

    // ---- the switch: unmasked (one forward) and back with the keyboard ----------------------------------
    const unmaskedButton = frame.getByTestId('guess-mode-unmasked');
    const maskedButton = frame.getByTestId('guess-mode-masked');
    assert.equal(await maskedButton.getAttribute('aria-pressed'), 'true');
    await unmaskedButton.click();
    assert.equal(await unmaskedButton.getAttribute('aria-pressed'), 'true');
    assert.equal(await maskedButton.getAttribute('aria-pressed'), 'false');
    assert.match(await frame.getByTestId('guess-mode-hint').innerText(), /different quantities/i);
    await frame.locator('[data-testid="token-chip"]', { hasText: '苹' }).first().hover();
    const unmaskedList = frame.locator('[data-testid="guess-panel"] .guesses[data-mode="unmasked"] .guess');
    await unmaskedList.first().waitFor({ timeout: 30_000 });
    assert.match(await frame.getByTestId('guess-panel').locator('h2').innerText(), /Unmasked predictions for “苹”/);
    assert.equal(await frame.getByTestId('layer-guesses-table').count(), 0, 'the per-layer table belongs to the masked view');
    const unmaskedLog = await extensionLog({ pattern: /Unmasked predictions for \S+: \d+ tokens in \d+ ms/ });
    lap(`unmasked: ${await unmaskedList.count()} guesses for 苹; host log: ${/Unmasked predictions for .*/.exec(unmaskedLog)?.[0]}`);
    await screenshot(page, 'e2e-predictions-unmasked');
    await unmaskedButton.focus();
    await page.keyboard.press('ArrowLeft');
    assert.equal(await maskedButton.getAttribute('aria-pressed'), 'true', 'the arrow key chooses Masked');
    assert.equal(await frame.locator(':focus').getAttribute('data-testid'), 'guess-mode-masked', 'focus moves with the choice');

    // ---- the editor hover: "first at layer …" ------------------------------------------------------------
    await page.locator('.editor-instance .monaco-editor .view-line', { hasText: APPLE_LINE }).first().click();
    await page.keyboard.press('End'); // no selection under the pointer
    const hoverText = await hoverUntil(page, await charCenter(page, APPLE_LINE, '果', 0), /first at layer/);
    assert.match(hoverText, /— first at layer \d+, \d+(\.\d)?%.* at the last layer/);
    assert.doesNotMatch(hoverText, /Guess masked span/, 'no span link without a selection');
    const jiHover = await hoverUntil(page, await charCenter(page, APPLE_LINE, '机', 0), /first at layer/);
    assert.match(jiHover, new RegExp(`(^|\\n)(1\\. )?${maskedToken} — ${maskedProb.replace('.', '\\.')}`), 'the hover lists the Tokens tab’s masked guess for 机');
    assert.ok(jiHover.includes(summary.replace(/[“”]/g, '')), `the hover's layer line ${JSON.stringify(jiHover)} = the Tokens tab's ${JSON.stringify(summary)}`);
    lap(`hover: ${JSON.stringify(hoverText.slice(0, 200))}`);
    await screenshot(page, 'e2e-predictions-hover');
    await page.mouse.move(5, 5);
    await page.keyboard.press('Escape');

    // ---- Guess Masked Span from the hover's link: select 苹果, point at it, click the link ----------------
    await selectInLine(page, APPLE_LINE, 2, 2);
    await hoverUntil(page, await charCenter(page, APPLE_LINE, '苹', 0), /Guess masked span/);
    await page.locator('.monaco-hover a:visible', { hasText: 'Guess masked span' }).first().click();
    const spanBox = frame.getByTestId('span-guesses');
    await spanBox.waitFor({ timeout: 60_000 });
    await tokensTab(frame);
    assert.equal(await spanBox.getAttribute('data-span'), '苹果');
    assert.equal(await spanBox.locator('[data-testid="span-positions"] thead th').count(), 2, 'one column per masked position');
    const fills = await spanBox.locator('[data-testid="span-fills"] li').allInnerTexts();
    assert.ok(fills.length >= 1 && fills.length <= 5, `1 … 5 joint fills: ${JSON.stringify(fills)}`);
    for (const f of fills) assert.match(f, /\d+(\.\d)?%|<0\.1%/, 'every fill shows its score');
    const spanLog = await extensionLog({ pattern: /Guess Masked Span \S+:1 “苹果”: 2 token\(s\) masked/ });
    lap(`span 苹果: ${JSON.stringify(fills)}; ${/Guess Masked Span .*/.exec(spanLog)?.[0]}`);
    // The peek: the highlighted span's hover holds the fills.
    const peek = await hoverUntil(page, await charCenter(page, APPLE_LINE, '果', 0), /masked span/);
    assert.match(peek, /BERT fills the masked span “苹果” \(2 tokens masked at once\)/);
    await screenshot(page, 'e2e-predictions-span');
    await page.mouse.move(5, 5);
    await page.keyboard.press('Escape');

    // ---- and from the palette on 手机 ------------------------------------------------------------------
    await selectInLine(page, APPLE_LINE, 4, 2);
    await runPaletteCommand(page, 'Context Lens: Guess Masked Span');
    await frame.locator('[data-testid="span-guesses"][data-span="手机"]').waitFor({ timeout: 60_000 });
    lap('span 手机 from the palette');
    await screenshot(page, 'e2e-predictions-span-palette');

    // ---- bad spans: a clear message each --------------------------------------------------------------
    let seen = ((await extensionLog()).match(WARNING) ?? []).length;
    await page.locator('.editor-instance .monaco-editor .view-line', { hasText: APPLE_LINE }).first().click();
    await page.keyboard.press('End');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    await runPaletteCommand(page, 'Context Lens: Guess Masked Span');
    let w = await nextWarning(extensionLog, seen);
    assert.match(w.line, /works within one line/);
    const twoLines = await notification(page, 'works within one line');
    lap(`two lines: ${JSON.stringify(await twoLines.innerText())}`);
    await screenshot(page, 'e2e-predictions-two-lines');
    await page.keyboard.press('Escape');

    await selectInLine(page, LONG_LINE, 0, 0);
    await runPaletteCommand(page, 'Context Lens: Guess Masked Span');
    w = await nextWarning(extensionLog, w.seen);
    lap(`empty selection: ${w.line}`);
    assert.match(w.line, /empty|select/i);

    await selectInLine(page, LONG_LINE, 0, LONG_LINE.length);
    await runPaletteCommand(page, 'Context Lens: Guess Masked Span');
    w = await nextWarning(extensionLog, w.seen);
    lap(`over 8 tokens: ${w.line}`);
    assert.match(w.line, /\b8\b/, 'the message names the limit');
    await screenshot(page, 'e2e-predictions-too-long');

    await openFromExplorer(page, 'bank.md', BANK_LINE);
    await selectInLine(page, BANK_LINE, 5, 1); // the space after "put"
    await runPaletteCommand(page, 'Context Lens: Guess Masked Span');
    w = await nextWarning(extensionLog, w.seen);
    lap(`whitespace only: ${w.line}`);
    assert.match(w.line, /whitespace|no token|empty/i);
  });
});
