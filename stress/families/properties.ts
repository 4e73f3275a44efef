/**
 * properties: token ranges over generated strings (fast-check), for every model kind the engine supports.
 *
 * Each string (propertiesTexts.ts: ordinary words mixed with the hostile classes) goes through the engine's
 * `tokenizeWithOffsets` on a real transformers.js tokenizer (propertiesTokenizers.ts), and must keep the
 * range rules of stress/rangeCheck.ts (ordered, non-overlapping, inside the text, each piece's range text
 * normalising to the piece) with the ids the tokenizer's own `encode` gives. One case per tokenizer × batch
 * of strings, its count in the name; a failure is fast-check's shrunk counterexample with its problems.
 * Seeded: a failure is the same failure next run (the seed is in the message).
 *
 * Full run: 10,000 strings per tokenizer (30,000 masked over three vocabularies, 20,000 causal over two).
 * Quick: 500 per tokenizer (1,500 masked, 1,000 causal).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { tokenizeWithOffsetsDetailed, type OffsetMethod } from '../../src/engine/tokenOffsets';
import type { TokenizerLike } from '../../src/engine/hfInternals';
import type { StressContext } from '../context';
import { CaseFailure } from '../record';
import { rangeRules, type RangeRules } from '../rangeCheck';
import { propertyText } from './propertiesTexts';
import { propertyTokenizers } from './propertiesTokenizers';

export const families = ['properties'] as const;

const SEED = 14_007;
const show = (s: string): string => JSON.stringify(s.length > 120 ? `${s.slice(0, 120)}…` : s);

/** Everything wrong with one string's tokens: the range rules, and the ids against the tokenizer's own. */
export function propertyProblems(tokenizer: TokenizerLike, rules: RangeRules, text: string, methods?: Map<OffsetMethod, number>): string[] {
  const { tokens, method } = tokenizeWithOffsetsDetailed(tokenizer, text);
  methods?.set(method, (methods.get(method) ?? 0) + 1);
  const problems = rules.check(text, tokens);
  const ids = Array.from(tokenizer.encode(text), Number);
  const ours = tokens.map((t) => t.id);
  if (ids.length !== ours.length || ids.some((id, i) => id !== ours[i])) problems.push(`ids ${JSON.stringify(ours.slice(0, 20))} are not the tokenizer's ${JSON.stringify(ids.slice(0, 20))}`);
  return problems;
}

export async function run(c: StressContext): Promise<void> {
  const rec = c.family('properties');
  const perTokenizer = c.o.quick ? 500 : 10_000;
  const batch = c.o.quick ? 500 : 2_000;
  const tmp = mkdtempSync(join(tmpdir(), 'context-lens-stress-properties-'));
  const strings: Record<string, number> = {};
  try {
    for (const [ti, named] of propertyTokenizers().entries()) {
      let tokenizer: TokenizerLike | undefined;
      let rules: RangeRules | undefined;
      await rec.run(`${named.name} (${named.kind}) · load the tokenizer`, 'engine', 60_000, async () => {
        tokenizer = await named.load(tmp);
        rules = rangeRules(tokenizer);
        const want = named.kind === 'masked' ? 'wordpiece' : 'byte-level';
        if (rules.kind !== want) throw new CaseFailure(`the range rules read it as ${rules.kind}, not ${want}`);
        return rules.kind;
      });
      if (!tokenizer || !rules) continue;
      const methods = new Map<OffsetMethod, number>();
      for (let from = 0; from < perTokenizer; from += batch) {
        const n = Math.min(batch, perTokenizer - from);
        const seed = SEED + ti * 1000 + from / batch;
        const name = `${named.name} (${named.kind}) · ${n.toLocaleString('en')} strings (${(from + 1).toLocaleString('en')}–${(from + n).toLocaleString('en')})`;
        await rec.run(name, 'engine', c.o.quick ? 60_000 : 300_000, async () => {
          const property = fc.property(propertyText(), (text) => {
            const problems = propertyProblems(tokenizer!, rules!, text, methods);
            if (problems.length) throw new Error(problems.slice(0, 3).join('; '));
          });
          const details = fc.check(property, { seed, numRuns: n });
          if (details.failed) {
            const [text] = details.counterexample ?? [''];
            const why = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
            throw new CaseFailure(`seed ${seed}: after ${details.numRuns} strings, shrunk ${details.numShrinks}× to ${show(text)}: ${why}`);
          }
          strings[named.kind] = (strings[named.kind] ?? 0) + n;
          return `${n} strings kept the rules`;
        });
      }
      rec.figure(`offset method · ${named.name}`, [...methods].map(([m, k]) => `${m} ${k}`).join(', '));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  for (const [kind, n] of Object.entries(strings)) rec.figure(`strings · ${kind}`, n);
}
