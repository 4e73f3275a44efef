// Simplified Chinese is complete: every manifest string (package.nls.json) has a zh-cn translation, every
// runtime string (vscode.l10n.t('…') in src/extension/**/*.ts) and every Embedding Map string
// (webview/strings.ts, translated through the same bundle by src/extension/l10n.ts) has an entry in
// l10n/bundle.l10n.zh-cn.json, and the translations keep their placeholders.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { EN } from '../../webview/strings';

const root = resolve('.');
const readJson = (p: string): Record<string, unknown> => JSON.parse(readFileSync(join(root, p), 'utf8'));

/** `{0}`, `{name}`: placeholders that vscode.l10n.t / the webview's t() fill in, sorted. */
function placeholders(s: string): string[] {
  return (s.match(/\{[A-Za-z0-9_]+\}/g) ?? []).sort();
}

/** The first argument of every vscode.l10n.t( … ) call in `source`; `dynamic` counts calls whose first argument is not a string literal. */
function l10nLiterals(source: string): { literals: string[]; dynamic: number } {
  const literals: string[] = [];
  let dynamic = 0;
  const call = /\bl10n\.t\(\s*/g;
  for (let m = call.exec(source); m; m = call.exec(source)) {
    const rest = source.slice(m.index + m[0].length);
    const lit = /^(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\$]|\\.|\$(?!\{))*`)/.exec(rest);
    if (!lit) {
      dynamic++;
      continue;
    }
    // A plain literal (no ${…}): evaluating it is how JavaScript itself reads its escapes.
    literals.push(new Function(`return ${lit[0]};`)() as string);
  }
  return { literals, dynamic };
}

test('l10nLiterals reads single, double and template literals across lines, with escapes', () => {
  const src = "vscode.l10n.t('a {0}', x); vscode.l10n.t(\n  \"b \\\"q\\\"\",\n y); l10n.t(`c\\u00e9`); vscode.l10n.t(msg); vscode.l10n.t('it\\'s')";
  assert.deepEqual(l10nLiterals(src), { literals: ['a {0}', 'b "q"', 'cé', "it's"], dynamic: 1 });
});

test('package.nls.zh-cn.json translates every key of package.nls.json, keeping placeholders', () => {
  const en = readJson('package.nls.json');
  const zh = readJson('package.nls.zh-cn.json');
  const missing = Object.keys(en).filter((k) => typeof zh[k] !== 'string' || (zh[k] as string).trim() === '');
  assert.deepEqual(missing, [], `package.nls.zh-cn.json lacks: ${missing.join(', ')}`);
  const extra = Object.keys(zh).filter((k) => !(k in en));
  assert.deepEqual(extra, [], `package.nls.zh-cn.json has keys package.nls.json does not: ${extra.join(', ')}`);
  for (const [k, v] of Object.entries(en)) {
    assert.deepEqual(placeholders(zh[k] as string), placeholders(v as string), `placeholders of ${k}`);
    // Setting names in backticks (`contextLens.model`, `Xenova/bert-base-chinese`) stay as they are.
    for (const code of (v as string).match(/`[^`]+`/g) ?? []) assert.ok((zh[k] as string).includes(code), `${k}: ${code} kept in the translation`);
  }
});

test('every %key% in package.json exists in package.nls.json', () => {
  const manifest = readFileSync(join(root, 'package.json'), 'utf8');
  const en = readJson('package.nls.json');
  const used = [...manifest.matchAll(/"%([^"%]+)%"/g)].map((m) => m[1]);
  assert.ok(used.length >= 6, `package.json uses ${used.length} %keys%`);
  const missing = used.filter((k) => !(k in en));
  assert.deepEqual(missing, [], `package.nls.json lacks: ${missing.join(', ')}`);
});

test('every vscode.l10n.t string in src/extension has a zh-cn translation with the same placeholders', () => {
  const bundle = readJson('l10n/bundle.l10n.zh-cn.json');
  const dir = join(root, 'src/extension');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  let total = 0;
  const missing: string[] = [];
  const dynamic: string[] = [];
  for (const f of files) {
    const { literals, dynamic: n } = l10nLiterals(readFileSync(join(dir, f), 'utf8'));
    if (n) dynamic.push(`${f} (${n})`);
    total += literals.length;
    for (const s of literals) {
      const zh = bundle[s];
      if (typeof zh !== 'string' || zh.trim() === '') missing.push(`${f}: ${JSON.stringify(s)}`);
      else if (placeholders(zh).join() !== placeholders(s).join()) missing.push(`${f}: ${JSON.stringify(s)} → ${JSON.stringify(zh)} (placeholders differ)`);
    }
  }
  assert.ok(total >= 40, `found only ${total} vscode.l10n.t strings: is the pattern still right?`);
  assert.deepEqual(dynamic, [], `vscode.l10n.t with a non-literal message cannot be translated: ${dynamic.join(', ')}`);
  assert.deepEqual(missing, [], `l10n/bundle.l10n.zh-cn.json lacks or mistranslates ${missing.length} string(s):\n${missing.join('\n')}`);
});

test('every Embedding Map string (webview/strings.ts) has a zh-cn translation with the same placeholders', () => {
  const bundle = readJson('l10n/bundle.l10n.zh-cn.json');
  // Names that are the same in every language.
  const untranslated = new Set(['UMAP', 'PCA', 'PNG', 'SVG', 'JSON', 'Projector TSV', '{layer} / {max}']);
  const missing: string[] = [];
  for (const [key, english] of Object.entries(EN)) {
    if (untranslated.has(english)) continue;
    const zh = bundle[english];
    if (typeof zh !== 'string' || zh.trim() === '') missing.push(`${key}: ${JSON.stringify(english)}`);
    else if (placeholders(zh).join() !== placeholders(english).join()) missing.push(`${key}: ${JSON.stringify(english)} → ${JSON.stringify(zh)} (placeholders differ)`);
  }
  assert.deepEqual(missing, [], `l10n/bundle.l10n.zh-cn.json lacks or mistranslates ${missing.length} webview string(s):\n${missing.join('\n')}`);
});
