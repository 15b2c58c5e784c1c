/**
 * Group commit (ARCHITECTURE 3.3, Badger's writeRequests): commits queue up while a WAL write
 * is in flight; the next write takes every waiting commit at once, so N concurrent synced commits
 * cost far fewer than N fsyncs.
 *
 * Invariants:
 * - Groups are written and applied strictly in enqueue order, which is commit-timestamp order
 *   (timestamps are assigned and enqueued in one synchronous step).
 * - A commit resolves only after its group is written (and synced when asked) and applied to
 *   the memtable; when the write fails, every commit of the group rejects and the host turns
 *   read-only (RELIABILITY D7): no later group is written.
 */

import { toIoError } from '../errors.js';

export interface CommitRequest<T> {
  readonly payload: T;
  readonly commitTs: number;
  readonly sync: boolean;
  resolve(): void;
  reject(error: unknown): void;
}

export interface CommitHost<T> {
  /** waits until the memtable has room (rotating it, or stalling on flush) */
  makeRoom(): Promise<void>;
  /**
   * Writes the group durably (vlog values, one WAL append, a sync if any asked), then inserts it
   * into the memtable and publishes the timestamps in order — both under one lock, so a memtable
   * rotation never separates a commit's WAL record from its memtable.
   */
  writeGroup(group: readonly CommitRequest<T>[]): Promise<void>;
  /** the write path failed: reject what is queued, turn read-only */
  failed(error: unknown, group: readonly CommitRequest<T>[]): void;
}

export class CommitQueue<T> {
  private readonly host: CommitHost<T>;
  private readonly maxGroupBytes: number;
  private readonly sizeOf: (payload: T) => number;
  private queue: CommitRequest<T>[] = [];
  private draining: Promise<void> | undefined;
  private failure: unknown;
  groups = 0;
  commits = 0;

  constructor(host: CommitHost<T>, sizeOf: (payload: T) => number, maxGroupBytes: number) {
    this.host = host;
    this.sizeOf = sizeOf;
    this.maxGroupBytes = maxGroupBytes;
  }

  enqueue(payload: T, commitTs: number, sync: boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.failure !== undefined) {
        reject(this.failure);
        return;
      }
      this.queue.push({ payload, commitTs, sync, resolve, reject });
      this.draining ??= this.drain();
    });
  }

  /** Resolves when everything queued so far is written (or failed). */
  async idle(): Promise<void> {
    while (this.draining !== undefined) await this.draining;
  }

  get pending(): number {
    return this.queue.length;
  }

  private async drain(): Promise<void> {
    // Let the commits issued in this tick join the first group.
    await Promise.resolve();
    try {
      while (this.queue.length > 0 && this.failure === undefined) {
        let group: CommitRequest<T>[] = [];
        try {
          await this.host.makeRoom();
          group = this.takeGroup();
          await this.host.writeGroup(group);
        } catch (raw) {
          const error = toIoError(raw, 'commit failed');
          this.failure = error;
          this.host.failed(error, group);
          for (const request of group) request.reject(error);
          for (const request of this.queue.splice(0)) request.reject(error);
          return;
        }
        this.groups++;
        this.commits += group.length;
        for (const request of group) request.resolve();
      }
    } finally {
      this.draining = undefined;
    }
  }

  private takeGroup(): CommitRequest<T>[] {
    let bytes = 0;
    let count = 0;
    while (count < this.queue.length) {
      bytes += this.sizeOf((this.queue[count] as CommitRequest<T>).payload);
      count++;
      if (bytes >= this.maxGroupBytes) break;
    }
    return this.queue.splice(0, count);
  }
}
