/**
 * `context-lens senses`'s arguments, checked before any model loads (a typo costs no load): the word, the
 * numbers, and the paths (files or folders; folders walked for files, `node_modules` and `.git` skipped).
 * Self-contained (no import of args.ts, which calls it).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ContextLensError } from '../engine/errors';
import type { SensesSource } from '../engine/senses/types';

export interface SensesCliOptions {
  word: string;
  also?: string;
  maxOccurrences?: number;
  contextTokens?: number;
  layer?: number;
  includeVectors: boolean;
  json: boolean;
  paths: string[];
}

/** Folders never walked: dependencies and version control. */
const SKIPPED_FOLDERS = new Set(['node_modules', '.git', '.hg', '.svn']);

const bad = (message: string): ContextLensError => new ContextLensError('BAD_ARGUMENTS', message);

function text(flags: Map<string, string | true>, name: string): string | undefined {
  const v = flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

function integer(flags: Map<string, string | true>, name: string, min: number): number | undefined {
  const v = text(flags, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw bad(`--${name} must be a whole number of at least ${min}, not "${v}".`);
  return n;
}

export function parseSensesArgs(flags: Map<string, string | true>, positional: string[]): SensesCliOptions {
  const word = text(flags, 'word');
  if (word === undefined) throw bad('senses needs --word WORD (the word to look for).');
  if (!word.trim()) throw bad('--word is empty or only whitespace: give the word to look for.');
  const also = text(flags, 'also');
  if (also !== undefined && !also.trim()) throw bad('--also is empty or only whitespace: give the second word, or leave --also out.');
  if (!positional.length) throw bad('senses needs files or folders to search (PATH...).');
  const missing = positional.filter((p) => !existsSync(p));
  if (missing.length) throw bad(`No such file or folder: ${missing.join(', ')}.`);
  const includeVectors = flags.get('include-vectors') === true;
  const json = flags.get('json') === true;
  if (includeVectors && !json) throw bad('--include-vectors writes the vectors into the JSON: add --json.');
  return {
    word: word.trim(),
    also: also?.trim(),
    maxOccurrences: integer(flags, 'max', 1),
    contextTokens: integer(flags, 'context-tokens', 1),
    layer: integer(flags, 'layer', 0),
    includeVectors,
    json,
    paths: positional,
  };
}

/** The files under `paths` (a file as given; a folder walked, SKIPPED_FOLDERS left out), each labelled by its path relative to the working directory. */
export function sensesSourcesOf(paths: string[], cwd = process.cwd()): SensesSource[] {
  const files: string[] = [];
  const walk = (path: string): void => {
    let st;
    try {
      st = statSync(path);
    } catch {
      files.push(path); // the search counts it unreadable
      return;
    }
    if (!st.isDirectory()) {
      if (st.isFile()) files.push(path);
      return;
    }
    let names: string[];
    try {
      names = readdirSync(path).sort();
    } catch {
      return;
    }
    for (const name of names) if (!SKIPPED_FOLDERS.has(name)) walk(join(path, name));
  };
  for (const p of paths) walk(resolve(cwd, p));
  const seen = new Set<string>();
  return files
    .filter((f) => !seen.has(f) && seen.add(f))
    .map((path) => {
      const label = relative(cwd, path);
      return { label: label && !label.startsWith('..') ? label : basename(path), uri: pathToFileURL(path).href, path };
    });
}
