/**
 * Hostile text at the webview (issue 14 item 2: "no script run in the webview"): every analysable text of the
 * catalogue, analysed by the real engine (the masked demo BERT and the causal tiny GPT-2), turned into the
 * panel's messages by the host's own view code (webviewHost.ts), and posted into the real webview bundle
 * (dist/webview.js) in Chromium under the panel's Content-Security-Policy. For each text × model: the Map, Tokens
 * and Attention tabs render, then the same in Words mode; every chip and label holds its token's text as text
 * (textContent equal to what the webview means to show: displayPiece / wordLabel / tokenLabel), nothing ran
 * (no dialog function, no CSP violation, no page error), no element came from the text, within a time bound.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { isContextLensError } from '../../src/engine/errors';
import { AnalysisSession } from '../../src/engine/session';
import type { ModelInfo } from '../../src/engine/types';
import type { AnalyzedSnippet } from '../../src/extension/mapState';
import type { SnippetView, TokenView, Word } from '../../src/protocol';
import { tokenLabel, wordLabels } from '../../webview/attention/labels';
import { mapLabelsHidden } from '../../webview/mapLabels';
import { bytePart } from '../../webview/causal/causalFacts';
import { displayPiece } from '../../webview/tokenText';
import { wordLabel } from '../../webview/words/wordText';
import { MODELS, type ModelKindName, type StressContext } from '../context';
import { hostileTexts, MAX_CHARS, type HostileText } from '../hostileTexts';
import { expect, type FamilyRecorder } from '../record';
import { launchStressBrowser, openPanelPage, pageSafety, safetyProblems, type PanelPage, type StressBrowser } from './webviewBrowser';
import { HOST_CONFIG, StressPanelHost, type SnippetViewFn } from './webviewHost';

/** A label as Plotly shows it: webview/plotlyText.ts escapePlotly turns line breaks into spaces (SVG text has no lines). */
const plotlyShown = (s: string): string => s.replace(/\r\n?|\n/g, ' ');

/** The texts the quick campaign shows the webview: the first small analysable one of each class, and the script-tag cases. */
const QUICK_EXTRA = ['closing script tag', 'Plotly and format placeholders', 'SVG with script'];

export function webviewTexts(quick: boolean): HostileText[] {
  const analysable = hostileTexts(quick).filter((t) => t.endings.includes('analysis'));
  if (!quick) return analysable;
  const firstOfClass = new Map<string, HostileText>();
  for (const t of analysable) if (!t.big && !firstOfClass.has(t.cls)) firstOfClass.set(t.cls, t);
  const picked = new Set([...firstOfClass.values(), ...analysable.filter((t) => QUICK_EXTRA.includes(t.name))]);
  return analysable.filter((t) => picked.has(t));
}

/** A sorted copy (multisets compared as sorted lists). */
const sorted = (xs: readonly string[]): string[] => [...xs].sort();

/** The first difference between two multisets of labels, as a sentence; undefined when equal. */
function multisetDiff(what: string, shown: readonly string[], want: readonly string[]): string | undefined {
  const a = sorted(shown);
  const b = sorted(want);
  if (a.length !== b.length) return `${what}: ${a.length} shown, ${b.length} expected`;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `${what}: shows ${JSON.stringify(a[i])} where ${JSON.stringify(b[i])} was expected`;
  return undefined;
}

async function waitMap(page: Page, want: { points: number; unit: 'pieces' | 'words' }, timeout: number): Promise<void> {
  await page.waitForFunction(
    (w) => {
      const map = document.querySelector('[data-testid=map]') as HTMLElement | null;
      return document.body.dataset.mapReady === 'true' && !!map && map.dataset.unit === w.unit && map.dataset.pointCount === String(w.points);
    },
    want,
    { timeout },
  ).catch(async () => {
    const seen = await page.evaluate(() => {
      const map = document.querySelector('[data-testid=map]') as HTMLElement | null;
      return { ready: document.body.dataset.mapReady, unit: map?.dataset.unit, points: map?.dataset.pointCount, error: document.querySelector('[data-testid=error] .error-text')?.textContent ?? '' };
    });
    throw new Error(`the ${want.unit} map never showed ${want.points} points (saw ${JSON.stringify(seen)})`);
  });
}

/** The map's text labels and legend, read from the SVG Plotly drew. */
const mapLabels = (page: Page): Promise<{ labels: string[]; legend: string[] }> =>
  page.evaluate(() => ({
    labels: Array.from(document.querySelectorAll('[data-testid=map] .textpoint text')).map((e) => e.textContent ?? ''),
    legend: Array.from(document.querySelectorAll('[data-testid=map] .legendtext')).map((e) => e.textContent ?? ''),
  }));

