/**
 * The KvStore port (ports/kv-store.ts) on the embedded engine, @progress/lsm.
 *
 * - A revision is the engine's commit timestamp: store-wide, strictly increasing, and the
 *   `version` of every key a commit wrote, so `modRevision` comes for free.
 * - `commit(conditions, mutations)` is one serializable update transaction: the conditions are
 *   point reads inside it, so a concurrent commit that changes a condition's key makes this one
 *   CONFLICT; it is then re-evaluated from a fresh snapshot (bounded retries), never half-applied.
 * - Commits are synced (syncWrites) before they resolve: when the CLI says saved, it is on disk.
 * - `watch` delivers commits made after it starts; history before that is not kept
 *   (HistoryCompacted), which is all the event store asks of it.
 * - Limits are the engine's transaction limits, so an import that fits them is one atomic commit.
 */

import { openDb, isLsmError, type Db, type DbOptions } from '@progress/lsm';
import {
  HistoryCompacted, LimitExceeded, StoreClosed, StoreUnavailable,
  type CommitResult, type Condition, type KvEntry, type KvStore, type KvStoreLimits, type Mutation,
  type Revision, type ScanPage, type ScanRequest, type WatchBatch,
} from '../ports/kv-store.js';

export interface LsmKvStoreOptions {
  dir: string;
  /** wait this long for another process's lock (default 5 s) */
  lockTimeoutMs?: number;
  readOnly?: boolean;
  /** engine options beyond the defaults (tests, benchmarks) */
  engine?: Omit<DbOptions, 'dir' | 'lockTimeoutMs' | 'readOnly'>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const COMMIT_RETRIES = 8;
const MAX_PAGE_ENTRIES = 10_000;

export class LsmKvStore implements KvStore {
  readonly db: Db;
  readonly limits: KvStoreLimits;
  private closed = false;

  private constructor(db: Db, limits: KvStoreLimits) {
    this.db = db;
    this.limits = limits;
  }

  static async open(options: LsmKvStoreOptions): Promise<LsmKvStore> {
    const engine = options.engine ?? {};
    const db = await openDb({
      ...engine,
      dir: options.dir,
      lockTimeoutMs: options.lockTimeoutMs ?? 5000,
      ...(options.readOnly === undefined ? {} : { readOnly: options.readOnly }),
    });
    const limits: KvStoreLimits = {
      maxOpsPerCommit: engine.maxTxnEntries ?? 100_000,
      maxCommitBytes: engine.maxTxnBytes ?? 64 * 1024 * 1024,
      maxKeyBytes: engine.maxKeyBytes ?? 65_000,
      maxValueBytes: engine.maxValueBytes ?? 64 * 1024 * 1024,
      maxPageEntries: MAX_PAGE_ENTRIES,
    };
    return new LsmKvStore(db, limits);
  }

  async get(key: string): Promise<KvEntry | undefined> {
    this.checkOpen();
    return this.db.view((txn) => {
      const item = txn.getItem(key);
      return item === undefined ? undefined : { key, value: item.value, modRevision: BigInt(item.version) };
    });
  }

  async scan(request: ScanRequest): Promise<ScanPage> {
    this.checkOpen();
    const limit = Math.min(request.limit ?? this.limits.maxPageEntries, this.limits.maxPageEntries);
    return this.db.view((txn) => {
      const entries: KvEntry[] = [];
      let more = false;
      for (const item of txn.iterate({ start: request.start, end: request.end, reverse: request.reverse === true })) {
        if (entries.length === limit) {
          more = true;
          break;
        }
        entries.push({ key: decoder.decode(item.key), value: item.value, modRevision: BigInt(item.version) });
      }
      return { entries, more };
    });
  }

