import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ALL_TARGETS, checkVsixContents, ignoreFileText, UNIVERSAL } from '../../scripts/vsixContents.mjs';

const ORT = 'extension/node_modules/onnxruntime-node/bin/napi-v6';

/** A VSIX file list that holds what every VSIX needs, plus `target`'s native runtime. */
function goodList(target: string): string[] {
  const names = [
    'extension.vsixmanifest',
    'extension/package.json',
    'extension/package.nls.json',
    'extension/package.nls.zh-cn.json',
    'extension/readme.md',
    'extension/changelog.md',
    'extension/LICENSE.txt',
    'extension/dist/extension.js',
    'extension/dist/engineWorker.js',
    'extension/dist/webview.js',
    'extension/media/icon.png',
    'extension/l10n/bundle.l10n.zh-cn.json',
    'extension/assets/demo-model/config.json',
    'extension/assets/demo-model/tokenizer.json',
    'extension/assets/demo-model/onnx/model_quantized.onnx',
    'extension/node_modules/@huggingface/transformers/dist/transformers.node.cjs',
    'extension/node_modules/onnxruntime-node/package.json',
    'extension/node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm',
    'extension/node_modules/onnxruntime-common/dist/cjs/index.d.ts',
  ];
  if (target !== UNIVERSAL) {
    const [os, arch] = target.split('-');
    names.push(`${ORT}/${os}/${arch}/onnxruntime_binding.node`, `${ORT}/${os}/${arch}/libonnxruntime.so.1`);
  }
  return names;
}

test('a VSIX holding exactly its own platform\'s runtime, the bundles, the demo model and l10n passes', () => {
  for (const target of ALL_TARGETS) assert.deepEqual(checkVsixContents(target, goodList(target), 20e6), [], target);
});

test('other platforms\' binaries, a missing binary, sources, sharp and missing parts are each reported', () => {
  const withOther = [...goodList('win32-x64'), `${ORT}/linux/x64/onnxruntime_binding.node`];
  assert.deepEqual(checkVsixContents('win32-x64', withOther, 1), ['native runtimes linux-x64, win32-x64; expected win32-x64']);
  assert.deepEqual(checkVsixContents('universal', goodList('darwin-arm64'), 1), ['native runtimes darwin-arm64; expected none']);
  const noBinary = goodList('linux-arm64').filter((n) => !n.endsWith('onnxruntime_binding.node'));
  assert.deepEqual(checkVsixContents('linux-arm64', noBinary, 1), ['missing linux-arm64\'s onnxruntime_binding.node']);
  const problems = checkVsixContents('universal', [
    ...goodList('universal').filter((n) => !n.startsWith('extension/l10n/') && !n.includes('/onnx/')),
    'extension/src/engine/modelRuntime.ts',
    'extension/dist/extension.js.map',
    'extension/node_modules/sharp/lib/index.js',
    'extension/BENCHMARKS.md',
  ], 41 * 1024 * 1024);
  assert.deepEqual(problems, [
    'missing the demo model\'s .onnx',
    'missing l10n/bundle.l10n.*.json',
    'holds sources, tests, benchmarks, scripts or repository documents: extension/src/engine/modelRuntime.ts, extension/BENCHMARKS.md',
    'holds source maps or TypeScript sources: extension/src/engine/modelRuntime.ts, extension/dist/extension.js.map',
    'holds sharp (replaced by src/engine/sharpStandIn.ts): extension/node_modules/sharp/lib/index.js',
    '41.0 MB, over the 40 MB limit',
  ]);
});

test('the universal ignore file is .vscodeignore, which drops every native binary; a platform\'s takes back only its own', () => {
  const base = readFileSync('.vscodeignore', 'utf8');
  assert.match(base, /^node_modules\/onnxruntime-node\/bin\/\*\*$/m);
  assert.match(base, /^node_modules\/sharp\/\*\*$/m);
  assert.equal(ignoreFileText('universal', base), base);
  const added = (target: string) => ignoreFileText(target, base).slice(base.length).split('\n').filter((l) => l && !l.startsWith('#'));
  assert.deepEqual(added('darwin-arm64'), ['!node_modules/onnxruntime-node/bin/napi-v*/darwin/arm64/**']);
  assert.deepEqual(added('win32-x64'), ['!node_modules/onnxruntime-node/bin/napi-v*/win32/x64/**']);
  assert.throws(() => ignoreFileText('darwin-x64', base), /unknown target darwin-x64/);
});
