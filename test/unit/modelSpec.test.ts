import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_MODEL_ID, expandFolderSpec, isFolderSpec } from '../../src/engine/modelSpec';

test('isFolderSpec: paths are folders, Hub ids are not', () => {
  const folders = [
    '/home/me/models/bert', // absolute POSIX
    'C:\\Users\\me\\models\\bert', // absolute Windows
    '\\\\server\\share\\bert', // Windows UNC
    './bert',
    '../models/bert',
    '.',
    '..',
    '~/models/bert',
    '~',
    'models\\bert', // a backslash is never in a Hub id
  ];
  for (const spec of folders) assert.equal(isFolderSpec(spec), true, spec);
  const hubIds = ['Xenova/bert-base-chinese', 'bert-base-uncased', 'onnx-community/ettin-encoder-32m-ONNX', 'models/bert', '.hidden-name', '~user'];
  for (const spec of hubIds) assert.equal(isFolderSpec(spec), false, spec);
  // A drive letter with forward slashes is absolute only where Windows paths are.
  assert.equal(isFolderSpec('C:/Users/me/bert'), process.platform === 'win32');
});

test('expandFolderSpec: ~ is the home folder, relative folders resolve against the working directory', () => {
  assert.equal(expandFolderSpec('~/models/bert'), join(homedir(), 'models/bert'));
  assert.equal(expandFolderSpec('./bert'), resolve('bert'));
  assert.equal(expandFolderSpec('/opt/models/bert'), resolve('/opt/models/bert'));
});

test('DEFAULT_MODEL_ID is the default of the contextLens.model setting', () => {
  const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
  assert.equal(manifest.contributes.configuration.properties['contextLens.model'].default, DEFAULT_MODEL_ID);
});