async function clickTab(page: Page, tab: 'map' | 'tokens' | 'attention'): Promise<void> {
  await page.locator(`[data-testid=tab-${tab}]`).click();
  await page.waitForFunction((t) => document.querySelector(`[data-testid=tab-${t}]`)?.getAttribute('aria-selected') === 'true', tab);
}

interface CaseSetup {
  session: AnalysisSession;
  info: ModelInfo;
  model: ModelKindName;
  snippetView: SnippetViewFn;
}

/**
 * One panel (a page) that serves one Explore after another, as the real panel does: `current` is the host of
 * the latest Explore. A case that fails closes the page, so the next one starts on a fresh panel.
 */
interface Panel {
  page?: PanelPage;
  current?: StressPanelHost;
}

/** One text × model through every tab, pieces then words, then back to pieces. Returns the outcome. */
async function webviewCase(b: StressBrowser, panel: Panel, setup: CaseSetup, t: HostileText, caseNo: number, signal: AbortSignal, budgetMs: number): Promise<string> {
  const { session, info } = setup;
  // Every wait gets what is left of the case's budget, so that a stuck step fails with its own message.
  const deadline = performance.now() + budgetMs;
  const left = (): number => Math.max(1000, deadline - performance.now());
  const laps: string[] = [];
  let tLap = performance.now();
  const lap = (what: string): void => {
    laps.push(`${what} ${Math.round(performance.now() - tLap)}`);
    tLap = performance.now();
  };
  const text = t.make();
  // As the extension analyses a selection: no guesses (they stream), the host's character limit.
  let analysis;
  try {
    analysis = await session.analyze(text, HOST_CONFIG.topK, { signal }, HOST_CONFIG.maxTokens, false, MAX_CHARS);
  } catch (e) {
    // A text that may end either way (DEL and escapes): a refusal it allows never reaches a panel.
    const code = isContextLensError(e) ? e.code : undefined;
    if (code && (t.endings as readonly string[]).includes(code)) return code;
    throw e;
  }
  lap('analyze');
  const label = `stress/<i>${t.name}</i>.txt:1`;
  const snippet: AnalyzedSnippet = { id: `s${caseNo}`, uri: 'file:///stress/hostile.txt', label, text, startOffset: 0, analysis };
  panel.current?.dispose();
  const host = new StressPanelHost(session, info, `${setup.model} (stress)`, [snippet], setup.snippetView, (m) => panel.page?.post(m));
  panel.current = host;
  let ok = false;
  try {
    if (panel.page) {
      await panel.page.resetRecords();
      await host.refresh(); // Explore in the panel that is open
    } else {
      panel.page = await openPanelPage(b, (m) => void panel.current?.onMessage(m));
      await panel.page.load(); // its `ready` reaches `host`, which answers with the whole panel
    }
    lap('explore');
    const { page } = panel.page;
    const view: SnippetView = host.views()[0];
    const visible = view.tokens.filter((k) => !k.special);
    const causal = info.kind === 'causal';
    expect(visible.length > 0, 'the analysis has no text tokens');
    // Pieces: the map.
    await waitMap(page, { points: visible.length, unit: 'pieces' }, left());
    const map = await mapLabels(page);
    // A map of thousands of points draws no labels (webview/mapLabels.ts): then none may be drawn at all.
    const diff = multisetDiff('map labels', map.labels, mapLabelsHidden(visible.length) ? [] : visible.map((k) => plotlyShown(displayPiece(k))));
    expect(!diff, diff!);
    expect(map.legend.includes(label), `the legend does not show the label literally: ${JSON.stringify(map.legend)}`);
    lap('map');

    // Tokens: every chip is its token's text, and text only.
    await clickTab(page, 'tokens');
    await checkChips(page, view, visible, causal, left());
    await hoverChip(page, host, visible, causal, left());
    lap('tokens');

    // Attention: head view, heat map and the layers × heads grid.
    await clickTab(page, 'attention');
    await checkAttention(page, view, info, (ti) => tokenLabel(view, ti), left());
    lap('attention');

    // Words: the switch re-projects; the attention labels, the map and the chips follow.
    await page.locator('[data-testid=unit-words]').click();
    const words = session.words(analysis.analysisId, HOST_CONFIG.wordsLanguage).words;
    const byWord = wordLabels(view, words.map((w) => w.tokenIndices[0]));
    await checkAttention(page, view, info, (ti) => byWord.get(ti) ?? tokenLabel(view, ti), left());
    await clickTab(page, 'map');
    const visibleWords = words.filter((w: Word) => !w.special);
    await waitMap(page, { points: visibleWords.length, unit: 'words' }, left());
    const wordMap = await mapLabels(page);
    const wordDiff = multisetDiff('words map labels', wordMap.labels, mapLabelsHidden(visibleWords.length) ? [] : visibleWords.map((w) => plotlyShown(wordLabel(w, view.tokens[w.tokenIndices[0]]))));
    expect(!wordDiff, wordDiff!);
    await clickTab(page, 'tokens');
    await checkChips(page, view, visible, causal, left());
    expect((await page.locator('[data-testid=word-group]').count()) > 0, 'the Tokens tab does not group the chips by word in Words mode');
    lap('words');

    // Back to pieces on the map, where the next Explore starts.
    await page.locator('[data-testid=unit-pieces]').click();
    await clickTab(page, 'map');
    await waitMap(page, { points: visible.length, unit: 'pieces' }, left());
    await panel.page.delivered();
    const problems = safetyProblems(await pageSafety(page), panel.page.problems);
    expect(host.errors.length === 0, `the host answered with errors: ${host.errors.slice(0, 3).join(' | ')}`);
    expect(problems.length === 0, problems.join('; '));
    ok = true;
    return `shown literally (${visible.length} tokens, ${visibleWords.length} words${analysis.windowed ? ', windowed' : ''})${process.env.CONTEXT_LENS_STRESS_LAPS ? ` [${laps.join(', ')}]` : ''}`;
  } catch (e) {
    // What the host answered with, and what the panel says, belong to the failure's message.
    const extra = [...(host.errors.length ? [`host errors: ${host.errors.slice(0, 3).join(' | ')}`] : []), ...(panel.page?.problems.slice(0, 3) ?? [])];
    if (extra.length && e instanceof Error) e.message = `${e.message} [${extra.join('; ')}]`;
    throw e;
  } finally {
    if (!ok) {
      // Also when the bound abandoned the case: the next case gets a fresh panel.
      host.dispose();
      if (panel.current === host) {
        const page = panel.page;
        panel.page = undefined;
        panel.current = undefined;
        await page?.page.close().catch(() => undefined);
      }
    }
  }
}

