/**
 * Hostile text through the engine in-process (AnalysisSession, as the worker runs it for the extension),
 * on both model kinds. Per catalogue text and model:
 * - `· analyze ·`: the extension's call (maxTokens 512, its maxChars, no streamed guesses): one of the
 *   text's endings; an analysis keeps the range rules, a refusal is its typed code with a next step;
 * - `· hover ·` (analysable texts): the token under a middle offset, its guesses at every layer (masked: also masked);
 * - `· words ·` (analysable texts): the Words view groups every token once, in order, each word's range the
 *   text its pieces cover;
 * - `· span ·` (masked model): a word of the text masked as Guess Masked Span masks it (its line, clipped
 *   as the extension clips it): the guesses for exactly the covered tokens, or BAD_SPAN / the text's refusal;
 * - `· senses ·`: Word Senses over the text as a document, with a word taken from it: a finished result
 *   whose occurrences are that word, or NO_OCCURRENCES where nothing readable holds it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnalysisSession } from '../../src/engine/session';
import type { AnalysisSummary } from '../../src/engine/workerProtocol';
import { MODELS, type ModelKindName, type StressContext } from '../context';
import { expect, type FamilyRecorder } from '../record';
import { hostileTexts, MAX_CHARS, type HostileText } from '../hostileTexts';
import { rangeRules, type RangeRules } from '../rangeCheck';
import { boundOf, expectEnding, expectNoProblems, refusalCode, short, wordOf } from './hostileRules';
import { spanCase } from './hostileSpan';

export const families = ['hostile-engine'] as const;

/** The extension's settings (src/extension/config.ts defaults): windows of 512 tokens, top-k 5. */
const MAX_TOKENS = 512;
const TOP_K = 5;

