// The Embedding Map webview alone, in headless Chromium, under the panel's strict CSP, driven by the fake
// host of test/webview/harness.html. Screenshots go to test-results/.
//   node --test test/e2e/webviewStandalone.e2e.test.mjs
// (builds dist/webview.js first; CHROMIUM=/path overrides /usr/bin/chromium)
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { assertClean, launchHarnessBrowser, openHarnessPage, posted, shots } from '../webview/browser.mjs';

let browser;
before(async () => {
  browser = await launchHarnessBrowser();
});
after(async () => {
  await browser?.close();
});

/** A fresh tab on the harness; collects page errors and console errors. */
const open = (query = '') => openHarnessPage(browser.context, browser.harness.url, query);

/** Waits for a completed map render whose `data-*` attributes match `attrs` (a string value or a predicate on the number). */
async function mapReady(page, attrs = {}) {
  await page.waitForFunction(
    (want) => {
      const map = document.querySelector('[data-testid=map]');
      if (document.body.dataset.mapReady !== 'true' || !map) return false;
      return Object.entries(want).every(([k, v]) => (v === '>0' ? Number(map.dataset[k]) > 0 : map.dataset[k] === v));
    },
    attrs,
    { timeout: 20_000 },
  );
}

/** Non-special tokens of the harness sample (the map's points with "hide special" on). */
const expectedPoints = (page, hideSpecial = true) =>
  page.evaluate((hide) => window.harness.sample.snippets.reduce((n, s) => n + s.tokens.filter((t) => !(hide && t.special)).length, 0), hideSpecial);

test('map renders every token under the strict CSP, with links sorted most-different first', async () => {
  const { page, problems } = await open('theme=dark');
  await mapReady(page, { pointCount: '>0' });
  const map = page.getByTestId('map');
  assert.equal(await map.getAttribute('data-point-count'), String(await expectedPoints(page)));
  assert.equal(await map.getAttribute('data-layer'), '3');
  // Only SVG traces: no WebGL canvas from Plotly.
  assert.equal(await page.locator('[data-testid=map] canvas').count(), 0);
  assert.ok((await page.locator('[data-testid=map] .scatterlayer .point').count()) >= 30);

  const rows = page.getByTestId('link-row');
  assert.ok((await rows.count()) >= 4);
  const cosines = await rows.evaluateAll((els) => els.map((e) => Number(e.dataset.cosine)));
  assert.deepEqual(cosines, [...cosines].sort((a, b) => a - b), 'most different first');
  const guo = rows.filter({ has: page.locator('.piece', { hasText: /^果$/ }) });
  assert.equal(await guo.count(), 1, 'the two 果 are linked');
  assert.match(await guo.innerText(), /我用苹果手机[\s\S]*我爱吃苹果[\s\S]*cos 0\.\d\d/);
  const bank = rows.filter({ has: page.locator('.piece', { hasText: /^bank$/ }) });
  assert.equal(await bank.count(), 1, 'river bank ↔ money bank');

  // Hovering a row highlights the pair on the map (the last trace gets its two points).
  await guo.hover();
  await page.waitForFunction(() => {
    const d = document.querySelector('[data-testid=map]').data;
    return d[d.length - 1].x.length === 2;
  });
  await page.screenshot({ path: join(shots, 'webview-map-dark.png') });
  await page.mouse.move(5, 5);
  await assertClean(page, problems);
  await page.close();
});

test('hostile token text shows literally in chips, labels, legend, hover and guesses; nothing runs', async () => {
  const { page, problems } = await open('theme=dark');
  await mapReady(page, { pointCount: '>0' });
  const labels = await page.locator('[data-testid=map] .textpoint text').allTextContents();
  assert.ok(labels.includes('<img src=x onerror=alert(1)>'), 'map label literal');
  assert.ok(labels.includes('</script>${x}'), 'map label literal');
  const legend = await page.locator('[data-testid=map] .legendtext').allTextContents();
  assert.ok(legend.includes('evil/<b>x</b>.txt:1'), `legend literal: ${legend}`);

  // Hover the hostile point: Plotly's hover label shows the bracketed token literally.
  const idx = labels.indexOf('<img src=x onerror=alert(1)>');
  const point = page.locator('[data-testid=map] .textpoint').nth(idx);
  const box = await point.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height + 14);
  await page.waitForSelector('[data-testid=map] .hoverlayer .hovertext', { timeout: 5000 });
  const hover = await page.locator('[data-testid=map] .hoverlayer').textContent();
  assert.match(hover, /\[<img src=x onerror=alert\(1\)>\]/);
  assert.match(hover, /<script>alert\(2\)<\/script>/);
  await page.screenshot({ path: join(shots, 'webview-map-hostile-hover.png') });
  // Click → revealToken for that very token.
  await page.mouse.click(box.x + box.width / 2, box.y + box.height + 14);
  await page.waitForFunction(() => window.__posted.some((m) => m.type === 'revealToken'));
  assert.deepEqual((await posted(page, 'revealToken'))[0].ref, { snippetId: 'evil', tokenIndex: 3 });

  await page.getByTestId('tab-tokens').click();
  const chip = page.getByTestId('token-chip').filter({ hasText: '<img src=x onerror=alert(1)>' });
  assert.equal(await chip.count(), 1);
  assert.equal(await chip.evaluate((e) => e.childElementCount), 0, 'chip holds text only');
  assert.equal(await page.getByTestId('token-chip').filter({ hasText: '</script>${x}' }).count(), 1);
  await chip.hover();
  assert.match(await page.getByTestId('guess-panel').innerText(), /<script>alert\(2\)<\/script>[\s\S]*%\{x\}[\s\S]*\$x\$/);
  await page.screenshot({ path: join(shots, 'webview-tokens-hostile.png') });
  await assertClean(page, problems);
  await page.close();
});

