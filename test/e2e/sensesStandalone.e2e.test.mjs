// The webview's Senses tab alone, in headless Chromium under the panel's strict CSP (test/webview/harness.mjs),
// fed a word-senses result (test/webview/sensesSample.mjs) by a fake host that answers the tab's requests.
// Screenshots go to test-results/.
//   node --test test/e2e/sensesStandalone.e2e.test.mjs   (CHROMIUM=/path overrides /usr/bin/chromium)
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { assertClean, launchHarnessBrowser, openHarnessPage, posted, shots } from '../webview/browser.mjs';
import { repoRoot } from '../webview/harness.mjs';
import { NUM_LAYERS, sensesProjections, sensesSample } from '../webview/sensesSample.mjs';

let browser;
before(async () => {
  browser = await launchHarnessBrowser({ viewport: { width: 1280, height: 900 } });
});
after(async () => {
  await browser?.close();
});

/** A fresh tab on the harness, its kept state reset, the map drawn. */
async function open(query = '') {
  const { page, problems } = await openHarnessPage(browser.context, browser.harness.url, query);
  await page.evaluate(() => window.harness.reset());
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.mapReady === 'true');
  return { page, problems };
}

/**
 * The host's side of the Senses tab, in the page: it answers setSensesView with the layout of that layer
 * (after a short delay, as the worker would), setStandardize with the setting and the result again.
 */
async function installSensesHost(page, { also = false } = {}) {
  const results = { plain: sensesSample({ also }), standardized: sensesSample({ also, standardized: true }) };
  const projections = { plain: sensesProjections(results.plain), standardized: sensesProjections(results.standardized) };
  await page.evaluate(
    ([results, projections]) => {
      const host = { standardize: false, results, projections };
      window.sensesHost = host;
      const send = window.harness.send;
      const key = () => (host.standardize ? 'standardized' : 'plain');
      const posted = window.__posted;
      const push = posted.push.bind(posted);
      posted.push = (msg) => {
        const n = push(msg);
        if (msg.type === 'setSensesView') {
          setTimeout(() => send({ type: 'sensesProjection', requestId: msg.requestId, projection: host.projections[key()][`${msg.hiddenLayer}|${msg.method}`] }), 60);
        } else if (msg.type === 'setStandardize') {
          setTimeout(() => {
            host.standardize = msg.standardize;
            send({ type: 'standardize', standardize: host.standardize });
            send({ type: 'senses', senses: host.results[key()] });
          }, 40);
        }
        return n;
      };
    },
    [results, projections],
  );
  return results.plain;
}

/** Waits until the Senses tab has drawn its figures (and, with `layer`, shows that layer's scatter). */
async function sensesReady(page, { layer, points } = {}) {
  await page.waitForFunction(
    ([layer, points]) => {
      const scatter = document.querySelector('[data-testid=senses-scatter]');
      if (document.body.dataset.sensesReady !== 'true' || !scatter) return false;
      if (layer !== undefined && scatter.dataset.layer !== String(layer)) return false;
      return points === undefined || scatter.dataset.pointCount === String(points);
    },
    [layer, points],
    { timeout: 20_000 },
  );
}

const send = (page, msg) => page.evaluate((m) => window.harness.send(m), msg);

test('empty Senses tab says how to start', async () => {
  const { page, problems } = await open('theme=dark');
  await page.getByTestId('tab-senses').click();
  const empty = page.getByTestId('senses-empty');
  await empty.waitFor();
  assert.match(await empty.innerText(), /Context Lens: Explore Word Senses/);
  assert.equal(await page.getByTestId('senses-summary').isVisible(), false);
  await page.screenshot({ path: join(shots, 'senses-empty-dark.png') });
  await assertClean(page, problems);
  await page.close();
});

