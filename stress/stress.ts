/**
 * `npm run stress [-- --quick] [-- --json FILE] [-- --markdown FILE] [-- --only family,…]`
 *
 * The reliability campaign (RELIABILITY.md): hostile text through the engine, the CLI, the extension
 * host and the webview; broken models; the engine worker killed mid-request; rapid use; long sessions;
 * property-based token ranges for every model kind. Prints one row per family (cases tried, passed,
 * failed, the slowest case) and the memory curve of the long runs; exits non-zero when a case failed.
 *
 * One file per part in stress/families/. The extension-host part runs inside a real VS Code
 * (code-server, as the in-host tests do) from the bundle dist/stress/host.js (stress/host/), which
 * hands its results back as JSON. `--quick` is the variant the test command runs as its own layer.
 */
import { FAMILIES, FAMILY_TITLES, FamilyRecorder, mergeFamilies, type FamilyName, type FamilyResult } from './record';
import { log, parseOptions, wants, type StressContext } from './context';
import { machine, printReport, writeJson, writeMarkdown, type StressReport } from './report';
import * as properties from './families/properties';
import * as hostileEngine from './families/hostileEngine';
import * as hostileCli from './families/hostileCli';
import * as modelFaults from './families/modelFaults';
import * as engineDeath from './families/engineDeath';
import * as longSession from './families/longSession';
import * as host from './families/host';
import * as webview from './families/webview';

interface Part {
  /** The families it records into (it runs when any of them is wanted). */
  families: readonly FamilyName[];
  run(c: StressContext): Promise<void>;
}

/** In order: what needs only Node first, then the parts that start a VS Code or a browser. */
const PARTS: Part[] = [properties, hostileEngine, hostileCli, modelFaults, engineDeath, longSession, host, webview];

async function main(): Promise<number> {
  const o = parseOptions(process.argv.slice(2));
  const t0 = performance.now();
  const recorders = new Map<FamilyName, FamilyRecorder>();
  const extra: FamilyResult[] = [];
  const c: StressContext = {
    o,
    family: (f) => {
      let r = recorders.get(f);
      if (!r) recorders.set(f, (r = new FamilyRecorder(f, log)));
      return r;
    },
    addResults: (results) => void extra.push(...results),
    log,
  };
  for (const part of PARTS) {
    const families = part.families.filter((f) => wants(o, f));
    if (!families.length) continue;
    const tp = performance.now();
    log(`${families.map((f) => FAMILY_TITLES[f]).join(', ')}: starting`);
    try {
      await part.run(c);
    } catch (e) {
      // A part that throws has not finished its cases: that is a failure of its first family, never a quiet pass.
      c.family(families[0]).add({ name: 'the part itself', layer: 'engine', ok: false, ms: Math.round(performance.now() - tp), outcome: 'threw', problem: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
    log(`${families.join(', ')}: done in ${((performance.now() - tp) / 1000).toFixed(1)} s`);
  }
  const families = mergeFamilies([...[...recorders.values()].map((r) => r.result), ...extra]).filter((f) => wants(o, f.family));
  const report: StressReport = { date: new Date().toISOString(), quick: o.quick, machine: machine(), seconds: (performance.now() - t0) / 1000, families };
  printReport(report);
  if (o.json) writeJson(o.json, report);
  if (o.markdown) writeMarkdown(o.markdown, report);
  // Every family asked for (all of them without --only) must have tried something: never a quiet pass.
  const empty = FAMILIES.filter((f) => wants(o, f) && !families.some((r) => r.family === f && r.cases.length));
  if (empty.length) console.error(`no case ran for: ${empty.join(', ')}`);
  const failed = families.some((f) => f.cases.some((k) => !k.ok)) || empty.length > 0;
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(2);
  },
);
