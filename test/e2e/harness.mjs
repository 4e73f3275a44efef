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
 * an open list: reopen it until the row appears. `waitForClose: false` for a command whose own quick pick
 * or input box opens in the same widget at once.
 */
export async function runPaletteCommand(page, title, { timeoutMs = 45_000, waitForClose = true } = {}) {
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
  if (waitForClose) await widget.waitFor({ state: 'hidden', timeout: 5_000 });
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
 * `extensionLog(o)` reads this window's "Context Lens" output channel (see extensionLog).
 * @param {string} name
 * @param {(w: { page: import('playwright-core').Page, server: ReturnType<typeof serverFromEnv>, lap: (m: string) => void, extensionLog: typeof extensionLog }) => Promise<void>} fn
 * @param {{ url?: string }} [o] the workbench URL (default: the runner's; see workbenchUrlFor)
 */
export async function withWorkbench(name, fn, { url } = {}) {
  const server = serverFromEnv();
  const lap = stopwatch();
  const earlierLogs = new Set(newestFiles(server.logs, /^Context Lens\.log$/));
  const browser = await launchBrowser();
  lap('browser launched');
  try {
    await openWorkbench(browser.page, url ?? server.workbenchUrl);
    lap('workbench loaded');
    await fn({ page: browser.page, server, lap, extensionLog: (o = {}) => extensionLog({ ...o, exclude: earlierLogs }) });
  } catch (e) {
    const shot = await screenshot(browser.page, `${name}-failure`).catch(() => null);
    if (shot) console.log(`failure screenshot: ${shot}`);
    throw e;
  } finally {
    await browser.close();
  }
}

// ---- shared steps (explore.e2e.test.mjs keeps its own copies of the first ones) -------------------

/** The workbench URL of `serverFromEnv()` with another folder open (keeps a ?payload=, e.g. a development path). */
export function workbenchUrlFor(folder, server = serverFromEnv()) {
  const u = new URL(server.workbenchUrl);
  u.searchParams.set('folder', folder);
  return u.toString();
}

/** Opens a workspace file from the Explorer (in the active editor group) and waits for its text. */
export async function openFromExplorer(page, name, firstText) {
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first().click();
  await page.locator('.editor-instance .monaco-editor .view-line', { hasText: firstText }).first().waitFor({ timeout: 20_000 });
}

/** Selects one whole line as a person would: click it, Home, Shift+End; waits for the selection to show. */
export async function selectLine(page, text) {
  const line = page.locator('.editor-instance .monaco-editor .view-line', { hasText: text }).first();
  await line.click();
  await page.keyboard.press('Home');
  await page.keyboard.press('Shift+End');
  await page.locator('.editor-instance .monaco-editor .selected-text').first().waitFor({ state: 'attached', timeout: 5_000 });
}

/** Centre of the n-th occurrence (0-based) of `ch` in the editor line showing `lineText`. */
export async function charCenter(page, lineText, ch, n = 0) {
  const box = await page.evaluate(
    ({ lineText, ch, n }) => {
      const line = Array.from(document.querySelectorAll('.editor-instance .monaco-editor .view-line')).find((l) => l.textContent.includes(lineText));
      if (!line) return null;
      let seen = 0;
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (let i = node.data.indexOf(ch); i >= 0; i = node.data.indexOf(ch, i + 1)) {
          if (seen++ === n) {
            const r = document.createRange();
            r.setStart(node, i);
            r.setEnd(node, i + ch.length);
            const b = r.getBoundingClientRect();
            return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
          }
        }
      }
      return null;
    },
    { lineText, ch, n },
  );
  if (!box) throw new Error(`"${ch}" #${n} not found on the line "${lineText}"`);
  return box;
}

/**
 * Rests the mouse on `at` until a hover whose text matches `pattern` shows (hovers are asked for only on a
 * mouse move: move away and back, in a retry loop); returns its text.
 */
export async function hoverUntil(page, at, pattern, { timeoutMs = 30_000 } = {}) {
  const hover = page.locator('.monaco-hover-content', { hasText: pattern }).first();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.mouse.move(at.x, at.y + 150);
    await page.mouse.move(at.x, at.y, { steps: 3 });
    try {
      await hover.waitFor({ state: 'visible', timeout: 1_500 });
      return await hover.innerText();
    } catch {
      if (Date.now() > deadline) throw new Error(`no hover matching ${pattern} over (${at.x}, ${at.y}) within ${timeoutMs / 1000} s`);
    }
  }
}