test('results stream in: showTab, first batch "analysing…", then all; chart, scatter and an aligned concordance in matching colours', async () => {
  const { page, problems } = await open('theme=dark');
  const full = await installSensesHost(page);
  await send(page, { type: 'showTab', tab: 'senses' });
  assert.equal(await page.getByTestId('tab-senses').getAttribute('aria-selected'), 'true');

  // The first batch: 8 occurrences analysed of 19.
  const first = sensesSample({ upTo: 8 });
  await send(page, { type: 'senses', senses: first });
  const summary = page.getByTestId('senses-summary');
  await page.waitForFunction(() => /analysing/.test(document.querySelector('[data-testid=senses-summary]').innerText));
  assert.match(await summary.innerText(), /苹果[\s\S]*20 found, 8 analysed[\s\S]*analysing… 8 \/ 19[\s\S]*5 files searched, skipped: 1 binary, 1 too large/);
  assert.equal(await page.getByTestId('senses-line').count(), 8);
  // The tab asks for its scatter (the last layer by default) and draws it.
  await page.waitForFunction(() => window.__posted.some((m) => m.type === 'setSensesView'));
  assert.deepEqual((await posted(page, 'setSensesView')).map(({ hiddenLayer, method }) => ({ hiddenLayer, method })), [{ hiddenLayer: NUM_LAYERS, method: 'umap' }]);
  await sensesReady(page, { layer: NUM_LAYERS });

  // The rest: the host re-lays out by itself (no request id) and the tab redraws.
  await send(page, { type: 'senses', senses: full });
  await send(page, { type: 'sensesProjection', projection: sensesProjections(full)[`${NUM_LAYERS}|umap`] });
  await sensesReady(page, { layer: NUM_LAYERS, points: full.occurrences.length });
  assert.doesNotMatch(await summary.innerText(), /analysing/);
  assert.match(await summary.innerText(), /20 found, 19 analysed/);
  assert.equal(await page.getByTestId('senses-chart').getAttribute('data-layer'), String(NUM_LAYERS));
  const traces = await page.evaluate(() => document.querySelector('[data-testid=senses-chart]').data.map((d) => d.name));
  assert.deepEqual(traces, ['Self-similarity', 'Anisotropy baseline', 'Adjusted (difference)', 'Silhouette of the senses'], 'no alignment without a compared word');
  assert.equal(await page.locator('[data-testid=senses-chart] .shapelayer path').count(), 1, 'the current layer is marked');
  assert.equal(await page.locator('[data-testid=senses-scatter] canvas').count(), 0, 'SVG only');

  // Concordance: one line per occurrence, grouped by sense (largest first), ×2 on the repeated context.
  const lines = page.getByTestId('senses-line');
  assert.equal(await lines.count(), full.occurrences.length);
  const groups = await page.getByTestId('senses-group').evaluateAll((els) => els.map((e) => e.innerText));
  assert.equal(groups.length, 2);
  assert.match(groups[0], /Sense 1[\s\S]*11 occurrences[\s\S]*BERT proposes: 香蕉 18\.0% · 水果 12\.0%[\s\S]*Typical context: 吃, 甜, 树, 红/);
  assert.match(groups[1], /Sense 2[\s\S]*9 occurrences[\s\S]*华为 22\.0%[\s\S]*<b>x<\/b> 2\.0%/);
  const twice = lines.filter({ hasText: '×2' });
  assert.equal(await twice.count(), 1);
  assert.match(await twice.innerText(), /我爱吃\s*苹果\s*。/);
  // Aligned: every keyword starts at the same x, left contexts end there, right contexts start after it.
  const geometry = await page.locator('[data-testid=senses-line] .kwic-word').evaluateAll((els) =>
    els.map((e) => {
      const w = e.getBoundingClientRect();
      const l = e.previousElementSibling.getBoundingClientRect();
      const r = e.nextElementSibling.getBoundingClientRect();
      return { word: Math.round(w.left), leftEnd: Math.round(l.right), rightStart: Math.round(r.left), wordRight: Math.round(w.right) };
    }),
  );
  assert.equal(new Set(geometry.map((g) => g.word)).size, 1, `keywords aligned: ${JSON.stringify(geometry.slice(0, 3))}`);
  for (const g of geometry) {
    assert.equal(g.leftEnd, g.word, 'left context ends at the keyword');
    assert.equal(g.rightStart, g.wordRight, 'right context starts after it');
  }
  // Colours: a group's swatch = its points' colour on the scatter.
  const colours = await page.evaluate(() => {
    const swatches = [...document.querySelectorAll('[data-testid=senses-group]')].map((g) => [g.dataset.cluster, getComputedStyle(g.querySelector('.swatch')).backgroundColor]);
    const scatter = document.querySelector('[data-testid=senses-scatter]');
    const traceColour = Object.fromEntries(scatter.data.map((d) => [d.name, d.marker.color]));
    return { swatches, traceColour };
  });
  const toRgb = (hex) => `rgb(${parseInt(hex.slice(1, 3), 16)}, ${parseInt(hex.slice(3, 5), 16)}, ${parseInt(hex.slice(5, 7), 16)})`;
  for (const [id, colour] of colours.swatches) assert.equal(colour, toRgb(colours.traceColour[`Sense ${Number(id) + 1}`]), `sense ${id}`);
  await page.screenshot({ path: join(shots, 'senses-dark.png'), fullPage: true });

  // Scroll position survives a new batch.
  const box = page.getByTestId('senses-concordance');
  await box.evaluate((e) => (e.scrollTop = 120));
  const before = await box.evaluate((e) => e.scrollTop);
  assert.ok(before > 0, 'the concordance scrolls');
  await send(page, { type: 'senses', senses: { ...full } });
  await page.waitForTimeout(100);
  assert.equal(await box.evaluate((e) => e.scrollTop), before);
  await assertClean(page, problems);
  await page.close();
});

