/**
 * `npm run bench [-- --quick] [-- --json FILE] [-- --model DIR] [-- --only a,b]`
 *
 * The engine against its floors, each measured in the same run: a bert-base-sized BERT (random
 * weights, generated once outside the repo) loaded through the model store and run through analyze(),
 * guessesAt(), the worker the extension host uses, vs raw onnxruntime-node on the unedited file,
 * PyTorch eager fp32 and onnxruntime-web (WASM); projections vs umap-js; activation; VSIX size.
 * Prints a table of medians (min, max) with the ratio to the floor and the target, and with --json
 * writes every figure. Parts that need their own process (WASM's process-wide runtime swap, the
 * worker + event-loop measurement, activation, projections) run this same file with --child.
 *
 * Parts (for --only): load, analyze, hover, guesses, fp32, torch, wasm, projection, worker, activation, vsix.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, freemem, homedir, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { analyze, guessesAt } from '../src/engine/analyze';
import type { LoadedModel } from '../src/engine/modelStore';
import { loadRuntime } from '../src/engine/modelRuntime';
import { MASKED_POSITIONS_INPUT } from '../src/engine/onnx';
import { AnalysisSession } from '../src/engine/session';
import { tokenizeWithOffsets } from '../src/engine/tokenOffsets';
import type { Dtype, ModelSpec } from '../src/engine/types';
import { EngineClient } from '../src/extension/engineClient';
import { guessTokensPerCall } from '../src/extension/guessStream';
import { figure, interleaved, interleavedAll, noteLines, repeated, round, single, summarize, tableLines, timeOnce, type Figure, type Summary } from './stats';

// ---------------------------------------------------------------------------------------------------
// Settings

const REPO = resolve(__dirname, '..', '..');
const PY = '/usr/bin/python3';
const SIZE_ARGS = ['--hidden', '768', '--layers', '12', '--heads', '12', '--inter', '3072', '--maxpos', '512', '--vocab-pad', '20915'];
const DEFAULT_MODEL_DIR = join(homedir(), '.cache', 'context-lens-bench', 'bert-base-random');

interface Options {
  quick: boolean;
  json?: string;
  /** Also write the table and notes as Markdown (for BENCHMARKS.md). */
  markdown?: string;
  model: string;
  only?: Set<string>;
  child?: string;
  lengths: number[];
  repeats: number;
}

function parseOptions(argv: string[]): Options {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  const only = get('--only');
  return {
    quick,
    json: get('--json'),
    markdown: get('--markdown'),
    model: resolve(get('--model') ?? process.env.CONTEXT_LENS_BENCH_MODEL ?? DEFAULT_MODEL_DIR),
    only: only ? new Set(only.split(',')) : undefined,
    child: get('--child'),
    lengths: quick ? [16, 64, 256] : [16, 64, 256, 512],
    repeats: Number(get('--repeats') ?? (quick ? 3 : 7)),
  };
}

const wants = (o: Options, part: string): boolean => !o.only || o.only.has(part);
const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);

// ---------------------------------------------------------------------------------------------------
// The model and the texts

function pythonHasTorch(): boolean {
  return spawnSync(PY, ['-c', 'import torch, onnx'], { stdio: 'ignore' }).status === 0;
}

/** Makes sure the bert-base-sized random model exists; returns why not when it cannot. */
function ensureModel(dir: string): { ok: boolean; torchState: boolean; why?: string } {
  const need = ['config.json', 'tokenizer.json', 'vocab.txt', 'onnx/model.onnx', 'onnx/model_quantized.onnx'];
  const complete = () => need.every((f) => existsSync(join(dir, f)));
  if (!complete() || !existsSync(join(dir, 'torch_state.pt'))) {
    if (!pythonHasTorch() && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
      log('installing python3-torch python3-onnx libopenblas0-pthread (apt-get)');
      spawnSync('apt-get', ['install', '-y', 'python3-torch', 'python3-onnx', 'libopenblas0-pthread'], { stdio: 'inherit' });
    }
    if (pythonHasTorch()) {
      log(`generating the bert-base-sized random model in ${dir} (~1 min)`);
      mkdirSync(dirname(dir), { recursive: true });
      const r = spawnSync(PY, [join(REPO, 'scripts/make_bert_model.py'), dir, ...SIZE_ARGS, '--steps', '0', '--no-reference', '--save-torch'], { stdio: 'inherit' });
      if (r.status !== 0) return { ok: complete(), torchState: false, why: `make_bert_model.py failed (exit ${r.status})` };
    } else if (!complete()) {
      return { ok: false, torchState: false, why: `${PY} cannot import torch and onnx, so the model cannot be generated` };
    }
  }
  return { ok: complete(), torchState: existsSync(join(dir, 'torch_state.pt')) };
}

function isCjk(ch: string): boolean {
  const cp = ch.codePointAt(0) ?? 0;
  return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0xf900 && cp <= 0xfaff);
}

/** A text of n-2 CJK characters that are in the vocabulary (one token each): n tokens with [CLS] and [SEP]. */
function textOf(modelDir: string, n: number): string {
  const chars = readFileSync(join(modelDir, 'vocab.txt'), 'utf8').split('\n').map((l) => l.trim()).filter((t) => t.length === 1 && isCjk(t));
  if (chars.length < 2) throw new Error(`${modelDir}/vocab.txt has no CJK characters to build texts from`);
  let s = 12345;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n - 2 }, () => chars[Math.floor(next() * chars.length)]).join('');
}

