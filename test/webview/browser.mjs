// Headless Chromium around the webview harness, shared by the standalone e2e tests
// (test/e2e/webviewStandalone.e2e.test.mjs, test/e2e/sensesStandalone.e2e.test.mjs).
// CHROMIUM=/path overrides /usr/bin/chromium.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { buildWebview, repoRoot, startHarness } from './harness.mjs';

export const shots = join(repoRoot, 'test-results');

/** Builds the webview, serves the harness and starts a browser; `close` undoes all three. */
export async function launchHarnessBrowser({ viewport = { width: 1280, height: 800 } } = {}) {
  mkdirSync(shots, { recursive: true });
  await buildWebview();
  const harness = await startHarness();
  const profile = mkdtempSync(join(tmpdir(), 'context-lens-webview-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    harness,
    context,
    async close() {
      await context.close();
      await harness.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A fresh tab on the harness; collects page errors and console errors. */
export async function openHarnessPage(context, url, query = '') {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(`${url}?${query}`);
  return { page, problems };
}

/** Nothing broke the page's Content-Security-Policy, threw, alerted, or turned hostile text into elements. */
export async function assertClean(page, problems) {
  const report = await page.evaluate(() => ({ csp: window.__csp, errors: window.__errors, alerts: window.__alerts, imgX: document.querySelectorAll('img[src="x"]').length }));
  assert.deepEqual(report.csp, [], 'no securitypolicyviolation events');
  assert.deepEqual(report.errors, [], 'no window errors');
  assert.deepEqual(report.alerts, [], 'no alert() ran');
  assert.equal(report.imgX, 0, 'hostile <img> never became an element');
  assert.deepEqual(problems, [], 'no page errors / console errors / dialogs');
}

/** The messages of type `type` the webview posted to the fake host. */
export const posted = (page, type) => page.evaluate((t) => window.__posted.filter((m) => m.type === t), type);
