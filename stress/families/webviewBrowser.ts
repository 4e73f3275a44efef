/**
 * Headless Chromium around the standalone webview harness (test/webview/harness.html served by
 * test/webview/harness.mjs under the panel's own Content-Security-Policy, src/extension/panel/html.ts), with
 * the harness's fake host switched off (`?host=bridge`): the page's messages go to a StressPanelHost.
 *
 * In every page an init script records what must never happen: alert/confirm/prompt calls, Content-Security-
 * Policy violations and uncaught errors (as test/e2e/hostile.e2e.test.mjs does in the real workbench).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO } from '../context';
import type { HostToWebview, WebviewToHost } from '../../src/protocol';

export interface StressBrowser {
  context: BrowserContext;
  url: string;
  /** snippetView of src/extension/mapState.ts (compiled on the fly: see loadHostSnippetView). */
  harnessModule: HarnessModule;
  close(): Promise<void>;
}

interface HarnessModule {
  startHarness(o?: { port?: number }): Promise<{ url: string; close(): Promise<void> }>;
  loadHostSnippetView(): Promise<unknown>;
}

export const CHROMIUM = process.env.CONTEXT_LENS_CHROMIUM || process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** Runs in every frame before the page's own scripts: records what the cases forbid. */
function recordForbidden(): void {
  const w = window as unknown as { __stress: { csp: string[]; dialogs: string[]; errors: string[] } } & Record<string, unknown>;
  w.__stress = { csp: [], dialogs: [], errors: [] };
  document.addEventListener('securitypolicyviolation', (e) => w.__stress.csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample ?? ''}`));
  window.addEventListener('error', (e) => w.__stress.errors.push(String(e.message)));
  window.addEventListener('unhandledrejection', (e) => w.__stress.errors.push(`unhandled rejection: ${String((e as PromiseRejectionEvent).reason)}`));
  for (const f of ['alert', 'confirm', 'prompt']) {
    const original = w[f] as ((...a: unknown[]) => unknown) | undefined;
    w[f] = (...a: unknown[]) => {
      w.__stress.dialogs.push(`${f}(${a.map(String).join(',')})`);
      return original?.apply(window, a);
    };
  }
}

export async function launchStressBrowser(): Promise<StressBrowser> {
  // The harness is the repository's own .mjs (not bundled): loaded at run time, as stress/families/host.ts loads its runner.
  const harnessModule = (await import(pathToFileURL(join(REPO, 'test', 'webview', 'harness.mjs')).href)) as HarnessModule;
  const harness = await harnessModule.startHarness();
  const profile = mkdtempSync(join(tmpdir(), 'context-lens-stress-webview-'));
  try {
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, viewport: { width: 1280, height: 800 }, args: ARGS });
    await context.addInitScript(recordForbidden);
    return {
      context,
      url: harness.url,
      harnessModule,
      async close() {
        await context.close().catch(() => undefined);
        await harness.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await harness.close();
    rmSync(profile, { recursive: true, force: true });
    throw new Error(`could not start Chromium (${CHROMIUM}; CONTEXT_LENS_CHROMIUM names another): ${e instanceof Error ? e.message : String(e)}`);
  }
}

export interface PanelPage {
  page: Page;
  /** Page errors, console errors and dialogs seen by the driver (since the last `resetRecords`). */
  problems: string[];
  /** Posts to the page in order. */
  post(m: HostToWebview): void;
  /** Resolves when everything posted so far was delivered. */
  delivered(): Promise<void>;
  /** Forgets what was recorded so far (the page and the driver's lists): the next case starts clean. */
  resetRecords(): Promise<void>;
  /** Loads the harness: the webview's `ready` then reaches `route` (whose answers may already use `post`). */
  load(): Promise<void>;
}

/**
 * A fresh tab for the harness whose messages go to `route` (the host of the moment: one page serves one Explore
 * after another, as a panel does). `load()` opens the harness in it.
 */
export async function openPanelPage(b: StressBrowser, route: (m: WebviewToHost) => void): Promise<PanelPage> {
  const page = await b.context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.type()} ${d.message()}`);
    void d.dismiss().catch(() => undefined);
  });
  let chain: Promise<void> = Promise.resolve();
  const post = (m: HostToWebview): void => {
    chain = chain
      .then(() => page.evaluate((msg) => (window as unknown as { harness: { send(x: unknown): void } }).harness.send(msg), m as unknown))
      .catch((e: unknown) => {
        if (!page.isClosed()) problems.push(`could not deliver ${m.type}: ${e instanceof Error ? e.message : String(e)}`);
      });
  };
  await page.exposeBinding('__hostBridge', (_source, m: WebviewToHost) => route(m));
  return {
    async load() {
      await page.goto(`${b.url}?host=bridge&theme=dark`);
    },
    page,
    problems,
    post,
    delivered: () => chain,
    async resetRecords() {
      problems.length = 0;
      await page.evaluate(() => {
        const w = window as unknown as { __stress: { csp: string[]; dialogs: string[]; errors: string[] }; __alerts: string[]; __received: unknown[]; __posted: unknown[] };
        w.__stress = { csp: [], dialogs: [], errors: [] };
        w.__alerts.length = 0;
        // The harness keeps every message both ways: not across hundreds of cases.
        w.__received.length = 0;
        w.__posted.length = 0;
      });
    },
  };
}

