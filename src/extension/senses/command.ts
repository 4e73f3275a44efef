/**
 * Context Lens: Explore Word Senses. The word under the cursor (or the selection), confirmed or changed in
 * an input box; an optional word to compare with; where to look. Then SensesController runs the job.
 *
 * Tests (and other extensions) may pass the answers instead of typing them:
 * `executeCommand('contextLens.exploreWordSenses', { word: '果', also?: 'apple', scope?: 'workspace' })`
 * resolves when the job is over, with its outcome.
 */
import * as vscode from 'vscode';
import type { SensesRequest } from '../../engine/senses/types';
import type { Ctx } from '../context';
import type { SensesOutcome } from './sensesController';
import { collectSources, MAX_WORKSPACE_FILES, type SensesScope } from './sources';
import { wordProblem, wordUnderCursor, type WordProblem } from './wordRules';

export interface ExploreWordSensesArgs {
  word?: string;
  also?: string;
  scope?: SensesScope;
}

export type ExploreWordSensesOutcome = SensesOutcome | 'invalid' | 'dismissed' | 'noFiles';

export async function exploreWordSenses(ctx: Ctx, args?: unknown): Promise<ExploreWordSensesOutcome> {
  const given = parseArgs(args);
  const editor = vscode.window.activeTextEditor;

  let word: string | undefined;
  let also: string | undefined;
  if (given.word !== undefined) {
    if (!acceptable(ctx, given.word) || (given.also && !acceptable(ctx, given.also))) return 'invalid';
    word = given.word.trim();
    also = given.also?.trim() || undefined;
  } else {
    const offered = editor ? offeredWord(editor) : undefined;
    if (!offered) ctx.log.info('Explore Word Senses: no word under the cursor');
    word = (await askWord(offered))?.trim();
    if (!word) return 'dismissed';
    const second = await askAlso(word);
    if (second === undefined) return 'dismissed';
    also = second.trim() || undefined;
  }

  const scope = given.scope ?? (await askScope(editor !== undefined));
  if (!scope) return 'dismissed';
  if (scope === 'file' && !editor) {
    ctx.warn('NO_EDITOR', vscode.l10n.t('Open a file first, or choose Open editors or Workspace.'));
    return 'noFiles';
  }
  const cfg = ctx.config.senses;
  const collected = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Context Lens: finding files…') }, () => collectSources(scope, cfg));
  ctx.log.info(`Explore Word Senses: ${collected.sources.length} file(s) from ${scope}${collected.exclude ? ` (include ${cfg.include}, exclude ${collected.exclude})` : ''}${collected.unreadable ? `, ${collected.unreadable} unreadable left out` : ''}${collected.capped ? `, capped at ${MAX_WORKSPACE_FILES}` : ''}`);
  if (collected.sources.length === 0) {
    ctx.warn('NO_FILES', scope === 'workspace'
      ? vscode.l10n.t('No files in the workspace match contextLens.senses.include ({0}) outside the excluded ones.', cfg.include)
      : vscode.l10n.t('No open text editors to search. Open a file, or choose Workspace.'));
    return 'noFiles';
  }
  if (collected.capped) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('The workspace has more than {0} matching files: only the first {0} are searched. Narrow contextLens.senses.include to search others.', MAX_WORKSPACE_FILES),
    );
  }
  const request: SensesRequest = {
    word,
    also,
    sources: collected.sources,
    maxOccurrences: cfg.maxOccurrences,
    contextTokens: cfg.contextTokens,
    topK: ctx.config.topK,
  };
  return ctx.senses.explore(request, scope);
}

function parseArgs(args: unknown): ExploreWordSensesArgs {
  // From the editor's context menu VS Code passes the document's URI: no answers given.
  if (!args || typeof args !== 'object' || args instanceof vscode.Uri) return {};
  const a = args as Record<string, unknown>;
  const scope = a.scope === 'file' || a.scope === 'openEditors' || a.scope === 'workspace' ? a.scope : undefined;
  return { word: typeof a.word === 'string' ? a.word : undefined, also: typeof a.also === 'string' ? a.also : undefined, scope };
}

function offeredWord(editor: vscode.TextEditor): string | undefined {
  const { document, selection } = editor;
  const position = selection.active;
  const range = document.getWordRangeAtPosition(position);
  const selected = document.getText(selection);
  return wordUnderCursor({
    // A selection over several lines is no word: offer nothing rather than a refused value.
    selection: wordProblem(selected) === 'lineBreak' ? '' : selected,
    lineText: document.lineAt(position.line).text,
    character: position.character,
    languageWord: range ? document.getText(range) : undefined,
  });
}

function problemMessage(problem: WordProblem): string {
  switch (problem) {
    case 'empty':
      return vscode.l10n.t('Type a word (it cannot be empty or only spaces).');
    case 'lineBreak':
      return vscode.l10n.t('A word cannot span lines: type one word.');
    case 'spaces':
      return vscode.l10n.t('Type one word, without spaces inside.');
  }
}

/** A word given with the command: refused with a message, as a typed one would be. */
function acceptable(ctx: Ctx, word: string): boolean {
  const problem = wordProblem(word);
  if (problem) ctx.warn('BAD_WORD', problemMessage(problem));
  return problem === undefined;
}

function askWord(offered: string | undefined): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: vscode.l10n.t('Explore Word Senses'),
    value: offered ?? '',
    prompt: offered
      ? vscode.l10n.t('The word to follow across contexts (Enter to confirm, or change it)')
      : vscode.l10n.t('No word under the cursor: type one, or press Escape and select a word in the editor first.'),
    placeHolder: vscode.l10n.t('A word, e.g. bank or 果'),
    validateInput: (v) => {
      const problem = wordProblem(v);
      return problem ? problemMessage(problem) : undefined;
    },
  });
}

function askAlso(word: string): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: vscode.l10n.t('Compare with another word (optional)'),
    prompt: vscode.l10n.t('A second word to compare with “{0}” (e.g. a translation, with a multilingual model); leave empty and press Enter to skip.', word),
    validateInput: (v) => {
      if (v.trim() === '' && !/[\r\n]/.test(v)) return undefined;
      const problem = wordProblem(v);
      return problem ? problemMessage(problem) : v.trim() === word ? vscode.l10n.t('Choose a different word.') : undefined;
    },
  });
}

async function askScope(hasEditor: boolean): Promise<SensesScope | undefined> {
  const items: (vscode.QuickPickItem & { scope: SensesScope })[] = [
    ...(hasEditor ? [{ scope: 'file' as const, label: vscode.l10n.t('This file'), description: vscode.l10n.t('the active editor, unsaved edits included') }] : []),
    { scope: 'openEditors', label: vscode.l10n.t('Open editors'), description: vscode.l10n.t('every open text editor, unsaved edits included') },
    { scope: 'workspace', label: vscode.l10n.t('Workspace'), description: vscode.l10n.t('files matching contextLens.senses.include, without files.exclude and search.exclude') },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Where to look for the word'), placeHolder: vscode.l10n.t('Where to look for the word') });
  return picked?.scope;
}