test('layer slider and projection select post to the host and the map follows', async () => {
  const { page, problems } = await open('theme=dark');
  await mapReady(page, { layer: '3' });
  const layer = page.getByTestId('layer');
  await layer.focus();
  await page.keyboard.press('ArrowRight');
  await mapReady(page, { layer: '4' });
  assert.deepEqual((await posted(page, 'setLayer')).map((m) => m.hiddenLayer), [4]);
  await page.keyboard.press('Home');
  await mapReady(page, { layer: '0' });
  assert.match(await page.getByTestId('layer-value').innerText(), /0/);

  await page.getByTestId('projection').selectOption('pca');
  await mapReady(page, { method: 'pca' });
  assert.deepEqual((await posted(page, 'setProjection')).map((m) => m.method), ['pca']);

  // Special tokens come back when "hide" is off.
  await page.getByTestId('hide-special').uncheck();
  await mapReady(page, { pointCount: String(await expectedPoints(page, false)) });
  await assertClean(page, problems);
  await page.close();
});

test('tabs, token chips and attention views are keyboard usable; state survives a reload', async () => {
  const { page, problems } = await open('theme=dark');
  await mapReady(page, { pointCount: '>0' });
  await page.getByTestId('tab-map').focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.getByTestId('tab-tokens').getAttribute('aria-selected'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'tab-tokens');

  // Tab to the masked / unmasked switch (one tab stop), then into the first strip; move with arrows, select two 果 with Enter / click.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'guess-mode-masked');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'token-chip');
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), '果');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-pressed')), 'true');
  assert.match(await page.getByTestId('guess-panel').innerText(), /果[\s\S]*83\.0%/);
  await page.locator('[data-testid=token-chip][data-snippet=zh][data-index="12"]').click();
  await page.screenshot({ path: join(shots, 'webview-tokens-dark.png') });

  await page.getByTestId('tab-attention').click();
  await page.waitForSelector('[data-testid=head-view]');
  await page.waitForSelector('[data-testid=heatmap] .heatmaplayer');
  await page.waitForSelector('[data-testid=attention-grid] .grid-cell');
  const req = await posted(page, 'requestAttention');
  const { requestId, ...firstRequest } = req[0];
  assert.equal(typeof requestId, 'string', 'a request carries its id');
  assert.deepEqual(firstRequest, { type: 'requestAttention', snippetId: 'zh', attentionLayer: 3 });
  assert.equal((await posted(page, 'requestAttentionGrid')).length, 1);
  // With two tokens selected only their rows are drawn.
  const fromRows = await page.locator('[data-testid=head-view] .hv-line').evaluateAll((els) => [...new Set(els.map((e) => e.dataset.from))]);
  assert.equal(fromRows.length, 2);
  assert.equal(await page.locator('[data-testid=heatmap] canvas').count(), 0, 'heatmap is SVG/image, not WebGL');
  assert.equal(await page.getByTestId('attention-grid').locator('.grid-cell').count(), 6 * 4);

  // Grid cell → that layer and head (attention layers count from 1: the cell of L5).
  await page.locator('.grid-cell[data-layer="5"][data-head="1"]').click();
  await page.waitForFunction(() => window.__posted.some((m) => m.type === 'requestAttention' && m.attentionLayer === 5));
  assert.equal(await page.getByTestId('attention-head').inputValue(), '1');
  assert.equal(await page.getByTestId('attention-layer').inputValue(), '5');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.__posted.some((m) => m.type === 'requestAttention' && m.attentionLayer === 6));
  await page.waitForSelector('[data-testid=heatmap] .heatmaplayer');
  await page.waitForTimeout(200);
  await page.screenshot({ path: join(shots, 'webview-attention-dark.png') });

  // Hide/show = reload: tab, selection, head come back from getState.
  await page.reload();
  await page.waitForSelector('[data-testid=head-view]');
  assert.equal(await page.getByTestId('tab-attention').getAttribute('aria-selected'), 'true');
  assert.equal(await page.getByTestId('attention-head').inputValue(), '1');
  const st = await page.evaluate(() => window.harness.state());
  assert.deepEqual(st.selectedTokens, [4, 12]);
  assert.equal(st.selectedSnippetId, 'zh');
  assert.equal(st.snippets.length, 4);
  assert.equal(st.snippets[0].text, '我用苹果手机。我爱吃苹果。');
  await assertClean(page, problems);
  await page.close();
});

