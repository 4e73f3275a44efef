// Pieces / Words (issue 12) in the real workbench (code-server + Chromium, demo model assets/demo-model):
// the demo's Chinese line (苹果 and 手机 are two pieces each) and two English lines of demo/senses/bank-en.txt
// ("from", "her" are several pieces in the demo vocabulary) on the map; the top bar's switch, reached and
// toggled with the keyboard, turns the map into one point per word — as many as the engine's segmentation
// (the CLI's `--words`, in the language the page reports) has words — with links per word (苹果 ↔ 苹果, no
// 果 ↔ 果); the Tokens tab boxes each word's chips; Pieces brings the pieces back; the unit survives a window
// reload; screenshots in light, dark and high-contrast themes (test-results/e2e-words-*.png).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { mapRendered, openFromExplorer, repoRoot, runPaletteCommand, screenshot, selectLine, webviewFrame, withWorkbench } from './harness.mjs';

const APPLE_LINE = '我用苹果手机。我爱吃苹果。';
const BANK_LINES = ['He bought a book with money from the bank.', 'She put her money in a bank.'];
const demoModel = process.env.CONTEXT_LENS_MODEL || join(repoRoot, 'assets/demo-model');

/** The engine's words for `text` (the CLI's `analyze --words --json`, the segmentation the host uses). */
function engineWords(text, language) {
  const args = [join(repoRoot, 'dist/cli.js'), 'analyze', '--model', demoModel, '--words', '--json', '--top-k', '1', ...(language ? ['--language', language] : []), text];
  const out = JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 << 20 }));
  const key = (w) => w.tokenIndices.map((i) => out.tokens[i].token.replace(/^##/, '')).join('');
  return { tokens: out.tokens.length, words: out.words.filter((w) => !w.special).map((w) => ({ text: w.text, pieces: w.tokenIndices.length, key: key(w) })) };
}

async function setTheme(page, name) {
  await runPaletteCommand(page, 'Preferences: Color Theme');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 10_000 });
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
}

async function linkPieces(frame) {
  return frame.locator('[data-testid="link-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-piece')));
}

