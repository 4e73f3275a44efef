// Builds every bundle with esbuild (paths relative to the working directory: the repository root).
// Every entry must exist: a missing one fails the build, so a renamed file cannot leave a bundle
// stale or a test layer empty.
//   dist/extension.js     VS Code layer (Node, CommonJS); never imports transformers.js
//   dist/engineWorker.js  the analysis engine in a worker thread (Node, CommonJS)
//   dist/cli.js           the context-lens command line, same engine
//   dist/webview.js       the Embedding Map app (browser, IIFE, Plotly bundled)
//   dist/test/inhost/     the in-host runner and one bundle per test/inhost/*.suite.ts (it finds them)
//   dist/test/unit/, dist/bench/  unit tests and benchmark
//   dist/stress/          the reliability campaign (stress.js) and its extension-host part (host.js)
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
  ['stress/stress.ts', 'dist/stress/stress.js', {}],
  ['stress/host/index.ts', 'dist/stress/host.js', { external: ['vscode'] }],
];
const webviewEntry = 'webview/main.ts';
const unitDir = 'test/unit';
const inhostDir = 'test/inhost';
// Native and heavy runtime packages stay in node_modules; everything of ours is bundled.
const runtimeExternals = ['onnxruntime-node', 'onnxruntime-web', 'onnxruntime-common', 'sharp', '@huggingface/transformers', 'umap-js', 'playwright-core'];

const filesIn = (dir, suffix) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(suffix)).sort().map((f) => join(dir, f)) : []);
const unitTests = filesIn(unitDir, '.test.ts');
const inhostSuites = filesIn(inhostDir, '.suite.ts');

const missing = [...nodeEntries.map(([entry]) => entry), webviewEntry].filter((entry) => !existsSync(entry));
if (!unitTests.length) missing.push(`${unitDir}/*.test.ts`);
if (!inhostSuites.length) missing.push(`${inhostDir}/*.suite.ts`);
if (missing.length) {
  console.error(`build: missing entries (run from the repository root): ${missing.join(', ')}`);
  process.exit(1);
}

const builds = nodeEntries.map(([entry, outfile, extra]) =>
  esbuild.build({ ...node, entryPoints: [entry], outfile, external: [...runtimeExternals, ...(extra.external ?? [])], banner: extra.banner }));
builds.push(esbuild.build({
  entryPoints: [webviewEntry], outfile: 'dist/webview.js', bundle: true, platform: 'browser', format: 'iife',
  target: 'es2022', sourcemap: !production, minify: production, logLevel: 'warning', loader: { '.css': 'text' },
}));
// Stale bundles of renamed or deleted tests would still run: start both test folders empty.
rmSync('dist/test/unit', { recursive: true, force: true });
for (const f of filesIn('dist/test/inhost', '.suite.js')) rmSync(f);
builds.push(esbuild.build({ ...node, entryPoints: unitTests, outdir: 'dist/test/unit', packages: 'external' }));
builds.push(esbuild.build({ ...node, entryPoints: inhostSuites, outdir: 'dist/test/inhost', external: [...runtimeExternals, 'vscode'] }));
await Promise.all(builds);
