/**
 * Lazy loading of transformers.js and the choice of onnxruntime behind it.
 *
 * transformers.js picks its onnxruntime once, when it is first imported: `globalThis[Symbol.for('onnxruntime')]`
 * if set, else onnxruntime-node (required unconditionally at import). So the backend is a per-process (per
 * worker) decision made here, before the first import, and cannot be changed afterwards.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { ContextLensError } from './errors';
import { installSharpStandIn } from './sharpStandIn';
import type { DevicePreference } from './types';

export type Transformers = typeof import('@huggingface/transformers');

/** `native`: onnxruntime-node (CPU, optionally WebGPU). `wasm`: onnxruntime-web's WebAssembly build. */
export type RuntimeKind = 'native' | 'wasm';

export interface Runtime {
  kind: RuntimeKind;
  transformers: Transformers;
  /** Why the native runtime is not in use, when it was wanted but failed to load. */
  nativeFailure?: string;
}

const ORT_SYMBOL = Symbol.for('onnxruntime');
const TRANSFORMERS = '@huggingface/transformers';

let runtime: Runtime | undefined;

function transformersAlreadyImported(): boolean {
  try {
    return require.resolve(TRANSFORMERS) in require.cache;
  } catch {
    return false;
  }
}

/** WASM threads: onnxruntime-web runs one thread in Node unless told (measured 1.6–1.7× slower on 2 cores). */
export function wasmThreadCount(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

function configureWasmRuntime(): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ortWeb = require('onnxruntime-web') as { env: { wasm: { wasmPaths?: unknown; numThreads?: number } } };
  // Without a local path onnxruntime-web fetches its .wasm from a CDN, which fails offline.
  ortWeb.env.wasm.wasmPaths = join(dirname(require.resolve('onnxruntime-web')), '/');
  // A caller (the benchmark's diagnostic) may have chosen a count already.
  ortWeb.env.wasm.numThreads ||= wasmThreadCount();
  (globalThis as Record<symbol, unknown>)[ORT_SYMBOL] = ortWeb;
  return ortWeb;
}

const fromTransformers = (): NodeRequire => createRequire(require.resolve(TRANSFORMERS));

/** Puts `exports` in the require cache where transformers.js will look for `request`. */
function shadowModule(request: string, exports: unknown): void {
  const path = fromTransformers().resolve(request);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Module } = require('node:module') as { Module: new (id: string) => NodeJS.Module };
  const shadow = new Module(path);
  shadow.filename = path;
  shadow.loaded = true;
  shadow.exports = exports;
  require.cache[path] = shadow;
}

/** Where onnxruntime-node keeps its binary for a platform (its own loader looks there, napi-v6). */
export function nativeBinaryPath(platform: string = process.platform, arch: string = process.arch): string | undefined {
  try {
    const ortNode = dirname(fromTransformers().resolve('onnxruntime-node/package.json'));
    return join(ortNode, 'bin', 'napi-v6', platform, arch, 'onnxruntime_binding.node');
  } catch {
    return undefined;
  }
}

/**
 * Whether this package holds the native runtime for `platform`-`arch`. Each platform's VSIX carries only
 * its own binaries and the universal one none (scripts/package-vsix.mjs): the answer decides native or
 * WASM before anything native is loaded.
 */
export function nativeBinaryPresent(platform: string = process.platform, arch: string = process.arch): boolean {
  const path = nativeBinaryPath(platform, arch);
  return path !== undefined && existsSync(path);
}

function tryLoadNative(): string | undefined {
  if (!nativeBinaryPresent()) {
    return `this package holds no native ONNX runtime for ${process.platform}-${process.arch}`;
  }
  try {
    fromTransformers()('onnxruntime-node');
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/**
 * Imports transformers.js on first use, with the onnxruntime the device preference asks for.
 * 'wasm' is only possible before the first import; native falls back to wasm when it cannot load.
 */
export function loadRuntime(device: DevicePreference): Runtime {
  if (!runtime && transformersAlreadyImported()) {
    // Someone imported transformers.js directly; adopt whatever it chose.
    runtime = { kind: ORT_SYMBOL in globalThis ? 'wasm' : 'native', transformers: require(TRANSFORMERS) as Transformers };
  }
  if (runtime) {
    if (device === 'wasm' && runtime.kind !== 'wasm') {
      throw new ContextLensError(
        'BACKEND_UNAVAILABLE',
        'The WebAssembly backend can only be chosen before the first model is loaded. Reload the window (or restart the command) to use it.',
      );
    }
    return runtime;
  }
  installSharpStandIn();
  if (device === 'wasm') {
    configureWasmRuntime();
    runtime = { kind: 'wasm', transformers: require(TRANSFORMERS) as Transformers };
    return runtime;
  }
  const nativeFailure = tryLoadNative();
  if (nativeFailure !== undefined) {
    try {
      // transformers.js requires onnxruntime-node even when another runtime is installed: hand it onnxruntime-web.
      shadowModule('onnxruntime-node', configureWasmRuntime());
    } catch (e) {
      throw new ContextLensError(
        'BACKEND_UNAVAILABLE',
        'Neither the native ONNX runtime nor its WebAssembly version could be loaded on this system.',
        `native: ${nativeFailure}; wasm: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    runtime = { kind: 'wasm', transformers: require(TRANSFORMERS) as Transformers, nativeFailure };
    return runtime;
  }
  runtime = { kind: 'native', transformers: require(TRANSFORMERS) as Transformers };
  return runtime;
}