function specFor(o: Options, dtype: Dtype, cacheDir: string, device: ModelSpec['device'] = 'cpu'): ModelSpec {
  return { model: o.model, dtype, device, cacheDir, offline: true };
}

const freshCacheDir = (): string => mkdtempSync(join(tmpdir(), 'context-lens-bench-'));

// ---------------------------------------------------------------------------------------------------
// Raw onnxruntime-node: the floor

interface OrtTensor {
  data: unknown;
  dims: readonly number[];
}
interface OrtSession {
  inputNames: readonly string[];
  run(feeds: Record<string, unknown>, fetches?: string[]): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface Ort {
  InferenceSession: { create(path: string, options?: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: string, data: unknown, dims: number[]) => unknown;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ort = (): Ort => require('onnxruntime-node') as Ort;

function feedsFor(session: OrtSession, rows: number[][]): Record<string, unknown> {
  const { Tensor } = ort();
  const b = rows.length;
  const n = rows[0].length;
  const ids = BigInt64Array.from(rows.flat(), (x) => BigInt(x));
  const feeds: Record<string, unknown> = {
    input_ids: new Tensor('int64', ids, [b, n]),
    attention_mask: new Tensor('int64', new BigInt64Array(b * n).fill(1n), [b, n]),
  };
  if (session.inputNames.includes('token_type_ids')) feeds.token_type_ids = new Tensor('int64', new BigInt64Array(b * n), [b, n]);
  // The edited graph's narrowed head: logits at one position, as analyze asks.
  if (session.inputNames.includes(MASKED_POSITIONS_INPUT)) feeds[MASKED_POSITIONS_INPUT] = new Tensor('int64', BigInt64Array.from([0n]), [1]);
  return feeds;
}

/**
 * Peak resident memory of this process. Not `resourceUsage().maxRSS`: Linux carries a parent's maxRSS
 * over fork + exec, so a child spawned by a 2 GB bench process reported 2 GB whatever it used itself.
 * /proc/self/status VmHWM belongs to this process's own address space.
 */
function peakRssMb(): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return Number(kb) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

const onnxFile = (o: Options, dtype: Dtype): string => join(o.model, dtype === 'q8' ? 'onnx/model_quantized.onnx' : 'onnx/model.onnx');
const idsOf = (lm: LoadedModel, text: string): number[] => tokenizeWithOffsets(lm.tokenizer, text).map((t) => t.id);

// ---------------------------------------------------------------------------------------------------
// Children: parts that need a process of their own report figures as "@@FIGURE {json}" lines.

function emit(f: Figure): void {
  process.stdout.write(`@@FIGURE ${JSON.stringify(f)}\n`);
}

function runChild(o: Options, kind: string, extra: string[] = [], opts: { stopAfter?: (f: Figure, all: Figure[]) => boolean; timeoutMs?: number } = {}): Promise<{ figures: Figure[]; code: number | null; stderr: string }> {
  return new Promise((done) => {
    const args = [__filename, '--child', kind, '--model', o.model, ...(o.quick ? ['--quick'] : []), ...extra];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO });
    const figures: Figure[] = [];
    let buf = '';
    let stderr = '';
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (!line.startsWith('@@FIGURE ')) continue;
        const f = JSON.parse(line.slice(9)) as Figure;
        figures.push(f);
        if (opts.stopAfter?.(f, figures)) child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      process.stderr.write(d);
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      done({ figures, code, stderr });
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// Main-process parts

interface Ctx {
  o: Options;
  figures: Figure[];
  add(f: Figure): void;
  native: Map<string, Summary>;
  q8?: LoadedModel;
  fp32?: LoadedModel;
  session: AnalysisSession;
  fp32Session: AnalysisSession;
  cacheDirs: string[];
}

async function partLoad(c: Ctx): Promise<void> {
  const repeats = c.o.quick ? 1 : 3;
  for (const dtype of ['q8', 'fp32'] as Dtype[]) {
    const ours: number[] = [];
    const raw: number[] = [];
    const editMs: number[] = [];
    const warm: number[] = [];
    const warmCheckMs: number[] = [];
    const sessionMs: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const dir = freshCacheDir();
      const s = new AnalysisSession();
      const at: Record<string, number> = {};
      const onProgress = (e: { phase: string; fraction?: number }): void => void (at[`${e.phase}:${e.fraction}`] ??= performance.now());
      ours.push(await timeOnce(() => s.load(specFor(c.o, dtype, dir), { onProgress })));
      editMs.push(at['graph-edit:1'] - at['graph-edit:0']);
      sessionMs.push(at['load:1'] - at['load:0']);
      await s.dispose();
      // Warm: the same cache folder again, as on the next VS Code start (the edit is reused).
      const s2 = new AnalysisSession();
      const at2: Record<string, number> = {};
      warm.push(await timeOnce(() => s2.load(specFor(c.o, dtype, dir), { onProgress: (e) => void (at2[`${e.phase}:${e.fraction}`] ??= performance.now()) })));
      warmCheckMs.push(at2['graph-edit:1'] - at2['graph-edit:0']);
      await s2.dispose();
      rmSync(dir, { recursive: true, force: true });
      let session: OrtSession | undefined;
      raw.push(await timeOnce(async () => (session = await ort().InferenceSession.create(onnxFile(c.o, dtype)))));
      await session?.release();
    }
    const r = summarize(raw);
    c.add(figure(`cold load ${dtype} (fresh cache: copy + graph edit + tokenizer + session)`, summarize(ours), 'ms', {
      floor: r,
      note: `${repeats} run(s), each with a new empty cache folder, so the graph edit runs every time (the OS file cache is warm); transformers.js was imported before (see its row); of which copy small files + graph edit ${round(summarize(editMs).median, 0)} ms, tokenizer + transformers.js session ${round(summarize(sessionMs).median, 0)} ms; ratio = / raw InferenceSession.create on the unedited file`,
    }));
    c.add(figure(`warm load ${dtype} (edited graph cached)`, summarize(warm), 'ms', {
      floor: r,
      note: `same cache folder loaded again by a new session; of which checking the cached edit ${round(summarize(warmCheckMs).median, 0)} ms; ratio = / raw InferenceSession.create`,
    }));
    c.add(figure(`raw InferenceSession.create ${dtype} (floor)`, r, 'ms', { note: 'onnxruntime-node, default session options, same source file' }));
  }
}

/** The edited graph the model store prepared in `cacheDir` (for the diagnostic row). */
function editedFileIn(cacheDir: string, dtype: Dtype): string | undefined {
  const prepared = join(cacheDir, 'prepared');
  if (!existsSync(prepared)) return undefined;
  const name = dtype === 'q8' ? 'model_attn_quantized.onnx' : 'model_attn.onnx';
  for (const key of readdirSync(prepared)) if (existsSync(join(prepared, key, 'onnx', name))) return join(prepared, key, 'onnx', name);
  return undefined;
}

async function partAnalyze(c: Ctx, lm: LoadedModel, dtype: Dtype, cacheDir: string): Promise<void> {
  const raw = await ort().InferenceSession.create(onnxFile(c.o, dtype));
  // Diagnostic: onnxruntime alone on the edited graph, fetching what analyze fetches, separates the
  // cost of the extra outputs inside onnxruntime from our JavaScript around it.
  const editedPath = editedFileIn(cacheDir, dtype);
  const edited = editedPath ? await ort().InferenceSession.create(editedPath) : undefined;
  const fetches = [...lm.attentionOutputs, ...lm.hiddenStateOutputs];
  try {
    for (const n of c.o.lengths) {
      const text = textOf(c.o.model, n);
      const ids = idsOf(lm, text);
      if (ids.length !== n) throw new Error(`text for ${n} tokens tokenized to ${ids.length}`);
      const feeds = feedsFor(raw, [ids]);
      const repeats = n >= 512 ? Math.max(3, c.o.repeats - 2) : c.o.repeats;
      const tokenizeMs: number[] = [];
      const fns = [async () => tokenizeMs.push((await analyze(lm, text, { guesses: false })).timings.tokenizeMs), () => raw.run(feeds)];
      if (edited) {
        const editedFeeds = feedsFor(edited, [ids]);
        fns.push(() => edited.run(editedFeeds, fetches));
      }
      const [ours, floor, diag] = await interleavedAll(fns, repeats);
      c.native.set(`${dtype}:${n}`, ours);
      c.native.set(`raw-${dtype}:${n}`, floor);
      const target = dtype === 'q8' ? '≤ 1.15× raw' : null;
      c.add(figure(`analyze ${dtype}, ${n} tokens (attentions + hidden states, no guesses)`, ours, 'ms', {
        floor,
        target: target ?? undefined,
        met: target ? ours.median / floor.median <= 1.15 : null,
        series: `ours ${dtype}`,
        tokens: n,
        note: `${repeats} runs interleaved with the raw forwards; ratio = / raw onnxruntime-node session.run of the unedited ${dtype} file on the same ids (logits only); of which tokenize + offsets ${round(summarize(tokenizeMs).median, 1)} ms`,
      }));
      c.add(figure(`raw ORT forward ${dtype}, ${n} tokens (floor)`, floor, 'ms', { series: `raw ORT ${dtype}`, tokens: n }));
      if (diag) {
        c.add(figure(`  diagnostic: raw ORT on the edited ${dtype} graph, ${n} tokens, same fetches as analyze`, diag, 'ms', {
          floor,
          note: `${fetches.length} outputs (attentions ${144 * n * n * 4 > 1e6 ? `${round((lm.info.numLayers * lm.info.numHeads * n * n * 4) / 1e6, 1)} MB` : 'small'}); ratio = / raw forward of the unedited file: what the extra outputs cost inside onnxruntime; analyze / this = our JavaScript (tokenizer, offsets, copies)`,
        }));
      }
    }
  } finally {
    await raw.release();
    await edited?.release();
  }
}

async function partHover(c: Ctx, lm: LoadedModel): Promise<void> {
  const raw = await ort().InferenceSession.create(onnxFile(c.o, 'q8'));
  try {
    const text = textOf(c.o.model, 64);
    const feeds = feedsFor(raw, [idsOf(lm, text)]);
    const [ours, floor] = await interleaved(() => guessesAt(lm, text, 31, 5), () => raw.run(feeds), c.o.repeats * 2);
    c.add(figure('hover guessesAt q8, 1 token of a 64-token text', ours, 'ms', {
      floor,
      target: '≤ 1.2× raw',
      met: ours.median / floor.median <= 1.2,
      note: 'tokenize + offsets + one forward with the token masked (logits only) + top-5; ratio = / one raw forward of the 64 ids',
    }));
    c.add(figure('raw ORT forward q8, 64 tokens (hover floor)', floor, 'ms'));
  } finally {
    await raw.release();
  }
}

async function partGuesses(c: Ctx, lm: LoadedModel): Promise<void> {
  const raw = await ort().InferenceSession.create(onnxFile(c.o, 'q8'));
  try {
    const n = 64;
    const text = textOf(c.o.model, n);
    const ids = idsOf(lm, text);
    const mask = lm.specialIds.mask;
    // The same work done raw: the plain forward, then every text token masked once, in analyze's chunk size.
    const rowsPerChunk = Math.max(1, Math.floor((96 * 1024 * 1024) / (n * lm.info.vocabSize * 4)));
    const masked = Array.from({ length: n - 2 }, (_, k) => ids.map((id, i) => (i === k + 1 ? mask : id)));
    const chunks: Record<string, unknown>[] = [feedsFor(raw, [ids])];
    for (let i = 0; i < masked.length; i += rowsPerChunk) chunks.push(feedsFor(raw, masked.slice(i, i + rowsPerChunk)));
    const repeats = Math.max(3, Math.ceil(c.o.repeats / 2));
    let guessMs: number[] = [];
    const [ours, floor] = await interleaved(
      async () => guessMs.push((await analyze(lm, text, { guesses: true, topK: 5 })).timings.guessesMs),
      async () => {
        for (const f of chunks) await raw.run(f);
      },
      repeats,
    );
    guessMs = guessMs.slice(1);
    c.add(figure('all-token masked guesses q8, 64 tokens (full analyze)', ours, 'ms', {
      floor,
      target: '≤ 1200 ms',
      met: ours.median <= 1200,
      note: `analyze() with guesses: 1 forward + ${n - 2} rows (each one token masked)${lm.maskedPositionsInput ? ', the edited head computing logits at the masked position only' : ''}; of which guesses ${round(summarize(guessMs).median, 0)} ms; ratio = / raw ORT on the unedited file running the same rows in ${1 + Math.ceil(masked.length / rowsPerChunk)} batches (logits at every position)`,
    }));
    c.add(figure(`raw ORT q8, 1 + ${n - 2} masked rows of 64 tokens (floor)`, floor, 'ms'));
  } finally {
    await raw.release();
  }
}

function torchBlas(): string {
  const r = spawnSync(PY, ['-c', "import torch\na=torch.randn(256,256); a@a\nprint(sorted({l.split()[-1] for l in open('/proc/self/maps') if 'blas' in l.lower()}))"], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

interface TorchRuns {
  threads: number;
  torch: string;
  runs: Record<string, number[]>;
}

function runTorch(c: Ctx, repeats: number, env: Record<string, string>): TorchRuns | string {
  const r = spawnSync(PY, [join(REPO, 'scripts/make_bert_model.py'), c.o.model, ...SIZE_ARGS, '--torch-bench', c.o.lengths.join(','), '--repeats', String(repeats)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    env: { ...process.env, ...env },
  });
  if (r.status !== 0) return r.stderr.slice(-300);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as TorchRuns;
}

/**
 * PyTorch eager fp32 on the same weights, twice: with Debian's defaults, where torch's OpenMP threads
 * spin-wait while OpenBLAS's own pthreads do the matrix products (they fight over the 2 cores), and with
 * OMP_WAIT_POLICY=PASSIVE, the best setting found here. The target compares with the best.
 */
async function partTorch(c: Ctx, torchState: boolean): Promise<string> {
  if (!torchState || !pythonHasTorch()) {
    const why = !torchState ? 'torch_state.pt missing (regenerate the model with --save-torch)' : `${PY} cannot import torch`;
    c.add(figure('PyTorch eager fp32 rows skipped', single(NaN), '', { note: why }));
    return `not measured: ${why}`;
  }
  const blas = torchBlas();
  const repeats = c.o.quick ? 3 : 5;
  const best = runTorch(c, repeats, { OMP_WAIT_POLICY: 'PASSIVE' });
  const plain = runTorch(c, repeats, {});
  if (typeof best === 'string') {
    c.add(figure('PyTorch eager fp32 failed', single(NaN), '', { note: best }));
    return blas;
  }
  for (const n of c.o.lengths) {
    const t = summarize(best.runs[String(n)]);
    c.add(figure(`PyTorch eager fp32, ${n} tokens (attentions + hidden states), OMP_WAIT_POLICY=PASSIVE`, t, 'ms', {
      series: 'PyTorch fp32 eager',
      tokens: n,
      note: `torch ${best.torch}, ${best.threads} threads, BLAS loaded: ${blas}; ${repeats} runs after 1 warm-up, same weights as the ONNX files; passive OpenMP waiting (the fastest setting found on this machine)`,
    }));
    if (typeof plain !== 'string') {
      const d = summarize(plain.runs[String(n)]);
      c.add(figure(`  PyTorch eager fp32, ${n} tokens, Debian defaults`, d, 'ms', {
        floor: t,
        series: 'PyTorch fp32 eager (default env)',
        tokens: n,
        note: 'no OMP_* settings: OpenMP threads spin-wait against OpenBLAS pthreads; ratio = / the PASSIVE run',
      }));
    }
    const q8 = c.native.get(`q8:${n}`);
    if (q8) {
      const fp32 = c.native.get(`fp32:${n}`);
      c.add(figure(`native q8 analyze vs PyTorch fp32, ${n} tokens`, q8, 'ms', {
        floor: t,
        target: '≤ 0.5× torch',
        met: q8.median / t.median <= 0.5,
        note: `ratio = our q8 analyze / PyTorch eager fp32 with OMP_WAIT_POLICY=PASSIVE (both with attentions + hidden states)${fp32 ? `; our fp32 analyze / torch = ${round(fp32.median / t.median, 2)}×` : ''}${typeof plain !== 'string' ? `; vs torch with Debian defaults ${round(q8.median / summarize(plain.runs[String(n)]).median, 2)}×` : ''}`,
      }));
    }
  }
  return blas;
}

async function partWasm(c: Ctx): Promise<void> {
  const { figures, code, stderr } = await runChild(c.o, 'wasm', [], { timeoutMs: 8 * 60_000 });
  if (!c.o.quick) figures.push(...(await runChild(c.o, 'wasm', ['--wasm-threads', '1'], { timeoutMs: 8 * 60_000 })).figures);
  if (!figures.length) {
    c.add(figure('WASM rows failed', single(NaN), '', { note: `child exit ${code}: ${stderr.trim().split('\n').slice(-3).join(' / ')}` }));
    return;
  }
  for (const f of figures) {
    const n = f.tokens;
    const native = n ? c.native.get(`q8:${n}`) : f.name.startsWith('hover') ? c.native.get('hover') : undefined;
    if (native) {
      f.ratio = round(f.median / native.median, 2);
      f.note = `${f.note}; ratio = WASM / native q8 (${round(native.median, 0)} ms, main run)`;
    }
    c.add(f);
  }
}

async function partProjection(c: Ctx): Promise<void> {
  // projectionBench runs 1,000 then 5,000 points; --quick stops its child after the 1,000-point figures.
  const quick = c.o.quick;
  const { figures, code, stderr } = await runChild(c.o, 'projection', [], {
    stopAfter: quick ? (f) => /trustworthiness.*1000×/.test(f.name) && f.name.includes('our PCA') : undefined,
    timeoutMs: 10 * 60_000,
  });
  if (!figures.length) c.add(figure('projection rows failed', single(NaN), '', { note: `child exit ${code}: ${stderr.slice(-300)}` }));
  for (const f of figures) {
    if (/^projection: our UMAP, 5000×/.test(f.name)) {
      f.target = '≤ 5000 ms';
      f.met = f.median <= 5000;
    }
    c.add(f);
  }
}

async function partWorker(c: Ctx): Promise<void> {
  const { figures, code, stderr } = await runChild(c.o, 'worker', [], { timeoutMs: 10 * 60_000 });
  if (!figures.length) c.add(figure('worker rows failed', single(NaN), '', { note: `child exit ${code}: ${stderr.slice(-300)}` }));
  figures.forEach((f) => c.add(f));
}

async function partActivation(c: Ctx): Promise<void> {
  const ext = join(REPO, 'dist/extension.js');
  if (!existsSync(ext)) {
    c.add(figure('activation: dist/extension.js missing', single(NaN), '', { note: 'run the build first' }));
    return;
  }
  const runs: Figure[] = [];
  for (let i = 0; i < (c.o.quick ? 3 : 7); i++) {
    const { figures, stderr } = await runChild(c.o, 'activate', [], { timeoutMs: 60_000 });
    if (!figures.length) {
      c.add(figure('activation failed', single(NaN), '', { note: stderr.slice(-300) }));
      return;
    }
    runs.push(...figures);
  }
  const byName = new Map<string, number[]>();
  for (const f of runs) byName.set(f.name, [...(byName.get(f.name) ?? []), f.median]);
  for (const [name, values] of byName) {
    const total = name.startsWith('activation: require + activate');
    const s = summarize(values);
    c.add(figure(name, s, 'ms', {
      target: total ? '≤ 100 ms' : undefined,
      met: total ? s.median <= 100 : null,
      note: `${values.length} fresh node processes; measured with a Proxy-based stub 'vscode' module (our code only, not VS Code's extension-host overhead); the in-host suite logs the real one ("Context Lens … activated in N ms" in the output channel)`,
    }));
  }
}

function partVsix(c: Ctx): void {
  let files = readdirSync(REPO).filter((f) => f.endsWith('.vsix'));
  let note = 'existing package in the repo root';
  if (!files.length) {
    if (existsSync(join(REPO, 'scripts/package-vsix.mjs'))) {
      log('no *.vsix: running scripts/package-vsix.mjs (linux-x64)');
      const r = spawnSync(process.execPath, [join(REPO, 'scripts/package-vsix.mjs')], { cwd: REPO, stdio: 'inherit' });
      note = `packaged by this run (scripts/package-vsix.mjs, exit ${r.status})`;
      files = readdirSync(REPO).filter((f) => f.endsWith('.vsix'));
    }
    if (!files.length) {
      c.add(figure('VSIX: not packaged', single(NaN), 'MB', { target: '≤ 40 MB per platform', met: null, note: 'no *.vsix and no package script produced one' }));
      return;
    }
  }
  for (const f of files) {
    const mb = statSync(join(REPO, f)).size / 1024 / 1024;
    const platform = /-(linux|darwin|win32|alpine)-(x64|arm64|armhf)\.vsix$/.exec(f)?.slice(1).join('-') ?? 'universal';
    c.add(figure(`VSIX size ${platform} (${f})`, single(mb), 'MB', { target: '≤ 40 MB', met: mb <= 40, note: `${note}; ${statSync(join(REPO, f)).mtime.toISOString()}` }));
  }
}

// ---------------------------------------------------------------------------------------------------
// Child processes

async function childWasm(o: Options): Promise<void> {
  const dir = freshCacheDir();
  const threads = Number(process.argv[process.argv.indexOf('--wasm-threads') + 1]) || 0;
  if (threads) {
    // Diagnostic only: onnxruntime-web's own default in Node (one thread), against the engine's choice.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require('onnxruntime-web') as { env: { wasm: { numThreads?: number } } }).env.wasm.numThreads = threads;
  }
  const tag = threads ? ` [diagnostic: numThreads ${threads} set by the benchmark]` : '';
  try {
    const s = new AnalysisSession();
    const loadMs = await timeOnce(() => s.load(specFor(o, 'q8', dir, 'wasm')));
    const ortWeb = (globalThis as Record<symbol, unknown>)[Symbol.for('onnxruntime')] as { env?: { wasm?: { numThreads?: number; simd?: unknown } } } | undefined;
    const what = `onnxruntime-web WASM (process-wide swap through Symbol.for('onnxruntime'), device 'wasm'), env.wasm.numThreads ${ortWeb?.env?.wasm?.numThreads ?? 'default'}, backend ${s.model.info.backend}`;
    if (!threads) emit(figure('WASM cold load q8 (fresh cache, incl. transformers.js import)', single(loadMs), 'ms', { note: what }));
    const lm = s.model;
    const lengths = threads ? [64, 256] : o.quick ? [16, 64] : [16, 64, 256];
    for (const n of lengths) {
      const text = textOf(o.model, n);
      const t = await repeated(() => analyze(lm, text, { guesses: false }), 3);
      emit(figure(`${threads ? '  ' : ''}WASM analyze q8, ${n} tokens (no guesses)${tag}`, t, 'ms', { tokens: n, series: threads ? undefined : 'ours q8 WASM', note: `3 runs; ${what}` }));
    }
    if (threads) {
      await s.dispose();
      return;
    }
    const text = textOf(o.model, 64);
    emit(figure('hover guessesAt WASM q8, 64-token text', await repeated(() => guessesAt(lm, text, 31, 5), 3), 'ms', { note: '3 runs' }));
    emit(figure('WASM process peak RSS', single(peakRssMb()), 'MB', { digits: 0, note: 'VmHWM of the child process that ran the WASM rows' }));
    await s.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function childProjection(): Promise<void> {
  const { benchProjection } = await import('./projectionBench');
  await benchProjection((row) =>
    emit({ ...row, ratio: row.ratio ?? null, target: null, met: null, note: row.note ?? '' }),
  );
}

/**
 * What the extension host does: EngineClient + dist/engineWorker.js. The main thread's event-loop
 * delay is recorded while the worker analyzes (with the per-token guesses, as the extension asks)
 * and projects with UMAP.
 */
async function childWorker(o: Options): Promise<void> {
  const dir = freshCacheDir();
  const workerPath = join(REPO, 'dist/engineWorker.js');
  const client = new EngineClient(workerPath, () => undefined);
  const ms = (ns: number): number => ns / 1e6;
  // EngineClient unrefs its worker (it must not keep the extension host alive): keep this process alive as a host would.
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    const spec = specFor(o, 'q8', dir);
    const loadMs = await timeOnce(() => client.call('load', { spec }));
    emit(figure('worker: load q8 (worker start + import + graph edit + session)', single(loadMs), 'ms', { digits: 0, note: 'EngineClient + dist/engineWorker.js, fresh cache folder' }));
    emit(figure('peak RSS after load, process + engine worker (q8)', single(peakRssMb()), 'MB', { digits: 0, note: 'VmHWM (high-water mark) right after the load: what loading costs before any analysis' }));

    // From here the main thread only waits for messages, as the extension host does.
    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    // --quick: a 64-token text (62 masked rows instead of 254), projected 16× for the same ~1,000 points.
    const n = o.quick ? 64 : 256;
    const text = textOf(o.model, n);
    // What Explore does since the guesses stream: analyze without guesses, project, show the map; then the
    // masked guesses in calls of a few tokens (MaskedGuessStream's sizes), the worker free between calls.
    let summary: { analysisId: string; tokens: { index: number; special: boolean }[] } | undefined;
    const analyzeMs = await timeOnce(async () => {
      summary = await client.call('analyze', { text, topK: 5, guesses: false });
    });
    const ids = [summary!.analysisId];
    // ~1,000 points: the same analysis projected several times (UMAP cost depends on the point count).
    const projectIds = Array.from({ length: Math.ceil(1000 / n) }, () => ids[0]);
    let points = 0;
    const projectMs = await timeOnce(async () => {
      points = (await client.call('project', { analysisIds: projectIds, layer: 12, method: 'umap', seed: 42 })).points.length;
    });
    const pending = summary!.tokens.filter((t) => !t.special).map((t) => t.index);
    const perCall = guessTokensPerCall(n);
    // A hover on a 64-token paragraph, idle and then every 500 ms while the guesses stream: what a user
    // who hovers in the editor during the stream waits (the engine holds new stream calls back meanwhile).
    const hoverText = textOf(o.model, 64);
    const hover = () => timeOnce(() => client.call('guessesAt', { text: hoverText, offset: 31, topK: 5 }));
    const idleHoverMs: number[] = [];
    for (let i = 0; i < 5; i++) idleHoverMs.push(await hover());
    const callMs: number[] = [];
    const busyHoverMs: number[] = [];
    let streaming = true;
    const hovering = (async () => {
      while (streaming) {
        await new Promise((r) => setTimeout(r, 500));
        if (streaming) busyHoverMs.push(await hover());
      }
    })();
    for (let i = 0; i < pending.length; i += perCall) {
      const chunk = pending.slice(i, i + perCall);
      callMs.push(await timeOnce(() => client.call('guesses', { analysisId: ids[0], tokenIndices: chunk, topK: 5 })));
    }
    streaming = false;
    await hovering;
    h.disable();
    const idleHover = summarize(idleHoverMs.slice(1));
    emit(figure('worker: hover guessesAt, 64-token text, engine idle', idleHover, 'ms', { note: `${idleHoverMs.length - 1} runs after 1 warm-up` }));
    emit(figure(`worker: hover guessesAt while the ${n}-token guesses stream`, summarize(busyHoverMs), 'ms', {
      floor: idleHover,
      note: `${busyHoverMs.length} hovers, one every 500 ms during the stream; ratio = / the idle hover (waits for at most the stream call in flight)`,
    }));
    const where = `main thread, monitorEventLoopDelay resolution 10 ms (values include the 10 ms timer period), ${h.count} samples`;
    emit(figure(`worker: analyze ${n} tokens q8, no guesses (via EngineClient)`, single(analyzeMs), 'ms', { digits: 0, note: '1 forward with attentions and hidden states; what Explore waits for before the map' }));
    emit(figure(`worker: UMAP projection of ${points} points (via EngineClient)`, single(projectMs), 'ms', { digits: 0, note: `the ${n}-token analysis ×${projectIds.length}, layer 12` }));
    emit(figure(`worker: Explore ${n} tokens, selection to map data (analyze + UMAP)`, single(analyzeMs + projectMs), 'ms', { digits: 0, note: 'the masked guesses follow in the background' }));
    const sorted = [...callMs].sort((a, b) => a - b);
    emit(figure(`worker: masked guesses streamed after the map, ${pending.length} tokens`, single(callMs.reduce((a, b) => a + b, 0)), 'ms', {
      digits: 0,
      note: `${callMs.length} calls of ${perCall} token(s): median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms, max ${sorted[sorted.length - 1].toFixed(0)} ms per call (the longest a hover or a projection waits behind one)`,
    }));
    emit(figure('event-loop delay p50 during worker analyze + UMAP + guesses', single(ms(h.percentile(50))), 'ms', { note: where }));
    const p99 = ms(h.percentile(99));
    emit(figure('event-loop delay p99 during worker analyze + UMAP + guesses', single(p99), 'ms', { target: '≤ 50 ms', met: p99 <= 50, note: where }));
    emit(figure('event-loop delay max during worker analyze + UMAP + guesses', single(ms(h.max)), 'ms', { note: where }));
    emit(figure(`peak RSS, process + engine worker (q8, ${n}-token analysis, UMAP)`, single(peakRssMb()), 'MB', { digits: 0, note: 'VmHWM of the host-like process (the worker is a thread in it)' }));
  } finally {
    clearInterval(keepAlive);
    await client.restart();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function childActivate(): Promise<void> {
  const { installVscodeStub, extensionContextStub } = await import('./vscodeStub');
  const bundle = join(REPO, 'dist/extension.js');
  // Every `vscodeN.name` the bundle reads, so that esbuild's namespace copy sees it.
  const names = [...readFileSync(bundle, 'utf8').matchAll(/\bvscode\d*\.([A-Za-z_]\w*)/g)].map((m) => m[1]);
  installVscodeStub(names);
  const storage = freshCacheDir();
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
  const t0 = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ext = require(bundle) as { activate(c: unknown): unknown; deactivate?(): unknown };
  const t1 = performance.now();
  const context = extensionContextStub(REPO, storage, pkg);
  await ext.activate(context);
  const t2 = performance.now();
  emit(figure('activation: require dist/extension.js', single(t1 - t0), 'ms'));
  emit(figure('activation: activate()', single(t2 - t1), 'ms'));
  emit(figure('activation: require + activate', single(t2 - t0), 'ms'));
  try {
    ext.deactivate?.();
  } catch {
    // the stub cannot dispose everything; the process ends here anyway
  }
  rmSync(storage, { recursive: true, force: true });
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------------

type MachineInfo = ReturnType<typeof machineInfo>;
const machine = (o: Options, blas: string): MachineInfo => machineInfo(o, blas);
function machineInfo(o: Options, blas: string) {
  const ver = (p: string): string => {
    try {
      return JSON.parse(readFileSync(join(REPO, 'node_modules', p, 'package.json'), 'utf8')).version;
    } catch {
      return 'missing';
    }
  };
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    ramGB: round(totalmem() / 2 ** 30, 1),
    freeRamGB: round(freemem() / 2 ** 30, 1),
    node: process.version,
    onnxruntimeNode: ver('onnxruntime-node'),
    onnxruntimeWeb: ver('onnxruntime-web'),
    transformers: ver('@huggingface/transformers'),
    umapJs: ver('umap-js'),
    torchBlas: blas,
    model: o.model,
    quick: o.quick,
  };
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  if (o.child === 'wasm') return childWasm(o);
  if (o.child === 'projection') return childProjection();
  if (o.child === 'worker') return childWorker(o);
  if (o.child === 'activate') return childActivate();

  const started = performance.now();
  const loadStart = loadavg();
  const c: Ctx = {
    o,
    figures: [],
    add: (f) => {
      c.figures.push(f);
      log(`${f.name}: ${f.median} ${f.unit}${f.ratio !== null ? ` (${f.ratio}×)` : ''}${f.met === false ? ' MISSED' : ''}`);
    },
    native: new Map(),
    session: new AnalysisSession(),
    fp32Session: new AnalysisSession(),
    cacheDirs: [],
  };
  const model = ensureModel(o.model);
  const modelParts = ['load', 'analyze', 'hover', 'guesses', 'fp32', 'torch', 'wasm', 'worker'];
  let blas = 'not measured';
  if (!model.ok) {
    for (const p of modelParts.filter((p) => wants(o, p))) c.add(figure(`${p}: skipped`, single(NaN), '', { note: model.why ?? 'no model' }));
  } else {
    if (modelParts.some((p) => wants(o, p) && p !== 'torch' && p !== 'wasm' && p !== 'worker')) {
      const importMs = await timeOnce(() => loadRuntime('cpu'));
      c.add(figure('import transformers.js + onnxruntime-node (once per worker)', single(importMs), 'ms', { note: 'first require, in the main bench process' }));
    }
    if (wants(o, 'load')) await partLoad(c);
    const q8Dir = freshCacheDir();
    c.cacheDirs.push(q8Dir);
    if (wants(o, 'analyze') || wants(o, 'hover') || wants(o, 'guesses') || wants(o, 'torch') || wants(o, 'wasm')) {
      await c.session.load(specFor(o, 'q8', q8Dir));
      c.q8 = c.session.model;
      if (wants(o, 'analyze') || wants(o, 'torch') || wants(o, 'wasm')) await partAnalyze(c, c.q8, 'q8', q8Dir);
      if (wants(o, 'hover') || wants(o, 'wasm')) await partHover(c, c.q8);
      const hoverRow = c.figures.find((f) => f.name.startsWith('hover guessesAt q8'));
      if (hoverRow) c.native.set('hover', { median: hoverRow.median, min: hoverRow.min, max: hoverRow.max, runs: [] });
      if (wants(o, 'guesses')) await partGuesses(c, c.q8);
    }
    if (wants(o, 'fp32') || wants(o, 'torch')) {
      const fp32Dir = freshCacheDir();
      c.cacheDirs.push(fp32Dir);
      await c.session.dispose();
      await c.fp32Session.load(specFor(o, 'fp32', fp32Dir));
      const saved = o.repeats;
      o.repeats = Math.max(3, saved - 2);
      await partAnalyze(c, c.fp32Session.model, 'fp32', fp32Dir);
      o.repeats = saved;
      await c.fp32Session.dispose();
    }
    await c.session.dispose();
    if (wants(o, 'torch')) blas = await partTorch(c, model.torchState);
    if (wants(o, 'wasm')) await partWasm(c);
    if (wants(o, 'worker')) await partWorker(c);
  }
  if (wants(o, 'projection')) await partProjection(c);
  if (wants(o, 'activation')) await partActivation(c);
  if (wants(o, 'vsix')) partVsix(c);
  for (const d of c.cacheDirs) rmSync(d, { recursive: true, force: true });

  const meta: MachineInfo & { loadavgStart: number[]; loadavgEnd: number[]; seconds: number; date: string } = { ...machine(o, blas), loadavgStart: loadStart.map((x) => round(x, 2)), loadavgEnd: loadavg().map((x) => round(x, 2)), seconds: round((performance.now() - started) / 1000, 0), date: new Date().toISOString() };
  const out = [
    '',
    `Context Lens benchmark${o.quick ? ' (--quick)' : ''}: ${meta.cpu}, ${meta.cores} cores, ${meta.ramGB} GB, Node ${meta.node}, onnxruntime-node ${meta.onnxruntimeNode}, onnxruntime-web ${meta.onnxruntimeWeb}, transformers.js ${meta.transformers}`,
    `PyTorch BLAS: ${blas}; load average at start ${meta.loadavgStart.join(' ')}, at end ${meta.loadavgEnd.join(' ')}; ${meta.seconds} s`,
    '',
    ...tableLines(c.figures, false),
    '',
    'Notes:',
    ...noteLines(c.figures),
    '',
  ];
  process.stdout.write(out.join('\n'));
  const missed = c.figures.filter((f) => f.met === false).map((f) => f.name);
  process.stdout.write(`\nTargets met: ${c.figures.filter((f) => f.met === true).length}, missed: ${missed.length}${missed.length ? ` (${missed.join('; ')})` : ''}\n`);
  if (o.markdown) {
    const md = [`Machine: ${meta.cpu}, ${meta.cores} cores, ${meta.ramGB} GB RAM, Node ${meta.node}, onnxruntime-node ${meta.onnxruntimeNode}, onnxruntime-web ${meta.onnxruntimeWeb}, transformers.js ${meta.transformers}, umap-js ${meta.umapJs}; PyTorch BLAS: ${blas}. Load average at start ${meta.loadavgStart.join(' ')}, at end ${meta.loadavgEnd.join(' ')}; run took ${meta.seconds} s${o.quick ? ' (--quick)' : ''}; ${meta.date}.`, '', ...tableLines(c.figures, true), '', 'Notes (by row number):', '', ...noteLines(c.figures).map((l) => `- ${l}`), ''];
    writeFileSync(resolve(o.markdown), md.join('\n'));
  }
  if (o.json) {
    writeFileSync(resolve(o.json), JSON.stringify({ meta, figures: c.figures }, null, 2));
    log(`wrote ${resolve(o.json)}`);
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
