// Helpers to run the extension in a real VS Code without internet: code-server (VS Code server + web
// workbench, from npm) in a throw-away profile. Used by scripts/test.mjs, scripts/start.mjs and the
// in-host and e2e runners.
//
//   const tools = ensureTools();                       // scripts/ci-setup.sh: Node 24, code-server, chromium
//   const extensionsDir = await installVsix(tools, vsixPath, dir);
//   const cs = await startCodeServer({ tools, workspace, extensionsDir, smokeTestDriver: true });
//   ... cs.workbenchUrl({ payload }) ...
//   await cs.stop();
//
// Every process started here runs in its own process group and is ended by that group id (plus any
// descendant that left the group), never by name. A process-exit hook ends whatever is still running.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const EXTENSION_ID = 'context-lens.context-lens';
/** The demo model shipped with the extension: the model of the in-host and e2e tests and of an offline `npm start`. */
export const demoModel = join(repoRoot, 'assets', 'demo-model');
export const demoFolder = join(repoRoot, 'demo');

/** Seconds since `t0` (a performance.now() value), one decimal. */
export const secondsSince = (t0) => ((performance.now() - t0) / 1000).toFixed(1);

/**
 * Runs scripts/ci-setup.sh (idempotent; seconds when cached) and returns the tool paths it reports.
 * @returns {{ node24: string, codeServer: string, chromium: string }}
 */
export function ensureTools() {
  const res = spawnSync('bash', [join(repoRoot, 'scripts', 'ci-setup.sh')], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`scripts/ci-setup.sh failed (exit ${res.status ?? res.signal})`);
  const vars = Object.fromEntries(res.stdout.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  const tools = { node24: vars.CONTEXT_LENS_NODE24, codeServer: vars.CONTEXT_LENS_CODE_SERVER, chromium: vars.CONTEXT_LENS_CHROMIUM };
  for (const [k, v] of Object.entries(tools)) if (!v || !existsSync(v)) throw new Error(`ci-setup.sh did not report a usable ${k}: ${v}`);
  return tools;
}

// ---- process groups ---------------------------------------------------------------------------

const liveGroups = new Set();
const tempDirs = new Set(); // removed at exit if still there (e.g. after Ctrl-C)
process.on('exit', () => {
  for (const pid of liveGroups) killTree(pid, 'SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder under the system temp folder, removed at process exit at the latest. */
function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/** pid -> children, from /proc (Linux). */
function childrenOf() {
  const map = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!map.has(ppid)) map.set(ppid, []);
      map.get(ppid).push(Number(d));
    } catch { /* exited meanwhile */ }
  }
  return map;
}

function descendants(pid) {
  const map = childrenOf();
  const out = [];
  const stack = [pid];
  while (stack.length) for (const c of map.get(stack.pop()) ?? []) { out.push(c); stack.push(c); }
  return out;
}

/** Signals the process group led by `pid` and every descendant (some, e.g. pty hosts, start their own session). */
export function killTree(pid, signal = 'SIGTERM') {
  const all = descendants(pid);
  try { process.kill(-pid, signal); } catch { /* group gone */ }
  for (const p of all) { try { process.kill(p, signal); } catch { /* gone */ } }
}

/** Spawns `cmd` as the leader of a new process group; the group is ended at process exit if still alive. */
export function spawnGroup(cmd, args, opts) {
  const child = spawn(cmd, args, { ...opts, detached: true });
  liveGroups.add(child.pid);
  child.on('exit', () => liveGroups.delete(child.pid));
  return child;
}

/** Ends a group started by spawnGroup: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopGroup(child, graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) { killTree(child.pid, 'SIGKILL'); return; }
  const exited = new Promise((r) => child.once('exit', r));
  killTree(child.pid, 'SIGTERM');
  const timer = setTimeout(() => killTree(child.pid, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  killTree(child.pid, 'SIGKILL'); // stragglers that ignored SIGTERM after their parent left
  liveGroups.delete(child.pid);
}

/** Ctrl-C / SIGTERM: exit through process.exit so the exit hook ends every group. */
export function exitOnSignals(code = 130) {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(sig, () => { console.error(`\n${sig}: stopping`); process.exit(code); });
}

// ---- code-server ------------------------------------------------------------------------------

const USER_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'chat.disableAIFeatures': true,
  'git.enabled': false,
};

/** Environment for code-server: Node 24 first on PATH; config, data and temp files inside `runDir`. */
function codeServerEnv(tools, runDir, extraEnv = {}) {
  const dirs = { XDG_CONFIG_HOME: join(runDir, 'xdg-config'), XDG_DATA_HOME: join(runDir, 'xdg-data'), TMPDIR: join(runDir, 'tmp') };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  const env = { ...process.env, ...dirs, ...extraEnv, PATH: `${dirname(tools.node24)}:${process.env.PATH}` };
  for (const k of Object.keys(env)) if (k.toLowerCase().startsWith('npm_')) delete env[k]; // npm's run-script env is not for VS Code
  return env;
}

