import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { loadRuntime, nativeBinaryPath, nativeBinaryPresent } from '../../src/engine/modelRuntime';
import { SHARP_STAND_IN_ID, SHARP_UNAVAILABLE_MESSAGE } from '../../src/engine/sharpStandIn';

// node --test runs each file in its own process: transformers.js is first imported here, through the engine.
test('transformers.js loads through the engine with the sharp stand-in, and image use is refused clearly', async () => {
  const runtime = loadRuntime('auto');
  assert.equal(typeof runtime.transformers.pipeline, 'function');
  // transformers.js resolved `sharp` to the stand-in, not to the real package installed beside it.
  const fromTransformers = createRequire(require.resolve('@huggingface/transformers'));
  assert.equal(fromTransformers.resolve('sharp'), SHARP_STAND_IN_ID);
  assert.ok(!Object.keys(require.cache).some((path) => /[\\/]sharp[\\/]/.test(path)), 'the real sharp was loaded');
  // transformers.js's own image path reaches the stand-in and fails with its message.
  const image = new runtime.transformers.RawImage(new Uint8ClampedArray(4 * 4 * 3), 4, 4, 3);
  await assert.rejects(async () => image.toSharp(), { message: SHARP_UNAVAILABLE_MESSAGE });
});

test('the native runtime is chosen exactly when this platform\'s binary is in the package', () => {
  // The development checkout holds onnxruntime-node's binaries for these, and never for a made-up platform.
  assert.equal(nativeBinaryPresent(process.platform, process.arch), true);
  assert.equal(nativeBinaryPresent('plan9', 'mips'), false);
  assert.match(nativeBinaryPath('darwin', 'arm64') ?? '', /onnxruntime-node[\\/]bin[\\/]napi-v6[\\/]darwin[\\/]arm64[\\/]onnxruntime_binding\.node$/);
  assert.equal(loadRuntime('auto').kind, 'native');
});
