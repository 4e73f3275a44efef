/**
 * The exclude glob of the workspace search. vscode.workspace.findFiles takes ONE exclude pattern, and
 * passing one replaces the `files.exclude` default: so `files.exclude`, `search.exclude` (the keys set to
 * true) and contextLens.senses.exclude are combined into one `{a,b,…}` group. No `vscode` import
 * (unit-tested in plain Node).
 */

/**
 * Expands `{a,b}` groups into plain patterns: `**\/{node_modules,.git}/**` → two patterns. Hand-written
 * because VS Code's glob parser reads a group up to the first `}` (a group inside a group is not
 * supported), so the combined `{…}` may only hold patterns without groups; no declared dependency of
 * ours expands braces (minimatch's brace-expansion is not one).
 */
export function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open < 0) return [pattern];
  let depth = 0;
  const commas: number[] = [];
  for (let i = open; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '{') depth++;
    else if (ch === '}') {
      depth--;
      if (depth === 0) {
        const head = pattern.slice(0, open);
        const tail = pattern.slice(i + 1);
        const cuts = [open, ...commas, i];
        const choices = cuts.slice(1).map((end, k) => pattern.slice(cuts[k] + 1, end));
        return choices.flatMap((choice) => expandBraces(`${head}${choice}${tail}`));
      }
    } else if (ch === ',' && depth === 1) commas.push(i);
  }
  // An unclosed `{`: VS Code's own parser reads it literally too.
  return [pattern];
}

/** The keys of a files.exclude / search.exclude object whose value is `true` (a `{ when }` sibling clause has no glob form: skipped). */
export function enabledKeys(setting: unknown): string[] {
  if (!setting || typeof setting !== 'object') return [];
  return Object.entries(setting as Record<string, unknown>)
    .filter(([key, on]) => on === true && key.trim() !== '')
    .map(([key]) => key.trim());
}

/**
 * One exclude glob for findFiles: the enabled keys of `files.exclude` and `search.exclude` and `extra`
 * (contextLens.senses.exclude), braces expanded, duplicates dropped; undefined when nothing is excluded.
 * A pattern with a comma outside any group cannot sit in a group (the comma would split it) and has no
 * escape in VS Code's globs: it is left out.
 */
export function combinedExclude(filesExclude: unknown, searchExclude: unknown, extra: string): string | undefined {
  const patterns = [...enabledKeys(filesExclude), ...enabledKeys(searchExclude), ...(extra.trim() ? [extra.trim()] : [])]
    .flatMap(expandBraces)
    .map((p) => p.trim())
    .filter((p) => p !== '' && !p.includes(','));
  const unique = [...new Set(patterns)];
  if (unique.length === 0) return undefined;
  return unique.length === 1 ? unique[0] : `{${unique.join(',')}}`;
}
