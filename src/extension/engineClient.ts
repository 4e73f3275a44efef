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

/** What a dead worker's error tells the user to do next (the engine restarts by itself on the next call). */
const NEXT_STEP = 'The model and the analyses it held are gone: run the command again to start a new engine (Context Lens: Show Log has the details).';

export class EngineClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /**
   * Analyze calls cancelled after they were posted: the worker may still finish them, and an analysis whose
   * reply nobody reads would stay held in the worker for good (a burst of superseded Explores leaked one each).
   */
  private readonly abandoned = new Set<number>();
  /** Workers started so far: a call after a death starts one more (the stress campaign reads it). */
  workersStarted = 0;
  /** Test seam (see killWorker): the method whose next call ends the worker once it is posted. */
  private killOnCall: EngineMethod | undefined;
  private readonly restarts = new WeakSet<ContextLensError>();
  /** Called once per death of a worker (not for restart()), with the error its waiting calls failed with. */
  onDied: ((e: ContextLensError) => void) | undefined;

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
        if (method === 'analyze') this.abandoned.add(id);
        reject(cancelledError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = <T>(f: (v: T) => void) => (v: T) => {
        signal?.removeEventListener('abort', onAbort);
        f(v);
      };
      this.pending.set(id, { resolve: settle(resolve as (v: unknown) => void), reject: settle(reject), onProgress });
      worker.postMessage({ kind: 'call', id, method, params } satisfies HostToWorker);
      if (this.killOnCall === method) {
        this.killOnCall = undefined;
        void this.crash(worker);
      }
    });
  }

  /** Calls waiting for the worker's answer. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Whether a worker is running now (none before the first call and after a death). */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /**
   * Test seam (the stress campaign's contextLens._killEngine): ends the worker thread abruptly, as a crash
   * would, NOT through restart(): what follows is the path a real crash takes ('exit' with a non-zero code).
   * `onCall`: not now, but the moment the next call of that method has been posted (so it is in flight).
   * Returns whether a worker was ended (or armed to be).
   */
  killWorker(onCall?: EngineMethod): boolean {
    if (onCall) {
      this.killOnCall = onCall;
      return true;
    }
    if (!this.worker) return false;
    void this.crash(this.worker);
    return true;
  }

  /** Undoes killWorker(onCall) when no such call came. */
  disarmKill(): void {
    this.killOnCall = undefined;
  }

  private async crash(worker: Worker): Promise<void> {
    this.log('engine worker ended on purpose (a crash, for a test)');
    await worker.terminate();
  }

  /** Ends the worker; a later call starts a fresh one (and the model must be loaded again). */
  async restart(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    const e = new ContextLensError('ENGINE_STOPPED', 'The analysis engine was restarted.');
    this.restarts.add(e);
    this.failAll(e);
    await w?.terminate();
  }

  /** Whether `e` failed a call because restart() was asked for (a settings change), not because the worker died. */
  isRestart(e: unknown): boolean {
    return e instanceof ContextLensError && this.restarts.has(e);
  }

  dispose(): void {
    void this.restart();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerPath, { env: { ...process.env, ...this.workerEnv } });
    this.workersStarted++;
    worker.on('message', (m: WorkerToHost) => this.onMessage(worker, m));
    // An uncaught exception ends the worker thread ('exit' follows): its model and analyses are gone too.
    worker.on('error', (e) => {
      if (this.worker === worker) this.log(`engine worker error: ${e.stack ?? e.message}`);
      this.died(worker, new ContextLensError('ENGINE_STOPPED', `The analysis engine stopped: ${e.message}. ${NEXT_STEP}`, e.stack));
    });
    worker.on('exit', (code) => {
      if (this.worker === worker && code !== 0) this.log(`engine worker exited with code ${code}`);
      this.died(worker, new ContextLensError('ENGINE_STOPPED', `The analysis engine stopped (exit code ${code}). ${NEXT_STEP}`));
    });
    // The worker must not keep VS Code's extension host (or the CLI) alive on its own.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  /**
   * The worker ended: every call waiting on it fails with one and the same error (so the host can tell the
   * user once, not once per call), and the next call starts a new worker. Only the first word of a death
   * counts ('error' is followed by 'exit'; restart() has already let its worker go).
   */
  private died(worker: Worker, e: ContextLensError): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.failAll(e);
    this.abandoned.clear();
    // Told even when no call was waiting: a worker that dies between requests took the model with it too.
    this.onDied?.(e);
  }

  private onMessage(worker: Worker, m: WorkerToHost): void {
    if (m.kind === 'log') {
      this.log(m.line);
      return;
    }
    if (m.kind !== 'progress' && this.abandoned.delete(m.id)) {
      const analysisId = m.kind === 'result' ? (m.value as { analysisId?: unknown } | undefined)?.analysisId : undefined;
      // Nobody waits for this release's reply: it has no pending entry, so onMessage drops it.
      if (typeof analysisId === 'string') worker.postMessage({ kind: 'call', id: this.nextId++, method: 'release', params: { analysisIds: [analysisId] } } satisfies HostToWorker);
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
