// Adapter for @vscode/test-cli (.vscode-test.mjs), whose runner is mocha: one mocha test per in-host
// test of dist/test/inhost/index.js (built by scripts/build.mjs). Runs inside the extension host.
const { tests } = require('../../dist/test/inhost/index.js');

suite('Context Lens in-host', () => {
  for (const t of tests) {
    test(t.name, function () {
      this.timeout(t.timeoutMs ?? 60_000);
      return t.run();
    });
  }
});
