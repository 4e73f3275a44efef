// Shared Playwright helpers for the browser end-to-end tests (test/e2e/*.e2e.test.mjs) and the in-host
// runner: Debian Chromium driven by playwright-core against a code-server started by scripts/test.mjs.
//
// The runner passes the server through the environment:
//   CONTEXT_LENS_E2E_URL        http://127.0.0.1:PORT
//   CONTEXT_LENS_E2E_WORKSPACE  the folder the workbench opens (demo/)
//   CONTEXT_LENS_E2E_WORKBENCH  the workbench URL to open (may carry a ?payload=, e.g. a development path)
//   CONTEXT_LENS_E2E_LOGS       the server's log folder (extension host logs: activation)
//   CONTEXT_LENS_CHROMIUM       the browser binary (default /usr/bin/chromium)
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const resultsDir = join(repoRoot, 'test-results');
export const EXTENSION_ID = 'context-lens.context-lens';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** The code-server the runner started (see the header), or a clear error when run outside it. */
export function serverFromEnv() {
  const url = process.env.CONTEXT_LENS_E2E_URL;
  const workspace = process.env.CONTEXT_LENS_E2E_WORKSPACE;
  if (!url || !workspace) throw new Error('no code-server: run the e2e tests through `npm test -- --only e2e` (scripts/test.mjs starts one)');
  const workbenchUrl = process.env.CONTEXT_LENS_E2E_WORKBENCH || `${url}/?folder=${encodeURIComponent(workspace)}`;
  return { url, workspace, logs: process.env.CONTEXT_LENS_E2E_LOGS, workbenchUrl };
}

/** Seconds-since-start stamps for test logs. */
export function stopwatch() {
  const t0 = performance.now();
  return (msg) => console.log(`[+${((performance.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
}

/**
 * Launches headless Chromium with a fresh profile (Playwright refuses --user-data-dir in args).
 * @returns {Promise<{ context: import('playwright-core').BrowserContext, page: import('playwright-core').Page, close: () => Promise<void> }>}
 */
export async function launchBrowser({ executablePath = process.env.CONTEXT_LENS_CHROMIUM || '/usr/bin/chromium', viewport = { width: 1400, height: 900 } } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'context-lens-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, viewport, args: CHROMIUM_ARGS });
  const page = context.pages()[0] ?? await context.newPage();
  page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`));
  return {
    context, page,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens the workbench and waits until the workspace's explorer is shown (the remote connection is up). */
export async function openWorkbench(page, url = serverFromEnv().workbenchUrl) {
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.explorer-folders-view').waitFor({ timeout: 60_000 });
}

/**
 * Runs a command from the palette by its title (e.g. "Context Lens: Open Embedding Map"): F1, type,
 * Enter on the first row showing the title. The palette lists an extension's commands only once the
 * extension host has read its manifest (a few seconds after the workbench shows), and does not refresh
 * an open list: reopen it until the row appears.
 */
export async function runPaletteCommand(page, title, { timeoutMs = 45_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('input');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  for (;;) {
    // F1 first: Escape in a focused editor would cancel the selection the command is meant for.
    await page.keyboard.press('F1');
    await input.waitFor({ timeout: 10_000 });
    await input.fill(`>${title}`);
    try {
      await row.waitFor({ timeout: 2_000 });
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`command "${title}" did not appear in the palette within ${timeoutMs / 1000} s`);
      await page.keyboard.press('Escape'); // closes the palette only; focus goes back to the editor
      await widget.waitFor({ state: 'hidden', timeout: 5_000 });
    }
  }
  await page.keyboard.press('Enter');
  await widget.waitFor({ state: 'hidden', timeout: 5_000 });
}

/**
 * The content frame of a webview: two iframes deep (VS Code's host page, then the extension's HTML).
 * @param {{ index?: number }} [o] which visible webview (default: the last one opened)
 */
export function webviewFrame(page, { index = -1 } = {}) {
  const frames = page.locator('iframe.webview.ready');
  const outer = index < 0 ? frames.last() : frames.nth(index);
  return outer.contentFrame().locator('iframe#active-frame').contentFrame();
}

/** Saves a full-page PNG as test-results/<name>.png and returns its path. */
export async function screenshot(page, name) {
  mkdirSync(resultsDir, { recursive: true });
  const path = join(resultsDir, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path });
  return path;
}

function newestFiles(dir, pattern) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (pattern.test(e.name)) out.push(p);
    }
  };
  if (dir && existsSync(dir)) walk(dir);
  return out.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
}

/**
 * Waits until the remote extension host logs that it activated the extension (the server's
 * exthost log: "ExtensionService#_doActivateExtension <id>"). Returns the log line.
 */
export async function waitForActivation({ logs = serverFromEnv().logs, extensionId = EXTENSION_ID, timeoutMs = 30_000 } = {}) {
  if (!logs) throw new Error('CONTEXT_LENS_E2E_LOGS not set: cannot see the extension host log');
  const needle = `_doActivateExtension ${extensionId}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const f of newestFiles(logs, /exthost\.log$/)) {
      const line = readFileSync(f, 'utf8').split('\n').find((l) => l.includes(needle));
      if (line) return line.trim();
    }
    if (Date.now() > deadline) throw new Error(`${extensionId} did not activate within ${timeoutMs / 1000} s (no "${needle}" in ${logs})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Runs `fn` with a fresh browser on the workbench; on failure saves test-results/<name>-failure.png.
 * @param {string} name
 * @param {(w: { page: import('playwright-core').Page, server: ReturnType<typeof serverFromEnv>, lap: (m: string) => void }) => Promise<void>} fn
 */
export async function withWorkbench(name, fn) {
  const server = serverFromEnv();
  const lap = stopwatch();
  const browser = await launchBrowser();
  lap('browser launched');
  try {
    await openWorkbench(browser.page, server.workbenchUrl);
    lap('workbench loaded');
    await fn({ page: browser.page, server, lap });
  } catch (e) {
    const shot = await screenshot(browser.page, `${name}-failure`).catch(() => null);
    if (shot) console.log(`failure screenshot: ${shot}`);
    throw e;
  } finally {
    await browser.close();
  }
}