test('theme changes recolour the plots; light and high-contrast screenshots', async () => {
  const { page, problems } = await open('theme=dark');
  await mapReady(page, { pointCount: '>0' });
  const fontColor = () => page.evaluate(() => document.querySelector('[data-testid=map]')._fullLayout.font.color);
  assert.equal(await fontColor(), '#cccccc');
  await page.evaluate(() => window.harness.setTheme('light'));
  await page.waitForFunction(() => document.querySelector('[data-testid=map]')._fullLayout.font.color === '#3b3b3b');
  await mapReady(page);
  await page.screenshot({ path: join(shots, 'webview-map-light.png') });
  await page.evaluate(() => window.harness.setTheme('hc'));
  await page.waitForFunction(() => document.querySelector('[data-testid=map]')._fullLayout.font.color === '#ffffff');
  await mapReady(page);
  await page.screenshot({ path: join(shots, 'webview-map-hc.png') });
  await page.getByTestId('tab-tokens').click();
  await page.locator('[data-testid=token-chip][data-snippet=money][data-index="8"]').hover();
  await page.screenshot({ path: join(shots, 'webview-tokens-hc.png') });
  await page.evaluate(() => window.harness.setTheme('light'));
  await page.getByTestId('tab-attention').click();
  await page.waitForSelector('[data-testid=heatmap] .heatmaplayer');
  await page.waitForTimeout(200);
  await page.screenshot({ path: join(shots, 'webview-attention-light.png') });
  await assertClean(page, problems);
  await page.close();
});

test('exports post saveImage/exportAnalysis; clear empties the map; errors and progress show', async () => {
  const { page, problems } = await open('theme=light');
  await mapReady(page, { pointCount: '>0' });
  await page.getByTestId('export-png').click();
  await page.getByTestId('export-svg').click();
  await page.waitForFunction(() => window.__posted.filter((m) => m.type === 'saveImage').length === 2, null, { timeout: 20_000 });
  const images = await posted(page, 'saveImage');
  assert.equal(images[0].format, 'png');
  assert.match(images[0].dataUrl, /^data:image\/png;base64,/);
  assert.equal(images[1].format, 'svg');
  assert.match(images[1].dataUrl, /^data:image\/svg\+xml/);
  await page.getByTestId('export-json').click();
  await page.getByTestId('export-projector').click();
  assert.deepEqual((await posted(page, 'exportAnalysis')).map((m) => m.format), ['json', 'projector']);

  // The fake host may still be answering an earlier layer change (its reply clears the progress line).
  await page.waitForFunction(() => window.harness.pendingReplies() === 0);
  await page.waitForTimeout(300);
  await page.waitForFunction(() => window.harness.pendingReplies() === 0);
  await page.evaluate(() => window.harness.send({ type: 'progress', message: 'Downloading model.onnx <b>x</b>', fraction: 0.42 }));
  await page.evaluate(() => window.harness.send({ type: 'error', message: 'Model failed: <img src=x onerror=alert(3)>' }));
  assert.equal(await page.getByTestId('progress').innerText(), 'Downloading model.onnx <b>x</b>');
  assert.match(await page.getByTestId('error').innerText(), /Model failed: <img src=x onerror=alert\(3\)>/);
  await page.screenshot({ path: join(shots, 'webview-progress-error-light.png') });

  await page.getByTestId('clear').click();
  await mapReady(page, { pointCount: '0' });
  assert.ok(await page.getByTestId('map-empty').isVisible());
  assert.ok(await page.getByTestId('export-png').isDisabled());
  await assertClean(page, problems);
  await page.close();
});

test('empty state shows the how-to; host strings override the UI (zh-cn)', async () => {
  const { page, problems } = await open('theme=dark&scenario=empty&lang=zh');
  await mapReady(page);
  await page.waitForFunction(() => document.querySelector('[data-testid=tab-map]').textContent === '映射');
  assert.ok(await page.getByTestId('map-empty').isVisible());
  assert.match(await page.getByTestId('map-empty').innerText(), /Context Lens: Explore Selection/);
  assert.equal(await page.getByTestId('map').getAttribute('data-point-count'), '0');
  await page.screenshot({ path: join(shots, 'webview-empty-zh-dark.png') });
  await assertClean(page, problems);
  await page.close();
});

