/**
 * hostile-host: the hostile-text catalogue (stress/hostileTexts.ts) in a real VS Code, each text opened as
 * an untitled document, through what a user does with it: Explore Selection and Add Selection to Map
 * (all of it selected), the hover over a letter of it, Explore Word Senses on a word of it, and Guess
 * Masked Span on that word. Each ends in one of the case's endings: a refusal is a typed error the user is
 * shown once (contextLens._lastError's code, contextLens._engine's messagesShown), an analysis puts the
 * text on the map with its tokens inside it and in order (contextLens._mapSnippets); no progress
 * notification stays open afterwards.
 *
 * The document is what the editor made of the text (VS Code normalises line ends to the document's EOL),
 * so every check reads the document, not the catalogue's string. The editor's own refusal of an empty
 * selection (EMPTY_SELECTION, before the engine is asked) counts as EMPTY_INPUT.
 *
 * --quick: one case per class through everything, plus the big ones through Explore; full: every case
 * through everything.
 */
import * as vscode from 'vscode';
import { describeEndings, hostileTexts, type Ending, type HostileText } from '../hostileTexts';
import { CaseFailure, expect, type FamilyRecorder } from '../record';
import type { HostStressContext } from './context';
import { activateExtension, closeEditors, engineSnapshot, focusSelected, changedByEditor, lastError, mapSnippets, openSelected, wanted, type LastError, type MapSnippetState } from './extensionDriver';

const BOUND_MS = { normal: 30_000, big: 120_000 };

export async function run(c: HostStressContext): Promise<void> {
  const rec = c.family('hostile-host');
  await activateExtension();
  const texts = hostileTexts(c.quick);
  const firstOfClass = new Set<HostileText>();
  for (const t of texts) if (!t.big && ![...firstOfClass].some((f) => f.cls === t.cls)) firstOfClass.add(t);
  for (const t of texts) {
    const everything = !c.quick || firstOfClass.has(t);
    if ((!everything && !t.big) || !wanted(t.name)) continue;
    try {
      await oneText(rec, t, everything);
    } finally {
      await closeEditors();
    }
  }
  await vscode.commands.executeCommand('contextLens.clearMap');
}

async function oneText(rec: FamilyRecorder, t: HostileText, everything: boolean): Promise<void> {
  const bound = t.big ? BOUND_MS.big : BOUND_MS.normal;
  const t0 = performance.now();
  const text = t.make();
  const editor = await openSelected(text).catch((e: unknown) => {
    // Recorded only when it fails: the case's operations never ran.
    rec.add({ name: `${t.name} · open`, layer: 'host', ok: false, ms: Math.round(performance.now() - t0), outcome: 'not opened', problem: e instanceof Error ? e.message : String(e) });
    return undefined;
  });
  if (!editor) return;
  const changed = changedByEditor(text, editor.document);
  if (changed) rec.note(`${t.name}: the editor changed the text (${changed}); the cases read the document`);
  const doc = editor.document;
  await rec.run(`${t.name} · Explore`, 'host', bound, () => mapCommand(t, editor, 'explore'));
  if (!everything) return;
  await rec.run(`${t.name} · Add to map`, 'host', bound, () => mapCommand(t, editor, 'add'));
  const letter = letterIndex(doc.getText());
  if (letter !== undefined) await rec.run(`${t.name} · hover`, 'host', bound, () => hover(t, doc, letter));
  const word = firstWord(doc.getText());
  if (word) {
    await rec.run(`${t.name} · Word Senses`, 'host', bound, () => wordSenses(t, editor, word.text));
    await rec.run(`${t.name} · span guessing`, 'host', bound, () => spanGuess(t, doc, word.index, word.index + word.text.length));
  }
}

