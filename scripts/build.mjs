// Builds every bundle with esbuild. Entries whose source does not exist yet are skipped.
//   dist/extension.js     VS Code layer (Node, CommonJS); never imports transformers.js
//   dist/engineWorker.js  the analysis engine in a worker thread (Node, CommonJS)
//   dist/cli.js           the context-lens command line, same engine
//   dist/webview.js       the Embedding Map app (browser, IIFE, Plotly bundled)
//   dist/test/**, dist/bench/**  tests and benchmark
import * as esbuild from 'esbuild';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const production = process.argv.includes('--production');
const node = { platform: 'node', format: 'cjs', target: 'node20', bundle: true, sourcemap: !production, minify: production, logLevel: 'warning' };
const nodeEntries = [
  ['src/extension/main.ts', 'dist/extension.js', { external: ['vscode'] }],
  ['src/engine/worker.ts', 'dist/engineWorker.js', {}],
  ['src/cli/main.ts', 'dist/cli.js', { banner: { js: '#!/usr/bin/env node' } }],
  ['bench/bench.ts', 'dist/bench/bench.js', {}],
  ['test/inhost/index.ts', 'dist/test/inhost/index.js', { external: ['vscode'] }],
];
// Native and heavy runtime packages stay in node_modules; everything of ours is bundled.
const runtimeExternals = ['onnxruntime-node', 'onnxruntime-web', 'onnxruntime-common', 'sharp', '@huggingface/transformers', 'umap-js', 'playwright-core'];

const builds = [];
for (const [entry, outfile, extra] of nodeEntries) {
  if (!existsSync(entry)) continue;
  builds.push(esbuild.build({ ...node, entryPoints: [entry], outfile, external: [...runtimeExternals, ...(extra.external ?? [])], banner: extra.banner }));
}
if (existsSync('webview/main.ts')) {
  builds.push(esbuild.build({
    entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', bundle: true, platform: 'browser', format: 'iife',
    target: 'es2022', sourcemap: !production, minify: production, logLevel: 'warning', loader: { '.css': 'text' },
  }));
}
const unitDir = 'test/unit';
if (existsSync(unitDir)) {
  rmSync('dist/test/unit', { recursive: true, force: true });
  const tests = readdirSync(unitDir).filter((f) => f.endsWith('.test.ts')).map((f) => join(unitDir, f));
  if (tests.length) builds.push(esbuild.build({ ...node, entryPoints: tests, outdir: 'dist/test/unit', packages: 'external' }));
}
await Promise.all(builds);
