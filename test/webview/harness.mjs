// Serves test/webview/harness.html + dist/webview.js under the Content-Security-Policy of the Embedding Map
// panel itself (contentSecurityPolicy from src/extension/panel/html.ts; a fresh nonce per page, sent as a
// header and a <meta>).
//   node test/webview/harness.mjs [--port 5178] [--no-build]   → prints the URL and keeps serving
// The e2e test imports { buildWebview, startHarness }.
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, '..', '..');

/** Bundles webview/main.ts → dist/webview.js exactly as scripts/build.mjs does (only that bundle). */
export async function buildWebview() {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [join(repoRoot, 'webview/main.ts')],
    outfile: join(repoRoot, 'dist/webview.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: true,
    logLevel: 'warning',
    loader: { '.css': 'text' },
  });
}

/**
 * The panel's page module (src/extension/panel/html.ts: pure, no vscode import), compiled on the fly so
 * that the harness needs no build step of its own and cannot drift from the policy VS Code gets.
 */
export async function loadPanelHtml() {
  const esbuild = await import('esbuild');
  const out = await esbuild.build({
    entryPoints: [join(repoRoot, 'src/extension/panel/html.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    logLevel: 'warning',
  });
  return import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
}

/**
 * The host's snippet view (snippetView of src/extension/mapState.ts: an AnalysisSummary → the SnippetView the
 * panel posts), compiled on the fly like loadPanelHtml. mapState.ts imports `vscode` for MapState's change
 * event only; outside VS Code that import resolves to a stand-in EventEmitter (snippetView never touches it),
 * so the stress campaign posts what the real host would, not a copy of it.
 */
export async function loadHostSnippetView() {
  const esbuild = await import('esbuild');
  const vscodeStandIn = {
    name: 'vscode-stand-in',
    setup(build) {
      build.onResolve({ filter: /^vscode$/ }, () => ({ path: 'vscode', namespace: 'vscode-stand-in' }));
      build.onLoad({ filter: /.*/, namespace: 'vscode-stand-in' }, () => ({
        contents: 'export class EventEmitter { event = () => ({ dispose() {} }); fire() {} dispose() {} }',
        loader: 'js',
      }));
    },
  };
  const out = await esbuild.build({
    entryPoints: [join(repoRoot, 'src/extension/mapState.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    logLevel: 'warning',
    plugins: [vscodeStandIn],
  });
  const mod = await import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
  return mod.snippetView;
}

export async function startHarness({ port = 0, host = '127.0.0.1' } = {}) {
  const template = readFileSync(join(here, 'harness.html'), 'utf8');
  const { contentSecurityPolicy } = await loadPanelHtml();
  // The harness origin stands in for `webview.cspSource`.
  const cspFor = (nonce) => `${contentSecurityPolicy(nonce, "'self'")};`;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/' || url.pathname === '/harness.html') {
      const nonce = randomBytes(16).toString('base64');
      const csp = cspFor(nonce);
      const html = template.replaceAll('{{NONCE}}', nonce).replace('{{CSP}}', csp);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp, 'cache-control': 'no-store' });
      res.end(html);
      return;
    }
    if (url.pathname === '/dist/webview.js' || url.pathname === '/dist/webview.js.map') {
      try {
        const body = readFileSync(join(repoRoot, url.pathname.slice(1)));
        res.writeHead(200, { 'content-type': url.pathname.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'application/json', 'cache-control': 'no-store' });
        res.end(body);
      } catch {
        res.writeHead(404).end('build first: node scripts/build.mjs');
      }
      return;
    }
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  const address = server.address();
  const url = `http://${host}:${typeof address === 'object' && address ? address.port : port}/harness.html`;
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const portArg = args.indexOf('--port');
  if (!args.includes('--no-build')) await buildWebview();
  const { url } = await startHarness({ port: portArg >= 0 ? Number(args[portArg + 1]) : 5178 });
  console.log(`harness: ${url}  (?theme=dark|light|hc &scenario=full|empty &lang=zh)`);
}