/**
 * Installs a .vsix into a fresh extensions folder (code-server --install-extension) and returns the folder.
 * @returns {Promise<{ extensionsDir: string, extensionPath: string }>} extensionPath: the unpacked extension
 */
export async function installVsix(tools, vsix, extensionsDir = tempDir('context-lens-exts-'), { userDataDir, id = EXTENSION_ID } = {}) {
  const runDir = tempDir('context-lens-install-');
  try {
    const child = spawnGroup(tools.node24, [tools.codeServer, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir ?? join(runDir, 'udd'),
      '--install-extension', resolve(vsix), '--force'], { env: codeServerEnv(tools, runDir), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const code = await new Promise((r) => child.on('exit', (c, s) => r(c ?? s)));
    if (code !== 0) throw new Error(`installing ${vsix} failed (${code}):\n${out}`);
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
  const dir = readdirSync(extensionsDir).find((d) => d.toLowerCase().startsWith(`${id.toLowerCase()}-`));
  if (!dir) throw new Error(`${id} not found in ${extensionsDir} after install`);
  return { extensionsDir, extensionPath: join(extensionsDir, dir) };
}

// ---- display language -------------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip archive (stored, no compression) of `files` ({ name: string | Buffer }). */
function zipStored(files) {
  const locals = [];
  const central = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
    const fname = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt32LE(crc, 14); local.writeUInt32LE(data.length, 18); local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fname.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0); entry.writeUInt16LE(20, 4); entry.writeUInt16LE(20, 6); entry.writeUInt16LE(0x0800, 8);
    entry.writeUInt32LE(crc, 16); entry.writeUInt32LE(data.length, 20); entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(fname.length, 28); entry.writeUInt32LE(offset, 42);
    locals.push(local, fname, data);
    central.push(entry, fname);
    offset += local.length + fname.length + data.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  const n = Object.keys(files).length;
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(n, 8); end.writeUInt16LE(n, 10);
  end.writeUInt32LE(dir.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

/**
 * Writes a minimal VS Code language pack for `locale` (e.g. "zh-cn") as a .vsix: it contributes the
 * locale with an empty translation of VS Code's own strings, so VS Code's UI stays English while the
 * display language (vscode.env.language) becomes `locale` and extensions show their own translations
 * (package.nls.<locale>.json, l10n/bundle.l10n.<locale>.json). The real packs (e.g. MS-CEINTL's) come
 * from the Marketplace, which tests cannot reach. code-server 4.139 serves a display language only when
 * a pack for it is installed and --locale names it (or argv.json does; without an argv.json it never
 * looks at the browser's language), and without a pack even --locale zh-cn leaves everything English.
 */
export function writeLanguagePackVsix(locale, dir = tempDir('context-lens-langpack-')) {
  const name = `test-language-pack-${locale}`;
  const manifest = {
    name, displayName: `Test language pack (${locale})`, publisher: 'context-lens-tests', version: '1.0.0',
    engines: { vscode: '*' }, categories: ['Language Packs'],
    contributes: { localizations: [{ languageId: locale, languageName: locale, localizedLanguageName: locale,
      translations: [{ id: 'vscode', path: './translations/main.i18n.json' }] }] },
  };
  const vsix = join(dir, `${name}.vsix`);
  writeFileSync(vsix, zipStored({
    'extension/package.json': JSON.stringify(manifest, null, 2),
    'extension/translations/main.i18n.json': JSON.stringify({ version: '1.0.0', contents: {} }),
  }));
  return { vsix, id: `context-lens-tests.${name}` };
}

/**
 * Records an installed language pack in `userDataDir`/languagepacks.json, as VS Code's language pack
 * service does after an install through the workbench (code-server's --install-extension CLI skips
 * that step, and the server reads only this file to decide which display languages it can serve).
 */
function registerLanguagePack(userDataDir, extensionPath, id) {
  const file = join(userDataDir, 'languagepacks.json');
  const packs = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const manifest = JSON.parse(readFileSync(join(extensionPath, 'package.json'), 'utf8'));
  for (const loc of manifest.contributes.localizations) {
    packs[loc.languageId] = {
      hash: createHash('md5').update(id).update(manifest.version).digest('hex'),
      extensions: [{ extensionIdentifier: { id }, version: manifest.version }],
      translations: Object.fromEntries(loc.translations.map((t) => [t.id, join(extensionPath, t.path)])),
      label: loc.localizedLanguageName ?? loc.languageName,
    };
  }
  writeFileSync(file, JSON.stringify(packs));
}

async function fetchText(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return res.ok ? await res.text() : null;
  } catch { return null; }
}

/**
 * Starts code-server on 127.0.0.1 with a throw-away user-data-dir and waits until the workbench loads.
 * @param {object} o
 * @param {{node24:string, codeServer:string}} o.tools
 * @param {string} o.workspace          folder to open
 * @param {string} [o.extensionsDir]    extensions folder (e.g. from installVsix); a fresh empty one otherwise
 * @param {number} [o.port]             0 (default): a free port
 * @param {boolean} [o.smokeTestDriver] honour ?payload= (extensionDevelopmentPath / extensionTestsPath)
 * @param {Record<string,string>} [o.env] extra environment for the server and extension host
 * @param {string} [o.label]            names the log kept in test-results/
 * @param {boolean} [o.quiet]           do not echo the server log
 * @param {string} [o.locale]          display language (--locale, e.g. "zh-cn"); a test language pack
 *                                      for it is installed first (writeLanguagePackVsix)
 */
export async function startCodeServer({ tools, workspace, extensionsDir, port = 0, smokeTestDriver = false, env = {}, label = 'code-server', quiet = true, locale }) {
  const t0 = performance.now();
  const runDir = tempDir('context-lens-cs-');
  const udd = join(runDir, 'user-data');
  mkdirSync(join(udd, 'User'), { recursive: true });
  writeFileSync(join(udd, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  const config = join(runDir, 'config.yaml');
  writeFileSync(config, 'auth: none\n');
  const exts = extensionsDir ?? join(runDir, 'extensions');
  mkdirSync(exts, { recursive: true });
  if (locale && !locale.startsWith('en')) {
    // A language pack in this server's user-data-dir (languagepacks.json) and extensions folder.
    const pack = writeLanguagePackVsix(locale, runDir);
    const { extensionPath } = await installVsix(tools, pack.vsix, exts, { userDataDir: udd, id: pack.id });
    registerLanguagePack(udd, extensionPath, pack.id);
  }
  const logFile = join(runDir, 'code-server.log');
  const log = createWriteStream(logFile);

  const args = [tools.codeServer, '--config', config, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--user-data-dir', udd, '--extensions-dir', exts,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    ...(smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    ...(locale ? ['--locale', locale] : []),
    '--ignore-last-opened', workspace];
  const child = spawnGroup(tools.node24, args, { cwd: runDir, env: codeServerEnv(tools, runDir, env), stdio: ['ignore', 'pipe', 'pipe'] });

  // code-server prints "HTTP server listening on http://127.0.0.1:PORT/": the port it got.
  let listening;
  const portFound = new Promise((r) => { listening = r; });
  let tail = '';
  const onData = (d) => {
    const s = d.toString();
    log.write(s);
    if (!quiet) process.stderr.write(s);
    tail = (tail + s).slice(-8000);
    const m = /HTTP server listening on https?:\/\/[^:\s]+:(\d+)/.exec(tail);
    if (m) listening(Number(m[1]));
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise((r) => child.once('exit', (c, s) => r(`exited (${c ?? s})`)));

  const fail = async (why) => {
    await stopGroup(child);
    log.end();
    throw new Error(`code-server ${why}; log ${logFile}:\n${tail.slice(-3000)}`);
  };
  let timer;
  const timeout = new Promise((r) => { timer = setTimeout(() => r('did not listen within 60 s'), 60_000); });
  const got = await Promise.race([portFound, exited, timeout]);
  clearTimeout(timer);
  if (typeof got !== 'number') await fail(got);
  const url = `http://127.0.0.1:${got}`;

  // /healthz answers even when the VS Code server inside failed to load: also fetch the workbench page.
  const folderUrl = `${url}/?folder=${encodeURIComponent(workspace)}`;
  const deadline = Date.now() + 60_000;
  let ready = false;
  while (!ready && Date.now() < deadline && child.exitCode === null) {
    ready = (await fetchText(`${url}/healthz`)) !== null && (await fetchText(folderUrl))?.includes('vscode-workbench-web-configuration') === true;
    if (!ready) await new Promise((r) => setTimeout(r, 200));
  }
  if (!ready) await fail(child.exitCode === null ? 'workbench page not served within 60 s' : `exited (${child.exitCode})`);

  const host = new URL(url).host;
  return {
    url, host, port: got, pid: child.pid, runDir, logFile, workspace, extensionsDir: exts,
    startSeconds: secondsSince(t0),
    /** Resolves with "exited (code)" when the server ends (by itself or by stop()). */
    exited,
    /** `vscode-remote://` URI for a path on this server (payload entries). */
    remoteUri: (p) => `vscode-remote://${host}${resolve(p)}`,
    /** Workbench URL for the workspace, with an optional payload (needs smokeTestDriver). */
    workbenchUrl({ payload } = {}) {
      return payload ? `${folderUrl}&payload=${encodeURIComponent(JSON.stringify(payload))}` : folderUrl;
    },
    /** Stops the server and its children; keeps its logs as test-results/<label>.log and <label>-logs/. */
    async stop({ keepLogAs = label } = {}) {
      await stopGroup(child);
      await new Promise((r) => log.end(r));
      if (keepLogAs) {
        const dest = join(repoRoot, 'test-results');
        mkdirSync(dest, { recursive: true });
        try { copyFileSync(logFile, join(dest, `${keepLogAs}.log`)); } catch { /* nothing logged */ }
        rmSync(join(dest, `${keepLogAs}-logs`), { recursive: true, force: true });
        if (existsSync(join(udd, 'logs'))) cpSync(join(udd, 'logs'), join(dest, `${keepLogAs}-logs`), { recursive: true });
      }
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}
