// The Embedding Map's page and Content-Security-Policy (src/extension/panel/html.ts): the directives the
// panel relies on, the nonce where it belongs, and hostile strings that stay inert in the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentSecurityPolicy, escapeHtml, panelHtml } from '../../src/extension/panel/html';

const CSP_SOURCE = 'https://*.vscode-cdn.net';

/** directive name → its source list. */
function directives(policy: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) {
      assert.ok(!out.has(name), `${name} appears once`);
      out.set(name, sources);
    }
  }
  return out;
}

/** What an HTML parser makes of an attribute value written by escapeHtml. */
function unescapeHtml(s: string): string {
  return s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
}

test('the policy denies by default and lets only nonce-carrying scripts run', () => {
  const d = directives(contentSecurityPolicy('abc123+/=', CSP_SOURCE));
  assert.deepEqual([...d.keys()].sort(), ['default-src', 'font-src', 'img-src', 'script-src', 'style-src', 'style-src-attr']);
  assert.deepEqual(d.get('default-src'), ["'none'"]);
  assert.deepEqual(d.get('script-src'), ["'nonce-abc123+/='"]);
  assert.deepEqual(d.get('img-src'), [CSP_SOURCE, 'data:', 'blob:'], 'PNG/SVG export draws to data: and blob: URLs');
  assert.deepEqual(d.get('font-src'), [CSP_SOURCE]);
  const all = [...d.values()].flat();
  assert.ok(!all.includes("'unsafe-eval'"), 'no eval anywhere');
  assert.ok(!all.includes("'strict-dynamic'"));
  assert.ok(!all.some((s) => s === '*' || s === 'http:' || s === 'https:'), 'no wildcard sources');
});

test("style elements need the page's nonce; only style attributes (Plotly's) are allowed inline", () => {
  const d = directives(contentSecurityPolicy('N0nce', CSP_SOURCE));
  assert.deepEqual(d.get('style-src'), [CSP_SOURCE, "'nonce-N0nce'"], "no 'unsafe-inline' for <style> elements");
  assert.deepEqual(d.get('style-src-attr'), ["'unsafe-inline'"]);
  assert.equal(d.get('style-src-elem'), undefined, 'style elements fall back to style-src');
});

test('each page has its own nonce: the policy follows it', () => {
  const a = contentSecurityPolicy('first', CSP_SOURCE);
  const b = contentSecurityPolicy('second', CSP_SOURCE);
  assert.match(a, /script-src 'nonce-first'/);
  assert.match(b, /script-src 'nonce-second'/);
  assert.equal(a.replaceAll('first', 'second'), b);
});

test('the page carries the policy in a <meta>, and its one script has the nonce', () => {
  const html = panelHtml({
    nonce: 'Zm9vYmFy+/=',
    cspSource: CSP_SOURCE,
    scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
    lang: 'zh-cn',
    title: 'Embedding Map',
    strings: { tabMap: '地图' },
  });
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(meta, 'a CSP <meta>');
  assert.equal(unescapeHtml(meta[1]), `${contentSecurityPolicy('Zm9vYmFy+/=', CSP_SOURCE)};`);
  assert.ok(html.indexOf(meta[0]) < html.indexOf('<script'), 'the policy comes before any script');
  const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]);
  assert.deepEqual(scripts, [' nonce="Zm9vYmFy+/=" src="https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js"']);
  assert.match(html, /<html lang="zh-cn">/);
  const strings = /data-strings="([^"]*)"/.exec(html);
  assert.deepEqual(JSON.parse(unescapeHtml(strings![1])), { tabMap: '地图' });
});

test('hostile title, language and strings stay text', () => {
  const evil = `"><script>alert(1)</script><img src=x onerror='alert(2)'>&amp;`;
  const html = panelHtml({ nonce: 'n', cspSource: CSP_SOURCE, scriptUri: 'webview.js', lang: evil, title: evil, strings: { k: evil } });
  assert.equal([...html.matchAll(/<script\b/g)].length, 1, 'only the panel script');
  assert.ok(!html.includes('<img'), 'no element from the strings');
  assert.ok(html.includes(`<title>${escapeHtml(evil)}</title>`));
  const strings = /data-strings="([^"]*)"/.exec(html);
  assert.deepEqual(JSON.parse(unescapeHtml(strings![1])), { k: evil }, 'the strings round-trip exactly');
});

test('escapeHtml escapes the five characters that end text or an attribute, and only those', () => {
  assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#60;/a&#62;');
  assert.equal(escapeHtml('苹果 bank `${x}`'), '苹果 bank `${x}`');
});