test('layer by chart click, ←/→ on the chart and the slider; the concordance regroups; the layer is kept across a reload', async () => {
  const { page, problems } = await open('theme=light');
  const full = await installSensesHost(page);
  await send(page, { type: 'senses', senses: full });
  await page.getByTestId('tab-senses').click();
  await sensesReady(page, { layer: NUM_LAYERS });

  // Click layer 1 on the chart (k = 1 there: one group).
  const chart = page.getByTestId('senses-chart');
  const at = await chart.evaluate((div, layer) => {
    const fl = div._fullLayout;
    const r = div.getBoundingClientRect();
    return { x: r.left + fl._size.l + fl.xaxis.l2p(layer), y: r.top + fl._size.t + fl._size.h / 2 };
  }, 1);
  await page.mouse.move(at.x, at.y);
  await page.mouse.click(at.x, at.y);
  await sensesReady(page, { layer: 1 });
  assert.equal(await chart.getAttribute('data-layer'), '1');
  assert.equal((await posted(page, 'setSensesView')).at(-1).hiddenLayer, 1);
  assert.equal(await page.getByTestId('senses-group').count(), 1);
  assert.equal(await page.getByTestId('senses-layer').inputValue(), '1');

  // Keyboard on the chart.
  await chart.focus();
  await page.keyboard.press('ArrowRight');
  await sensesReady(page, { layer: 2 });
  assert.equal(await page.getByTestId('senses-group').count(), 2);
  assert.match(await page.locator('.senses-concordance-box h2').innerText(), /layer 2/i);

  // The slider.
  await page.getByTestId('senses-layer').focus();
  await page.keyboard.press('End');
  await sensesReady(page, { layer: NUM_LAYERS });
  assert.equal((await page.evaluate(() => window.harness.state())).sensesLayer, NUM_LAYERS);
  await page.keyboard.press('ArrowLeft');
  await sensesReady(page, { layer: NUM_LAYERS - 1 });
  await page.screenshot({ path: join(shots, 'senses-light.png'), fullPage: true });

  // A reload (hide/show) keeps the tab and the layer; the host sends the result again.
  await page.reload();
  await installSensesHost(page);
  await send(page, { type: 'senses', senses: full });
  await sensesReady(page, { layer: NUM_LAYERS - 1 });
  assert.equal(await page.getByTestId('tab-senses').getAttribute('aria-selected'), 'true');
  assert.equal(await page.getByTestId('senses-chart').getAttribute('data-layer'), String(NUM_LAYERS - 1));
  await assertClean(page, problems);
  await page.close();
});

