/**
 * Cooperative slicing: the projection's loops check a clock and `await` a macrotask (setImmediate)
 * every ~12 ms, so the thread they run on (the engine worker) stays responsive to messages such as
 * a cancel, and an AbortSignal is honoured at every slice boundary (→ ContextLensError 'CANCELLED').
 */
import { throwIfAborted } from '../errors';

export const SLICE_MS = 12;

const nextMacrotask: () => Promise<void> =
  typeof setImmediate === 'function'
    ? () => new Promise<void>((resolve) => setImmediate(resolve))
    : () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Tracks time since the last yield. Usage in hot loops: `if (s.due()) await s.pause();` */
export class Slicer {
  private last = performance.now();
  constructor(
    private readonly signal?: AbortSignal,
    private readonly sliceMs = SLICE_MS,
    private readonly progress?: () => void,
  ) {
    throwIfAborted(signal);
  }
  due(): boolean {
    return performance.now() - this.last >= this.sliceMs;
  }
  /** performance.now() value at which the current slice should end. */
  deadline(): number {
    return this.last + this.sliceMs;
  }
  /**
   * Runs `chunk(start, deadline) → next` until it returns `end`, yielding between calls. Hot loops
   * live in synchronous chunk functions (V8 optimises them far better than loops inside an async
   * function); a chunk must return once performance.now() passes the deadline.
   */
  async run(start: number, end: number, chunk: (start: number, deadline: number) => number): Promise<void> {
    let i = start;
    while (i < end) {
      if (this.due()) await this.pause();
      i = chunk(i, this.deadline());
    }
  }
  async pause(): Promise<void> {
    this.progress?.();
    await nextMacrotask();
    throwIfAborted(this.signal);
    this.last = performance.now();
  }
}
