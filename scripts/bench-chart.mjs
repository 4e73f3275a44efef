// Draws latency against token count from `npm run bench -- --json FILE`: our analyze (q8, fp32, WASM),
// raw onnxruntime-node and PyTorch eager, medians with min–max whiskers, log–log axes. Writes an SVG and
// renders it to PNG with playwright-core and Debian's chromium (headless).
//
// Usage: node scripts/bench-chart.mjs BENCH.json [OUT.png]   (default docs/bench-latency.png; the .svg beside it)
import { chromium } from 'playwright-core';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const [input, output = 'docs/bench-latency.png'] = process.argv.slice(2);
if (!input) {
  console.error('usage: node scripts/bench-chart.mjs BENCH.json [OUT.png]');
  process.exit(2);
}
const { meta, figures } = JSON.parse(readFileSync(input, 'utf8'));

const STYLE = {
  'ours q8': { color: '#1565c0', dash: '' },
  'raw ORT q8': { color: '#1565c0', dash: '6 4' },
  'ours fp32': { color: '#2e7d32', dash: '' },
  'raw ORT fp32': { color: '#2e7d32', dash: '6 4' },
  'PyTorch fp32 eager': { color: '#c62828', dash: '' },
  'PyTorch fp32 eager (default env)': { color: '#c62828', dash: '2 3' },
  'ours q8 WASM': { color: '#ef6c00', dash: '2 3' },
};
const LABEL = {
  'ours q8': 'Context Lens analyze, q8 (attentions + hidden states)',
  'raw ORT q8': 'raw onnxruntime-node forward, q8 (logits)',
  'ours fp32': 'Context Lens analyze, fp32',
  'raw ORT fp32': 'raw onnxruntime-node forward, fp32',
  'PyTorch fp32 eager': 'PyTorch eager fp32, OMP_WAIT_POLICY=PASSIVE (attentions + hidden states)',
  'PyTorch fp32 eager (default env)': 'PyTorch eager fp32, Debian defaults (OpenMP spin vs OpenBLAS)',
  'ours q8 WASM': 'Context Lens analyze, q8, WASM backend',
};

const series = new Map();
for (const f of figures) {
  if (!f.series || !f.tokens || !Number.isFinite(f.median)) continue;
  if (!series.has(f.series)) series.set(f.series, []);
  series.get(f.series).push(f);
}
for (const points of series.values()) points.sort((a, b) => a.tokens - b.tokens);
if (!series.size) {
  console.error(`${input} has no latency figures with token counts`);
  process.exit(1);
}

const all = [...series.values()].flat();
const W = 900, H = 560, L = 80, R = 20, T = 56, B = 190;
const xs = [...new Set(all.map((f) => f.tokens))].sort((a, b) => a - b);
const lo = Math.min(...all.map((f) => f.min)), hi = Math.max(...all.map((f) => f.max));
const steps = (v) => [1, 2, 5].map((m) => m * 10 ** Math.floor(Math.log10(v)));
const yMin = Math.max(...[...steps(lo), ...steps(lo / 10)].filter((s) => s <= lo));
const yMax = Math.min(...[...steps(hi), ...steps(hi * 10)].filter((s) => s >= hi));
const xMin = xs[0] / 1.3, xMax = xs[xs.length - 1] * 1.3;
const px = (t) => L + ((Math.log(t) - Math.log(xMin)) / (Math.log(xMax) - Math.log(xMin))) * (W - L - R);
const py = (v) => T + (1 - (Math.log(v) - Math.log(yMin)) / (Math.log(yMax) - Math.log(yMin))) * (H - T - B);
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');

const parts = [];
parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
parts.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="17" font-weight="600">Latency of one analysis vs token count (bert-base size, median, min–max)</text>`);
parts.push(`<text x="${W / 2}" y="43" text-anchor="middle" font-size="12" fill="#555">${esc(`${meta?.cpu ?? ''}, ${meta?.cores ?? '?'} cores, Node ${meta?.node ?? ''}, onnxruntime-node ${meta?.onnxruntimeNode ?? ''}${meta?.date ? `, ${meta.date.slice(0, 10)}` : ''}`)}</text>`);
// grid and axes
for (let d = 10 ** Math.floor(Math.log10(yMin)); d <= yMax; d *= 10) {
  for (const m of [1, 2, 5]) {
    const v = d * m;
    if (v < yMin * 0.999 || v > yMax * 1.001) continue;
    const y = py(v);
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${y}" y2="${y}" stroke="${m === 1 ? '#ccc' : '#eee'}"/>`);
    parts.push(`<text x="${L - 6}" y="${y + 4}" text-anchor="end" font-size="11">${v >= 1000 ? `${v / 1000} s` : `${v} ms`}</text>`);
  }
}
for (const t of xs) {
  const x = px(t);
  parts.push(`<line x1="${x}" x2="${x}" y1="${T}" y2="${H - B}" stroke="#eee"/>`);
  parts.push(`<text x="${x}" y="${H - B + 16}" text-anchor="middle" font-size="11">${t}</text>`);
}
parts.push(`<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#888"/>`);
parts.push(`<text x="${(L + W - R) / 2}" y="${H - B + 34}" text-anchor="middle" font-size="12">tokens (incl. [CLS] and [SEP]), log scale</text>`);
parts.push(`<text transform="translate(18 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle" font-size="12">ms, log scale</text>`);
// series
let legendY = H - B + 58;
for (const [name, points] of series) {
  const st = STYLE[name] ?? { color: '#555', dash: '' };
  const d = points.map((f, i) => `${i ? 'L' : 'M'}${px(f.tokens).toFixed(1)},${py(f.median).toFixed(1)}`).join(' ');
  parts.push(`<path d="${d}" fill="none" stroke="${st.color}" stroke-width="2" stroke-dasharray="${st.dash}"/>`);
  for (const f of points) {
    const x = px(f.tokens);
    parts.push(`<line x1="${x}" x2="${x}" y1="${py(f.min)}" y2="${py(f.max)}" stroke="${st.color}" stroke-width="1"/>`);
    parts.push(`<circle cx="${x}" cy="${py(f.median)}" r="3.5" fill="${st.color}"><title>${esc(`${f.name}: ${f.median} ms`)}</title></circle>`);
  }
  parts.push(`<line x1="${L}" x2="${L + 36}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${st.color}" stroke-width="2" stroke-dasharray="${st.dash}"/>`);
  parts.push(`<text x="${L + 44}" y="${legendY}" font-size="12">${esc(LABEL[name] ?? name)}</text>`);
  legendY += 18;
}
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif">${parts.join('')}</svg>\n`;

const png = resolve(output);
const svgPath = png.replace(/\.png$/i, '') + '.svg';
mkdirSync(dirname(png), { recursive: true });
writeFileSync(svgPath, svg);

const profile = mkdtempSync(join(tmpdir(), 'bench-chart-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  viewport: { width: W, height: H },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`);
  await page.locator('svg').screenshot({ path: png });
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`wrote ${png} and ${svgPath}`);