test('lines and points reveal their occurrence; hostile text stays text in the concordance and the hover', async () => {
  const { page, problems } = await open('theme=dark');
  const full = await installSensesHost(page);
  await send(page, { type: 'senses', senses: full });
  await send(page, { type: 'showTab', tab: 'senses' });
  await sensesReady(page, { layer: NUM_LAYERS, points: full.occurrences.length });
  const hostile = full.occurrences.findIndex((o) => o.file.startsWith('evil/'));

  const line = page.locator(`[data-testid=senses-line][data-index="${hostile}"]`);
  assert.match(await line.innerText(), /标签 <img src=x onerror=alert\(1\)> 的\s*苹果\s*%\{x\} \$x\$ <\/script>[\s\S]*evil\/<b>x<\/b>\.txt:1/);
  await line.click();
  assert.deepEqual((await posted(page, 'revealOccurrence')).map((m) => m.index), [hostile]);

  // Keyboard: one tab stop, ↓ to the next line, Enter reveals it.
  await line.focus();
  await page.keyboard.press('ArrowDown');
  const next = Number(await page.evaluate(() => document.activeElement.dataset.index));
  await page.keyboard.press('Enter');
  assert.equal((await posted(page, 'revealOccurrence')).at(-1).index, next);
  assert.equal(await page.locator('[data-testid=senses-line][tabindex="0"]').count(), 1);

  // Hover the hostile point: the line with the word bracketed, literally.
  const scatter = page.getByTestId('senses-scatter');
  const pos = await scatter.evaluate((div, index) => {
    const fl = div._fullLayout;
    const trace = div.data.find((d) => d.customdata.includes(index));
    const i = trace.customdata.indexOf(index);
    const r = div.getBoundingClientRect();
    return { x: r.left + fl._size.l + fl.xaxis.l2p(trace.x[i]), y: r.top + fl._size.t + fl.yaxis.l2p(trace.y[i]) };
  }, hostile);
  await page.mouse.move(pos.x, pos.y);
  await page.waitForSelector('[data-testid=senses-scatter] .hoverlayer .hovertext', { timeout: 5000 });
  const hover = await page.locator('[data-testid=senses-scatter] .hoverlayer').textContent();
  assert.match(hover, /evil\/<b>x<\/b>\.txt:1/);
  assert.match(hover, /<img src=x onerror=alert\(1\)> 的\[苹果\] %\{x\} \$x\$ <\/script>/);
  await page.screenshot({ path: join(shots, 'senses-hover-hostile-dark.png') });
  await page.mouse.click(pos.x, pos.y);
  assert.equal((await posted(page, 'revealOccurrence')).at(-1).index, hostile);
  await assertClean(page, problems);
  await page.close();
});

test('standardize toggle, scatter method and exports post to the host; the host\'s answers show', async () => {
  const { page, problems } = await open('theme=dark');
  const full = await installSensesHost(page);
  await send(page, { type: 'init', strings: {}, hiddenLayer: 3, projection: 'umap', standardize: false });
  await send(page, { type: 'senses', senses: full });
  await page.getByTestId('tab-senses').click();
  await sensesReady(page, { layer: NUM_LAYERS });

  const toggle = page.getByTestId('senses-standardize');
  assert.equal(await toggle.isChecked(), false);
  await toggle.check();
  await page.waitForFunction(() => /standardized/.test(document.querySelector('[data-testid=senses-summary]').innerText));
  assert.deepEqual((await posted(page, 'setStandardize')).map((m) => m.standardize), [true]);
  assert.equal(await toggle.isChecked(), true);
  assert.equal(await toggle.getAttribute('aria-checked'), 'true');
  // The standardized result needs its own layout: asked for, and drawn.
  await page.waitForFunction(() => window.__posted.filter((m) => m.type === 'setSensesView').length >= 2);
  await sensesReady(page, { layer: NUM_LAYERS });
  // The setting changed elsewhere (Settings): the toggle follows.
  await send(page, { type: 'standardize', standardize: false });
  await page.waitForFunction(() => !document.querySelector('[data-testid=senses-standardize]').checked);

  await page.getByTestId('senses-method').selectOption('pca');
  await page.waitForFunction(() => document.querySelector('[data-testid=senses-scatter]').dataset.method === 'pca' && document.body.dataset.sensesReady === 'true');
  assert.equal((await posted(page, 'setSensesView')).at(-1).method, 'pca');
  assert.deepEqual((await posted(page, 'setProjection')).map((m) => m.method), ['pca'], 'the Map follows the one projection setting');

  await page.getByTestId('senses-layer').focus();
  await page.keyboard.press('Home');
  await sensesReady(page, { layer: 0 });
  await page.getByTestId('senses-export-csv').click();
  await page.getByTestId('senses-export-json').click();
  assert.deepEqual((await posted(page, 'exportSenses')).map(({ format, hiddenLayer }) => ({ format, hiddenLayer })), [
    { format: 'csv', hiddenLayer: 0 },
    { format: 'json', hiddenLayer: 0 },
  ]);

  // Cleared by the host: back to the how-to.
  await send(page, { type: 'senses', senses: null });
  await page.getByTestId('senses-empty').waitFor();
  await assertClean(page, problems);
  await page.close();
});