/** A refusal `err` is right for `t` (the editor's EMPTY_SELECTION is its EMPTY_INPUT). */
function refusalOf(t: HostileText, err: LastError, also: readonly string[] = []): string {
  const code = err.code === 'EMPTY_SELECTION' ? 'EMPTY_INPUT' : err.code;
  expect(t.endings.includes(code as Ending) || also.includes(code), `refused with ${err.code} (${err.message}); right: ${describeEndings(t.endings)}`);
  expect(err.message.trim().length >= 20, `the refusal's message says nothing to act on: "${err.message}"`);
  return err.code;
}

async function noProgressLeft(): Promise<void> {
  const s = await engineSnapshot();
  expect(s.openProgress === 0, `${s.openProgress} progress notification(s) left open`);
}

/** Explore or Add with the whole document selected. */
async function mapCommand(t: HostileText, editor: vscode.TextEditor, mode: 'explore' | 'add'): Promise<string> {
  const doc = editor.document;
  await focusSelected(doc);
  if (mode === 'add') await vscode.commands.executeCommand('contextLens.clearMap');
  await lastError();
  const before = await engineSnapshot();
  await vscode.commands.executeCommand(mode === 'explore' ? 'contextLens.exploreSelection' : 'contextLens.addSelectionToMap');
  const err = await lastError();
  const after = await engineSnapshot();
  await noProgressLeft();
  if (err) {
    expect(after.messagesShown === before.messagesShown + 1, `${after.messagesShown - before.messagesShown} messages shown for one refusal`);
    return refusalOf(t, err);
  }
  expect(t.endings.includes('analysis'), `analyzed; right: ${describeEndings(t.endings)}`);
  const snippets = await mapSnippets();
  expect(snippets.length === 1, `the map holds ${snippets.length} snippets after ${mode === 'explore' ? 'Explore' : 'Clear Map and Add'}`);
  const problems = rangeProblems(doc.getText(), snippets[0]);
  expect(problems.length === 0, problems.slice(0, 3).join('; '));
  return `analysis (${snippets[0].tokens!.length} tokens)`;
}

/**
 * The ranges as the map got them: every token inside the text, in order, not overlapping, and a piece's
 * range never only whitespace. (Their exactness against the tokenizer is the engine family's check, with
 * stress/rangeCheck.ts; here: that what reaches the map is that analysis of this very text.)
 */
function rangeProblems(text: string, s: MapSnippetState): string[] {
  const problems: string[] = [];
  if (s.textLength !== text.length) problems.push(`the snippet holds ${s.textLength} characters, the selection ${text.length}`);
  const tokens = s.tokens ?? [];
  if (!tokens.some((k) => !k.special)) problems.push('no token of the text on the map');
  let end = 0;
  for (const [i, k] of tokens.entries()) {
    if (k.special) continue;
    if (!(k.start >= end && k.end > k.start && k.end <= text.length)) problems.push(`token ${i} "${k.piece}" at [${k.start}, ${k.end}) after one ending at ${end} (text ${text.length})`);
    else if (text.slice(k.start, k.end).trim() === '') problems.push(`token ${i} "${k.piece}" covers only whitespace`);
    end = Math.max(end, k.end);
  }
  return problems;
}

/** The hover over the letter at `offset`: guesses about the token there, or nothing for text the engine refuses. */
async function hover(t: HostileText, doc: vscode.TextDocument, offset: number): Promise<string> {
  const position = doc.positionAt(offset);
  await lastError();
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, position)) ?? [];
  await noProgressLeft();
  const ours = hovers.filter((h) => h.contents.some((c) => markdownOf(c).includes('Context Lens')));
  expect(ours.length <= 1, `${ours.length} Context Lens hovers at once`);
  const h = ours[0];
  if (!h) {
    expect(t.endings.some((e) => e === 'BINARY_INPUT' || e === 'EMPTY_INPUT'), `no hover over "${doc.getText(new vscode.Range(position, position.translate(0, 1)))}"; right: guesses about its token`);
    return 'no hover (refused text)';
  }
  const text = h.contents.map(markdownOf).join('\n');
  expect(!/\bundefined\b|\bNaN\b|\[object /.test(text), `the hover shows broken text: ${text.slice(0, 200)}`);
  const guesses = [...text.matchAll(/^\d+\. .+? — [<\d.]+%/gm)].length;
  expect(guesses > 0, `the hover holds no guesses: ${text.slice(0, 200)}`);
  expect(h.range?.contains(position) && doc.getText(h.range).trim() !== '', `the hover's range ${h.range ? `${h.range.start.line}:${h.range.start.character}-${h.range.end.line}:${h.range.end.character}` : 'none'} does not cover the letter hovered`);
  return `hover (${guesses} guesses)`;
}

