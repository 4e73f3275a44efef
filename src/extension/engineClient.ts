/**
 * The extension host's handle on the engine worker thread. Everything heavy (transformers.js,
 * onnxruntime, post-processing, UMAP) runs in the worker so the extension host never stalls.
 */
import { Worker } from 'node:worker_threads';
import { cancelledError, ContextLensError, deserializeError } from '../engine/errors';
import type { EngineMethod, EngineMethods, HostToWorker, WorkerToHost } from '../engine/workerProtocol';

export type EngineProgress = Extract<WorkerToHost, { kind: 'progress' }>['event'];

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  onProgress?: (e: EngineProgress) => void;
}

export interface CallOptions {
  signal?: AbortSignal;
  onProgress?: (e: EngineProgress) => void;
}

export class EngineClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly workerPath: string,
    private readonly log: (line: string) => void,
    private readonly workerEnv: Record<string, string | undefined> = {},
  ) {}

  call<M extends EngineMethod>(method: M, params: EngineMethods[M][0], options: CallOptions = {}): Promise<EngineMethods[M][1]> {
    const { signal, onProgress } = options;
    if (signal?.aborted) return Promise.reject(cancelledError());
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<EngineMethods[M][1]>((resolve, reject) => {
      const onAbort = () => {
        worker.postMessage({ kind: 'cancel', id } satisfies HostToWorker);
        this.pending.delete(id);
        reject(cancelledError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = <T>(f: (v: T) => void) => (v: T) => {
        signal?.removeEventListener('abort', onAbort);
        f(v);
      };
      this.pending.set(id, { resolve: settle(resolve as (v: unknown) => void), reject: settle(reject), onProgress });
      worker.postMessage({ kind: 'call', id, method, params } satisfies HostToWorker);
    });
  }

  /** Ends the worker; a later call starts a fresh one (and the model must be loaded again). */
  async restart(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    this.failAll(new ContextLensError('ENGINE_STOPPED', 'The analysis engine was restarted.'));
    await w?.terminate();
  }

  dispose(): void {
    void this.restart();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerPath, { env: { ...process.env, ...this.workerEnv } });
    worker.on('message', (m: WorkerToHost) => this.onMessage(m));
    // An uncaught exception ends the worker thread ('exit' follows): its model and analyses are gone too.
    worker.on('error', (e) => {
      this.log(`engine worker error: ${e.stack ?? e.message}`);
      this.failAll(new ContextLensError('ENGINE_STOPPED', `The analysis engine stopped: ${e.message}`, e.stack));
    });
    worker.on('exit', (code) => {
      if (this.worker === worker) {
        this.worker = undefined;
        if (code !== 0) this.log(`engine worker exited with code ${code}`);
        this.failAll(new ContextLensError('ENGINE_STOPPED', `The analysis engine stopped (exit code ${code}).`));
      }
    });
    // The worker must not keep VS Code's extension host (or the CLI) alive on its own.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private onMessage(m: WorkerToHost): void {
    if (m.kind === 'log') {
      this.log(m.line);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.kind === 'progress') {
      p.onProgress?.(m.event);
      return;
    }
    this.pending.delete(m.id);
    if (m.kind === 'result') p.resolve(m.value);
    else p.reject(deserializeError(m.error));
  }

  private failAll(e: unknown): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
