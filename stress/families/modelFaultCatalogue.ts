/**
 * The model faults of the stress campaign (issue 14 item 3): each breaks a model folder, the local Hub or
 * the cache folder, says which typed error the load must end in (its message naming the next step), and
 * mends what it broke, so that the next load, in the same process and with the same cache, must work.
 * The read-only cache folder (chmod) runs through the CLI in a child process: modelFaultReadOnly.ts.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { ContextLensErrorCode } from '../../src/engine/errors';
import { diskFullError, injectWriteFault } from '../../src/engine/fsUtil';
import { onnxFileFor } from '../../src/engine/modelStore';
import type { Dtype, ModelSpec } from '../../src/engine/types';
import type { HubServer } from '../../test/unit/helpers/hubServer';
import { MODELS, REPO, type ModelKindName } from '../context';
import { filesMatching } from './modelFaultCache';

/** Hub ids the local Hub serves the two models under. */
export const HUB_IDS: Record<ModelKindName, string> = { masked: 'stress-org/tiny-bert', causal: 'stress-org/tiny-gpt2' };

/** Published tokenizers much larger than the tiny models' vocabularies (test/fixtures/tokenizers/README.md). */
const BIG_TOKENIZERS = join(REPO, 'test', 'fixtures', 'tokenizers');

export interface FaultCase {
  kind: ModelKindName;
  dtype: Dtype;
  /** A fresh folder of this case's own. */
  root: string;
  hub: HubServer;
  /** How long the Hub may stay silent in the slow-Hub faults. */
  stallMs: number;
}

export interface Arranged {
  spec: ModelSpec;
  /** Load with this stall bound (modelStore's option) rather than through AnalysisSession.load. */
  hubStallMs?: number;
  /** Undoes the fault; the next load must work. */
  mend(): void;
  /** The spec of the good load after mending (default: `spec`, with the same cache). */
  after?: ModelSpec;
  /** Problems only this fault can leave (beyond cacheProblems). */
  leftovers?(): string[];
}

export interface Fault {
  name: string;
  kinds: readonly ModelKindName[];
  /** Only in the full variant (a second dtype adds nothing here). */
  dtypes?: readonly Dtype[];
  code: ContextLensErrorCode;
  /** The message must say this: what went wrong and the next step. */
  says: RegExp;
  arrange(k: FaultCase): Arranged | Promise<Arranged>;
}

const BOTH = ['masked', 'causal'] as const;

const specIn = (k: FaultCase, model: string, extra: Partial<ModelSpec> = {}): ModelSpec => ({ model, dtype: k.dtype, device: 'cpu', cacheDir: join(k.root, 'cache'), ...extra });

/** A copy of the case's model to break; `restore` puts the original back in place. */
function brokenCopy(k: FaultCase, breakIt: (folder: string) => void): Arranged {
  const folder = join(k.root, 'model');
  const restore = (): void => {
    rmSync(folder, { recursive: true, force: true });
    cpSync(MODELS[k.kind], folder, { recursive: true });
  };
  restore();
  breakIt(folder);
  return { spec: specIn(k, folder), mend: restore };
}

