/**
 * Context Lens: Guess Masked Span — the selection's tokens masked together in its line: the top-k at
 * each masked position and the joint fills (engine `spanGuesses`), shown in a peek on the highlighted
 * span and in the Embedding Map's Tokens tab.
 */
import * as vscode from 'vscode';
import { isContextLensError } from '../../engine/errors';
import { MAX_SPAN_TOKENS, type SpanGuessesResult } from '../../engine/predictions/types';
import type { SpanView } from '../../protocol';
import { formatProbability } from '../../shared/format';
import { modelLabel } from '../config';
import type { Ctx } from '../context';
import { ms } from '../log';
import { runWithProgress } from '../progress';
import { SpanPeek } from './spanPeek';
import { spanLine, spanSource } from './spanSource';

/**
 * Characters of a long line read per model token: more than any script needs to fill the window the engine
 * reads around the span, and no more (the engine tokenizes all it gets).
 */
const CHARS_PER_TOKEN_WINDOW = 8;

/** Command arguments (the hover's link, tests): the document and the span's UTF-16 offsets in it. */
export interface GuessSpanArgs {
  uri: string;
  start: number;
  end: number;
}

/** The command and what its results show in. */
export function registerGuessMaskedSpan(ctx: Ctx): vscode.Disposable[] {
  const peek = new SpanPeek(ctx);
  spanPeeks.set(ctx, peek);
  return [peek, vscode.commands.registerCommand('contextLens.guessMaskedSpan', (args: unknown) => guessMaskedSpan(ctx, peek, args))];
}

const spanPeeks = new WeakMap<Ctx, SpanPeek>();

/** The peek of `ctx`'s command (the hover leaves the highlighted span to it). */
export function spanPeekOf(ctx: Ctx): SpanPeek | undefined {
  return spanPeeks.get(ctx);
}

/** The hover's "Guess masked span" link for [start, end) of `document`: a command URI carrying its arguments. */
export function guessSpanCommandUri(document: vscode.TextDocument, start: number, end: number): vscode.Uri {
  const args: GuessSpanArgs = { uri: document.uri.toString(), start, end };
  return vscode.Uri.parse(`command:contextLens.guessMaskedSpan?${encodeURIComponent(JSON.stringify([args]))}`);
}

/** Runs the command on `args` or the active editor's selection; returns the result (tests read it), undefined when refused. */
export async function guessMaskedSpan(ctx: Ctx, peek: SpanPeek, rawArgs?: unknown): Promise<SpanGuessesResult | undefined> {
  const target = await spanTarget(ctx, rawArgs);
  if (!target) return undefined;
  const { document, range } = target;
  const line = spanLine(
    { startLine: range.start.line, startChar: range.start.character, endLine: range.end.line, endChar: range.end.character },
    (n) => document.lineAt(n).text.length,
  );
  if (line === 'MULTI_LINE') {
    ctx.warn('BAD_SPAN', vscode.l10n.t('Guess Masked Span works within one line: select a word or phrase of at most {0} tokens on a single line.', MAX_SPAN_TOKENS));
    return undefined;
  }
  const cfg = ctx.config;
  const source = spanSource(document.lineAt(line.line).text, line.startChar, line.endChar, cfg.maxTokens * CHARS_PER_TOKEN_WINDOW);
  const where = document.uri.scheme === 'untitled' ? document.uri.path : vscode.workspace.asRelativePath(document.uri, false);
  const label = `${where}:${line.line + 1}`;
  const spanText = source.text.slice(source.start, source.end);
  const t0 = performance.now();
  try {
    const result = await runWithProgress(vscode.l10n.t('Context Lens: guessing the masked span “{0}”', spanText), undefined, async (sink, signal) => {
      if (!ctx.model) sink.report(vscode.l10n.t('Loading the model {0}…', modelLabel(ctx.modelName)));
      await ctx.ensureModel(signal, sink);
      return ctx.engine.call('spanGuesses', { text: source.text, start: source.start, end: source.end, topK: cfg.topK }, { signal });
    });
    const best = result.fills[0];
    ctx.log.info(
      `Guess Masked Span ${label} “${spanText}”: ${result.tokenIndices.length} token(s) masked, ${result.fills.length} fill(s)${best ? `, best “${best.text}” ${formatProbability(best.score)}` : ''} in ${ms(performance.now() - t0)}`,
    );
    const span: SpanView = { label, text: source.text, result };
    const lineStart = document.offsetAt(new vscode.Position(line.line, source.lineChar));
    const spanRange = new vscode.Range(document.positionAt(lineStart + result.start), document.positionAt(lineStart + result.end));
    peek.showInPanel(span);
    const editor = vscode.window.visibleTextEditors.find((e) => e.document === document);
    if (editor) await peek.highlight(editor, spanRange, span);
    return result;
  } catch (e) {
    if (isContextLensError(e, 'CANCELLED')) {
      ctx.log.info(`Guess Masked Span cancelled: ${label}`);
      return undefined;
    }
    ctx.noteEngineFailure(e);
    // The engine's refusal (empty, whitespace or special tokens only, too many tokens) says what to select instead.
    if (isContextLensError(e, 'BAD_SPAN')) ctx.warn(e.code, e.message);
    else ctx.reportError(e);
    return undefined;
  }
}

/** The document and range to guess: from the arguments, else the active editor's selection. */
async function spanTarget(ctx: Ctx, rawArgs: unknown): Promise<{ document: vscode.TextDocument; range: vscode.Range } | undefined> {
  const args = readArgs(rawArgs);
  if (args) {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(args.uri));
    const range = document.validateRange(new vscode.Range(document.positionAt(args.start), document.positionAt(args.end)));
    return { document, range };
  }
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    ctx.warn('NO_EDITOR', vscode.l10n.t('Open a file and select some text first.'));
    return undefined;
  }
  return { document: editor.document, range: editor.selection };
}

function readArgs(raw: unknown): GuessSpanArgs | undefined {
  const a = raw as Partial<GuessSpanArgs> | undefined;
  if (!a || typeof a !== 'object' || typeof a.uri !== 'string' || !Number.isInteger(a.start) || !Number.isInteger(a.end)) return undefined;
  return { uri: a.uri, start: Math.min(a.start!, a.end!), end: Math.max(a.start!, a.end!) };
}