/** What the page recorded plus a sweep of its DOM for anything a token's text could have made. */
export interface PageSafety {
  csp: string[];
  dialogs: string[];
  errors: string[];
  harnessAlerts: string[];
  /** Elements that only markup in the data could have made (img, iframe, foreignObject, a, …). */
  forbidden: string[];
  /** Elements with an on* handler attribute. */
  handlers: string[];
  /** href/src/xlink:href naming javascript: or data:text/html. */
  urls: string[];
  /** Scripts and style elements without this page's nonce (the page has two scripts and nonce'd styles only). */
  unsignedScripts: number;
  unsignedStyles: number;
  scripts: number;
  /** The panel's error line, when it shows one. */
  errorLine: string;
}

export function pageSafety(page: Page): Promise<PageSafety> {
  return page.evaluate(() => {
    const w = window as unknown as { __stress?: { csp: string[]; dialogs: string[]; errors: string[] }; __alerts?: string[] };
    const all = Array.from(document.querySelectorAll('*'));
    const FORBIDDEN = new Set(['img', 'iframe', 'frame', 'object', 'embed', 'foreignobject', 'a', 'base', 'form', 'link', 'audio', 'video', 'math', 'template', 'animate', 'set']);
    const describe = (e: Element): string => `<${e.tagName.toLowerCase()}${Array.from(e.attributes).map((a) => ` ${a.name}="${a.value.slice(0, 40)}"`).join('')}>`;
    const errorEl = document.querySelector('[data-testid=error]') as HTMLElement | null;
    return {
      csp: w.__stress?.csp ?? ['the init script did not run'],
      dialogs: w.__stress?.dialogs ?? [],
      errors: w.__stress?.errors ?? [],
      harnessAlerts: w.__alerts ?? [],
      forbidden: all.filter((e) => FORBIDDEN.has(e.tagName.toLowerCase())).map(describe),
      handlers: all.filter((e) => Array.from(e.attributes).some((a) => /^on/i.test(a.name))).map(describe),
      urls: all.filter((e) => Array.from(e.attributes).some((a) => /(^|:)(href|src|action|formaction)$/i.test(a.name) && /^\s*(javascript|data:text\/html|vbscript)/i.test(a.value))).map(describe),
      unsignedScripts: Array.from(document.scripts).filter((s) => !s.nonce).length,
      unsignedStyles: Array.from(document.querySelectorAll('style')).filter((s) => !(s as HTMLStyleElement).nonce).length,
      scripts: document.scripts.length,
      errorLine: errorEl && !errorEl.hidden ? `«${errorEl.querySelector('.error-text')?.textContent ?? ''}»` : '',
    };
  });
}

/** The problems in a PageSafety, as sentences (empty: clean). */
export function safetyProblems(s: PageSafety, driverProblems: readonly string[]): string[] {
  const out: string[] = [];
  if (s.csp.length) out.push(`Content-Security-Policy violations: ${s.csp.slice(0, 3).join(' | ')}`);
  if (s.dialogs.length || s.harnessAlerts.length) out.push(`a dialog function ran: ${[...s.dialogs, ...s.harnessAlerts].slice(0, 3).join(' | ')}`);
  if (s.errors.length) out.push(`errors in the page: ${s.errors.slice(0, 3).join(' | ')}`);
  if (s.forbidden.length) out.push(`elements made from data: ${s.forbidden.slice(0, 3).join(' ')}`);
  if (s.handlers.length) out.push(`elements with handler attributes: ${s.handlers.slice(0, 3).join(' ')}`);
  if (s.urls.length) out.push(`script URLs in attributes: ${s.urls.slice(0, 3).join(' ')}`);
  if (s.unsignedScripts || s.scripts !== 2) out.push(`scripts: ${s.scripts} (${s.unsignedScripts} without the nonce); the page has its host script and dist/webview.js only`);
  if (s.unsignedStyles) out.push(`${s.unsignedStyles} style element(s) without the nonce`);
  if (s.errorLine) out.push(`the panel shows an error: ${s.errorLine.slice(0, 200)}`);
  if (driverProblems.length) out.push(...driverProblems.slice(0, 3));
  return out;
}