test('guesses that stream in after the map: pending chips ask the host, then show them; the counter follows', async () => {
  const { page, problems } = await open('theme=dark');
  await mapReady(page, { pointCount: '>0' });
  // The host sends the snippets before their guesses are computed: the first snippet's 果 is pending.
  const { snippetId, tokenIndex, guesses } = await page.evaluate(() => {
    const snippets = structuredClone(window.harness.sample.snippets);
    const s = snippets[0];
    const token = s.tokens.find((t) => t.piece === '果');
    const kept = token.guesses;
    token.guesses = [];
    token.guessesPending = true;
    window.harness.send({ type: 'snippets', snippets });
    window.harness.send({ type: 'guessProgress', done: 3, total: 10 });
    return { snippetId: s.id, tokenIndex: token.index, guesses: kept };
  });
  assert.ok(guesses.length > 0, 'the sample token has guesses to stream');
  const counter = page.getByTestId('guess-progress');
  await counter.waitFor({ state: 'visible' });
  assert.match(await counter.innerText(), /3 \/ 10/);

  await page.getByTestId('tab-tokens').click();
  const chip = page.locator(`[data-testid=token-chip][data-snippet="${snippetId}"][data-index="${tokenIndex}"]`);
  await chip.hover();
  await page.getByTestId('guesses-pending').waitFor();
  await page.waitForFunction(() => window.__posted.some((m) => m.type === 'wantGuesses'));
  assert.deepEqual((await posted(page, 'wantGuesses')).at(-1).ref, { snippetId, tokenIndex }, 'the host is asked for that token first');

  await page.evaluate(([id, index, g]) => {
    window.harness.send({ type: 'guesses', snippetId: id, tokens: [{ tokenIndex: index, guesses: g }] });
    window.harness.send({ type: 'guessProgress', done: 10, total: 0 });
  }, [snippetId, tokenIndex, guesses]);
  await page.locator('[data-testid=guess-panel] .guess').first().waitFor();
  assert.equal(await page.locator('[data-testid=guess-panel] .guess').count(), guesses.length, 'the guesses show without hovering again');
  assert.equal(await page.locator('[data-testid=guess-panel] .guess-token').first().innerText(), guesses[0].token);
  await counter.waitFor({ state: 'hidden' });
  await assertClean(page, problems);
  await page.close();
});

test('streamed guesses do not close the map hover label the user is reading; the map takes them after', async () => {
  const { page, problems } = await open('theme=dark');
  await mapReady(page, { pointCount: '>0' });
  const guesses = await page.evaluate(() => {
    const snippets = structuredClone(window.harness.sample.snippets);
    const token = snippets[0].tokens.find((t) => t.piece === '果');
    const kept = token.guesses;
    token.guesses = [];
    token.guessesPending = true;
    window.harness.send({ type: 'snippets', snippets });
    return kept;
  });
  await page.waitForFunction(() => document.body.dataset.mapReady === 'true' && /Computing/.test(JSON.stringify(document.querySelector('[data-testid=map]').data.map((d) => d.hovertext))));
  const labels = await page.locator('[data-testid=map] .textpoint text').allTextContents();
  const box = await page.locator('[data-testid=map] .textpoint').nth(labels.indexOf('果')).boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height + 14);
  const label = page.locator('[data-testid=map] .hoverlayer .hovertext');
  await label.waitFor({ timeout: 5000 });
  assert.match(await label.textContent(), /Computing/);
  await page.waitForFunction(() => window.__posted.some((m) => m.type === 'wantGuesses'));

  const { snippetId, tokenIndex } = (await posted(page, 'wantGuesses')).at(-1).ref;
  await page.evaluate(([id, index, g]) => window.harness.send({ type: 'guesses', snippetId: id, tokens: [{ tokenIndex: index, guesses: g }] }), [snippetId, tokenIndex, guesses]);
  await page.waitForTimeout(2500); // longer than the webview's redraw interval for streamed guesses
  assert.equal(await label.count(), 1, 'the hover label is still open');
  assert.match(await label.textContent(), /Computing/, 'and unchanged while the pointer is on it');

  await page.mouse.move(5, 5);
  await page.waitForFunction((top) => JSON.stringify(document.querySelector('[data-testid=map]').data.map((d) => d.hovertext)).includes(top), guesses[0].token, { timeout: 5000 });
  await assertClean(page, problems);
  await page.close();
});
