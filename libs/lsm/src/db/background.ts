/**
 * Background work: flushing frozen memtables to L0 and compacting levels, as two cooperative
 * loops on the event loop (flush first: it frees memory that writers wait for). Both loops only
 * await I/O and yield between slices of CPU work, so commits and reads keep flowing.
 *
 * Invariants:
 * - At most one flush and one compaction run at a time; they touch disjoint inputs (a flush adds
 *   an L0 file; a compaction's inputs are fixed when it starts and new L0 files are not among
 *   them).
 * - A background failure is sticky: the engine turns read-only (RELIABILITY D7) and writers that
 *   wait for room are woken with the error.
 */


export interface BackgroundHost {
  hasImmutable(): boolean;
  flushOldest(): Promise<void>;
  /** picks and runs one compaction; false when none is due */
  compactOnce(): Promise<boolean>;
  backgroundFailed(error: unknown): void;
  /** extra periodic work (value-log GC); returns true when it did something */
  idleWork?(): Promise<boolean>;
}

export class Background {
  private readonly host: BackgroundHost;
  private flushing: Promise<void> | undefined;
  private compacting: Promise<void> | undefined;
  private waiters: (() => void)[] = [];
  private stopped = false;
  private failure: unknown;
  private lastCompactLoopWorked = false;
  flushes = 0;
  compactions = 0;

  constructor(host: BackgroundHost) {
    this.host = host;
  }

  /** Starts whatever work is due. Cheap to call often. */
  kick(): void {
    if (this.stopped || this.failure !== undefined) return;
    if (this.flushing === undefined && this.host.hasImmutable()) this.flushing = this.flushLoop();
    if (this.compacting === undefined) this.compacting = this.compactLoop();
  }

  /** Resolves at the next completed flush or compaction (or rejects with the background error). */
  progress(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  get error(): unknown {
    return this.failure;
  }

  /** Waits until no background work is running or due. */
  async idle(): Promise<void> {
    for (;;) {
      this.kick();
      const running = [this.flushing, this.compacting].filter((p) => p !== undefined);
      if (running.length === 0) return;
      await Promise.all(running);
      if (this.failure !== undefined) return;
      // A flush that just finished may have started a fresh compaction loop: wait for it too.
      const started = this.flushing !== undefined || this.compacting !== undefined;
      if (!this.host.hasImmutable() && !this.lastCompactLoopWorked && !started) return;
    }
  }

  /** Waits until every frozen memtable is flushed (compactions may still run). */
  async flushed(): Promise<void> {
    while (this.host.hasImmutable() && this.failure === undefined && !this.stopped) {
      this.kick();
      if (this.flushing !== undefined) await this.flushing;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([this.flushing, this.compacting]);
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private fail(error: unknown): void {
    if (this.failure === undefined) {
      this.failure = error;
      this.host.backgroundFailed(error);
    }
    this.notify();
  }

  private async flushLoop(): Promise<void> {
    // Never finish synchronously: kick() stores this promise after the call returns.
    await null;
    try {
      while (!this.stopped && this.failure === undefined && this.host.hasImmutable()) {
        await this.host.flushOldest();
        this.flushes++;
        this.notify();
        if (this.compacting === undefined && !this.stopped) this.compacting = this.compactLoop();
      }
    } catch (error) {
      this.fail(error);
    } finally {
      this.flushing = undefined;
    }
  }

  private async compactLoop(): Promise<void> {
    await null; // as flushLoop
    this.lastCompactLoopWorked = false;
    try {
      // Yield first: with nothing to do the loop would otherwise finish synchronously, and its
      // `finally` would clear `compacting` before the caller assigns the returned promise to it,
      // leaving a settled promise there forever (no compaction would ever start again).
      await Promise.resolve();
      while (!this.stopped && this.failure === undefined) {
        const worked = await this.host.compactOnce();
        if (!worked) {
          if (this.host.idleWork !== undefined && (await this.host.idleWork())) {
            this.lastCompactLoopWorked = true;
            continue;
          }
          break;
        }
        this.lastCompactLoopWorked = true;
        this.compactions++;
        this.notify();
      }
    } catch (error) {
      this.fail(error);
    } finally {
      this.compacting = undefined;
    }
  }
}
