/**
 * What the hostile-text families (engine and CLI) ask of every ending: a refusal is the right typed code
 * with a message that says what to do next (and no stack trace); an analysis's tokens keep the range rules.
 * Shared so that "a clear message" means the same at both layers.
 */
import { ContextLensError } from '../../src/engine/errors';
import { CaseFailure } from '../record';
import { describeEndings, type Ending, type HostileText } from '../hostileTexts';

/** How long a case may take: the texts are tiny or big (hostileTexts `big`), the models are the repo's small ones. */
export const BOUND_MS = { small: 5_000, big: 60_000 } as const;
export const boundOf = (t: HostileText): number => (t.big ? BOUND_MS.big : BOUND_MS.small);

/**
 * A next step, in the imperative the engine's messages use ("Select a shorter passage.", "Type a word …",
 * "Check the spelling …"). A refusal that only says what went wrong leaves the user stuck.
 */
const NEXT_STEP = /\b(Select|Type|Check|Use|Give|Add|Search|Choose|Open|Explore|Analy[sz]e|Mask|Try|Pick)\b/;

/** Problems with a refusal's message (none: it is clear). */
export function messageProblems(message: string): string[] {
  const problems: string[] = [];
  if (!message.trim()) problems.push('the message is empty');
  if (/\n\s+at /.test(message) || /Internal error/.test(message)) problems.push(`the message holds a stack trace or an internal error: ${short(message)}`);
  if (!NEXT_STEP.test(message)) problems.push(`the message does not say what to do next: ${short(message)}`);
  return problems;
}

export const short = (s: string, n = 160): string => (s.length > n ? `${s.slice(0, n)}…` : s);

/** Fails unless `ending` is one of `endings` (the catalogue's, or an operation's own). */
export function expectEnding(ending: string, endings: readonly string[], what: string): void {
  if (!endings.includes(ending)) throw new CaseFailure(`${what} ended in ${ending === 'analysis' ? 'an analysis' : ending}; expected ${describeEndings(endings as Ending[])}`);
}

/** Fails with every range problem (the first few named). */
export function expectNoProblems(problems: readonly string[], what: string): void {
  if (problems.length) throw new CaseFailure(`${what}: ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${problems.slice(0, 3).join('; ')}`);
}

/**
 * A word of `text` to ask about (Word Senses, the masked span): the first word-like segment
 * (Intl.Segmenter), else the first grapheme that is not whitespace; undefined when there is none.
 */
export function wordOf(text: string): { start: number; end: number; word: string } | undefined {
  let fallback: { start: number; end: number; word: string } | undefined;
  const probe = text.length > 200_000 ? text.slice(0, 200_000) : text;
  for (const s of new Intl.Segmenter(undefined, { granularity: 'word' }).segment(probe)) {
    if (s.isWordLike) return { start: s.index, end: s.index + s.segment.length, word: s.segment };
    if (!fallback && s.segment.trim()) fallback = { start: s.index, end: s.index + s.segment.length, word: s.segment };
  }
  return fallback;
}

/** A refusal's code after checking its message; anything but a ContextLensError fails the case. */
export function refusalCode(e: unknown, what: string): string {
  if (!(e instanceof ContextLensError)) throw new Error(`${what} threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} instead of a typed error`);
  expectNoProblems(messageProblems(e.message), `${what}'s ${e.code} message`);
  return e.code;
}
