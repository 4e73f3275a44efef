/**
 * Rapid use at the webview (issue 14 item 5): "the layer slider dragged end to end 50 times while guesses
 * stream", in a real VS Code. code-server with this repository as the development extension (as
 * `npm test -- --only e2e --devpath` runs it), a workspace whose settings pick the demo model and
 * contextLens.maskedGuesses 'all'; Explore a text of a few hundred tokens, and as soon as the map shows, drag
 * the map's layer slider with the mouse from one end to the other, N times, while the masked guesses stream in.
 *
 * Each drag is a case: the layer label follows within its bound (the time from the pointer event that set the
 * value to the label showing it is measured inside the webview, its maximum is a figure). Then: no error
 * (webview errors, the panel's error line, error notifications), the guesses finish (every point of the map
 * has them), and the map shows the final layer.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FrameLocator, Page } from 'playwright-core';
import { MODELS, REPO, type StressContext } from '../context';
import { expect, type FamilyRecorder } from '../record';

interface CodeServerModule {
  ensureTools(): { node24: string; codeServer: string; chromium: string };
  startCodeServer(o: { tools: unknown; workspace: string; smokeTestDriver?: boolean; label?: string; env?: Record<string, string | undefined> }): Promise<{
    url: string;
    runDir: string;
    remoteUri(p: string): string;
    workbenchUrl(o?: { payload?: [string, string][] }): string;
    stop(o?: { keepLogAs?: string }): Promise<void>;
  }>;
}

interface E2eHarness {
  launchBrowser(o?: { executablePath?: string }): Promise<{ page: Page; close(): Promise<void> }>;
  openWorkbench(page: Page, url: string): Promise<void>;
  runPaletteCommand(page: Page, title: string): Promise<void>;
  webviewFrame(page: Page): FrameLocator;
  openFromExplorer(page: Page, name: string, firstText: string): Promise<void>;
  screenshot(page: Page, name: string): Promise<string>;
}

const load = async <T>(...path: string[]): Promise<T> => (await import(pathToFileURL(join(REPO, ...path)).href)) as T;

/**
 * A text of a few hundred tokens for the demo model (one token per CJK character, its English words whole). The
 * tiny model streams its ~450 guesses in a second or two, so the drags start as soon as the slider has its
 * range, without waiting for the map to finish drawing (a longer text only made the map slower than the stream).
 */
export function sliderText(): string {
  const sentences = ['我用苹果手机。', '我爱吃苹果。', '她在河边的银行存钱。', 'the bank of the river.', '他们去银行。'];
  let text = '';
  for (let i = 0; text.length < 640; i++) text += sentences[i % sentences.length];
  return text;
}

/** Installed in the webview frame: when each pointer event and each change of the layer label happened. */
function watchSlider(): void {
  const w = window as unknown as { __slider?: { pointer: number; changes: { at: number; pointer: number; text: string }[] } };
  if (w.__slider) return;
  const input = document.querySelector('[data-testid=layer]') as HTMLInputElement;
  const label = document.querySelector('[data-testid=layer-value]') as HTMLElement;
  const rec = { pointer: 0, changes: [] as { at: number; pointer: number; text: string }[] };
  w.__slider = rec;
  // timeStamp of a pointer event: when the input happened, even if the page was busy and dispatched it late.
  for (const type of ['pointerdown', 'pointermove']) window.addEventListener(type, (e) => (rec.pointer = e.timeStamp), true);
  new MutationObserver(() => rec.changes.push({ at: performance.now(), pointer: rec.pointer, text: label.textContent ?? '' })).observe(label, { childList: true, characterData: true, subtree: true });
  void input;
}