/**
 * What a chip means to show: its token's text; for a causal model's later byte parts of one character '·' (the
 * first part shows the character: webview/causal/surprisalStrip.ts decorateCausalChip).
 */
function chipText(view: SnippetView, token: TokenView, causal: boolean): string {
  const part = causal ? bytePart(view.tokens, token.index) : undefined;
  return part && part.part > 1 ? '·' : displayPiece(token);
}

async function checkChips(page: Page, view: SnippetView, visible: readonly TokenView[], causal: boolean, timeout: number): Promise<void> {
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=token-chip]').length === n, visible.length, { timeout }).catch(async () => {
    throw new Error(`the Tokens tab shows ${await page.locator('[data-testid=token-chip]').count()} chips for ${visible.length} tokens`);
  });
  const chips = await page.evaluate(() => Array.from(document.querySelectorAll<HTMLElement>('[data-testid=token-chip]')).map((c) => ({ index: Number(c.dataset.index), text: c.textContent ?? '', kids: c.childElementCount })));
  for (const c of chips) {
    const token = view.tokens[c.index];
    expect(token, `a chip names token ${c.index}, which the snippet does not have`);
    expect(c.kids === 0, `the chip of token ${c.index} holds ${c.kids} element(s), not text only`);
    const want = chipText(view, token, causal);
    expect(c.text === want, `the chip of token ${c.index} (${JSON.stringify({ piece: token.piece, start: token.start, end: token.end })}) shows ${JSON.stringify(c.text)}, not ${JSON.stringify(want)}`);
  }
}

/**
 * Hovers the chip with the longest text: the side panel names it literally; a masked model's guesses (pending
 * until the stream reaches them: the hover asks for them first) arrive and show as the engine gave them.
 */
async function hoverChip(page: Page, host: StressPanelHost, visible: readonly TokenView[], causal: boolean, timeout: number): Promise<void> {
  const token = visible.reduce((a, k) => (displayPiece(k).length > displayPiece(a).length ? k : a), visible[0]);
  const chip = page.locator(`[data-testid=token-chip][data-index="${token.index}"]`);
  await chip.scrollIntoViewIfNeeded();
  await chip.hover();
  const shown = displayPiece(token);
  await page.waitForFunction((s) => (document.querySelector('[data-testid=guess-panel]')?.textContent ?? '').includes(s), shown, { timeout: 5000 }).catch(async () => {
    throw new Error(`the side panel does not name the hovered token ${JSON.stringify(shown)} (it reads ${JSON.stringify((await page.locator('[data-testid=guess-panel]').textContent())?.slice(0, 120))})`);
  });
  if (causal) return;
  await page.waitForSelector('[data-testid=guess-panel] .guess-token', { timeout }).catch(() => {
    throw new Error(`the guesses of the hovered token ${JSON.stringify(shown)} never arrived`);
  });
  const tokens = await page.locator('[data-testid=guess-panel] .guess-token').allTextContents();
  const engine = host.snippets[0].analysis.guesses[token.index]?.map((g) => g.token) ?? [];
  expect(tokens.length > 0 && tokens.every((g, i) => g === engine[i]), `the guesses shown ${JSON.stringify(tokens)} are not the engine's ${JSON.stringify(engine)}`);
}