const other = (kind: ModelKindName): ModelKindName => (kind === 'masked' ? 'causal' : 'masked');
const onnxIn = (folder: string, k: FaultCase): string => join(folder, onnxFileFor(k.dtype));
const hubSpec = (k: FaultCase, extra: Partial<ModelSpec> = {}): ModelSpec => specIn(k, HUB_IDS[k.kind], { remoteHost: k.hub.url, ...extra });
const hubKey = (k: FaultCase, file: string): string => `${HUB_IDS[k.kind]}/${file}`;

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A deterministic stand-in for random bytes (the same "random" file in every run). */
function noise(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const BOTH_DTYPES = ['fp32', 'q8'] as const;

/** A fault of a copy of the model folder, for both kinds: `breakIt` breaks the copy. */
function folderFault(name: string, code: ContextLensErrorCode, says: RegExp, breakIt: (folder: string, k: FaultCase) => void, dtypes?: readonly Dtype[]): Fault {
  return { name, kinds: BOTH, code, says, ...(dtypes ? { dtypes } : {}), arrange: (k) => brokenCopy(k, (folder) => breakIt(folder, k)) };
}

/** A cache folder below a file: it cannot be created (mended by removing the file). */
function blockedCache(k: FaultCase, spec: (cacheDir: string) => ModelSpec): Arranged {
  const blocker = join(k.root, 'blocker');
  writeFileSync(blocker, 'a file where the cache folder should be');
  return { spec: spec(join(blocker, 'cache')), mend: () => rmSync(blocker) };
}

/** The Hub answers HTTP `status` for the ONNX file until mended. */
function httpFault(status: number, says: RegExp): Fault {
  return {
    name: `Hub answers ${status} for the ONNX file`,
    kinds: BOTH,
    code: 'DOWNLOAD_FAILED',
    says,
    arrange: (k) => {
      const key = hubKey(k, onnxFileFor(k.dtype));
      k.hub.fail(key, status, 1000);
      return { spec: hubSpec(k), mend: () => k.hub.fail(key, status, 0) };
    },
  };
}

const BLOCKED_CACHE = /cannot write its model cache .*: a part of its path is a file, not a folder.* Make that folder writable/;
const CORRUPT_ONNX = /is corrupt or truncated .* Delete it and download or export it again/;
const NEXT_STEP_FOLDER = /copy the missing files from the model's export or download, or choose another folder/;

export const FAULTS: Fault[] = [
  {
    name: 'model folder missing',
    kinds: BOTH,
    code: 'MODEL_FOLDER_MISSING',
    says: /does not exist\. Choose a folder that contains config\.json/,
    arrange: (k) => {
      const folder = join(k.root, 'not-yet-there');
      return { spec: specIn(k, folder), mend: () => cpSync(MODELS[k.kind], folder, { recursive: true }) };
    },
  },
  folderFault('config.json missing', 'MODEL_FOLDER_MISSING', new RegExp(`has no config\\.json\\. .*${NEXT_STEP_FOLDER.source}`), (f) =>
    rmSync(join(f, 'config.json')),
  ),
  folderFault('config.json not JSON', 'CORRUPT_MODEL', /config\.json of .* cannot be read as JSON\. Put back the config\.json/, (f) =>
    writeFileSync(join(f, 'config.json'), '{"model_type": "bert", "vocab_size": 23'),
  ),
  folderFault('tokenizer missing', 'MODEL_FOLDER_MISSING', new RegExp(`has no tokenizer\\.json\\. .*${NEXT_STEP_FOLDER.source}`), (f) =>
    rmSync(join(f, 'tokenizer.json')),
  ),
  folderFault('tokenizer not JSON', 'CORRUPT_MODEL', /tokenizer\.json of .* cannot be read as JSON\. Put back the tokenizer\.json/, (f) =>
    writeFileSync(join(f, 'tokenizer.json'), readFileSync(join(f, 'tokenizer.json')).subarray(0, 300)),
  ),
  folderFault('tokenizer that is JSON but no tokenizer', 'CORRUPT_MODEL', /tokenizer files of .* could not be read\. Put back the tokenizer\.json/, (f) =>
    writeFileSync(join(f, 'tokenizer.json'), JSON.stringify({ version: '1.0', model: { type: 'NoSuchModel' } })),
  ),
  folderFault(
    'ONNX file truncated',
    'CORRUPT_MODEL',
    CORRUPT_ONNX,
    (f, k) => writeFileSync(onnxIn(f, k), readFileSync(onnxIn(f, k)).subarray(0, Math.floor(readFileSync(onnxIn(f, k)).length * 0.6))),
    BOTH_DTYPES,
  ),
  folderFault('ONNX file random bytes', 'CORRUPT_MODEL', CORRUPT_ONNX, (f, k) => writeFileSync(onnxIn(f, k), noise(readFileSync(onnxIn(f, k)).length, 14)), BOTH_DTYPES),
  folderFault(
    "ONNX of another architecture (the other kind's graph)",
    'NOT_A_MASKED_LM',
    /It needs a BERT-style encoder .* exported to ONNX|Use a GPT-2 family model such as Xenova\/gpt2/,
    (f, k) => cpSync(join(MODELS[other(k.kind)], onnxFileFor(k.dtype)), onnxIn(f, k)),
    BOTH_DTYPES,
  ),
  {
    name: "tokenizer of the other kind's model (vocabulary larger than the embedding)",
    // The causal model's embedding (507) is larger than the BERT's vocabulary (233): only this way round is wrong.
    kinds: ['masked'],
    code: 'CORRUPT_MODEL',
    says: /tokenizer of .* does not belong to its model: it has token ids up to 506, but the model knows 233 tokens.* Put the tokenizer\.json/,
    arrange: (k) =>
      brokenCopy(k, (f) => {
        for (const file of ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']) cpSync(join(MODELS.causal, file), join(f, file));
        rmSync(join(f, 'vocab.txt'), { force: true });
      }),
  },
  folderFault(
    "a real model's tokenizer (vocabulary larger than the embedding)",
    'CORRUPT_MODEL',
    /tokenizer of .* does not belong to its model: it has token ids up to \d{5}, but the model knows \d+ tokens.* Put the tokenizer\.json/,
    (f, k) => cpSync(join(BIG_TOKENIZERS, k.kind === 'masked' ? 'bert-base-chinese-vocab.tokenizer.json' : 'gpt2.tokenizer.json'), join(f, 'tokenizer.json')),
  ),
  {
    name: 'Hub download cut mid-file, then retried',
    kinds: BOTH,
    dtypes: ['fp32', 'q8'],
    code: 'DOWNLOAD_FAILED',
    says: /Downloading .* failed\. Nothing incomplete was kept; try again/,
    arrange: (k) => {
      k.hub.interrupt(hubKey(k, onnxFileFor(k.dtype)), 0.5);
      return { spec: hubSpec(k), mend: () => undefined };
    },
  },
  httpFault(404, /has no onnx\/model(_quantized)?\.onnx for .* \(HTTP 404\)\. Check the model id, and that it provides ONNX files/),
  httpFault(500, /answered HTTP 500 \(an error on the Hub's side\) .* Try again in a few minutes/),
  {
    name: 'Hub silent (no answer to config.json)',
    kinds: BOTH,
    code: 'DOWNLOAD_FAILED',
    says: /sent nothing for \d+ s while Context Lens was downloading config\.json .* try again later/,
    arrange: (k) => {
      k.hub.stall(hubKey(k, 'config.json'));
      return { spec: hubSpec(k), hubStallMs: k.stallMs, mend: () => undefined };
    },
  },
  {
    name: 'Hub stalls mid-file (the ONNX file)',
    kinds: BOTH,
    code: 'DOWNLOAD_FAILED',
    says: /sent nothing for \d+ s while Context Lens was downloading onnx\/model(_quantized)?\.onnx .* try again later/,
    arrange: (k) => {
      k.hub.stall(hubKey(k, onnxFileFor(k.dtype)), 0.3);
      return { spec: hubSpec(k), hubStallMs: k.stallMs, mend: () => undefined };
    },
  },
  {
    name: 'Hub unreachable, nothing cached',
    kinds: BOTH,
    code: 'OFFLINE_NOT_CACHED',
    says: /is not in the cache and http:\/\/127\.0\.0\.1:\d+\/ cannot be reached\. Connect to the internet/,
    arrange: async (k) => {
      const spec = hubSpec(k, { remoteHost: `http://127.0.0.1:${await closedPort()}/` });
      return { spec, mend: () => undefined, after: hubSpec(k) };
    },
  },
  {
    name: 'offline, nothing cached',
    kinds: BOTH,
    code: 'OFFLINE_NOT_CACHED',
    says: /has not been downloaded yet, and Context Lens is set to work offline\. Turn the offline setting off/,
    arrange: (k) => ({ spec: hubSpec(k, { offline: true }), mend: () => undefined, after: hubSpec(k) }),
  },
  {
    name: 'cache folder under a file (not creatable)',
    kinds: BOTH,
    code: 'CACHE_WRITE_FAILED',
    says: BLOCKED_CACHE,
    arrange: (k) => blockedCache(k, (cacheDir) => specIn(k, MODELS[k.kind], { cacheDir })),
  },
  {
    name: 'Hub model, cache folder under a file',
    kinds: BOTH,
    code: 'CACHE_WRITE_FAILED',
    says: BLOCKED_CACHE,
    arrange: (k) => blockedCache(k, (cacheDir) => hubSpec(k, { cacheDir })),
  },
  {
    name: 'disk full while the edited graph is written',
    kinds: BOTH,
    dtypes: ['fp32', 'q8'],
    code: 'CACHE_WRITE_FAILED',
    says: /disk that holds the model cache .* is full.* Free disk space .* and try again\. Nothing half-written was kept/,
    arrange: (k) => {
      const remove = injectWriteFault((path) => (/model_attn(_quantized)?\.onnx$/.test(path) ? diskFullError(path) : undefined));
      const cacheDir = join(k.root, 'cache');
      return {
        spec: specIn(k, MODELS[k.kind]),
        mend: remove,
        leftovers: () => [
          ...filesMatching(cacheDir, /model_attn/).map((f) => `an edited graph was kept: ${f}`),
          ...filesMatching(cacheDir, /^edits[\\/]/).map((f) => `an edit manifest was written: ${f}`),
        ],
      };
    },
  },
  {
    name: 'disk full while the edit manifest is written',
    kinds: BOTH,
    code: 'CACHE_WRITE_FAILED',
    says: /disk that holds the model cache .* is full.* Free disk space/,
    arrange: (k) => {
      const remove = injectWriteFault((path) => (/[\\/]edits[\\/][0-9a-f]+\.json$/.test(path) ? diskFullError(path) : undefined));
      const cacheDir = join(k.root, 'cache');
      return { spec: specIn(k, MODELS[k.kind]), mend: remove, leftovers: () => filesMatching(cacheDir, /^edits[\\/]/).map((f) => `an edit manifest was kept: ${f}`) };
    },
  },
];
