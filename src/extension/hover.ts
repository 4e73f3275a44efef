/**
 * Hover: what BERT guesses for the token under the mouse when that token alone is masked, and at which
 * layer that guess first came out on top (one engine call: `layerGuesses`, whose last row is the masked
 * guess). For a causal model (issue 13): what it predicted here before seeing the token, the token's
 * probability and rank (one analysis of the paragraph), and the logit lens at the token before (causalHover). With a selection under the pointer it offers Guess Masked Span on it. Bounded work (the paragraph around the position, at most PARAGRAPH_MAX characters), one engine call at
 * a time: a hover the mouse left returns at once, and the next one waits for its forward (which cannot be
 * stopped once started) instead of running beside it (issue 14).
 */
import * as vscode from 'vscode';
import { isContextLensError, messageOf } from '../engine/errors';
import { formatProbability } from '../shared/format';
import { SECTION } from './config';
import type { Ctx } from './context';
import type { LayerGuessesResult } from '../engine/predictions/types';
import { guessSpanCommandUri, spanPeekOf } from './predictions/spanCommand';
import { layerSummary } from '../../webview/predictions/layerRows';
import { causalHoverContent, causalTokenAt, type CausalHoverContent } from './causalHoverContent';
import { formatBits, surprisalBits } from '../../webview/causal/surprisal';
import { displayGuessToken } from '../../webview/causal/causalFacts';
import { OneAtATime } from './oneAtATime';

const PARAGRAPH_MAX = 400;
/** Lines scanned up and down looking for the paragraph's ends. */
const MAX_LINES = 40;

export class HoverRegistration implements vscode.Disposable {
  private registration: vscode.Disposable | undefined;
  private readonly settingsWatch: vscode.Disposable;

