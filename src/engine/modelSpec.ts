/** What a model setting names, a folder on this computer or a Hub id, and the model used when none is chosen. */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** The model used when the user chooses none: the extension's setting, the CLI, the start script. */
export const DEFAULT_MODEL_ID = 'Xenova/bert-base-chinese';

/**
 * A folder path rather than a Hub id: absolute, `./…`, `../…`, `~/…`, or anything with a backslash. A Hub id
 * is `name` or `owner/name` and looks like none of these, so the answer needs no disk access and is the
 * same wherever it is asked (extension, engine, CLI).
 *
 * A bare relative path such as `models/bert` is not a folder here: it has the shape of the Hub id
 * `owner/name`, and only the disk can tell them apart, resolved against a working directory. The CLI has
 * one, so it may also take a relative path that exists on disk as a folder, and passes it on resolved
 * (absolute, so this rule then agrees). The extension's setting and the engine have no working directory
 * to resolve against, so they keep to this rule alone.
 */
export function isFolderSpec(model: string): boolean {
  return isAbsolute(model) || /^(\.{1,2}|~)([\\/]|$)/.test(model) || model.includes('\\');
}

/** The absolute folder a folder spec names, `~` being the home folder. */
export function expandFolderSpec(model: string): string {
  return resolve(model.startsWith('~') ? join(homedir(), model.slice(1)) : model);
}
