/**
 * The hostile texts every layer of the campaign tries (engine, CLI, extension host, webview): one
 * catalogue, so that "hostile text" means the same cases everywhere. Each says which endings are right
 * for it — an analysis (every token's range exact) or a typed refusal — so a case that quietly
 * analyzes what must be refused, or refuses what must be analyzed, fails.
 *
 * The limits come from src/engine/inputCheck.ts: the extension and the CLI refuse more than
 * maxCharsForTokens(512) = 40,960 characters (INPUT_TOO_LARGE), NUL or mostly-control text
 * (BINARY_INPUT), and text with nothing but whitespace (EMPTY_INPUT).
 */
import { maxCharsForTokens } from '../src/engine/inputCheck';

/** Refusal codes a hostile text may end in (ContextLensError codes). */
export type Refusal = 'EMPTY_INPUT' | 'INPUT_TOO_LARGE' | 'BINARY_INPUT';
export type Ending = 'analysis' | Refusal;

export type HostileClass =
  | 'empty'
  | 'size'
  | 'control'
  | 'unicode'
  | 'script'
  | 'special-token'
  | 'markup'
  | 'line-ends';

export interface HostileText {
  /** Unique, short, readable in a table (`lone surrogates`). */
  name: string;
  cls: HostileClass;
  /** Made on demand: some are megabytes. */
  make(): string;
  /** The endings that are right for it. */
  endings: readonly Ending[];
  /** Large: CLI and host cases may allow it more time, the quick campaign may skip it (see `quickSkip`). */
  big?: boolean;
  /** Left out of `--quick` (its class is still covered by a smaller case). */
  quickSkip?: boolean;
}

/** The limit the extension (maxTokens 512) and the CLI apply. */
export const MAX_CHARS = maxCharsForTokens(512);

const MB = 1024 * 1024;
const repeatTo = (unit: string, length: number): string => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
const ANALYZE: readonly Ending[] = ['analysis'];

/** Deterministic pseudo-random bytes (no Math.random: a failing case must be the same case next run). */
function bytes(n: number, seed: number): number[] {
  const out: number[] = [];
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(s >>> 24);
  }
  return out;
}