  constructor(private readonly ctx: Ctx) {
    this.update();
    this.settingsWatch = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${SECTION}.hover`)) this.update();
    });
  }

  /** (Re-)registers for the configured languages; none when hover is disabled. */
  update(): void {
    this.registration?.dispose();
    this.registration = undefined;
    const cfg = this.ctx.config;
    if (!cfg.hoverEnabled || cfg.hoverLanguages.length === 0) return;
    const selector = cfg.hoverLanguages.map((language) => ({ language }));
    this.registration = vscode.languages.registerHoverProvider(selector, { provideHover: (d, p, t) => provideHover(this.ctx, d, p, t) });
  }

  dispose(): void {
    this.settingsWatch.dispose();
    this.registration?.dispose();
  }
}

/** The text around `position` (its paragraph, clipped) and the position's offset in it. */
export function textAround(document: vscode.TextDocument, position: vscode.Position): { text: string; offset: number; start: number } | undefined {
  const blank = (line: number) => document.lineAt(line).isEmptyOrWhitespace;
  if (blank(position.line)) return undefined;
  let first = position.line;
  while (first > 0 && position.line - first < MAX_LINES && !blank(first - 1)) first--;
  let last = position.line;
  while (last < document.lineCount - 1 && last - position.line < MAX_LINES && !blank(last + 1)) last++;
  const paraStart = document.offsetAt(new vscode.Position(first, 0));
  const paraEnd = document.offsetAt(document.lineAt(last).range.end);
  const at = document.offsetAt(position);
  let start = paraStart;
  let end = paraEnd;
  if (end - start > PARAGRAPH_MAX) {
    start = Math.max(paraStart, at - PARAGRAPH_MAX / 2);
    end = Math.min(paraEnd, start + PARAGRAPH_MAX);
    start = Math.max(paraStart, end - PARAGRAPH_MAX);
  }
  let text = document.getText(new vscode.Range(document.positionAt(start), document.positionAt(end)));
  // Do not cut a surrogate pair in half at either end.
  if (/^[\uDC00-\uDFFF]/.test(text)) {
    text = text.slice(1);
    start += 1;
  }
  if (/[\uD800-\uDBFF]$/.test(text)) text = text.slice(0, -1);
  const offset = at - start;
  if (offset < 0 || offset > text.length) return undefined;
  return { text, offset, start };
}

/**
 * The hover's engine calls, one at a time (see oneAtATime.ts): a quick mouse never piles up forwards. They go to
 * the engine without the hover's signal: a hover call starts its forward as soon as the worker reads it (nothing
 * is left to cancel there), and only its real end, not a cancel, tells the next hover that the cores are free.
 * A hover the mouse left still returns at once (OneAtATime.run rejects when its signal aborts).
 */
const hoverTurns = new WeakMap<Ctx, OneAtATime>();

export function hoverTurnsOf(ctx: Ctx): OneAtATime {
  let turns = hoverTurns.get(ctx);
  if (!turns) hoverTurns.set(ctx, (turns = new OneAtATime()));
  return turns;
}

/** Context Lens's hover at `position` (exported for the internal test command contextLens._hover). */
export async function provideHover(ctx: Ctx, document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
  const cfg = ctx.config;
  if (!cfg.hoverEnabled) return undefined;
  const around = textAround(document, position);
  if (!around) return undefined;
  const ch = around.text.charAt(around.offset);
  if (!ch || /\s/.test(ch)) return undefined;
  // The highlighted result of Guess Masked Span has its own hover there (the peek).
  if (spanPeekOf(ctx)?.covers(document, position)) return undefined;

  if (!ctx.model) {
    const failure = ctx.loadFailure?.key === ctx.modelKey() ? ctx.loadFailure : undefined;
    if (failure) return hint(vscode.l10n.t('Context Lens: {0}', failure.message));
    // Never start a download from a hover: only a local folder loads here.
    if (!ctx.canLoadQuietly()) return hint(vscode.l10n.t('Run Context Lens: Explore Selection to load the model.'));
  }

  const ac = new AbortController();
  const sub = token.onCancellationRequested(() => ac.abort());
  try {
    if (!ctx.model) await ctx.ensureModel(ac.signal, undefined, false);
    return await hoverTurnsOf(ctx).run(ac.signal, () => (ctx.model?.kind === 'causal' ? causalHover(ctx, document, around, ac.signal) : maskedHover(ctx, document, position, around, ac.signal)));
  } catch (e) {
    if (isContextLensError(e, 'CANCELLED') || token.isCancellationRequested) return undefined;
    ctx.noteEngineFailure(e);
    if (isContextLensError(e, 'EMPTY_INPUT') || isContextLensError(e, 'BINARY_INPUT')) return undefined;
    ctx.log.warn(`hover failed: ${messageOf(e)}`);
    return hint(vscode.l10n.t('Context Lens: {0}', messageOf(e)));
  } finally {
    sub.dispose();
  }
}

/** A masked model's hover: the token at `position` masked alone, guessed at every layer (one forward). */
async function maskedHover(ctx: Ctx, document: vscode.TextDocument, position: vscode.Position, around: { text: string; offset: number; start: number }, signal: AbortSignal): Promise<vscode.Hover | undefined> {
  const cfg = ctx.config;
  const t0 = performance.now();
  // No signal for the engine: see hoverTurnsOf.
  const result = await ctx.engine.call('layerGuesses', { text: around.text, offset: around.offset, topK: cfg.topK });
  if (!result || result.token.special || signal.aborted) return undefined;
  const guesses = result.layers[result.layers.length - 1]?.guesses ?? [];
  ctx.log.debug(`hover: ${guesses.length} guesses for "${result.token.piece}" (first at layer ${result.firstLayer}) in ${Math.round(performance.now() - t0)} ms`);
  const range = new vscode.Range(document.positionAt(around.start + result.token.start), document.positionAt(around.start + result.token.end));
  const md = guessesMarkdown(ctx, result.token.piece, around.text.slice(result.token.start, result.token.end), guesses, result);
  const selection = selectionUnder(document, position);
  if (selection) {
    md.appendMarkdown('\n\n');
    md.appendMarkdown(`[${vscode.l10n.t('Guess masked span')}](${guessSpanCommandUri(document, document.offsetAt(selection.start), document.offsetAt(selection.end)).toString()})`);
    md.appendText(` “${preview(document.getText(selection))}”`);
    md.isTrusted = { enabledCommands: ['contextLens.guessMaskedSpan'] };
  }
  return new vscode.Hover(md, range);
}

function hint(text: string): vscode.Hover {
  const md = new vscode.MarkdownString();
  md.appendText(text);
  return new vscode.Hover(md);
}

/** A non-empty selection of the active editor on `document` that holds `position`. */
function selectionUnder(document: vscode.TextDocument, position: vscode.Position): vscode.Selection | undefined {
  const editor = vscode.window.activeTextEditor;
  if (editor?.document !== document) return undefined;
  return editor.selections.find((s) => !s.isEmpty && s.contains(position));
}

function preview(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 24 ? `${one.slice(0, 23)}…` : one;
}

function guessesMarkdown(ctx: Ctx, piece: string, surface: string, guesses: { token: string; probability: number }[], layers: LayerGuessesResult): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown('**Context Lens** · ');
  md.appendText(vscode.l10n.t('BERT guesses for “{0}” when it is masked:', surface || piece));
  md.appendMarkdown('\n\n');
  if (guesses.length === 0) md.appendText(vscode.l10n.t('No guesses.'));
  guesses.forEach((g, i) => {
    md.appendMarkdown(`${i + 1}. `);
    md.appendText(g.token);
    md.appendMarkdown(` — ${formatProbability(g.probability)}`);
    if (g.token === piece) md.appendMarkdown(' ✓');
    md.appendMarkdown('\n');
  });
  const summary = layerSummary(layers);
  if (summary) {
    md.appendMarkdown('\n');
    md.appendText(
      vscode.l10n.t('{0} — first at layer {1}, {2} at the last layer', summary.token, summary.firstLayer, formatProbability(summary.finalProbability)),
    );
    md.appendMarkdown('\n');
  }
  md.appendMarkdown('\n');
  md.appendText(vscode.l10n.t('Model: {0}', ctx.modelDisplayName));
  return md;
}

/**
 * A causal model's hover: one `analyze` of the paragraph (its next-token guesses and every token's
 * probability come from that one forward, released at once) and the logit lens at the token before.
 */
async function causalHover(ctx: Ctx, document: vscode.TextDocument, around: { text: string; offset: number; start: number }, signal: AbortSignal): Promise<vscode.Hover | undefined> {
  const cfg = ctx.config;
  const t0 = performance.now();
  const a = await ctx.engine.call('analyze', { text: around.text, topK: cfg.topK, maxTokens: cfg.maxTokens, guesses: false });
  try {
    const i = causalTokenAt(a, around.offset);
    if (i < 0) return undefined;
    const before = a.tokens[i - 1];
    if (signal.aborted) return undefined;
    const lens = before && !before.special ? await ctx.engine.call('layerGuesses', { text: around.text, offset: before.start, topK: cfg.topK }) : null;
    const content = causalHoverContent(a, i, lens);
    if (!content) return undefined;
    ctx.log.debug(`hover (causal): "${content.piece}" p ${content.probability ?? '–'} rank ${content.rank ?? '–'}, lens first at layer ${content.lens?.firstLayer ?? '–'} in ${Math.round(performance.now() - t0)} ms`);
    const t = a.tokens[i];
    const range = new vscode.Range(document.positionAt(around.start + t.start), document.positionAt(around.start + t.end));
    return new vscode.Hover(causalMarkdown(ctx, content), range);
  } finally {
    void ctx.engine.call('release', { analysisIds: [a.analysisId] }).catch(() => undefined);
  }
}

function causalMarkdown(ctx: Ctx, c: CausalHoverContent): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  const shown = c.surface || displayGuessToken(c.piece);
  md.appendMarkdown('**Context Lens** · ');
  if (c.probability === undefined && c.expected.length === 0) {
    md.appendText(vscode.l10n.t('Nothing precedes “{0}”: the model made no guess for it.', shown));
  } else {
    md.appendText(vscode.l10n.t('What the model expected at “{0}” before seeing it:', shown));
    md.appendMarkdown('\n\n');
    c.expected.forEach((g, i) => {
      md.appendMarkdown(`${i + 1}. `);
      md.appendText(displayGuessToken(g.token));
      md.appendMarkdown(` — ${formatProbability(g.probability)}${g.hit ? ' ✓' : ''}\n`);
    });
  }
  if (c.probability !== undefined) {
    md.appendMarkdown('\n');
    md.appendText(vscode.l10n.t('“{0}”: probability {1}, rank {2}, surprisal {3} bits', shown, formatProbability(c.probability), c.rank ?? '–', formatBits(c.bits ?? NaN)));
    md.appendMarkdown('\n');
  }
  if (c.parts) {
    md.appendMarkdown('\n');
    md.appendText(vscode.l10n.t('“{0}” is {1} byte tokens: together {2} ({3} bits).', shown, c.parts.count, formatProbability(c.parts.probability), formatBits(surprisalBits(c.parts.probability))));
    md.appendMarkdown('\n');
  }
  if (c.lens) {
    md.appendMarkdown('\n');
    md.appendText(vscode.l10n.t('Logit lens: “{0}” first on top at layer {1}, {2} at the last layer', displayGuessToken(c.lens.token), c.lens.firstLayer, formatProbability(c.lens.finalProbability)));
    md.appendMarkdown('\n');
  }
  md.appendMarkdown('\n');
  md.appendText(vscode.l10n.t('Model: {0} (causal)', ctx.modelDisplayName));
  return md;
}
