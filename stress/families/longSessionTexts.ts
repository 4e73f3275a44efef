/**
 * The texts of a long session: Chinese and English sentences mixed, 20–400 characters, a different one for
 * every Explore (seeded: the same session every run, so a memory curve can be compared with the last).
 */

const ENGLISH = 'the bank of river money apple phone I put in a we sat on and read about market city water bridge people light morning evening quiet heavy rain walked talked bought sold old new small large green'.split(' ');
const CHINESE = '我爱吃苹果用手机银行河岸的在是了今天明天早上晚上很大小水城市人们走路说话看书买卖新旧绿色安静下雨桥'.split('');

/** A deterministic generator (xorshift32): Math.random would make every run a different session. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000;
  };
}

function sentence(random: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  if (random() < 0.5) {
    const words = Array.from({ length: 4 + Math.floor(random() * 11) }, () => pick(ENGLISH));
    words[0] = words[0][0].toUpperCase() + words[0].slice(1);
    return `${words.join(' ')}${pick(['.', '.', '?', '!'])}`;
  }
  return `${Array.from({ length: 6 + Math.floor(random() * 20) }, () => pick(CHINESE)).join('')}${pick(['。', '。', '？', '！'])}`;
}

/** `count` different texts of 20–400 characters, sentences of both languages in each. */
export function sessionTexts(count: number, seed = 6): string[] {
  const random = seededRandom(seed);
  const seen = new Set<string>();
  const out: string[] = [];
  while (out.length < count) {
    const length = 20 + Math.floor(random() * 381);
    let text = '';
    while (text.length < length) text += (text ? ' ' : '') + sentence(random);
    text = text.slice(0, length).trimEnd();
    if (text.length >= 20 && !seen.has(text)) {
      seen.add(text);
      out.push(text);
    }
  }
  return out;
}
