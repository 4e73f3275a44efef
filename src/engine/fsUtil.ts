/** File helpers the engine's caches share: content hashes and writes a reader never sees half done. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Streams the file, so that hashing a model of hundreds of MB does not hold it in memory. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * A fault to inject into writeFileAtomic: given the path about to be written, the error to fail with
 * (undefined: write normally).
 */
export type WriteFault = (path: string) => NodeJS.ErrnoException | undefined;

let writeFault: WriteFault | undefined;

/**
 * Fault-injection seam for tests and the stress campaign (the product never sets it): while `fault` is
 * installed, a write it answers with an error writes half of its data to the temporary file and then fails
 * with that error, as a disk that fills up mid-file does. Returns the function that removes it.
 */
export function injectWriteFault(fault: WriteFault): () => void {
  writeFault = fault;
  return () => {
    if (writeFault === fault) writeFault = undefined;
  };
}

/** The error Node gives when the disk is full (the one injectWriteFault usually injects). */
export function diskFullError(path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOSPC: no space left on device, write '${path}'`), { code: 'ENOSPC', errno: -28, syscall: 'write', path });
}

/** Write-then-rename, so that a crash or a concurrent reader never sees half a file. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    const fault = writeFault?.(path);
    if (fault) {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      await writeFile(tmp, bytes.subarray(0, Math.floor(bytes.length / 2)));
      throw fault;
    }
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** errno codes of a write that failed because of where it writes (full, read-only, not a folder), not what. */
const WRITE_FAILURE_CODES = new Set(['ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST', 'EISDIR']);

/** Whether `e` is a file-system error of writing (disk full, no permission, a path through a file). */
export function isWriteFailure(e: unknown): e is NodeJS.ErrnoException {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return e instanceof Error && typeof code === 'string' && WRITE_FAILURE_CODES.has(code);
}