/** Waits for a finished map render (any layer unless `layer` is given) with at least `minPoints` points; returns its point count and layer. */
export async function mapRendered(frame, { layer, minPoints = 1, timeout = 60_000 } = {}) {
  const sel = `body[data-map-ready="true"] [data-testid="map"]${layer === undefined ? '' : `[data-layer="${layer}"]`}`;
  const map = frame.locator(sel);
  await map.waitFor({ state: 'attached', timeout });
  const deadline = Date.now() + timeout;
  for (;;) {
    const count = Number(await map.getAttribute('data-point-count'));
    if (count >= minPoints) return { count, layer: Number(await map.getAttribute('data-layer')) };
    if (Date.now() > deadline) throw new Error(`map has ${count} points, wanted at least ${minPoints}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Answers VS Code's file dialog (in code-server the "simple" one: a quick input holding a path). It fills
 * in its default path asynchronously: wait for that to settle (`defaultEnd`: how the default path ends),
 * then replace it with `target` (typing into it races the dialog's own updates), run `beforeAccept`
 * (e.g. a screenshot of the filled dialog) and accept.
 */
export async function answerPathDialog(page, defaultEnd, target, lap = () => {}, { beforeAccept } = {}) {
  const pathInput = page.locator('.quick-input-widget input');
  await pathInput.waitFor({ state: 'visible', timeout: 20_000 });
  await page.waitForFunction((end) => (document.querySelector('.quick-input-widget input')?.value ?? '').endsWith(end), defaultEnd, { timeout: 20_000 });
  lap(`file dialog: ${JSON.stringify(await pathInput.inputValue())}`);
  for (let i = 0; i < 10; i++) {
    await pathInput.fill(target);
    await new Promise((r) => setTimeout(r, 300));
    if ((await pathInput.inputValue()) === target) break;
  }
  if ((await pathInput.inputValue()) !== target) throw new Error(`the file dialog does not keep the typed path ${target}`);
  await beforeAccept?.();
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
}

/** Waits until `path` exists and `ready(content)` holds for its content (written by the extension host); returns the content. */
export async function fileWritten(path, ready = (b) => b.length > 0, { timeoutMs = 20_000, encoding } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (existsSync(path)) {
      const content = readFileSync(path, encoding);
      if (ready(content)) return content;
    }
    if (Date.now() > deadline) throw new Error(`${path} was not written within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The text of the extension's "Context Lens" output channel in the newest extension host's logs (every
 * window has its own extension host; `exclude`: logs of earlier windows, see withWorkbench's
 * `extensionLog`), waiting until it holds a line matching `pattern` when given.
 */
export async function extensionLog({ pattern, logs = serverFromEnv().logs, timeoutMs = 20_000, exclude = new Set() } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [newest] = newestFiles(logs, /^Context Lens\.log$/).filter((f) => !exclude.has(f));
    const text = newest ? readFileSync(newest, 'utf8') : '';
    if (!pattern || pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`no line matching ${pattern} in the Context Lens log ${newest ?? '(none yet)'}:\n${text.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The notification whose text matches `text`, from the notifications center (opened through the palette).
 * The center rather than a toast: with `enable-smoke-test-driver` (--devpath runs) VS Code shows no
 * toasts at all. Returns the item's locator (its buttons: `.monaco-button`).
 */
export async function notification(page, text, { timeoutMs = 20_000 } = {}) {
  const center = page.locator('.notifications-center');
  if (!(await center.isVisible())) await runPaletteCommand(page, 'Notifications: Show Notifications');
  const item = center.locator('.notification-list-item', { hasText: text }).first();
  await item.waitFor({ timeout: timeoutMs });
  return item;
}
