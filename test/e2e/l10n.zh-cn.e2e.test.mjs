// Simplified Chinese in the real workbench. scripts/test.mjs runs this file (its name ends in
// .zh-cn.e2e.test.mjs) against a code-server started with `--locale zh-cn` and a test language pack
// (scripts/codeServer.mjs writeLanguagePackVsix), so VS Code's display language — vscode.env.language —
// is zh-cn while VS Code's own UI stays English. What a Chinese user of the extension sees:
//   - the command palette lists the commands under their titles from package.nls.zh-cn.json, and
//     running one by its Chinese title works;
//   - runtime messages (vscode.l10n.t → l10n/bundle.l10n.zh-cn.json): the "select some text" warning,
//     the status bar, the editor hover;
//   - the Embedding Map webview (src/extension/l10n.ts webviewStrings()): tabs, empty state, buttons.
// Screenshots: test-results/e2e-zh-cn-*.png.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  charCenter, hoverUntil, mapRendered, notification, openFromExplorer, runPaletteCommand, screenshot, selectLine, webviewFrame, withWorkbench,
} from './harness.mjs';

const APPLE_LINE = '我用苹果手机。我爱吃苹果。';

test('zh-cn: Chinese command titles, messages, hover, status bar and Embedding Map', { timeout: 120_000 }, async () => {
  await withWorkbench('e2e-zh-cn', async ({ page, lap, extensionLog }) => {
    // ---- the palette shows the Chinese title (package.nls.zh-cn.json) and runs the command -----------
    await openFromExplorer(page, 'apple.txt', APPLE_LINE);
    await runPaletteCommand(page, 'Context Lens: 打开嵌入图');
    const activated = await extensionLog({ pattern: /Context Lens .* activated in .*\)$/m });
    const language = /activated .*, ([\w-]+)\)$/m.exec(activated)?.[1];
    lap(`palette ran "打开嵌入图"; vscode.env.language = ${language}`);
    assert.equal(language, 'zh-cn', 'the extension host runs with display language zh-cn');

    // ---- the Embedding Map in Chinese (webviewStrings) ---------------------------------------------
    const frame = webviewFrame(page);
    const tabTexts = () => frame.locator('[role="tab"]').evaluateAll((bs) => bs.map((b) => `${b.dataset.testid}=${b.textContent}`));
    // The host puts its strings into the page itself: the tabs read Chinese as soon as they exist,
    // without waiting for the host's first message.
    const expected = ['tab-map=嵌入图', 'tab-tokens=词元', 'tab-attention=注意力', 'tab-senses=词义', 'tab-compare=比较'];
    await frame.locator('[data-testid="tab-attention"]').waitFor({ timeout: 30_000 });
    const tabs = await tabTexts();
    lap(`tabs at first paint: ${JSON.stringify(tabs)}`);
    assert.deepEqual(tabs, expected);
    assert.match(await frame.locator('#app').innerText(), /还没有内容/, 'the empty map says 还没有内容');
    assert.equal(await frame.getByTestId('export-svg').getAttribute('title'), '将嵌入图保存为 SVG 图片');
    await screenshot(page, 'e2e-zh-cn-empty-map');

    // ---- a runtime warning (vscode.l10n.t): no selection ---------------------------------------------
    await page.locator('.editor-instance .monaco-editor .view-line', { hasText: APPLE_LINE }).first().click();
    await runPaletteCommand(page, 'Context Lens: 探索所选文本');
    const warning = await notification(page, '请先选中一些文本。');
    lap(`an empty selection warns: ${JSON.stringify(await warning.innerText())}`);
    await screenshot(page, 'e2e-zh-cn-warning');
    await page.keyboard.press('Escape'); // closes the notifications center

    // ---- explore by the Chinese title: the map, the status bar and the hover in Chinese ------------
    await selectLine(page, APPLE_LINE);
    await runPaletteCommand(page, 'Context Lens: 探索所选文本');
    const map = await mapRendered(webviewFrame(page));
    lap(`map: ${map.count} points`);
    assert.ok(map.count >= APPLE_LINE.length, 'one point per token');
    const ready = page.locator('.statusbar-item', { hasText: 'Context Lens：就绪（demo-model）' });
    await ready.first().waitFor({ timeout: 15_000 });
    lap(`status bar: ${await ready.first().innerText()}`);
    await screenshot(page, 'e2e-zh-cn-map');

    const hoverText = await hoverUntil(page, await charCenter(page, APPLE_LINE, '果', 0), /遮盖“果”后\sBERT\s的猜测/);
    lap(`hover: ${JSON.stringify(hoverText.slice(0, 120))}`);
    assert.match(hoverText, /\d+(\.\d+)?\s*%/, 'with guesses and probabilities');
    assert.match(hoverText, /模型：demo-model/, 'and the model line in Chinese');
    await screenshot(page, 'e2e-zh-cn-hover');
  });
});