export async function run(c: StressContext): Promise<void> {
  const rec = c.family('hostile-engine');
  const cacheDir = mkdtempSync(join(tmpdir(), 'context-lens-stress-hostile-'));
  try {
    for (const kind of Object.keys(MODELS) as ModelKindName[]) {
      const session = new AnalysisSession();
      try {
        await session.load({ model: MODELS[kind], dtype: 'q8', device: 'cpu', cacheDir, offline: true });
        const rules = rangeRules(session.model.tokenizer);
        for (const t of hostileTexts(c.o.quick)) await textCases(rec, session, rules, t, kind);
      } finally {
        await session.dispose();
      }
    }
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

async function textCases(rec: FamilyRecorder, session: AnalysisSession, rules: RangeRules, t: HostileText, kind: ModelKindName): Promise<void> {
  const text = t.make();
  const bound = boundOf(t);
  let summary: AnalysisSummary | undefined;
  await rec.run(`${t.name} · analyze · ${kind}`, 'engine', bound, async (signal) => {
    let ending: string;
    try {
      summary = await session.analyze(text, TOP_K, { signal }, MAX_TOKENS, false, MAX_CHARS);
      ending = 'analysis';
    } catch (e) {
      ending = refusalCode(e, 'analyze');
    }
    expectEnding(ending, t.endings, 'analyze');
    if (summary) {
      expect(summary.text === text, 'the analysis holds another text than the one given');
      expect(summary.tokens.some((k) => !k.special), 'the analysis has no token of the text');
      expectNoProblems(rules.check(text, summary.tokens), `${rules.kind} ranges`);
    }
    return ending;
  });
  if (summary) {
    const analysis = summary;
    await rec.run(`${t.name} · words · ${kind}`, 'engine', bound, async () => {
      const { words } = session.words(analysis.analysisId);
      expectNoProblems(wordProblems(text, analysis, words), 'words');
      return `${words.length} words`;
    });
  }
  if (summary) await hoverCase(rec, session, t, summary, bound);
  if (kind === 'masked') await spanCase(rec, session, t, text, summary, bound);
  await sensesCase(rec, session, t, text, summary !== undefined, bound);
  if (summary) session.release([summary.analysisId]);
}

/**
 * The hover over a middle token of an analysable text: the token under the offset (masked: its guesses
 * with it masked) and its guesses at every layer (the logit lens on a causal model), for that same token.
 */
async function hoverCase(rec: FamilyRecorder, session: AnalysisSession, t: HostileText, a: AnalysisSummary, bound: number): Promise<void> {
  const kind = session.model.family.kind;
  const inText = a.tokens.filter((k) => !k.special && k.end > k.start);
  const token = inText[Math.floor(inText.length / 2)];
  if (!token) return;
  await rec.run(`${t.name} · hover · ${kind}`, 'engine', bound, async (signal) => {
    const at = token.start;
    const layers = await session.layerGuesses(a.text, at, 5, { signal });
    expect(layers, `no token under offset ${at}, where the analysis has ${JSON.stringify(short(a.text.slice(token.start, token.end), 20))}`);
    expect(layers.token.start <= at && at < layers.token.end, `the hover's token [${layers.token.start}, ${layers.token.end}) does not hold offset ${at}`);
    expect(layers.layers.length === session.model.info.numLayers + 1 && layers.layers.every((row) => row.guesses.length > 0), 'a layer without guesses, or not one row per hidden layer');
    if (kind === 'masked') {
      const hover = await session.guessesAt(a.text, at, 5, { signal });
      expect(hover && hover.token.index === layers.token.index && hover.guesses.length > 0, 'the masked hover shows another token, or no guesses');
    }
    return 'hover';
  });
}

interface WordLike {
  text: string;
  start: number;
  end: number;
  tokenIndices: number[];
  special: boolean;
}

/** Every token in exactly one word, in order; a word's range from its first piece to its last, its text that range's. */
export function wordProblems(text: string, a: { tokens: readonly { start: number; end: number; special: boolean }[] }, words: readonly WordLike[]): string[] {
  const problems: string[] = [];
  let next = 0;
  for (const [i, w] of words.entries()) {
    if (!w.tokenIndices.length) {
      problems.push(`word ${i} has no token`);
      continue;
    }
    if (w.tokenIndices.some((k, j) => k !== next + j)) problems.push(`word ${i} holds tokens ${w.tokenIndices.join(',')}, expected from ${next} on, consecutive`);
    next = w.tokenIndices[w.tokenIndices.length - 1] + 1;
    const first = a.tokens[w.tokenIndices[0]];
    const last = a.tokens[w.tokenIndices[w.tokenIndices.length - 1]];
    if (!first || !last) continue;
    if (w.special !== first.special) problems.push(`word ${i} ${JSON.stringify(short(w.text, 30))}: special ${w.special}, its token ${first.special}`);
    if (w.special) continue;
    if (w.start !== first.start || w.end !== last.end) problems.push(`word ${i} [${w.start}, ${w.end}) is not its pieces' [${first.start}, ${last.end})`);
    if (w.text !== text.slice(w.start, w.end)) problems.push(`word ${i} reads ${JSON.stringify(short(w.text, 30))}, its range ${JSON.stringify(short(text.slice(w.start, w.end), 30))}`);
  }
  if (next !== a.tokens.length) problems.push(`the words hold tokens 0…${next - 1} of ${a.tokens.length}`);
  return problems;
}

/** Senses over the text as one document, asking for a word of it (the first; `bank` when it has none). */
async function sensesCase(rec: FamilyRecorder, session: AnalysisSession, t: HostileText, text: string, analysable: boolean, bound: number): Promise<void> {
  const picked = wordOf(text);
  const word = picked?.word ?? 'bank';
  const kind = session.model.family.kind;
  await rec.run(`${t.name} · senses · ${kind}`, 'engine', bound, async (signal) => {
    let jobId: string | undefined;
    try {
      const started = await session.sensesStart({ word, sources: [{ label: 'hostile.txt', uri: 'untitled:hostile.txt', text }], maxOccurrences: 20 }, { signal });
      jobId = started.jobId;
      let result = await session.sensesStep(jobId, false, { signal });
      while (!result.done) result = await session.sensesStep(jobId, false, { signal });
      expect(result.occurrences.length > 0, 'a finished senses result with no occurrence');
      expect(result.layers.length === session.model.info.numLayers + 1, `${result.layers.length} layers of figures, the model has ${session.model.info.numLayers + 1} hidden layers`);
      for (const o of result.occurrences) {
        const found = text.slice(o.start, o.end);
        // The search ignores case where the tokenizer does (an uncased BERT).
        expect(found === word || found.toLowerCase() === word.toLowerCase(), `an occurrence reads ${JSON.stringify(short(found, 30))}, not the word ${JSON.stringify(short(word, 30))}`);
      }
      return 'senses';
    } catch (e) {
      const code = refusalCode(e, 'senses');
      // Nothing to find: the text was refused as binary, has no word, or its word is invisible (EMPTY_INPUT).
      expectEnding(code, t.endings.includes('EMPTY_INPUT') ? ['NO_OCCURRENCES', 'EMPTY_INPUT'] : ['NO_OCCURRENCES'], 'senses');
      // An analysable text's own word is found and read, unless it is longer than the model reads at once.
      const tooLong = /more tokens than the model reads at once/.test((e as Error).message);
      expect(!(picked && analysable) || tooLong, `senses found no occurrence of ${JSON.stringify(short(word, 30))} in an analysable text: ${short((e as Error).message)}`);
      return code;
    } finally {
      if (jobId) session.sensesRelease(jobId);
    }
  });
}
