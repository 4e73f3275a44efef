// demo/hostile.txt in the real workbench: HTML, </script>, template literals and command links go
// through the tokenizer into the Embedding Map webview, which must show them as plain text and run
// nothing. Select all → "Context Lens: Explore Selection" → token chips hold `<`, `img`, … as text; no
// <img src=x> element, no alert/dialog, no Content-Security-Policy violation, no page error in the
// webview. Screenshot: test-results/e2e-hostile.png.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runPaletteCommand as paletteCommand, screenshot, webviewFrame, withWorkbench } from './harness.mjs';

test('hostile text is shown literally in the Embedding Map and runs nothing', { timeout: 180_000 }, async () => {
  await withWorkbench('e2e-hostile', async ({ page, lap }) => {
    const dialogs = [];
    const problems = [];
    page.on('dialog', (d) => {
      dialogs.push(`${d.type()}: ${d.message()}`);
      void d.dismiss().catch(() => {});
    });
    page.on('console', (m) => {
      if (/securitypolicyviolation|Content Security Policy|Refused to/i.test(m.text())) problems.push(`console ${m.type()}: ${m.text()}`);
    });
    // In every frame created from now on (the webview's two iframes included): record CSP violations,
    // errors and any alert/confirm/prompt call where the test can read them.
    await page.addInitScript(() => {
      window.__csp = [];
      window.__alerts = [];
      window.__errors = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample ?? ''}`));
      window.addEventListener('error', (e) => window.__errors.push(String(e.message)));
      for (const f of ['alert', 'confirm', 'prompt']) {
        const orig = window[f];
        window[f] = (...a) => {
          window.__alerts.push(`${f}(${a.join(',')})`);
          return orig?.apply(window, a);
        };
      }
    });

    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'hostile.txt' }).first().click();
    const firstLine = page.locator('.editor-instance .monaco-editor .view-line', { hasText: 'This file tries to break' }).first();
    await firstLine.waitFor({ timeout: 20_000 });
    await firstLine.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.locator('.editor-instance .monaco-editor .selected-text').first().waitFor({ state: 'attached', timeout: 5_000 });
    lap('hostile.txt open, all selected');
    await paletteCommand(page, 'Context Lens: Explore Selection');
    lap('explore run');

    const frame = webviewFrame(page);
    await frame.locator('body[data-map-ready="true"] [data-testid="map"]:not([data-point-count="0"])').waitFor({ state: 'attached', timeout: 60_000 });
    const points = Number(await frame.getByTestId('map').getAttribute('data-point-count'));
    const chips = await frame.locator('[data-testid="token-chip"]').allTextContents();
    lap(`map: ${points} points, ${chips.length} chips; first chips ${JSON.stringify(chips.slice(0, 60))}`);
    assert.equal(points, chips.length, 'one point per token');
    // The fixture vocabulary is tiny, so words split into short pieces; each chip shows its piece's
    // original text, so the chips read back as the file's text without its spaces.
    for (const piece of ['<', '>', '/', '$', '{', '`', '=']) assert.ok(chips.includes(piece), `a token chip shows ${JSON.stringify(piece)} as text`);
    const joined = chips.join('');
    for (const s of ['<imgsrc=xonerror=alert(1)>', '</script><script>alert(1)</script>', '${alert(1)}', "{{constructor.constructor('alert(1)')()}}", '[clickme](command:workbench.action.quit)', '<b>我</b>爱吃苹果&amp;&lt;tag&gt;']) {
      assert.ok(joined.includes(s), `the chips spell ${s}`);
    }
    const strip = await frame.locator('[data-testid="token-chip"]', { hasText: '<' }).first().evaluate((c) => ({ html: c.innerHTML, kids: c.children.length }));
    assert.deepEqual(strip, { html: '&lt;', kids: 0 }, 'the < chip holds text, not markup');

    // The link list and the Tokens tab render the same text: look at each as a person would.
    await frame.getByTestId('tab-tokens').click();
    await frame.locator('[data-testid="token-chip"]').first().waitFor({ timeout: 10_000 });
    await screenshot(page, 'e2e-hostile-tokens');
    await frame.getByTestId('tab-map').click();
    await frame.locator('body[data-map-ready="true"] [data-testid="map"]').waitFor({ state: 'attached', timeout: 30_000 });
    // Plotly's hover label for a point (its HTML is built from the token and its context).
    const report = await frame.locator('body').evaluate(() => ({
      imgX: document.querySelectorAll('img[src="x"], img[src$="/x"]').length,
      imgs: document.querySelectorAll('img').length,
      // VS Code injects one inline script (acquireVsCodeApi) into the frame; the panel adds dist/webview.js.
      scripts: Array.from(document.querySelectorAll('script')).filter((s) => !(s.src.endsWith('/dist/webview.js') || (!s.src && s.textContent.includes('acquireVsCodeApi')))).map((s) => s.src || s.textContent.slice(0, 80)),
      appScripts: document.querySelectorAll('#app script, #app iframe, #app object, #app embed').length,
      bold: document.querySelectorAll('#app b').length,
      links: document.querySelectorAll('#app a[href]').length,
      csp: window.__csp ?? null,
      alerts: window.__alerts ?? null,
      errors: window.__errors ?? null,
      bodyText: document.body.innerText,
    }));
    lap(`webview: ${JSON.stringify({ ...report, bodyText: report.bodyText.length })}`);
    assert.equal(report.imgX, 0, 'the hostile <img src=x> never became an element');
    assert.equal(report.imgs, 0, 'no <img> at all in the webview');
    assert.deepEqual(report.scripts, [], 'no scripts but VS Code\'s and the panel\'s own');
    assert.equal(report.appScripts, 0, 'no script/iframe/object/embed elements inside the panel UI');
    assert.equal(report.bold, 0, '<b>我</b> stayed text');
    assert.equal(report.links, 0, 'the command: link is not a link');
    assert.ok(report.csp, 'the init script ran in the webview frame');
    assert.deepEqual(report.csp, [], 'no Content-Security-Policy violations in the webview');
    assert.deepEqual(report.alerts, [], 'alert() never ran');
    assert.deepEqual(report.errors, [], 'no errors in the webview');
    assert.deepEqual(dialogs, [], 'no dialog opened');
    assert.deepEqual(problems, [], 'no CSP messages on the console');
    await screenshot(page, 'e2e-hostile');
  });
});
