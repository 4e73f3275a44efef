/**
 * An inert stand-in for `sharp`, the native image library transformers.js requires when it is imported.
 *
 * Context Lens runs text models only and never decodes an image, yet `sharp` ships a different native
 * binary per platform. The packages therefore carry no `sharp` at all; this stand-in answers
 * transformers.js's `require("sharp")` (its Node build's only way of loading it) and refuses any use with
 * a clear error, so the import works on every platform and an image path fails loudly instead of
 * crashing on a missing binary.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Module } = require('node:module') as {
  Module: {
    _resolveFilename: (request: string, parent: unknown, ...rest: unknown[]) => string;
    new (id: string): NodeJS.Module;
  };
};

export const SHARP_STAND_IN_ID = 'context-lens:sharp-stand-in';

export const SHARP_UNAVAILABLE_MESSAGE =
  'Context Lens works on text only: image processing (sharp) is not included in this extension.';

/** Called instead of `sharp(input, options)`; any use of an image is refused. */
function sharpStandIn(): never {
  throw new Error(SHARP_UNAVAILABLE_MESSAGE);
}

let installed = false;

/**
 * From now on, `require("sharp")` anywhere in this process returns the stand-in, whether or not a real
 * `sharp` is installed next to transformers.js (it is in a development checkout, not in a VSIX): the
 * extension behaves the same in both.
 */
export function installSharpStandIn(): void {
  if (installed) return;
  installed = true;
  const standIn = new Module(SHARP_STAND_IN_ID);
  standIn.filename = SHARP_STAND_IN_ID;
  standIn.loaded = true;
  standIn.exports = sharpStandIn;
  require.cache[SHARP_STAND_IN_ID] = standIn;
  const resolve = Module._resolveFilename;
  // Resolution comes before the cache lookup, and fails when no `sharp` folder exists: answer it first.
  Module._resolveFilename = function resolveSharpToStandIn(this: unknown, request, parent, ...rest) {
    if (request === 'sharp') return SHARP_STAND_IN_ID;
    return resolve.call(this, request, parent, ...rest);
  };
}
