/**
 * The public database handle (ARCHITECTURE 3.1): open/close, update/view transactions with
 * conflict retry, manual transactions, write batches, change feed, stats.
 */

import type { Engine } from './db/engine.js';
import { InvalidArgumentError, isLsmError, toIoError } from './errors.js';
import type { Fs } from './fs/fs.js';
import { nodeFs } from './fs/node-fs.js';
import { resolveOptions, type DbOptions } from './options.js';
import { openEngine } from './recovery/open-engine.js';
import { MemFs } from './testing/mem-fs.js';
import { toKeyBytes, type KeyInput } from './txn/inputs.js';
import { Txn, type PendingWrite, type TxnHost, type Item } from './txn/txn.js';
import { UserCursorImpl } from './db/user-cursor.js';
import { WriteBatch } from './db/write-batch.js';
import { collectStats, type DbStats } from './db/stats.js';
import { runValueLogGc, type ValueLogGcOptions, type ValueLogGcResult } from './db/value-log-gc.js';
import {
  backup as backupDb, load as loadBackup, type BackupOptions, type BackupResult, type BackupSource, type BackupTarget,
  type LoadOptions, type LoadResult,
} from './backup/backup.js';
import { verify as verifyEngine, type VerifyReport } from './verify/verify.js';

export interface UpdateOptions {
  /** CONFLICT retries before the error is rethrown (default 5) */
  retries?: number;
  /** per-transaction override of txnTimeoutMs */
  timeoutMs?: number;
}

export interface TransactionOptions {
  update?: boolean;
  timeoutMs?: number;
}

export interface Change {
  key: Uint8Array;
  /** undefined for a delete */
  value: Uint8Array | undefined;
}

const DEFAULT_RETRIES = 5;

export class Db implements AsyncDisposable {
  /** @internal */
  readonly engine: Engine;
  private readonly host: TxnHost;
  private readonly openTxns = new Set<Txn>();
  private closing: Promise<void> | undefined;

  private constructor(engine: Engine) {
    this.engine = engine;
    const { options } = engine;
    this.host = {
      limits: {
        maxKeyBytes: options.maxKeyBytes,
        maxValueBytes: options.maxValueBytes,
        maxTxnEntries: options.maxTxnEntries,
        maxTxnBytes: options.maxTxnBytes,
        txnTimeoutMs: options.txnTimeoutMs,
        nowMs: options.nowMs,
      },
      oracle: engine.oracle,
      checkOpen: (write) => engine.checkOpen(write),
      readAt: (key, readTs) => engine.readItem(key, readTs),
      cursorAt: (readTs, lower, upper, reverse, keysOnly) => new UserCursorImpl(engine, readTs, lower, upper, reverse, keysOnly),
      commitWrites: (writes, commitTs) => engine.commit(writes, commitTs),
      onTxnEnd: (txn) => {
        this.openTxns.delete(txn);
        engine.snapshotReleased();
      },
      countTimeout: () => engine.stats.txnTimeouts++,
      countIteratorClosedForCaller: () => engine.stats.iteratorsClosedForCaller++,
    };
  }

  /** Opens (creating when missing) the database in `options.dir`. */
  static async open(options: DbOptions): Promise<Db> {
    const resolved = resolveOptions(options);
    const fs: Fs = options.fs ?? (resolved.inMemory ? new MemFs() : nodeFs);
    return new Db(await openEngine(resolved, fs));
  }