  async commit(conditions: readonly Condition[], mutations: readonly Mutation[]): Promise<CommitResult> {
    this.checkOpen();
    this.checkLimits(conditions, mutations);
    for (let attempt = 0; ; attempt++) {
      const txn = this.db.newTransaction({ update: true });
      try {
        const failed = conditions.findIndex((condition) => !holds(txn.getItem(condition.key), condition));
        if (failed >= 0) {
          txn.discard();
          return { ok: false, failed };
        }
        for (const mutation of mutations) {
          if (mutation.type === 'put') txn.set(mutation.key, mutation.value);
          else txn.delete(mutation.key);
        }
        const ts = await txn.commit();
        return { ok: true, revision: BigInt(ts === 0 ? this.db.currentTimestamp() : ts) };
      } catch (error) {
        txn.discard();
        if (isLsmError(error, 'CONFLICT') && attempt < COMMIT_RETRIES) {
          await new Promise((resolve) => setTimeout(resolve, Math.min(50, 2 ** attempt)));
          continue;
        }
        throw error;
      }
    }
  }

  async currentRevision(): Promise<Revision> {
    this.checkOpen();
    return BigInt(this.db.currentTimestamp());
  }

  watch(range: { readonly start: string; readonly end: string }, options: { readonly afterRevision: Revision; readonly signal: AbortSignal }): AsyncIterable<WatchBatch> {
    this.checkOpen();
    if (options.afterRevision < BigInt(this.db.currentTimestamp())) {
      throw new HistoryCompacted('the embedded store keeps no change history: watch from the current revision');
    }
    const start = encoder.encode(range.start);
    const end = encoder.encode(range.end);
    const queue: WatchBatch[] = [];
    let wake: (() => void) | undefined;
    const unsubscribe = this.db.subscribe({}, ({ commitTs, changes }) => {
      const inRange = changes.filter((c) => compare(c.key, start) >= 0 && compare(c.key, end) < 0);
      if (inRange.length === 0) return;
      queue.push({ revision: BigInt(commitTs), changes: inRange.map((c) => ({ key: decoder.decode(c.key), value: c.value ?? null })) });
      wake?.();
    });
    options.signal.addEventListener('abort', () => {
      unsubscribe();
      wake?.();
    });
    return {
      async *[Symbol.asyncIterator]() {
        while (!options.signal.aborted) {
          const batch = queue.shift();
          if (batch !== undefined) {
            yield batch;
            continue;
          }
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.close();
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreClosed();
  }

  private checkLimits(conditions: readonly Condition[], mutations: readonly Mutation[]): void {
    if (conditions.length + mutations.length > this.limits.maxOpsPerCommit) {
      throw new LimitExceeded(`${conditions.length + mutations.length} operations exceed ${this.limits.maxOpsPerCommit} per commit`, 'maxOpsPerCommit');
    }
    let bytes = 0;
    for (const { key } of [...conditions, ...mutations]) {
      const keyBytes = encoder.encode(key).length;
      if (keyBytes > this.limits.maxKeyBytes) throw new LimitExceeded(`a key of ${keyBytes} bytes exceeds ${this.limits.maxKeyBytes}`, 'maxKeyBytes');
      if (keyBytes === 0) throw new LimitExceeded('empty key', 'maxKeyBytes');
    }
    for (const mutation of mutations) {
      if (mutation.type !== 'put') continue;
      if (mutation.value.length > this.limits.maxValueBytes) {
        throw new LimitExceeded(`a value of ${mutation.value.length} bytes exceeds ${this.limits.maxValueBytes}`, 'maxValueBytes');
      }
      bytes += mutation.key.length + mutation.value.length;
    }
    if (bytes > this.limits.maxCommitBytes) throw new LimitExceeded(`${bytes} bytes exceed ${this.limits.maxCommitBytes} per commit`, 'maxCommitBytes');
  }
}

function holds(item: { value: Uint8Array; version: number } | undefined, condition: Condition): boolean {
  switch (condition.op) {
    case 'absent':
      return item === undefined;
    case 'present':
      return item !== undefined;
    case 'modRevision':
      // as etcd: an absent key has mod revision 0
      return (item === undefined ? 0n : BigInt(item.version)) === condition.equals;
    case 'value':
      return item !== undefined && compare(item.value, condition.equals) === 0;
  }
}

function compare(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

export { StoreUnavailable };
