/**
 * A stand-in for the `vscode` module, good enough to require dist/extension.js and call activate()
 * outside VS Code (activation-time benchmark only). Every unknown property is a callable, constructible
 * Proxy that returns more of the same; the few values activation reads as data are real:
 * configuration (defaults), l10n.t (formats its message), version, env.language.
 * It measures our code's require + activate cost, not VS Code's own extension-host overhead; the
 * in-host test suite logs the real activation time ("Context Lens … activated in N ms").
 */
import Module from 'node:module';

type AnyFn = (...args: unknown[]) => unknown;

const PRIMITIVE = (hint: string): unknown => (hint === 'number' ? 0 : '');

/** Anything: property access, calls and `new` all give another `anything`; it is never a thenable. */
export function anything(name = 'vscode'): unknown {
  const cache = new Map<PropertyKey, unknown>();
  const target = function () {} as unknown as AnyFn;
  return new Proxy(target, {
    get(_t, prop) {
      if (prop === 'then') return undefined; // so that `await stub` does not hang
      if (prop === Symbol.toPrimitive) return PRIMITIVE;
      if (prop === Symbol.iterator) return function* () {};
      if (prop === 'toString' || prop === 'toJSON') return () => name;
      if (prop === 'dispose') return () => undefined;
      if (!cache.has(prop)) cache.set(prop, anything(`${name}.${String(prop)}`));
      return cache.get(prop);
    },
    set(_t, prop, value) {
      cache.set(prop, value);
      return true;
    },
    apply: () => anything(`${name}()`),
    construct: () => anything(`new ${name}`) as object,
  });
}

function configuration(): unknown {
  return {
    get: (_key: string, fallback?: unknown) => fallback,
    has: () => false,
    inspect: () => undefined,
    update: async () => undefined,
  };
}

function format(message: string, ...args: unknown[]): string {
  const values = args.length === 1 && args[0] && typeof args[0] === 'object' ? (args[0] as Record<string, unknown>) : args;
  return String(message).replace(/\{(\w+)\}/g, (m, k: string) => (k in (values as object) ? String((values as Record<string, unknown>)[k]) : m));
}

/** Names bundles read from `vscode` (esbuild's __toESM copies only the module's own keys). */
const API_NAMES = ['window', 'workspace', 'commands', 'languages', 'env', 'l10n', 'extensions', 'Uri', 'EventEmitter', 'Disposable', 'Range', 'Position', 'Selection', 'Hover', 'MarkdownString', 'ThemeColor', 'ThemeIcon', 'StatusBarAlignment', 'ViewColumn', 'ProgressLocation', 'TextEditorRevealType', 'ConfigurationTarget', 'CancellationTokenSource', 'version'];

/** The stub `vscode` module; `extraNames` adds API names found in the bundle. */
export function createVscodeStub(extraNames: string[] = []): Record<string, unknown> {
  const base: Record<string, unknown> = {};
  for (const name of new Set([...API_NAMES, ...extraNames])) base[name] = anything(`vscode.${name}`);
  const overrides: Record<string, unknown> = {
    version: '1.95.0-stub',
    env: new Proxy(anything('vscode.env') as object, {
      get: (t, p) => (p === 'language' ? 'en' : p === 'appName' ? 'stub' : Reflect.get(t, p)),
    }),
    l10n: { t: (m: string | { message: string }, ...args: unknown[]) => format(typeof m === 'string' ? m : m.message, ...args), bundle: undefined, uri: undefined },
    workspace: new Proxy(anything('vscode.workspace') as object, {
      get: (t, p) => (p === 'getConfiguration' ? configuration : p === 'workspaceFolders' ? undefined : Reflect.get(t, p)),
    }),
  };
  Object.assign(base, overrides);
  return base;
}

/** Makes `require('vscode')` resolve to the stub, for every module loaded after this call. */
export function installVscodeStub(extraNames: string[] = []): void {
  const stubId = '\0vscode-stub';
  const m = Module as unknown as {
    _resolveFilename: (request: string, ...rest: unknown[]) => string;
    _cache: Record<string, unknown>;
  };
  const original = m._resolveFilename;
  m._resolveFilename = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? stubId : original.call(this, request, ...rest);
  };
  const mod = new Module(stubId);
  mod.filename = stubId;
  mod.loaded = true;
  mod.exports = createVscodeStub(extraNames);
  m._cache[stubId] = mod;
}

/** A stand-in ExtensionContext rooted at `extensionPath`. */
export function extensionContextStub(extensionPath: string, storagePath: string, packageJSON: unknown): unknown {
  const uri = (fsPath: string) => ({ fsPath, path: fsPath, scheme: 'file', toString: () => `file://${fsPath}` });
  const memento = () => ({ get: (_k: string, d?: unknown) => d, update: async () => undefined, keys: () => [], setKeysForSync: () => undefined });
  return {
    subscriptions: [] as { dispose(): unknown }[],
    extensionPath,
    extensionUri: uri(extensionPath),
    globalStorageUri: uri(storagePath),
    storageUri: uri(storagePath),
    logUri: uri(storagePath),
    globalStoragePath: storagePath,
    storagePath,
    logPath: storagePath,
    extensionMode: 1,
    globalState: memento(),
    workspaceState: memento(),
    secrets: anything('secrets'),
    environmentVariableCollection: anything('environmentVariableCollection'),
    asAbsolutePath: (p: string) => `${extensionPath}/${p}`,
    extension: { id: 'context-lens.context-lens', extensionPath, extensionUri: uri(extensionPath), packageJSON, isActive: true, exports: undefined },
  };
}