test('a compared word: both in one scatter (shape by word), centroid alignment on the chart; high-contrast theme', async () => {
  const { page, problems } = await open('theme=hc');
  const full = await installSensesHost(page, { also: true });
  await send(page, { type: 'senses', senses: full });
  await send(page, { type: 'showTab', tab: 'senses' });
  await sensesReady(page, { layer: NUM_LAYERS, points: full.occurrences.length });
  assert.match(await page.getByTestId('senses-summary').innerText(), /苹果\s*vs\s*apple[\s\S]*20 \+ 6 found, 25 analysed/);
  const chartNames = await page.evaluate(() => document.querySelector('[data-testid=senses-chart]').data.map((d) => d.name));
  assert.equal(chartNames.at(-1), 'Centroid alignment (苹果 ↔ apple)');
  const symbols = await page.evaluate(() => document.querySelector('[data-testid=senses-scatter]').data.map((d) => [d.name, d.marker.symbol]));
  assert.deepEqual(symbols, [
    ['Sense 1 · 苹果', 'circle'],
    ['Sense 1 · apple', 'diamond'],
    ['Sense 2 · 苹果', 'circle'],
    ['Sense 2 · apple', 'diamond'],
  ]);
  await page.screenshot({ path: join(shots, 'senses-also-hc.png'), fullPage: true });
  await page.evaluate(() => window.harness.setTheme('light'));
  await page.waitForFunction(() => document.querySelector('[data-testid=senses-chart]')._fullLayout.font.color === '#3b3b3b');
  await sensesReady(page);
  await page.screenshot({ path: join(shots, 'senses-also-light.png'), fullPage: true });
  await assertClean(page, problems);
  await page.close();
});

/** The webview's strings in Simplified Chinese, as src/extension/l10n.ts sends them: webview/strings.ts's keys, translated by the l10n bundle. */
async function zhStrings() {
  const esbuild = await import('esbuild');
  const out = await esbuild.build({ entryPoints: [join(repoRoot, 'webview/strings.ts')], bundle: true, write: false, format: 'esm', platform: 'neutral', logLevel: 'warning' });
  const { EN } = await import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
  const bundle = JSON.parse(readFileSync(join(repoRoot, 'l10n/bundle.l10n.zh-cn.json'), 'utf8'));
  return Object.fromEntries(Object.entries(EN).flatMap(([key, english]) => (typeof bundle[english] === 'string' ? [[key, bundle[english]]] : [])));
}

test('zh-cn: the tab in Simplified Chinese', async () => {
  const { page, problems } = await open('theme=dark');
  const full = await installSensesHost(page);
  await send(page, { type: 'init', strings: await zhStrings(), hiddenLayer: 3, projection: 'umap', standardize: false });
  await send(page, { type: 'senses', senses: full });
  await send(page, { type: 'showTab', tab: 'senses' });
  await sensesReady(page, { layer: NUM_LAYERS, points: full.occurrences.length });
  assert.equal(await page.getByTestId('tab-senses').innerText(), '词义');
  assert.match(await page.getByTestId('senses-summary').innerText(), /找到 20 处，已分析 19 处/);
  assert.match(await page.getByTestId('senses-group').first().innerText(), /词义 1[\s\S]*11 处出现[\s\S]*BERT 建议：/);
  await page.locator('.senses-help summary').click();
  await page.screenshot({ path: join(shots, 'senses-zh-dark.png'), fullPage: true });
  await assertClean(page, problems);
  await page.close();
});
