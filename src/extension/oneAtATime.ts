/**
 * One piece of work at a time, for the hover (issue 14: 300 hovers moving across a file). A hover the mouse
 * left is cancelled, but a forward already running in onnxruntime cannot be stopped: it runs to the end. If
 * every new position sent its call at once, a quick mouse would pile up forwards that all share the cores and
 * the hover it stops on would wait for all of them. Here a new piece of work waits for the one running (at
 * most one forward), and work cancelled while it waits never starts. No runtime `vscode` import: unit-tested
 * in plain Node.
 */
import { cancelledError } from '../engine/errors';

export class OneAtATime {
  /** Settles when the work started last (or given up while waiting) has ended. */
  private last: Promise<unknown> = Promise.resolve();
  /** Work started, work given up before it started (cancelled while waiting), and work not ended yet. */
  readonly counts = { started: 0, skipped: 0, pending: 0 };

  /**
   * @param maxWaitMs A piece of work that never ends (a worker that hangs) must not hold every later one: after
   * this long the next one starts anyway.
   */
  constructor(private readonly maxWaitMs = 3000) {}

  /** Runs `work` after the work before it ended, unless `signal` aborts first (then rejects with CANCELLED at once). */
  run<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    const turn = this.afterLast().then(() => {
      if (signal.aborted) {
        this.counts.skipped++;
        throw cancelledError();
      }
      this.counts.started++;
      return work();
    });
    this.last = turn.catch(() => undefined);
    this.counts.pending++;
    void this.last.finally(() => this.counts.pending--);
    return abortable(turn, signal);
  }

  private afterLast(): Promise<unknown> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.maxWaitMs)));
    return Promise.race([this.last, late]).finally(() => clearTimeout(timer));
  }
}

/** `p`, or CANCELLED as soon as `signal` aborts (the work itself goes on to its end). */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(cancelledError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(cancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
