/**
 * The range rules of the stress campaign (stress/rangeCheck.ts) on real tokenizers, and the property the
 * `properties` family runs (stress/families/properties.ts) on a few hundred generated strings per model kind.
 *
 * Pins the rule fixed by the property family: BERT's normaliser decomposes a Hangul syllable into jamo
 * (사 → ᄉ ##ᅡ), so two WordPiece tokens cover one character and share its range; the rules used to call
 * that an overlap. Sharing is allowed only when the tokens together spell the character's normalised text.
 * And the byte-level rule it fixed: GPT-2 merges a Hebrew letter with the lead byte of the next one (×Ļ× ª),
 * so the first token covers both letters and the second the last one alone; the ranges meet on that one
 * letter, as the Hugging Face tokenizers library's offsets do ([4, 6) and [5, 6) for "⁧עברית⁩").
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { tokenizeWithOffsets } from '../../src/engine/tokenOffsets';
import type { TokenizerLike } from '../../src/engine/hfInternals';
import { rangeRules } from '../../stress/rangeCheck';
import { propertyProblems } from '../../stress/families/properties';
import { propertyText } from '../../stress/families/propertiesTexts';
import { propertyTokenizers } from '../../stress/families/propertiesTokenizers';

const TOKENIZERS = propertyTokenizers(process.cwd());

let tmp: string;
const loaded = new Map<string, TokenizerLike>();
before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'context-lens-properties-'));
  for (const t of TOKENIZERS) loaded.set(t.name, await t.load(tmp));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const tokenizer = (name: string): TokenizerLike => loaded.get(name)!;

test('a Hangul syllable decomposed into jamo: its pieces share the character\'s range, and the rules accept it', () => {
  const tok = tokenizer('bert-base-chinese');
  const text = '사과 bank';
  const tokens = tokenizeWithOffsets(tok, text);
  const body = tokens.filter((t) => !t.special);
  assert.deepEqual(body.slice(0, 4).map((t) => [t.piece, t.start, t.end]), [['ᄉ', 0, 1], ['##ᅡ', 0, 1], ['##ᄀ', 1, 2], ['##ᅪ', 1, 2]]);
  assert.deepEqual(rangeRules(tok).check(text, tokens), []);
});

test('the rules still catch shared ranges that do not spell the character, and overlaps of whole pieces', () => {
  const tok = tokenizer('bert-base-chinese');
  const rules = rangeRules(tok);
  const text = '사과 bank';
  const tokens = tokenizeWithOffsets(tok, text);
  // ##ᅡ moved onto 과: [0,1) is spelt by ᄉ alone, [1,2) by ᅡ과.
  const wrong = tokens.map((t) => (t.piece === '##ᅡ' ? { ...t, start: 1, end: 2 } : t));
  assert.ok(rules.check(text, wrong).some((p) => /normalises to/.test(p)), 'the run of tokens sharing [1,2) spells the wrong text');
  // "bank" cut short: overlap-free but not normalising to the piece.
  const bank = tokens.findIndex((t) => t.piece === 'bank');
  const cut = tokens.map((t, i) => (i === bank ? { ...t, end: t.end - 1 } : t));
  assert.ok(rules.check(text, cut).some((p) => /"bank"/.test(p)));
  // Two different words on one range: sharing needs the pieces to spell the range.
  const shared = tokens.map((t, i) => (i === bank ? { ...t, start: 1, end: 2 } : t));
  assert.ok(rules.check(text, shared).length > 0);
});

test('byte-level: a token ending in a character\'s first bytes and the next token meet on that character only', () => {
  const tok = tokenizer('GPT-2');
  const rules = rangeRules(tok);
  const text = '\u2067עברית\u2069 river';
  const tokens = tokenizeWithOffsets(tok, text).filter((t) => !t.special);
  const split = tokens.findIndex((t) => t.piece === '×Ļ×');
  assert.deepEqual([tokens[split], tokens[split + 1]].map((t) => [t.piece, t.start, t.end]), [['×Ļ×', 4, 6], ['ª', 5, 6]]);
  assert.deepEqual(rules.check(text, tokens), []);
  // Meeting on more than that one character, or a whole-character token overlapping, is still an overlap.
  const wider = tokens.map((t, i) => (i === split + 1 ? { ...t, start: 4 } : t));
  assert.ok(rules.check(text, wider).length > 0);
  const river = tokens.findIndex((t) => t.piece === 'Ġriver');
  const overRiver = tokens.map((t, i) => (i === river ? { ...t, start: t.start - 2 } : t));
  assert.ok(rules.check(text, overRiver).some((p) => /overlaps/.test(p)));
});

for (const kind of ['masked', 'causal'] as const) {
  test(`${kind}: generated hostile strings keep the range rules and the tokenizer's ids (fast-check, 300 per tokenizer)`, () => {
    for (const named of TOKENIZERS.filter((t) => t.kind === kind)) {
      const tok = tokenizer(named.name);
      const rules = rangeRules(tok);
      assert.equal(rules.kind, kind === 'masked' ? 'wordpiece' : 'byte-level', named.name);
      fc.assert(
        fc.property(propertyText(), (text) => {
          assert.deepEqual(propertyProblems(tok, rules, text), [], `${named.name}: ${JSON.stringify(text)}`);
        }),
        { seed: 14, numRuns: 300 },
      );
    }
  });
}

test('the property fails on a tokenizer result that breaks the rules (it can fail)', () => {
  const tok = tokenizer('GPT-2');
  const rules = rangeRules(tok);
  const text = 'hello world';
  const tokens = tokenizeWithOffsets(tok, text);
  assert.deepEqual(rules.check(text, tokens), []);
  const swapped = [tokens[1], tokens[0], ...tokens.slice(2)];
  assert.ok(rules.check(text, swapped).length > 0, 'out of order');
});