export async function runSliderDrags(c: StressContext, rec: FamilyRecorder): Promise<void> {
  const drags = c.o.quick ? 10 : 50;
  const cs = await load<CodeServerModule>('scripts', 'codeServer.mjs');
  const e2e = await load<E2eHarness>('test', 'e2e', 'harness.mjs');
  const workspace = mkdtempSync(join(tmpdir(), 'context-lens-stress-slider-'));
  const text = sliderText();
  mkdirSync(join(workspace, '.vscode'), { recursive: true });
  writeFileSync(join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'contextLens.model': MODELS.masked, 'contextLens.dtype': 'fp32', 'contextLens.maskedGuesses': 'all' }, null, 2));
  writeFileSync(join(workspace, 'slider.txt'), `${text}\n`);
  let server: Awaited<ReturnType<CodeServerModule['startCodeServer']>> | undefined;
  let browser: Awaited<ReturnType<E2eHarness['launchBrowser']>> | undefined;
  try {
    let frame!: FrameLocator;
    let page!: Page;
    let layers = 0;
    const setup = await rec.run('slider · code-server, Explore, the map', 'webview', 180_000, async () => {
      const tools = cs.ensureTools();
      server = await cs.startCodeServer({ tools, workspace, smokeTestDriver: true, label: 'stress-slider', env: { CONTEXT_LENS_MODEL: MODELS.masked } });
      const url = server.workbenchUrl({ payload: [['extensionDevelopmentPath', server.remoteUri(REPO)]] });
      browser = await e2e.launchBrowser({ executablePath: tools.chromium });
      page = browser.page;
      await page.addInitScript(() => {
        const w = window as unknown as { __stress: { errors: string[] } };
        w.__stress = { errors: [] };
        window.addEventListener('error', (e) => w.__stress.errors.push(String(e.message)));
      });
      await e2e.openWorkbench(page, url);
      await e2e.openFromExplorer(page, 'slider.txt', text.slice(0, 6));
      await page.locator('.editor-instance .monaco-editor .view-line').first().click();
      await page.keyboard.press('ControlOrMeta+A');
      await e2e.runPaletteCommand(page, 'Context Lens: Explore Selection');
      frame = e2e.webviewFrame(page);
      // The analysis is in as soon as the guesses stream (their progress shows) or the map has drawn: the drags
      // start then, not after the map is drawn, so that they meet the stream.
      await frame.locator('[data-testid="guess-progress"]:visible, body[data-map-ready="true"] [data-testid="map"]:not([data-point-count="0"])').first().waitFor({ state: 'attached', timeout: 120_000 });
      layers = Number(await frame.getByTestId('layer').getAttribute('max'));
      expect(layers > 0, 'the layer slider has no range');
      return `slider ready (layers 0…${layers})`;
    });
    if (!setup.ok) return;

    const slider = frame.getByTestId('layer');
    await slider.evaluate(watchSlider);
    const progress = frame.getByTestId('guess-progress');
    const latencies: number[] = [];
    let whileStreaming = 0;
    let value = Number(await slider.inputValue());
    for (let i = 0; i < drags; i++) {
      const target = value === 0 ? layers : 0;
      await rec.run(`slider drag ${i + 1} → layer ${target}`, 'webview', 5000, async () => {
        if (await progress.isVisible()) whileStreaming++;
        const box = await slider.boundingBox();
        expect(box, 'the layer slider is not on screen');
        const y = box.y + box.height / 2;
        const xAt = (v: number): number => box.x + 6 + ((box.width - 12) * v) / layers;
        const before = await slider.evaluate(() => (window as unknown as { __slider: { changes: unknown[] } }).__slider.changes.length);
        // The mouse takes the thumb and drags it past the far end (a person's drag overshoots).
        await page.mouse.move(xAt(value), y);
        await page.mouse.down();
        await page.mouse.move(target === 0 ? box.x - 20 : box.x + box.width + 20, y, { steps: 8 });
        await page.mouse.up();
        const shown = await slider.evaluate(
          async (el, want) => {
            const input = el as HTMLInputElement;
            const w = window as unknown as { __slider: { changes: { at: number; pointer: number; text: string }[] } };
            for (let k = 0; k < 200 && Number(input.value) !== want.target; k++) await new Promise((r) => setTimeout(r, 10));
            const change = w.__slider.changes.slice(want.before).find((ch) => ch.text === (document.querySelector('[data-testid=layer-value]')?.textContent ?? ''));
            return { value: Number(input.value), label: document.querySelector('[data-testid=layer-value]')?.textContent ?? '', ms: change ? change.at - change.pointer : -1 };
          },
          { target, before },
        );
        expect(shown.value === target, `the slider is at ${shown.value}, not ${target}, after the drag`);
        expect(shown.ms >= 0, `the layer label did not change for the drag (it reads ${JSON.stringify(shown.label)})`);
        latencies.push(shown.ms);
        value = target;
        return `label "${shown.label}" ${Math.round(shown.ms)} ms after the input`;
      });
    }
    rec.figure('slider drags', drags);
    rec.figure('slider drags while guesses streamed', whileStreaming);
    // With the tiny demo model the stream of ~450 guesses can end before the map has drawn: say so (open: see the report).
    if (whileStreaming === 0) rec.note('slider: the masked guesses had all arrived before the first drag (the demo model streams ~450 guesses in a second or two), so no drag overlapped the stream.');
    if (latencies.length) {
      const sorted = [...latencies].sort((a, b) => a - b);
      rec.figure('slider input → label, max (ms)', Math.round(sorted[sorted.length - 1]));
      rec.figure('slider input → label, median (ms)', Math.round(sorted[Math.floor(sorted.length / 2)]));
    }

    await rec.run('slider · after the drags: guesses finished, the map at the final layer, no error', 'webview', 120_000, async () => {
      const t0 = performance.now();
      await frame.locator(`body[data-map-ready="true"] [data-testid="map"][data-layer="${value}"]`).waitFor({ state: 'attached', timeout: 60_000 });
      const mapMs = performance.now() - t0;
      await progress.waitFor({ state: 'hidden', timeout: 90_000 });
      // The map redraws streamed guesses at an interval: wait until no point's hover text says they are pending.
      const map = frame.getByTestId('map');
      let pending = -1;
      for (let k = 0; k < 60; k++) {
        pending = await map.evaluate((el) => {
          const data = (el as unknown as { data: { hovertext?: string[] }[] }).data ?? [];
          return data.flatMap((d) => d.hovertext ?? []).filter((h) => /Computing/.test(h)).length;
        });
        if (pending === 0) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(pending === 0, `${pending} point(s) of the map still show their guesses as pending`);
      const end = await frame.locator('body').evaluate(() => ({
        layer: (document.querySelector('[data-testid=map]') as HTMLElement).dataset.layer,
        ready: document.body.dataset.mapReady,
        slider: (document.querySelector('[data-testid=layer]') as HTMLInputElement).value,
        points: (document.querySelector('[data-testid=map]') as HTMLElement).dataset.pointCount,
        errors: (window as unknown as { __stress?: { errors: string[] } }).__stress?.errors ?? ['the init script did not run in the webview'],
        errorLine: (document.querySelector('[data-testid=error]') as HTMLElement | null)?.hidden === false ? (document.querySelector('[data-testid=error] .error-text')?.textContent ?? '') : '',
      }));
      expect(end.layer === String(value) && end.slider === String(value), `the map shows layer ${end.layer} and the slider ${end.slider}, the last drag ended at ${value}`);
      expect(end.errors.length === 0, `errors in the webview: ${end.errors.slice(0, 3).join(' | ')}`);
      expect(!end.errorLine, `the panel shows an error: ${end.errorLine}`);
      const toasts = await page.locator('.notifications-toasts .notification-toast .codicon-error').count();
      expect(toasts === 0, `${toasts} error notification(s) in the workbench`);
      await e2e.screenshot(page, 'stress-slider-end');
      rec.figure('slider: map at the final layer after the last drag (ms)', Math.round(mapMs));
      return `layer ${value}, ${end.points} points, every guess in`;
    });
  } finally {
    await browser?.close();
    await server?.stop({ keepLogAs: 'stress-slider' });
    rmSync(workspace, { recursive: true, force: true });
  }
}
