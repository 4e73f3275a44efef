/**
 * Explore / Add Selection given in quick succession (issue 14: 100 commands in 20 s). Each command's analysis
 * starts at once; an Explore supersedes every command given before it (their work is cancelled: whatever it
 * would show, the Explore replaces); and results land on the map in the order the commands were given, so the
 * map ends as the last Explore and the Adds after it make it, never with a late result of an older command.
 * No runtime `vscode` import: unit-tested in plain Node.
 */
import { isContextLensError } from '../engine/errors';

export type MapCommandMode = 'explore' | 'add';

/** How a command ended: its result on the map, given up for a newer Explore, cancelled by the user, or failed. */
export type MapCommandEnd = 'shown' | 'superseded' | 'cancelled' | 'failed';

export interface MapCommandCounts {
  given: number;
  shown: number;
  superseded: number;
  cancelled: number;
  failed: number;
  /** Of the superseded: those whose analysis had come back already (dropped and released, never shown). */
  dropped: number;
  /** Commands whose analysis (and so its progress notification) has not ended yet. */
  computing: number;
}

export interface MapCommand<T> {
  mode: MapCommandMode;
  /** The analysis; `signal` aborts when a newer Explore supersedes the command. */
  compute(signal: AbortSignal): PromiseLike<T>;
  /** Puts the result on the map (called in the order the commands were given, after every earlier one landed). */
  land(result: T): Promise<void> | void;
  /** A result that will never be shown (superseded after it was computed): free what it holds. */
  drop(result: T): void;
  /** The command failed (not cancelled, not superseded): tell the user. */
  fail(error: unknown): void;
}

export class MapCommandQueue {
  private readonly live = new Set<AbortController>();
  /** Settles once the last command given has landed or given up: the next one lands after it. */
  private landed: Promise<unknown> = Promise.resolve();
  readonly counts: MapCommandCounts = { given: 0, shown: 0, superseded: 0, cancelled: 0, failed: 0, dropped: 0, computing: 0 };

  /** Starts a command now; resolves with how it ended (it never rejects: failures go to `fail`). */
  run<T>(command: MapCommand<T>): Promise<MapCommandEnd> {
    this.counts.given++;
    if (command.mode === 'explore') {
      for (const older of this.live) older.abort();
      this.live.clear();
    }
    const ac = new AbortController();
    this.live.add(ac);
    const before = this.landed;
    const ended = this.settle(command, ac, before).then((end) => {
      this.live.delete(ac);
      this.counts[end]++;
      return end;
    });
    this.landed = ended;
    return ended;
  }

  private async settle<T>(command: MapCommand<T>, ac: AbortController, before: Promise<unknown>): Promise<MapCommandEnd> {
    const computed = await this.compute(command, ac.signal);
    // Later commands land after this one: the order holds even when it ends without a result.
    await before;
    if ('error' in computed) {
      const e = computed.error;
      if (ac.signal.aborted) return 'superseded';
      return isContextLensError(e, 'CANCELLED') ? 'cancelled' : 'failed';
    }
    if (ac.signal.aborted) {
      this.counts.dropped++;
      command.drop(computed.result);
      return 'superseded';
    }
    try {
      await command.land(computed.result);
      return 'shown';
    } catch (e) {
      command.fail(e);
      return 'failed';
    }
  }

  /** The command's analysis; a failure is reported at once (not after the earlier commands land). */
  private async compute<T>(command: MapCommand<T>, signal: AbortSignal): Promise<{ result: T } | { error: unknown }> {
    this.counts.computing++;
    try {
      return { result: await command.compute(signal) };
    } catch (error) {
      if (!signal.aborted && !isContextLensError(error, 'CANCELLED')) command.fail(error);
      return { error };
    } finally {
      this.counts.computing--;
    }
  }
}