test('Pieces / Words: one point per word, links per word, word boxes, keyboard, reload, themes', { timeout: 420_000 }, async () => {
  await withWorkbench('e2e-words', async ({ page, lap, extensionLog }) => {
    // ---- three snippets: the Chinese line, two English lines -------------------------------------------
    const snippets = [['apple.txt', APPLE_LINE, 'Explore Selection'], ...BANK_LINES.map((line) => ['bank-en.txt', line, 'Add Selection to Map'])];
    for (const [file, line, command] of snippets) {
      if (file === 'bank-en.txt' && line === BANK_LINES[0]) await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'senses' }).first().click();
      if (line === APPLE_LINE || line === BANK_LINES[0]) await openFromExplorer(page, file, line);
      await selectLine(page, line);
      await runPaletteCommand(page, `Context Lens: ${command}`);
    }
    const frame = webviewFrame(page);
    await frame.getByTestId('tab-map').click();
    const chips = frame.locator('[data-testid="token-chip"]');
    const hideSpecial = await frame.getByTestId('hide-special').isChecked();
    assert.ok(hideSpecial, 'the default hides [CLS]/[SEP] (the counts below leave them out)');
    let pieces;
    for (let i = 0; ; i++) {
      pieces = await mapRendered(frame, { minPoints: 1 });
      if (pieces.count === (await chips.count()) && (await frame.locator('[data-testid="strip-section"], .strip-section').count()) === 3) break;
      if (i > 100) throw new Error(`the map did not settle on three snippets (${pieces.count} points, ${await chips.count()} chips)`);
      await new Promise((r) => setTimeout(r, 300));
    }
    const piecesLinks = await linkPieces(frame);
    lap(`pieces: ${pieces.count} points = ${await chips.count()} chips; links ${JSON.stringify(piecesLinks)}`);
    assert.equal(await frame.getByTestId('map').getAttribute('data-unit'), 'pieces');
    assert.ok(piecesLinks.includes('果') && piecesLinks.includes('苹'), 'pieces: 苹 ↔ 苹 and 果 ↔ 果');
    await screenshot(page, 'e2e-words-pieces');

    // ---- keyboard: from the layer slider, Tab to the switch, → chooses Words ---------------------------
    const switchGroup = frame.getByTestId('unit-switch');
    assert.equal(await switchGroup.getAttribute('role'), 'radiogroup');
    assert.ok((await switchGroup.getAttribute('title')).includes('Intl.Segmenter'), 'the tooltip says how words are made');
    assert.match(await switchGroup.getAttribute('title'), /per piece/, 'and that guesses stay per piece');
    await frame.getByTestId('layer').focus();
    let reached = false;
    for (let i = 0; i < 6 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await frame.getByTestId('unit-pieces').evaluate((b) => b === document.activeElement);
    }
    assert.ok(reached, 'Tab reaches the Pieces / Words switch (its checked option)');
    await page.keyboard.press('ArrowRight');
    assert.equal(await frame.getByTestId('unit-words').getAttribute('aria-checked'), 'true');
    assert.ok(await frame.getByTestId('unit-words').evaluate((b) => b === document.activeElement), 'focus follows the choice');
    await frame.locator('body[data-map-ready="true"] [data-testid="map"][data-unit="words"]').waitFor({ state: 'attached', timeout: 60_000 });
    const projected = await extensionLog({ pattern: /Projected \d+ words \(language [^)]*\)/ });
    lap(`host log: ${/Projected \d+ words.*/.exec(projected)?.[0]}`);

    // ---- the engine's words, in the language the page was given --------------------------------------
    await frame.getByTestId('tab-tokens').click();
    const note = frame.getByTestId('words-note').first();
    await note.waitFor({ timeout: 30_000 });
    const language = (await note.getAttribute('data-language')) || undefined;
    const expected = [APPLE_LINE, ...BANK_LINES].map((line) => engineWords(line, language));
    const wordCount = expected.reduce((n, e) => n + e.words.length, 0);
    const multi = expected.flatMap((e) => e.words.filter((w) => w.pieces > 1).map((w) => w.text));
    lap(`engine words (language ${language ?? 'default'}): ${wordCount}; several pieces: ${JSON.stringify(multi)}`);
    assert.ok(multi.includes('苹果') && multi.includes('手机') && multi.includes('from'), 'the lines have words of several pieces');
    assert.ok(wordCount < pieces.count, 'fewer words than pieces');
    const groups = frame.locator('[data-testid="word-group"]');
    assert.equal(await groups.count(), wordCount, 'the Tokens tab boxes every word');
    assert.equal(await chips.count(), pieces.count, 'the chips stay per piece');
    assert.equal(await frame.locator('[data-testid="word-group"][data-pieces="2"]', { hasText: '苹' }).count(), 2, '苹果 boxed twice, its two pieces inside');
    // Keyboard in the strip is still per piece: → moves from 苹 to 果 inside the box.
    const ping = frame.locator('[data-testid="token-chip"]', { hasText: '苹' }).first();
    await ping.focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await frame.locator('[data-testid="token-chip"]:focus').innerText(), '果');
    await screenshot(page, 'e2e-words-tokens');

    // ---- the map: one point per word, links per word -------------------------------------------------
    await frame.getByTestId('tab-map').click();
    const words = await mapRendered(frame);
    assert.equal(words.count, wordCount, 'one point per word (the engine’s segmentation)');
    const wordLinks = await linkPieces(frame);
    lap(`words: ${words.count} points; links ${JSON.stringify(wordLinks)}`);
    const keys = new Set(expected.flatMap((e) => e.words.map((w) => w.key)));
    assert.ok(wordLinks.length > 0 && wordLinks.every((p) => keys.has(p)), 'every link joins two occurrences of one word');
    assert.ok(wordLinks.includes('苹果') && wordLinks.includes('money') && wordLinks.includes('bank'), '苹果 ↔ 苹果, money ↔ money, bank ↔ bank');
    assert.ok(!wordLinks.includes('果') && !wordLinks.includes('苹'), 'no piece links left');
    assert.equal(await frame.locator('.map-side .side-title').textContent(), 'Same word, different context');
    await screenshot(page, 'e2e-words-map');

    // ---- a word-point's link context selects the whole word in the editor ------------------------------
    await frame.locator('[data-testid="link-row"][data-piece="money"] button.ctx').first().click();
    await page.locator('.statusbar-item', { hasText: /\(5 selected\)/ }).first().waitFor({ timeout: 15_000 });
    lap('revealed “money”: 5 characters selected');

    // ---- themes: light, high contrast, dark --------------------------------------------------------------
    for (const [theme, name] of [['Light Modern', 'e2e-words-light'], ['Dark High Contrast', 'e2e-words-hc'], ['Dark Modern', 'e2e-words-dark']]) {
      await setTheme(page, theme);
      await frame.getByTestId('tab-map').click();
      await mapRendered(frame);
      await screenshot(page, name);
      await frame.getByTestId('tab-tokens').click();
      await groups.first().waitFor({ timeout: 10_000 });
      await screenshot(page, `${name}-tokens`);
      lap(`theme ${theme}`);
    }
    await frame.getByTestId('tab-map').click();

    // ---- window reload: the panel comes back in words -----------------------------------------------------
    await page.reload();
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    const restoredFrame = webviewFrame(page);
    await restoredFrame.getByTestId('tab-map').click({ timeout: 90_000 });
    await restoredFrame.locator('body[data-map-ready="true"] [data-testid="map"][data-unit="words"]').waitFor({ state: 'attached', timeout: 90_000 });
    const restored = await mapRendered(restoredFrame, { minPoints: wordCount, timeout: 90_000 });
    assert.equal(restored.count, wordCount, 'the restored map is in words');
    assert.equal(await restoredFrame.getByTestId('unit-words').getAttribute('aria-checked'), 'true');
    lap(`restored after reload: ${restored.count} word-points`);

    // ---- back to pieces (a click this time): the pieces' points and links return ----------------------
    await restoredFrame.getByTestId('unit-pieces').click();
    await restoredFrame.locator('body[data-map-ready="true"] [data-testid="map"][data-unit="pieces"]').waitFor({ state: 'attached', timeout: 60_000 });
    const back = await mapRendered(restoredFrame);
    assert.equal(back.count, pieces.count, 'Pieces restores one point per piece');
    assert.ok((await linkPieces(restoredFrame)).includes('果'), 'and the piece links');
    await restoredFrame.getByTestId('tab-tokens').click();
    assert.equal(await restoredFrame.locator('[data-testid="word-group"]').count(), 0, 'no word boxes in pieces mode');
    await screenshot(page, 'e2e-words-back-to-pieces');
  });
});
