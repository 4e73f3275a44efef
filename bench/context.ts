/** What every part of the benchmark shares in the main process. */
import type { Options } from './options';
import type { Figure, Summary } from './stats';

export interface BenchContext {
  o: Options;
  /** Every figure so far, in the order of the printed table. */
  figures: Figure[];
  add(f: Figure): void;
  /**
   * This run's own timings that later parts divide by: native analyze by `${dtype}:${tokens}`, the raw
   * forward by `raw-${dtype}:${tokens}`, and the hover by `hover`.
   */
  native: Map<string, Summary>;
}