export const HOSTILE_TEXTS: readonly HostileText[] = [
  // empty and invisible
  { name: 'empty', cls: 'empty', make: () => '', endings: ['EMPTY_INPUT'] },
  { name: 'one space', cls: 'empty', make: () => ' ', endings: ['EMPTY_INPUT'] },
  { name: 'whitespace only (tabs, newlines, NBSP, ideographic space)', cls: 'empty', make: () => ' \t\n\r\n\u00a0\u3000  \t', endings: ['EMPTY_INPUT'] },
  { name: 'zero-width characters only', cls: 'empty', make: () => '\u200b\u200c\u200d\u2060\ufeff', endings: ['EMPTY_INPUT'] },
  { name: 'BOM only', cls: 'empty', make: () => '\ufeff', endings: ['EMPTY_INPUT'] },
  // size
  { name: '1 MB selection', cls: 'size', make: () => repeatTo('The bank of the river. 我爱吃苹果。\n', MB), endings: ['INPUT_TOO_LARGE'], big: true },
  { name: '10 MB selection', cls: 'size', make: () => repeatTo('money in the bank, 苹果手机 ', 10 * MB), endings: ['INPUT_TOO_LARGE'], big: true, quickSkip: true },
  { name: 'one character over the limit', cls: 'size', make: () => repeatTo('apple bank ', MAX_CHARS + 1), endings: ['INPUT_TOO_LARGE'], big: true },
  { name: 'exactly at the limit (many windows)', cls: 'size', make: () => repeatTo('我用苹果手机。', MAX_CHARS), endings: ['analysis'], big: true, quickSkip: true },
  { name: '10,000-character word without spaces', cls: 'size', make: () => repeatTo('bankapple', 10_000), endings: ANALYZE, big: true },
  { name: '10,000 CJK characters without punctuation', cls: 'size', make: () => repeatTo('苹果手机银行河岸', 10_000), endings: ANALYZE, big: true, quickSkip: true },
  { name: '100,000 short lines', cls: 'size', make: () => 'a\n'.repeat(100_000), endings: ['INPUT_TOO_LARGE'], big: true },
  { name: '2,000 short lines', cls: 'size', make: () => Array.from({ length: 2000 }, (_, i) => `l${i}`).join('\n'), endings: ANALYZE, big: true },
  { name: 'one character', cls: 'size', make: () => '果', endings: ANALYZE },
  { name: 'one punctuation mark', cls: 'size', make: () => '。', endings: ANALYZE },
  // control characters and binary
  { name: 'NUL in text', cls: 'control', make: () => 'bank\u0000river', endings: ['BINARY_INPUT'] },
  { name: 'NUL only', cls: 'control', make: () => '\u0000\u0000\u0000', endings: ['BINARY_INPUT'] },
  { name: 'random bytes as Latin-1', cls: 'control', make: () => String.fromCharCode(...bytes(4096, 7)), endings: ['BINARY_INPUT'] },
  { name: 'random bytes as UTF-8 (replacement characters)', cls: 'control', make: () => new TextDecoder().decode(Uint8Array.from(bytes(4096, 11))), endings: ['BINARY_INPUT'] },
  { name: 'two stray control characters', cls: 'control', make: () => 'the bank\u0007 of the\u001b river', endings: ANALYZE },
  { name: 'C1 controls mixed in', cls: 'control', make: () => 'bank\u0085river\u009bmoney and more ordinary words to keep the share low', endings: ANALYZE },
  { name: 'vertical tab and form feed', cls: 'control', make: () => 'page one\u000bline\u000cpage two', endings: ANALYZE },
  { name: 'DEL and escape sequences', cls: 'control', make: () => '\u001b[31mred\u001b[0m \u007f', endings: ['BINARY_INPUT', 'analysis'] },
  { name: 'mostly control characters', cls: 'control', make: () => 'a\u0001\u0002\u0003\u0004\u0005b', endings: ['BINARY_INPUT'] },
  // unicode edge cases
  { name: 'lone high surrogate', cls: 'unicode', make: () => 'bank \ud800 river', endings: ANALYZE },
  { name: 'lone low surrogate', cls: 'unicode', make: () => '\udc00苹果', endings: ANALYZE },
  { name: 'reversed surrogate pair', cls: 'unicode', make: () => 'x\udc00\ud800y', endings: ANALYZE },
  { name: 'private-use characters', cls: 'unicode', make: () => 'icon \ue000\uf8ff here \u{f0000}\u{10fffd}', endings: ANALYZE },
  { name: 'BOM at the start', cls: 'unicode', make: () => '\ufeff我爱吃苹果。', endings: ANALYZE },
  { name: 'BOM inside words', cls: 'unicode', make: () => 'ba\ufeffnk ri\ufeffver', endings: ANALYZE },
  { name: 'combining mark stack (zalgo)', cls: 'unicode', make: () => `z${'\u0300\u0301\u0302\u0303\u0304\u0305\u0306\u0307'.repeat(20)}algo bank`, endings: ANALYZE },
  { name: 'combining marks with nothing to combine with', cls: 'unicode', make: () => '\u0301\u0308\u0323 bank', endings: ANALYZE },
  { name: 'decomposed accents', cls: 'unicode', make: () => 'cafe\u0301 nai\u0308ve re\u0301sume\u0301', endings: ANALYZE },
  { name: 'ZWJ emoji families', cls: 'unicode', make: () => '👨‍👩‍👧‍👦 and 👩‍❤️‍💋‍👨 went to the bank 🏳️‍🌈', endings: ANALYZE },
  { name: 'flags (regional indicators)', cls: 'unicode', make: () => '🇨🇳🇺🇸🇯🇵 flags 🇪', endings: ANALYZE },
  { name: 'emoji with skin tones and variation selectors', cls: 'unicode', make: () => '👍🏽 ☺️ ✌︎ 1️⃣', endings: ANALYZE },
  { name: 'CJK extension B', cls: 'unicode', make: () => '𠀀𠀁𠀂 𪚥 𠮷野家', endings: ANALYZE },
  { name: 'full-width forms', cls: 'unicode', make: () => 'ＢＡＮＫ　ｏｆ　ｔｈｅ　ｒｉｖｅｒ！？（１２３）', endings: ANALYZE },
  { name: 'half-width katakana and Hangul jamo', cls: 'unicode', make: () => 'ｶﾀｶﾅ 각 한국어', endings: ANALYZE },
  { name: 'ligatures and compatibility characters', cls: 'unicode', make: () => 'ﬁnance ﬂow ½ ² ℌ ㎏', endings: ANALYZE },
  { name: 'case mappings that change length', cls: 'unicode', make: () => 'İstanbul STRASSE straße ΣΑΣ ǅ', endings: ANALYZE },
  { name: 'noncharacters and specials', cls: 'unicode', make: () => 'a\ufffeb\uffff c\ufffd', endings: ANALYZE },
  { name: 'tag characters', cls: 'unicode', make: () => '🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f} scotland', endings: ANALYZE },
  // scripts and direction
  { name: 'right-to-left (Arabic, Hebrew)', cls: 'script', make: () => 'ضفة النهر والبنك שפת הנהר', endings: ANALYZE },
  { name: 'mixed direction with bidi controls', cls: 'script', make: () => 'bank \u202eknab\u202c \u2067עברית\u2069 river \u200f', endings: ANALYZE },
  { name: 'mixed scripts in one word', cls: 'script', make: () => 'bаnk (Cyrillic а) 苹果phone手机Ωmega', endings: ANALYZE },
  { name: 'Devanagari and Thai', cls: 'script', make: () => 'नदी का किनारा ฝั่งแม่น้ำ', endings: ANALYZE },
  { name: 'Chinese, Japanese, Korean mixed', cls: 'script', make: () => '我用苹果手机。りんごを食べる。사과를 먹다.', endings: ANALYZE },
  { name: 'mathematical alphanumerics', cls: 'script', make: () => '𝐛𝐚𝐧𝐤 𝔯𝔦𝔳𝔢𝔯 𝟙𝟚𝟛', endings: ANALYZE },
  // literal special tokens
  { name: 'literal [MASK]', cls: 'special-token', make: () => '我爱吃苹[MASK]。', endings: ANALYZE },
  { name: 'literal [CLS] and [SEP]', cls: 'special-token', make: () => '[CLS] the bank [SEP] the river [SEP]', endings: ANALYZE },
  { name: 'literal [UNK] and [PAD]', cls: 'special-token', make: () => '[UNK][PAD] [PAD] money [UNK]', endings: ANALYZE },
  { name: 'only special tokens', cls: 'special-token', make: () => '[MASK][MASK][MASK]', endings: ANALYZE },
  { name: 'GPT-2 end of text marker', cls: 'special-token', make: () => 'bank<|endoftext|>river <|endoftext|>', endings: ANALYZE },
  { name: 'broken special tokens', cls: 'special-token', make: () => '[MASK [CLS [SEP] ]MASK[ [mask] [ MASK ]', endings: ANALYZE },
  // markup and injection
  { name: 'HTML with an onerror handler', cls: 'markup', make: () => '<img src=x onerror=alert(1)> bank', endings: ANALYZE },
  { name: 'closing script tag', cls: 'markup', make: () => '</script><script>alert(1)</script>', endings: ANALYZE },
  { name: 'template literal', cls: 'markup', make: () => '${alert(1)} `${document.cookie}`', endings: ANALYZE },
  { name: 'Angular/Vue template', cls: 'markup', make: () => "{{constructor.constructor('alert(1)')()}}", endings: ANALYZE },
  { name: 'command: link in Markdown', cls: 'markup', make: () => '[click me](command:workbench.action.quit) and [x](command:contextLens.clearMap)', endings: ANALYZE },
  { name: 'Markdown image', cls: 'markup', make: () => '![bank](https://example.invalid/x.png "title") ![a](javascript:alert(1))', endings: ANALYZE },
  { name: 'HTML entities', cls: 'markup', make: () => '&lt;b&gt; &amp;amp; &#x3C;script&#x3E; &nbsp;', endings: ANALYZE },
  { name: 'Plotly and format placeholders', cls: 'markup', make: () => '%{x} %{text} <br> {0} %s $1 \\n', endings: ANALYZE },
  { name: 'javascript: URL and data: URL', cls: 'markup', make: () => 'javascript:alert(1) data:text/html,<script>alert(1)</script>', endings: ANALYZE },
  { name: 'SVG with script', cls: 'markup', make: () => '<svg onload=alert(1)><script>alert(2)</script></svg>', endings: ANALYZE },
  { name: 'CSS injection', cls: 'markup', make: () => '</style><style>*{display:none}</style> bank', endings: ANALYZE },
  { name: 'prototype keys', cls: 'markup', make: () => '__proto__ constructor prototype toString hasOwnProperty', endings: ANALYZE },
  // line ends
  { name: 'CR-only line ends', cls: 'line-ends', make: () => 'the bank\rof the river\rmoney\r', endings: ANALYZE },
  { name: 'mixed line ends', cls: 'line-ends', make: () => 'one\r\ntwo\nthree\rfour\u2028five\u2029six\u0085seven', endings: ANALYZE },
  { name: 'CRLF with trailing spaces', cls: 'line-ends', make: () => 'bank   \r\n   river\t\r\n', endings: ANALYZE },
];

/** The catalogue for a campaign (`quick` leaves out the cases marked quickSkip). */
export function hostileTexts(quick: boolean): HostileText[] {
  return HOSTILE_TEXTS.filter((t) => !(quick && t.quickSkip));
}

/** `endings` as a sentence for a failure message. */
export function describeEndings(endings: readonly Ending[]): string {
  return endings.map((e) => (e === 'analysis' ? 'an analysis' : e)).join(' or ');
}
