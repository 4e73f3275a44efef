// `npm start`: run Context Lens in VS Code on the demo folder.
//   - With a desktop `code` CLI on PATH: builds, then `code --extensionDevelopmentPath=. demo`.
//   - Otherwise (or with --code-server): sets up code-server (scripts/ci-setup.sh), builds and packages
//     the extension for this platform (the universal VSIX where there is none), installs the VSIX into a
//     fresh code-server profile, opens demo/ at http://127.0.0.1:PORT and keeps running until Ctrl-C.
// Model: CONTEXT_LENS_MODEL if set; else, when the Hugging Face Hub cannot be reached, the bundled
// demo model assets/demo-model (so the demo works offline); else the extension's default.
//
// Usage: npm start [-- --port 8080] [--code-server]
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { demoFolder, ensureTools, demoModel, installVsix, killTree, repoRoot, secondsSince, startCodeServer } from './codeServer.mjs';
import { hostTarget, packageVsix } from './package-vsix.mjs';

const { values: opts } = parseArgs({ options: {
  port: { type: 'string', default: process.env.CONTEXT_LENS_PORT || '8080' },
  'code-server': { type: 'boolean', default: false },
} });

// The default model (src/engine/modelSpec.ts DEFAULT_MODEL_ID; a .mjs cannot import the TypeScript constant).
async function hubReachable() {
  try {
    const res = await fetch('https://huggingface.co/api/models/Xenova/bert-base-chinese', { method: 'HEAD', signal: AbortSignal.timeout(4000) });
    return res.ok;
  } catch { return false; }
}

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

const t0 = performance.now();
if (!process.env.CONTEXT_LENS_MODEL && !(await hubReachable())) process.env.CONTEXT_LENS_MODEL = demoModel;
const modelNote = process.env.CONTEXT_LENS_MODEL
  ? `model ${process.env.CONTEXT_LENS_MODEL}${process.env.CONTEXT_LENS_MODEL === demoModel ? ' (Hub not reachable: bundled demo model)' : ' (CONTEXT_LENS_MODEL)'}`
  : 'model: the extension default (setting contextLens.model), downloaded from the Hub';

if (onPath('code') && !opts['code-server']) {
  if (spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, stdio: 'inherit' }).status !== 0) process.exit(1);
  console.log(`opening VS Code on demo/ with the extension from ${repoRoot}; ${modelNote}`);
  const r = spawnSync('code', [`--extensionDevelopmentPath=${repoRoot}`, demoFolder], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const tools = ensureTools();
// The package a user of this machine would install: native runtime where it has one, WebAssembly elsewhere.
const { vsix } = packageVsix({ target: hostTarget() });
const { extensionsDir } = await installVsix(tools, vsix);
const cs = await startCodeServer({
  tools, workspace: demoFolder, extensionsDir, port: Number(opts.port), label: 'code-server-start',
  env: process.env.CONTEXT_LENS_MODEL ? { CONTEXT_LENS_MODEL: process.env.CONTEXT_LENS_MODEL } : {},
});
console.log(`
Context Lens is running in code-server (ready after ${secondsSince(t0)} s):
  ${cs.workbenchUrl()}
  ${modelNote}
  server log: ${cs.logFile}
Press Ctrl-C to stop.`);

let stopping = false;
const stop = async (signal) => {
  if (stopping) { killTree(cs.pid, 'SIGKILL'); process.exit(130); }
  stopping = true;
  console.log(`\n${signal}: stopping code-server`);
  await cs.stop({ keepLogAs: null });
  rmSync(extensionsDir, { recursive: true, force: true });
  process.exit(0);
};
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => stop(sig));
cs.exited.then((why) => {
  if (stopping) return;
  console.error(`code-server ${why}; log: ${cs.logFile}`);
  process.exit(1);
});
