// A word-senses result for the webview harness, shaped as src/engine/senses/types.ts says: 苹果 as a fruit
// and as the company in a few demo texts (and `apple` to compare with), clusters that part from layer 2 on,
// a context that occurs twice, and one hostile line (markup and Plotly template syntax in a file name and
// a context). The figures are made up to look like a 6-layer model's; the webview only draws them.
//   import { sensesSample, sensesProjections } from '../webview/sensesSample.mjs'
export const NUM_LAYERS = 6;

const FRUIT = [
  '我爱吃苹果。',
  '这个苹果很甜。',
  '树上有个红苹果。',
  '妈妈买了一袋苹果和香蕉。',
  '我爱吃苹果。',
  '秋天的苹果又脆又甜，我每天吃一个。',
  '他把苹果切成小块放进沙拉里。',
  '苹果树开花了，满院子都是花香。',
  '这种苹果酸酸的，适合做苹果派。',
  '洗干净的苹果放在桌子上。',
  '超市里的苹果今天打折。',
];
const COMPANY = [
  '我用苹果手机。',
  '我的苹果电脑很好用。',
  '今天我用苹果电脑学习。',
  '苹果公司发布了新款手机。',
  '他在苹果的商店买了耳机。',
  '苹果的股价今天上涨了。',
  '这台苹果笔记本的电池很耐用。',
  '苹果手机的系统更新了。',
];
const HOSTILE = '标签 <img src=x onerror=alert(1)> 的苹果 %{x} $x$ </script>';
const ALSO_FRUIT = ['She ate an apple after lunch.', 'The apple pie smells sweet.', 'An apple a day keeps the doctor away.'];
const ALSO_COMPANY = ['Apple released a new phone today.', 'He works at Apple in California.', 'My Apple laptop needs an update.'];

function hash(s) {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) / 4294967296;
}

/** The files the occurrences come from: one sentence a line. */
function files(withAlso) {
  const out = [
    { label: 'demo/senses/apple-fruit.txt', lines: FRUIT, sense: 0 },
    { label: 'demo/senses/apple-company.txt', lines: COMPANY, sense: 1 },
    { label: 'evil/<b>x</b>.txt', lines: [HOSTILE], sense: 1 },
  ];
  if (withAlso) {
    out.push({ label: 'demo/senses/apple-en.txt', lines: ALSO_FRUIT, sense: 0, also: true });
    out.push({ label: 'demo/senses/apple-en-company.txt', lines: ALSO_COMPANY, sense: 1, also: true });
  }
  return out;
}

/** Clusters from layer 2 on; layers 2–3 still put two ambiguous lines in the other sense. */
function clusterPath(sense, key) {
  const shaky = hash(`shaky${key}`) < 0.15;
  return Array.from({ length: NUM_LAYERS + 1 }, (_, l) => (l < 2 ? 0 : l < 4 && shaky ? 1 - sense : sense));
}

const SUBSTITUTES = [
  [
    { token: '香蕉', probability: 0.18 },
    { token: '水果', probability: 0.12 },
    { token: '梨', probability: 0.08 },
    { token: '桃', probability: 0.05 },
  ],
  [
    { token: '华为', probability: 0.22 },
    { token: '三星', probability: 0.15 },
    { token: '小米', probability: 0.1 },
    { token: '<b>x</b>', probability: 0.02 },
  ],
];
const COLLOCATES = [
  ['吃', '甜', '树', '红'],
  ['手机', '电脑', '发布', '公司'],
];

