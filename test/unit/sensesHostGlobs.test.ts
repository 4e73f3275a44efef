// Explore Word Senses in the workspace: findFiles takes ONE exclude glob and drops files.exclude when given
// one, so files.exclude, search.exclude and contextLens.senses.exclude are combined into one group, braces
// expanded (VS Code's glob parser does not nest groups).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { combinedExclude, enabledKeys, expandBraces } from '../../src/extension/senses/globs';

test('braces expand, nested and repeated, in order', () => {
  assert.deepEqual(expandBraces('**/{node_modules,.git,dist,out}/**'), ['**/node_modules/**', '**/.git/**', '**/dist/**', '**/out/**']);
  assert.deepEqual(expandBraces('{a,b{c,d}}/*.{x,y}'), ['a/*.x', 'a/*.y', 'bc/*.x', 'bc/*.y', 'bd/*.x', 'bd/*.y']);
  assert.deepEqual(expandBraces('**/*.txt'), ['**/*.txt']);
  assert.deepEqual(expandBraces('a{b'), ['a{b']);
});

test('only keys set to true are excluded (a `when` clause has no glob form)', () => {
  assert.deepEqual(enabledKeys({ '**/.git': true, '**/*.js': { when: '$(basename).ts' }, '**/tmp': false }), ['**/.git']);
  assert.deepEqual(enabledKeys(undefined), []);
});

test('the VS Code defaults and the setting make one flat group, duplicates once', () => {
  const filesExclude = { '**/.git': true, '**/.svn': true, '**/.DS_Store': true, '**/Thumbs.db': true };
  const searchExclude = { '**/node_modules': true, '**/bower_components': true, '**/*.code-search': true, '**/.git': true };
  const glob = combinedExclude(filesExclude, searchExclude, '**/{node_modules,.git,dist,out}/**');
  assert.equal(
    glob,
    '{**/.git,**/.svn,**/.DS_Store,**/Thumbs.db,**/node_modules,**/bower_components,**/*.code-search,**/node_modules/**,**/.git/**,**/dist/**,**/out/**}',
  );
  assert.equal(combinedExclude({}, {}, ''), undefined);
  assert.equal(combinedExclude({ '**/.git': true }, {}, ''), '**/.git');
});

test('the combined glob never nests a group, and keeps every expanded pattern', () => {
  const segment = fc.stringMatching(/^[a-z*.]{1,4}$/);
  const pattern = fc.oneof(segment, fc.tuple(segment, fc.array(segment, { minLength: 2, maxLength: 3 })).map(([h, alts]) => `${h}/{${alts.join(',')}}`));
  fc.assert(
    fc.property(fc.array(pattern, { maxLength: 5 }), fc.array(pattern, { maxLength: 5 }), (a, b) => {
      const glob = combinedExclude(Object.fromEntries(a.map((p) => [p, true])), Object.fromEntries(b.map((p) => [p, true])), '');
      const expanded = [...a, ...b].flatMap(expandBraces);
      if (expanded.length === 0) return glob === undefined;
      const inner = glob!.startsWith('{') ? glob!.slice(1, -1) : glob!;
      assert.ok(!/[{}]/.test(inner), glob);
      assert.deepEqual(new Set(inner.split(',')), new Set(expanded));
      return true;
    }),
  );
});
