// @vscode/test-cli configuration (`npm run test:inhost:electron`): runs the in-host suite in a desktop
// VS Code that it downloads (needs internet; offline, `npm test` runs the same suite in code-server).
import { defineConfig } from '@vscode/test-cli';
import { fileURLToPath } from 'node:url';

const abs = (p) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  label: 'inhost',
  files: 'test/inhost/vscode-test.mocha.cjs',
  version: 'stable',
  workspaceFolder: abs('./demo'),
  launchArgs: ['--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
  env: { CONTEXT_LENS_MODEL: process.env.CONTEXT_LENS_MODEL || abs('./assets/demo-model') },
  mocha: { ui: 'tdd', timeout: 60_000 },
});
