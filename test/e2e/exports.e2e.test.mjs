// The Embedding Map's SVG and Embedding Projector exports in the real workbench, through VS Code's own
// file dialogs, on a line that needs escaping: `<b>我</b>爱吃苹果 &amp; &lt;tag&gt;` from demo/hostile.txt.
//   - "SVG" writes a well-formed SVG (the browser's XML parser accepts it) whose point labels read back
//     as exactly the tokens shown in the panel — `<` and `&` escaped in the file, not turned into markup
//     (no <b>, no <script>, no on… attribute) and not escaped twice;
//   - "Projector TSV" writes vectors.tsv (one row of hidden-size numbers per text token) and metadata.tsv
//     (a header, then one row per token, whose start/end pick the token out of the line).
// Screenshots: test-results/e2e-exports-*.png.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  answerPathDialog, fileWritten, mapRendered, openFromExplorer, repoRoot, runPaletteCommand, screenshot, selectLine, webviewFrame, withWorkbench,
} from './harness.mjs';

const LINE = '<b>我</b>爱吃苹果 &amp; &lt;tag&gt;';
const fixtureConfig = JSON.parse(readFileSync(join(repoRoot, 'assets/demo-model/config.json'), 'utf8'));

test('SVG and Projector TSV exports write valid files through the file dialogs', { timeout: 120_000 }, async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'context-lens-exports-'));
  try {
    await withWorkbench('e2e-exports', async ({ page, lap }) => {
      await openFromExplorer(page, 'hostile.txt', 'This file tries to break');
      await selectLine(page, LINE);
      await runPaletteCommand(page, 'Context Lens: Explore Selection');
      const frame = webviewFrame(page);
      const map = await mapRendered(frame);
      const hideSpecial = await frame.getByTestId('hide-special').isChecked();
      const chips = await frame.locator('[data-testid="token-chip"]').allTextContents();
      lap(`map: ${map.count} points at layer ${map.layer}; chips ${JSON.stringify(chips)} (hide special: ${hideSpecial})`);
      assert.equal(map.count, chips.length, 'one point per token');
      for (const piece of ['<', '&']) assert.ok(chips.includes(piece), `a token ${piece} to escape`);
      const textChips = chips.filter((t) => !/^\[(CLS|SEP)\]$/.test(t));

      // ---- SVG ---------------------------------------------------------------------------------------
      const svgPath = join(outDir, 'map.svg');
      await frame.getByTestId('export-svg').click();
      await answerPathDialog(page, 'embedding-map.svg', svgPath, lap);
      const svg = await fileWritten(svgPath, (s) => s.includes('</svg>'), { encoding: 'utf8' });
      lap(`SVG: ${svg.length} characters`);
      assert.match(svg.trimStart(), /^(<\?xml[^>]*>\s*)?<svg[\s>]/, 'the file is an SVG document');
      // Parse it as XML where the test can look inside: Chromium's parser, as a browser would open the file.
      const parsed = await page.evaluate((text) => {
        const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
        const all = Array.from(doc.getElementsByTagName('*'));
        return {
          error: doc.getElementsByTagName('parsererror')[0]?.textContent ?? null,
          root: doc.documentElement.localName,
          namespace: doc.documentElement.namespaceURI,
          labels: Array.from(doc.querySelectorAll('.textpoint text')).map((t) => t.textContent),
          foreign: all.filter((e) => e.namespaceURI !== 'http://www.w3.org/2000/svg').map((e) => e.localName),
          scripts: all.filter((e) => /^(script|foreignObject|iframe)$/i.test(e.localName)).length,
          handlers: all.flatMap((e) => Array.from(e.attributes).filter((a) => /^on/i.test(a.name)).map((a) => `${e.localName}@${a.name}`)),
        };
      }, svg);
      lap(`SVG labels ${JSON.stringify(parsed.labels)}`);
      assert.equal(parsed.error, null, 'well-formed XML');
      assert.deepEqual([parsed.root, parsed.namespace], ['svg', 'http://www.w3.org/2000/svg']);
      assert.deepEqual(parsed.foreign, [], 'only SVG elements (no <b> from the text)');
      assert.equal(parsed.scripts, 0, 'no script, foreignObject or iframe');
      assert.deepEqual(parsed.handlers, [], 'no event handler attributes');
      assert.deepEqual([...parsed.labels].sort(), [...textChips].sort(), 'the point labels are the tokens, as text');
      assert.ok(svg.includes('>&lt;</text>') || svg.includes('>&#60;</text>'), 'the "<" label is escaped in the file');
      assert.ok(/>&amp;<\/text>|>&#38;<\/text>/.test(svg), 'the "&" label is escaped in the file');
      assert.ok(!svg.includes('&amp;lt;') && !svg.includes('&amp;amp;'), 'nothing is escaped twice');
      await screenshot(page, 'e2e-exports-svg');

      // ---- Projector TSV: a folder through the open dialog ---------------------------------------------
      await frame.getByTestId('export-projector').click();
      await answerPathDialog(page, '/', `${outDir}/`, lap);
      const vectorsTsv = await fileWritten(join(outDir, 'vectors.tsv'), (s) => s.endsWith('\n'), { encoding: 'utf8' });
      const metadataTsv = await fileWritten(join(outDir, 'metadata.tsv'), (s) => s.endsWith('\n'), { encoding: 'utf8' });
      const vectors = vectorsTsv.trimEnd().split('\n').map((row) => row.split('\t'));
      const [header, ...meta] = metadataTsv.trimEnd().split('\n').map((row) => row.split('\t'));
      lap(`vectors.tsv: ${vectors.length} × ${vectors[0]?.length}; metadata.tsv: ${meta.length} rows + header ${JSON.stringify(header)}`);
      assert.deepEqual(header, ['token', 'snippet', 'start', 'end', 'context']);
      assert.equal(meta.length, textChips.length, 'one metadata row per text token');
      assert.equal(vectors.length, meta.length, 'one vector per metadata row');
      for (const row of vectors) {
        assert.equal(row.length, fixtureConfig.hidden_size, 'hidden-size numbers per row');
        assert.ok(row.every((x) => /^-?\d/.test(x) && Number.isFinite(Number(x))), `numbers only: ${row.slice(0, 4).join(' ')}…`);
      }
      assert.ok(new Set(vectors.map((r) => r.join())).size > 1, 'different tokens, different vectors');
      meta.forEach(([, snippet, start, end, context], i) => {
        assert.equal(snippet, '1');
        assert.equal(LINE.slice(Number(start), Number(end)), textChips[i], `row ${i + 1}'s start/end pick out its token`);
        assert.ok(context.includes(`[${textChips[i]}]`), `row ${i + 1}'s context marks its token: ${context}`);
      });
      await screenshot(page, 'e2e-exports-projector');
    });
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});