function markdownOf(c: vscode.MarkdownString | vscode.MarkedString): string {
  return typeof c === 'string' ? c : c.value;
}

/** Explore Word Senses on a word of the document, searched in this file. */
async function wordSenses(t: HostileText, editor: vscode.TextEditor, word: string): Promise<string> {
  // Scope "this file": the active editor's.
  await focusSelected(editor.document, 0, 0);
  await lastError();
  const outcome = await vscode.commands.executeCommand<string>('contextLens.exploreWordSenses', { word, scope: 'file' });
  const err = await lastError();
  await noProgressLeft();
  const refused = t.endings.some((e) => e !== 'analysis');
  if (outcome === 'done') {
    const s = await vscode.commands.executeCommand<{ result?: { word: string; occurrences: number; done: boolean } }>('contextLens._senses');
    expect(s.result?.word === word && s.result.done && s.result.occurrences > 0, `done, but the Senses tab shows ${JSON.stringify(s.result)}`);
    return `senses (${s.result.occurrences} occurrences)`;
  }
  // A file the engine will not read as text (binary, too large) has no occurrences to give.
  if (outcome === 'noOccurrences' && refused) return 'no occurrences (file refused)';
  // The word rule refuses what \s calls a space inside a word (U+FEFF among them), with its typed message.
  if (outcome === 'invalid' && err?.code === 'BAD_WORD' && /\s/.test(word)) return 'BAD_WORD (a space-like character inside)';
  throw new Error(`Word Senses on "${word.slice(0, 40)}" ended "${outcome}"${err ? ` (${err.code}: ${err.message})` : ''}`);
}

/** Guess Masked Span on `[start, end)` of the document (one word, one line). */
async function spanGuess(t: HostileText, doc: vscode.TextDocument, start: number, end: number): Promise<string> {
  await lastError();
  const result = await vscode.commands.executeCommand<{ fills: { text: string; score: number }[]; tokenIndices: number[] } | undefined>('contextLens.guessMaskedSpan', { uri: doc.uri.toString(), start, end });
  const err = await lastError();
  await noProgressLeft();
  if (!result) {
    expect(err, 'no result and no message');
    return refusalOf(t, err, ['BAD_SPAN']);
  }
  expect(!err, `a result and a message (${err?.code})`);
  expect(result.tokenIndices.length > 0 && result.fills.length > 0, `${result.tokenIndices.length} tokens masked, ${result.fills.length} fills`);
  expect(result.fills.every((f) => typeof f.text === 'string' && Number.isFinite(f.score)), 'a fill without its text or score');
  return `span (${result.tokenIndices.length} tokens, ${result.fills.length} fills)`;
}

/** The first letter or digit from the middle of the text on (else from its start). */
function letterIndex(text: string): number | undefined {
  const re = /[\p{L}\p{N}]/u;
  const from = Math.floor(text.length / 2);
  for (const start of [from, 0]) {
    for (let i = start; i < text.length; i++) if (re.test(text[i])) return i;
  }
  return undefined;
}

/** The first word of the text (Intl.Segmenter), whole: a part of it is no word Word Senses would find. */
function firstWord(text: string): { text: string; index: number } | undefined {
  for (const s of new Intl.Segmenter(undefined, { granularity: 'word' }).segment(text)) {
    if (s.isWordLike) return { text: s.segment, index: s.index };
  }
  return undefined;
}