  /** Runs `fn` in a read-write transaction and commits it; retries CONFLICT with jittered backoff. */
  async update<T>(fn: (txn: Txn) => T | Promise<T>, options: UpdateOptions = {}): Promise<T> {
    const retries = options.retries ?? DEFAULT_RETRIES;
    if (!Number.isInteger(retries) || retries < 0) throw new InvalidArgumentError('retries must be a non-negative integer');
    for (let attempt = 0; ; attempt++) {
      const txn = this.newTransaction({ update: true, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) });
      try {
        const result = await fn(txn);
        await txn.commit();
        return result;
      } catch (error) {
        txn.discard();
        if (!isLsmError(error, 'CONFLICT') || attempt >= retries) throw error;
        await backoff(attempt, this.engine.nextSeed());
      }
    }
  }

  /** Runs `fn` in a read-only snapshot. */
  async view<T>(fn: (txn: Txn) => T | Promise<T>): Promise<T> {
    const txn = this.newTransaction({ update: false });
    try {
      return await fn(txn);
    } finally {
      txn.discard();
    }
  }

  /** A transaction you commit() or discard() yourself (`using` / `await using` work too). */
  newTransaction(options: TransactionOptions = {}): Txn {
    this.engine.checkOpen(options.update === true);
    const txn = new Txn(this.host, options.update === true, options.timeoutMs);
    this.openTxns.add(txn);
    return txn;
  }

  /** A batch for bulk loading: no conflict tracking; see README "WriteBatch" for atomicity. */
  newWriteBatch(): WriteBatch {
    this.engine.checkOpen(true);
    return new WriteBatch(this.engine, this.host.limits);
  }

  /** Shorthands: one-key transactions. */
  async get(key: KeyInput): Promise<Uint8Array | undefined> {
    return this.view((txn) => txn.tryGet(key));
  }

  async set(key: KeyInput, value: Uint8Array | string): Promise<void> {
    await this.update((txn) => txn.set(key, value));
  }

  async delete(key: KeyInput): Promise<void> {
    await this.update((txn) => txn.delete(key));
  }

  /**
   * Calls `onChanges` with each committed write under one of `prefixes` (all keys when empty), in
   * commit order, after it is durable. Returns the unsubscribe function.
   */
  subscribe(options: { prefixes?: KeyInput[] }, onChanges: (changes: { commitTs: number; changes: Change[] }) => void): () => void {
    this.engine.checkOpen(false);
    const prefixes = (options.prefixes ?? []).map(toKeyBytes);
    return this.engine.subscribe({
      prefixes,
      onChanges: ({ commitTs, writes }) => onChanges({ commitTs, changes: writes.map(toChange) }),
    });
  }

  /** The newest commit timestamp visible to a new transaction (a store-wide revision). */
  currentTimestamp(): number {
    this.engine.checkOpen(false);
    return this.engine.oracle.readTs();
  }

  stats(): DbStats {
    this.engine.checkOpen(false);
    return collectStats(this.engine);
  }

  /** Waits until background flushes and compactions are done (tests, tools). */
  async waitForCompactions(): Promise<void> {
    this.engine.checkOpen(false);
    await ioBoundary('waiting for compactions failed', async () => {
      await this.engine.commits.idle();
      await this.engine.background.idle();
    });
  }

  /**
   * Rewrites the live values of value-log files at least `discardRatio` garbage and retires the
   * files once no reader needs them. Also runs in the background (option autoValueLogGc).
   */
  async runValueLogGC(options: ValueLogGcOptions = {}): Promise<ValueLogGcResult> {
    this.engine.checkOpen(true);
    return this.maintenance('value-log GC failed', () => runValueLogGc(this.engine, options));
  }

  /** Compacts every level into the next, down to the bottom level: reclaims all dead space. */
  async flatten(): Promise<void> {
    await this.flush();
    await this.maintenance('flatten failed', () => this.engine.flatten());
  }

  /**
   * Deletes every key that starts with `prefix` in one transaction, so readers see all of them or
   * none. A prefix with more keys than fit one transaction (maxTxnEntries / maxTxnBytes) is
   * deleted in several commits: readers may then see part of the drop. Returns the keys deleted.
   */
  async dropPrefix(prefix: KeyInput): Promise<number> {
    this.engine.checkOpen(true);
    const bytes = toKeyBytes(prefix);
    let total = 0;
    for (;;) {
      const deleted = await this.update((txn) => {
        let count = 0;
        for (const item of txn.iterate({ ...(bytes.length > 0 ? { prefix: bytes } : {}), keysOnly: true })) {
          if (count >= this.engine.options.maxTxnEntries - 1) break;
          txn.delete(item.key);
          count++;
        }
        return count;
      });
      total += deleted;
      if (deleted < this.engine.options.maxTxnEntries - 1) return total;
    }
  }

  /** Deletes every key (dropPrefix of the empty prefix), then flattens to reclaim the space. */
  async dropAll(): Promise<number> {
    const count = await this.dropPrefix(new Uint8Array(0));
    await this.flatten();
    return count;
  }

  /** Freezes the memtable and flushes it to L0 now. */
  async flush(): Promise<void> {
    this.engine.checkOpen(true);
    await this.maintenance('flush failed', async () => {
      await this.engine.commits.idle();
      await this.engine.rotateMemtable();
      await this.engine.background.idle();
    });
  }

  /**
   * Runs a maintenance write (flush, flatten, value-log GC): an I/O error in it turns the store
   * read-only until reopened, as a failed commit does (RELIABILITY D7; regression:
   * io-errors.rel.test.ts found commits accepted, and a failed WAL written again, after a failed
   * flush or compaction).
   */
  private async maintenance<T>(message: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const typed = toIoError(error, message);
      if (isLsmError(typed, 'IO_ERROR')) this.engine.fail(typed);
      throw typed;
    }
  }

  get isClosed(): boolean {
    return this.engine.isClosed;
  }

  /** Syncs the WAL (a small memtable stays in it for the next open; a big one is flushed), stops background work and releases the lock. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const txn of [...this.openTxns]) txn.discard();
      await ioBoundary('close failed', () => this.engine.close());
    })();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * Writes a backup of one consistent snapshot to `writable` (a Node writable or a WritableStream;
   * it is not ended). With `since` (a previous backup's `until`) only what changed after it,
   * deletions included as docs/backup.md "Deletions" states. Resolves to `until`, the `since` of
   * the next incremental backup, and the record count. Format: docs/backup.md.
   */
  async backup(writable: BackupTarget, options: BackupOptions = {}): Promise<BackupResult> {
    return backupDb(this, writable, options);
  }

  /**
   * Loads a backup stream: verifies all of it first (a truncated or corrupted stream throws
   * CORRUPTION and loads nothing), then applies its records with new commit timestamps. Apply a
   * full backup, then its incremental backups in order.
   */
  async load(readable: BackupSource, options: LoadOptions = {}): Promise<LoadResult> {
    return loadBackup(this, readable, options);
  }

  /** Checks every table block, value pointer, vlog entry, WAL and the MANIFEST; never throws on corruption found. */
  async verify(): Promise<VerifyReport> {
    return verifyEngine(this.engine);
  }
}

/** Public calls reject with IoError, never a raw errno error (RELIABILITY T6). */
async function ioBoundary<T>(message: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toIoError(error, message);
  }
}

export function openDb(options: DbOptions): Promise<Db> {
  return Db.open(options);
}

function toChange(write: PendingWrite): Change {
  return { key: write.key, value: write.kind === 1 ? write.value : undefined };
}

function backoff(attempt: number, random: number): Promise<void> {
  const baseMs = Math.min(100, 2 ** attempt);
  const jitterMs = (random % 1000) / 1000 * baseMs;
  return new Promise((resolve) => setTimeout(resolve, baseMs / 2 + jitterMs));
}

export type { Item };