/** The attention tab drew its three views; every head-view label is one the webview means to show (its text literally). */
async function checkAttention(page: Page, view: SnippetView, info: ModelInfo, labelOf: (tokenIndex: number) => string, timeout: number): Promise<void> {
  const cells = info.numLayers * info.numHeads;
  await page
    .waitForFunction(
      (n) =>
        document.querySelectorAll('[data-testid=head-view] .hv-token text').length > 0 &&
        !!document.querySelector('[data-testid=heatmap] .heatmaplayer') &&
        document.querySelectorAll('[data-testid=attention-grid] .grid-cell').length === n,
      cells,
      { timeout },
    )
    .catch(async () => {
      const seen = await page.evaluate(() => ({
        headView: document.querySelectorAll('[data-testid=head-view] .hv-token text').length,
        heatmap: !!document.querySelector('[data-testid=heatmap] .heatmaplayer'),
        grid: document.querySelectorAll('[data-testid=attention-grid] .grid-cell').length,
        error: document.querySelector('[data-testid=error] .error-text')?.textContent ?? '',
      }));
      throw new Error(`the Attention tab did not render (${JSON.stringify(seen)}; ${cells} grid cells expected)`);
    });
  const allowed = new Set(view.tokens.map((k) => labelOf(k.index)));
  const labels = await page.locator('[data-testid=head-view] .hv-token text').allTextContents();
  const odd = labels.find((l) => !allowed.has(l));
  expect(odd === undefined, `the head view shows ${JSON.stringify(odd)}, which is no token's label`);
}

export async function runHostileWebview(c: StressContext, rec: FamilyRecorder): Promise<void> {
  // CONTEXT_LENS_STRESS_WEBVIEW_TEXTS=part,part: only the texts whose names contain one of them (to rerun a failure).
  const only = process.env.CONTEXT_LENS_STRESS_WEBVIEW_TEXTS?.split(',').filter(Boolean);
  const texts = webviewTexts(c.o.quick).filter((t) => !only || only.some((p) => t.name.includes(p)));
  const refused = hostileTexts(c.o.quick).filter((t) => !t.endings.includes('analysis')).length;
  rec.note(`${texts.length} analysable texts × ${Object.keys(MODELS).length} models through dist/webview.js in Chromium; ${refused} texts of the catalogue end in a refusal before any panel opens (the engine, CLI and host families try those).`);
  const cacheDir = mkdtempSync(join(tmpdir(), 'context-lens-stress-webview-cache-'));
  let b: StressBrowser | undefined;
  const t0 = performance.now();
  try {
    b = await launchStressBrowser();
    c.log(`hostile-webview: Chromium up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const snippetView = (await b.harnessModule.loadHostSnippetView()) as SnippetViewFn;
    for (const model of Object.keys(MODELS) as ModelKindName[]) {
      const session = new AnalysisSession();
      try {
        const info = await session.load({ model: MODELS[model], dtype: 'fp32', device: 'cpu', cacheDir });
        const panel: Panel = {};
        let caseNo = 0;
        try {
          for (const t of texts) {
            // Big texts (thousands of tokens: SVG labels, UMAP, the attention of a 512-token window) get more time.
            const bound = t.big ? 120_000 : 30_000;
            caseNo += 1;
            const r = await rec.run(`${t.name} · ${model}`, 'webview', bound, (signal) => webviewCase(b!, panel, { session, info, model, snippetView }, t, caseNo, signal, bound - 4000));
            if (!r.ok && panel.page) {
              // A case the bound abandoned may still be running in its page (a map of 40,000 points): the next starts on a fresh one.
              panel.current?.dispose();
              const stale = panel.page;
              panel.page = undefined;
              panel.current = undefined;
              await stale.page.close().catch(() => undefined);
            }
            if (!r.ok && /has been closed/.test(r.problem ?? '')) {
              // The browser itself went (a renderer out of memory): the rest of the texts get a new one.
              await b?.close();
              b = await launchStressBrowser();
            }
          }
        } finally {
          panel.current?.dispose();
          await panel.page?.page.close().catch(() => undefined);
        }
      } finally {
        await session.dispose();
      }
    }
  } finally {
    await b?.close();
    rmSync(cacheDir, { recursive: true, force: true });
  }
}
