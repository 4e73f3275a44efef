// How many tests a `node --test` run executed, read from its closing summary (spec: "ℹ tests 12",
// TAP: "# tests 12"). scripts/test.mjs fails a layer that ran none: a layer that passes without
// running anything hides a broken build, a wrong path or a filter that matches nothing.

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const SUMMARY_LINE = /^(?:ℹ|#)\s+(tests|pass|fail|cancelled|skipped|todo)\s+(\d+)\s*$/;

/**
 * The counts in a node:test summary, added up when the output holds several summaries; `undefined`
 * when it holds none (the runner crashed before summing up).
 * @param {string} output the runner's standard output
 * @returns {{ tests: number, pass: number, fail: number, cancelled: number, skipped: number, todo: number, ran: number } | undefined}
 */
export function countTests(output) {
  const counts = { tests: 0, pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0 };
  let found = false;
  for (const line of output.replace(ANSI, '').split(/\r?\n/)) {
    const m = SUMMARY_LINE.exec(line.trim());
    if (!m) continue;
    found = true;
    counts[m[1]] += Number(m[2]);
  }
  // A test skipped (by `skip` or by a name pattern that does not match it) did not run.
  return found ? { ...counts, ran: counts.tests - counts.skipped } : undefined;
}
