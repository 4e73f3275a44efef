/**
 * `npm run bench [-- --quick] [-- --json FILE] [-- --markdown FILE] [-- --model DIR] [-- --only a,b]`
 *
 * The engine against its floors, each measured in the same run: a bert-base-sized BERT (random
 * weights, generated once outside the repo) loaded through the model store and run through analyze(),
 * guessesAt(), the predictions beyond the final guess (layers, unmasked, spans), the worker the extension
 * host uses, vs raw onnxruntime-node on the unedited file, PyTorch eager fp32 and onnxruntime-web (WASM);
 * projections vs umap-js; activation; VSIX size.
 * Prints a table of medians (min, max) with the ratio to the floor and the target, and with --json
 * writes every figure.
 *
 * One file per part in bench/parts/ (the `--only` names: options.ts PARTS). Parts that need a process of
 * their own run this same bundle with --child (child.ts). This file only orders them: the q8 model is
 * loaded once for analyze, hover and guesses; torch and wasm divide by the native analyze rows, so
 * those run whenever torch or wasm is asked for.
 */
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { loadRuntime } from '../src/engine/modelRuntime';
import { AnalysisSession } from '../src/engine/session';
import { ensureModel } from './benchModel';
import type { BenchContext } from './context';
import { freshCacheDir, log, parseOptions, specFor, wants, type Options } from './options';
import * as activation from './parts/activation';
import * as analyzeRows from './parts/analyze';
import * as causal from './parts/causal';
import * as fp32 from './parts/fp32';
import * as guesses from './parts/guesses';
import * as hover from './parts/hover';
import * as load from './parts/load';
import * as predictions from './parts/predictions';
import * as projection from './parts/projection';
import * as senses from './parts/senses';
import * as torch from './parts/torch';
import * as vsix from './parts/vsix';
import * as wasm from './parts/wasm';
import * as worker from './parts/worker';
import * as words from './parts/words';
import { report, runMeta } from './report';
import { figure, single, timeOnce } from './stats';

const CHILDREN: Record<string, (o: Options) => Promise<void>> = {
  wasm: wasm.child,
  projection: projection.child,
  worker: worker.child,
  activate: activation.child,
  senses: senses.child,
};

/** The parts on the bert-base-sized model; each is skipped, with a row saying why, when it cannot be made. */
const MODEL_PARTS = ['load', 'analyze', 'hover', 'guesses', 'predictions', 'words', 'senses', 'fp32', 'torch', 'wasm', 'worker'];

/** Runs the parts on the bert-base-sized model; returns the BLAS torch used (for the header). */
async function modelParts(c: BenchContext): Promise<string> {
  const o = c.o;
  const model = ensureModel(o.model);
  if (!model.ok) {
    for (const p of MODEL_PARTS.filter((p) => wants(o, p))) c.add(figure(`${p}: skipped`, single(NaN), '', { note: model.why ?? 'no model' }));
    return 'not measured';
  }
  const cacheDirs: string[] = [];
  try {
    if (MODEL_PARTS.some((p) => wants(o, p) && p !== 'torch' && p !== 'wasm' && p !== 'worker')) {
      const importMs = await timeOnce(() => loadRuntime('cpu'));
      c.add(figure('import transformers.js + onnxruntime-node (once per worker)', single(importMs), 'ms', { note: 'first require, in the main bench process' }));
    }
    if (wants(o, 'load')) await load.part(c);
    if (['analyze', 'hover', 'guesses', 'predictions', 'words', 'senses', 'torch', 'wasm'].some((p) => wants(o, p))) {
      const q8Dir = freshCacheDir();
      cacheDirs.push(q8Dir);
      const session = new AnalysisSession();
      try {
        await session.load(specFor(o, 'q8', q8Dir));
        if (wants(o, 'analyze') || wants(o, 'torch') || wants(o, 'wasm')) await analyzeRows.part(c, session.model, 'q8', q8Dir);
        if (wants(o, 'hover') || wants(o, 'wasm')) await hover.part(c, session.model);
        if (wants(o, 'guesses')) await guesses.part(c, session.model);
        if (wants(o, 'senses')) await senses.part(c, session, q8Dir);
        if (wants(o, 'predictions')) await predictions.part(c, session.model);
        if (wants(o, 'words')) await words.part(c, session);
      } finally {
        await session.dispose();
      }
    }
    if (wants(o, 'fp32') || wants(o, 'torch')) {
      const fp32Dir = freshCacheDir();
      cacheDirs.push(fp32Dir);
      await fp32.part(c, fp32Dir);
    }
    const blas = wants(o, 'torch') ? await torch.part(c, model.torchState) : 'not measured';
    if (wants(o, 'wasm')) await wasm.part(c);
    if (wants(o, 'worker')) await worker.part(c);
    return blas;
  } finally {
    for (const d of cacheDirs) rmSync(d, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  if (o.child) {
    const child = CHILDREN[o.child];
    if (!child) throw new Error(`--child: no child ${o.child}; the children are ${Object.keys(CHILDREN).join(', ')}`);
    return child(o);
  }

  const started = performance.now();
  const loadavgStart = loadavg();
  const c: BenchContext = {
    o,
    figures: [],
    add: (f) => {
      c.figures.push(f);
      log(`${f.name}: ${f.median} ${f.unit}${f.ratio !== null ? ` (${f.ratio}×)` : ''}${f.met === false ? ' MISSED' : ''}`);
    },
    native: new Map(),
  };
  // The bert-base-sized model is made (minutes) only for the parts that run on it.
  const blas = MODEL_PARTS.some((p) => wants(o, p)) ? await modelParts(c) : 'not measured';
  if (wants(o, 'projection')) await projection.part(c);
  if (wants(o, 'activation')) await activation.part(c);
  if (wants(o, 'vsix')) vsix.part(c);
  if (wants(o, 'causal')) await causal.part(c);
  report(o, runMeta(o, blas, { loadavgStart, loadavgEnd: loadavg(), seconds: (performance.now() - started) / 1000 }), c.figures);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