/** The whole result (`upTo`: only the first occurrences, as after the first batch). */
export function sensesSample({ also = false, upTo = Infinity, standardized = false } = {}) {
  const occurrences = [];
  const seen = new Map();
  for (const f of files(also)) {
    let offset = 0;
    f.lines.forEach((line, i) => {
      const word = f.also ? (line.includes('Apple') ? 'Apple' : 'apple') : '苹果';
      const at = line.indexOf(word);
      const key = `${f.label}|${line}`;
      const again = [...seen.entries()].find(([k]) => k.split('|')[1] === line && !f.also);
      if (again) {
        again[1].count += 1;
      } else {
        const o = {
          word: f.also ? 'apple' : '苹果',
          file: f.label,
          uri: `file:///${f.label}`,
          start: offset + at,
          end: offset + at + word.length,
          line: i + 1,
          column: at + 1,
          context: line,
          contextStart: offset,
          count: 1,
          cluster: clusterPath(f.sense, key),
          substitutes: SUBSTITUTES[f.sense].slice(0, 3),
          sense: f.sense,
        };
        seen.set(key, o);
        occurrences.push(o);
      }
      offset += line.length + 1;
    });
  }
  const analysed = occurrences.slice(0, upTo).map(({ sense, ...o }) => o);
  const done = analysed.length === occurrences.length;
  const layers = Array.from({ length: NUM_LAYERS + 1 }, (_, l) => {
    const self = 0.93 - 0.065 * l + (standardized ? -0.05 : 0);
    const aniso = 0.28 + 0.03 * l + (standardized ? -0.2 : 0);
    const sil = l < 2 ? 0 : 0.12 + 0.06 * (l - 2);
    return {
      layer: l,
      selfSimilarity: +self.toFixed(4),
      anisotropy: +aniso.toFixed(4),
      adjustedSelfSimilarity: +(self - aniso).toFixed(4),
      silhouette: +sil.toFixed(4),
      k: l < 2 ? 1 : 2,
      ...(also ? { alignment: +(0.15 + 0.1 * l).toFixed(4) } : {}),
    };
  });
  const clusters = [];
  for (let l = 0; l <= NUM_LAYERS; l++) {
    const ids = [...new Set(analysed.map((o) => o.cluster[l]))].sort();
    for (const id of ids) {
      const members = analysed.filter((o) => o.cluster[l] === id);
      clusters.push({
        layer: l,
        id,
        size: members.reduce((n, o) => n + o.count, 0),
        substitutes: l < 2 ? [{ token: '苹果', probability: 0.3 }, ...SUBSTITUTES[0].slice(0, 2)] : SUBSTITUTES[id],
        collocates: l < 2 ? ['的', '了'] : COLLOCATES[id],
      });
    }
  }
  const foundAlso = also ? ALSO_FRUIT.length + ALSO_COMPANY.length : undefined;
  const found = occurrences.filter((o) => o.word === '苹果').reduce((n, o) => n + o.count, 0);
  return {
    word: '苹果',
    ...(also ? { also: 'apple' } : {}),
    model: 'Xenova/bert-base-multilingual-cased (harness)',
    numLayers: NUM_LAYERS,
    standardized,
    search: { filesSearched: also ? 7 : 5, skippedBinary: 1, skippedTooLarge: 1, skippedUnreadable: 0, found, ...(also ? { foundAlso } : {}), toAnalyse: occurrences.length, analysed: analysed.length },
    layers,
    occurrences: analysed,
    clusters,
    done,
  };
}

/** The scatter's layout of `result` at every layer, both methods: `${layer}|${method}` → SensesProjection. */
export function sensesProjections(result) {
  const out = {};
  for (let l = 0; l <= NUM_LAYERS; l++) {
    for (const method of ['umap', 'pca']) {
      const alpha = l / NUM_LAYERS;
      const points = result.occurrences.map((o, i) => {
        const sense = o.cluster[NUM_LAYERS];
        const jx = (hash(`x${i}${o.context}`) - 0.5) * 5;
        const jy = (hash(`y${i}${o.context}`) - 0.5) * 5;
        const cx = (sense ? 4 : -4) * alpha + (o.word === 'apple' ? 0 : 0) + jx * (1.2 - alpha * 0.6);
        const cy = (o.word === 'apple' ? 3 * (1 - alpha) : 0) + jy * (1.2 - alpha * 0.6);
        return method === 'pca' ? { x: 0.8 * cx - 0.5 * cy, y: 0.5 * cx + 0.8 * cy } : { x: cx, y: cy };
      });
      out[`${l}|${method}`] = { hiddenLayer: l, method, standardized: result.standardized, points };
    }
  }
  return out;
}
