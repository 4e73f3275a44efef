/**
 * The strings the property family generates (fast-check): ordinary words mixed with pieces of every hostile
 * class of stress/hostileTexts.ts, and whole short texts of that catalogue, so that a generated string is
 * mostly ordinary text with the hard characters where a tokenizer's ranges go wrong (next to words, inside
 * words, at either end). Shrinking keeps whole pieces, so a counterexample reads as what broke.
 */
import fc from 'fast-check';
import { hostileTexts } from '../hostileTexts';

/** Pieces by hostile class (the list), each class drawn as often as the others. */
export const HOSTILE_PIECES: Record<string, readonly string[]> = {
  surrogates: ['\ud800', '\udbff', '\udc00', '\udfff', '\udc00\ud800', '\ud83d'],
  combining: ['\u0301', '\u0308\u0323', '\u0300\u0301\u0302\u0303\u0304\u0305\u0306\u0307', '\u20dd', '\u093f', 'e\u0301', 'n\u0303'],
  zwjEmoji: ['👨‍👩‍👧‍👦', '👩‍❤️‍💋‍👨', '🏳️‍🌈', '👍🏽', '☺️', '✌︎', '1️⃣', '\u200d', '😀'],
  flags: ['🇨🇳', '🇺🇸', '🇯🇵', '🇪', '🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}'],
  cjkExtB: ['𠀀', '𠀁', '𠀂', '𪚥', '𠮷', '\u{2b820}', '\u{30000}', '\u{2f800}'],
  fullWidth: ['ＢＡＮＫ', 'ｏｆ', '　', '！', '？', '（１２３）', 'ｶﾀｶﾅ', 'ﬁ', '½', '㎏'],
  control: ['\u0000', '\u0001', '\u0007', '\u001b', '\u001b[31m', '\u007f', '\u0085', '\u009b', '\u000b', '\u000c', '\ufeff', '\u200b', '\ufffe', '\ufffd'],
  specials: ['[MASK]', '[CLS]', '[SEP]', '[UNK]', '[PAD]', '<|endoftext|>', '[mask]', '[MASK', 'MASK]', '<|endoftext', '[ MASK ]'],
  markup: ['<img src=x onerror=alert(1)>', '</script>', '<script>', '&amp;', '&#x3C;', '${x}', '`${a}`', '%{x}', '{{a}}', '[x](command:contextLens.clearMap)', '![a](b.png)', '__proto__'],
  rtl: ['ضفة', 'النهر', 'שפת', 'הנהר', '\u202e', '\u202c', '\u2067', '\u2069', '\u200f', '\u200e'],
  lineEnds: ['\r', '\n', '\r\n', '\n\r', '\u2028', '\u2029', '\u0085', '\r\r\n'],
  otherScripts: ['नदी', 'ฝั่ง', 'りんご', '사과', 'Привет', 'Ωmega', 'İstanbul', 'straße', 'ΣΑΣ', 'ǅ', '𝐛𝐚𝐧𝐤', '\ue000', '\u{f0000}'],
};

const ORDINARY: readonly string[] = ['the', 'bank', 'river', 'money', 'Apple', 'phone', 'I', 'put', 'in', 'of', 'unaffable', 'running', "don't", '3.14', '.', ',', '?', '我', '爱', '吃', '苹果', '手机', '银行', '河岸', '。', '，'];
const SPACES: readonly string[] = [' ', ' ', ' ', '  ', '\t', '\u00a0', '\u3000'];

/** A word far longer than WordPiece reads as one (100 characters: [UNK]) or a run of CJK without a break. */
const longWord = fc.tuple(fc.constantFrom('bankapple', 'x', 'ab\u0301', '苹果手机', '𠀀'), fc.integer({ min: 12, max: 120 })).map(([unit, n]) => unit.repeat(n));

/** The catalogue's own small texts (the big ones are the size family's; a property run wants many short strings). */
const catalogue = (): fc.Arbitrary<string> => fc.constantFrom(...hostileTexts(false).filter((t) => !t.big).map((t) => t.make()));

/** One piece of a generated string. */
function piece(): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...ORDINARY), weight: 12 },
    { arbitrary: fc.constantFrom(...SPACES), weight: 8 },
    ...Object.values(HOSTILE_PIECES).map((pieces) => ({ arbitrary: fc.constantFrom(...pieces), weight: 1 })),
    { arbitrary: longWord, weight: 1 },
    { arbitrary: catalogue(), weight: 1 },
    // Any code points at all: unassigned, private use, the newest scripts.
    { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }), weight: 2 },
  );
}

/** A generated string: 1–24 pieces joined, non-empty. */
export function propertyText(): fc.Arbitrary<string> {
  return fc.array(piece(), { minLength: 1, maxLength: 24 }).map((parts) => parts.join(''));
}

/** Which hostile classes a string holds (for the family's figures). */
export function classesIn(text: string): string[] {
  return Object.entries(HOSTILE_PIECES)
    .filter(([, pieces]) => pieces.some((p) => text.includes(p)))
    .map(([name]) => name);
}
