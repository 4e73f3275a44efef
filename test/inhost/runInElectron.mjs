// Runs the in-host suite in desktop VS Code (Electron) with @vscode/test-electron, for machines that
// can download VS Code (it fetches a build from Microsoft into .vscode-test/). Offline, use
// test/inhost/runInCodeServer.mjs (npm test) instead: same test bundle, same run() contract.
//
// Usage: node scripts/build.mjs && node test/inhost/runInElectron.mjs [--version stable|insiders|1.95.0] [--grep TEXT]
// Headless Linux needs a display: xvfb-run -a node test/inhost/runInElectron.mjs
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runTests } from '@vscode/test-electron';
import { demoFolder, demoModel, repoRoot } from '../../scripts/codeServer.mjs';

const { values } = parseArgs({ options: { version: { type: 'string', default: 'stable' }, grep: { type: 'string' } } });
try {
  const code = await runTests({
    version: values.version,
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: join(repoRoot, 'dist/test/inhost/index.js'),
    launchArgs: [demoFolder, '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
    extensionTestsEnv: {
      CONTEXT_LENS_MODEL: process.env.CONTEXT_LENS_MODEL || demoModel,
      ...(values.grep ? { CONTEXT_LENS_INHOST_GREP: values.grep } : {}),
    },
  });
  process.exit(code);
} catch (e) {
  console.error(`in-host tests failed: ${e?.message ?? e}`);
  process.exit(1);
}
