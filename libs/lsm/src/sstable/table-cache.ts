/**
 * Bounded cache of open TableReaders keyed by file number, so the number of open file
 * descriptors stays at most `maxOpenTables` (plus tables pinned by live iterators).
 *
 * Point reads stay synchronous: `get()` and `newIterator()` use an open reader, or open one with
 * the synchronous opener (`openFileSync`, e.g. built on `Fs.openReadableSync`). Without a
 * synchronous opener the engine must `await ensureOpen(n)` (or hold an `acquire(n)` lease)
 * before a synchronous read of table n; a miss is then a BugError, never a silent wrong answer.
 *
 * Invariants:
 * - At most `maxOpenTables` readers are in the cache; the least recently used is evicted first
 *   (recency is a use counter per entry: a hit costs one store, not a Map delete and re-insert;
 *   the eviction scan is O(open tables) and runs only when a table is opened at capacity).
 * - A reader evicted while iterators or leases reference it is closed when the last one is
 *   released (reference counting); one not referenced is closed at once.
 * - `evict(n)` (the file became obsolete) also drops its blocks from the BlockCache.
 * - Closing a read-only file cannot lose data; a failed close is counted, not thrown.
 */

import { assert } from '../assert.js';
import { IoError, LsmError } from '../errors.js';
import type { ReadableFile } from '../fs/fs.js';
import type { InternalIterator } from '../iterator/internal-iterator.js';
import { MAX_SEQ } from '../keys/internal-key.js';
import type { BlockCache } from './block-cache.js';
import { type TableGetResult, TableReader } from './table-reader.js';

export const DEFAULT_MAX_OPEN_TABLES = 500;

export interface TableCacheOptions {
  blockCache: BlockCache;
  /** most readers kept open (default 500) */
  maxOpenTables?: number;
  /** opens the file of table `fileNumber` */
  openFile: (fileNumber: number) => Promise<ReadableFile>;
  /** synchronous opener for reads that find the table closed; optional (see above) */
  openFileSync?: (fileNumber: number) => ReadableFile;
}

interface Entry {
  readonly fileNumber: number;
  readonly reader: TableReader;
  refs: number;
  /** value of the cache's use counter at the last use (larger = more recent) */
  lastUse: number;
  /** no longer in the cache map: close when refs drops to 0 */
  evicted: boolean;
}

/** A pinned reader: stays open until `release()` (idempotent). */
export interface TableLease {
  readonly reader: TableReader;
  release(): void;
}

export interface TableCacheStats {
  openTables: number;
  maxOpenTables: number;
  hits: number;
  misses: number;
  failedCloses: number;
}

export class TableCache {
  readonly blockCache: BlockCache;
  readonly maxOpenTables: number;
  private readonly openFile: (fileNumber: number) => Promise<ReadableFile>;
  private readonly openFileSync: ((fileNumber: number) => ReadableFile) | undefined;
  private readonly entries = new Map<number, Entry>();
  private useClock = 0;
  private readonly opening = new Map<number, Promise<Entry>>();
  private readonly closing = new Set<Promise<void>>();
  private hitCount = 0;
  private missCount = 0;
  private failedCloseCount = 0;

  constructor(options: TableCacheOptions) {
    this.blockCache = options.blockCache;
    this.maxOpenTables = options.maxOpenTables ?? DEFAULT_MAX_OPEN_TABLES;
    assert(Number.isInteger(this.maxOpenTables) && this.maxOpenTables >= 1, 'maxOpenTables must be a positive integer');
    this.openFile = options.openFile;
    this.openFileSync = options.openFileSync;
  }

  get openTables(): number {
    return this.entries.size;
  }

  stats(): TableCacheStats {
    return {
      openTables: this.entries.size,
      maxOpenTables: this.maxOpenTables,
      hits: this.hitCount,
      misses: this.missCount,
      failedCloses: this.failedCloseCount,
    };
  }

  isOpen(fileNumber: number): boolean {
    return this.entries.has(fileNumber);
  }

  /** Opens table `fileNumber` if it is not open (asynchronously; no sync opener needed). */
  async ensureOpen(fileNumber: number): Promise<void> {
    await this.entryAsync(fileNumber);
  }

  /** Opens if needed and pins the reader until the lease is released. */
  async acquire(fileNumber: number): Promise<TableLease> {
    const entry = await this.entryAsync(fileNumber);
    return this.lease(entry);
  }

  /** Synchronous acquire (opens with `openFileSync` when needed). */
  acquireSync(fileNumber: number): TableLease {
    return this.lease(this.entrySync(fileNumber));
  }

  /** The table's reader for one synchronous call; do not keep it (use acquire for that). */
  reader(fileNumber: number): TableReader {
    return this.entrySync(fileNumber).reader;
  }

  /** Point lookup in table `fileNumber`: newest version of `userKey` with seq <= `seq`. */
  get(fileNumber: number, userKey: Uint8Array, seq: number = MAX_SEQ): TableGetResult | undefined {
    return this.entrySync(fileNumber).reader.get(userKey, seq);
  }

  /** Iterator over table `fileNumber`; keeps the reader open until the iterator is closed. */
  newIterator(fileNumber: number): InternalIterator {
    const entry = this.entrySync(fileNumber);
    entry.refs++;
    return entry.reader.newIterator(() => this.unref(entry));
  }

  /** Table `fileNumber` is obsolete: forget its reader (closed once unreferenced) and blocks. */
  evict(fileNumber: number): void {
    const entry = this.entries.get(fileNumber);
    if (entry !== undefined) this.drop(entry);
    this.blockCache.evictFile(fileNumber);
  }

  /** Closes every unreferenced reader and waits for pending closes; referenced ones close on release. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.opening.values()]);
    for (const entry of [...this.entries.values()]) this.drop(entry);
    await Promise.all([...this.closing]);
  }

  private lease(entry: Entry): TableLease {
    entry.refs++;
    let released = false;
    return {
      reader: entry.reader,
      release: () => {
        if (released) return;
        released = true;
        this.unref(entry);
      },
    };
  }

  private entrySync(fileNumber: number): Entry {
    const entry = this.entries.get(fileNumber);
    if (entry !== undefined) {
      this.touch(entry);
      return entry;
    }
    this.missCount++;
    assert(
      this.openFileSync !== undefined,
      `table ${fileNumber} is not open: await ensureOpen() first or provide openFileSync`,
    );
    let file: ReadableFile;
    try {
      file = this.openFileSync(fileNumber);
    } catch (error) {
      throw wrapOpenError(fileNumber, error);
    }
    return this.insert(fileNumber, this.openReader(file, fileNumber));
  }

  private async entryAsync(fileNumber: number): Promise<Entry> {
    const entry = this.entries.get(fileNumber);
    if (entry !== undefined) {
      this.touch(entry);
      return entry;
    }
    const pending = this.opening.get(fileNumber);
    if (pending !== undefined) return pending;
    this.missCount++;
    const promise = this.openAsync(fileNumber);
    this.opening.set(fileNumber, promise);
    try {
      return await promise;
    } finally {
      this.opening.delete(fileNumber);
    }
  }

  private async openAsync(fileNumber: number): Promise<Entry> {
    let file: ReadableFile;
    try {
      file = await this.openFile(fileNumber);
    } catch (error) {
      throw wrapOpenError(fileNumber, error);
    }
    const reader = this.openReader(file, fileNumber);
    const raced = this.entries.get(fileNumber); // a synchronous open won the race
    if (raced !== undefined) {
      this.closeReader(reader);
      return raced;
    }
    return this.insert(fileNumber, reader);
  }

  private openReader(file: ReadableFile, fileNumber: number): TableReader {
    try {
      return TableReader.open(file, fileNumber, this.blockCache);
    } catch (error) {
      this.trackClose(file.close());
      throw error;
    }
  }

  private insert(fileNumber: number, reader: TableReader): Entry {
    const entry: Entry = { fileNumber, reader, refs: 0, lastUse: ++this.useClock, evicted: false };
    this.entries.set(fileNumber, entry);
    while (this.entries.size > this.maxOpenTables) {
      let oldest: Entry | undefined;
      for (const candidate of this.entries.values()) {
        if (candidate !== entry && (oldest === undefined || candidate.lastUse < oldest.lastUse)) oldest = candidate;
      }
      assert(oldest !== undefined, 'table cache over capacity with nothing to evict');
      this.drop(oldest);
    }
    return entry;
  }

  private touch(entry: Entry): void {
    this.hitCount++;
    entry.lastUse = ++this.useClock;
  }

  private drop(entry: Entry): void {
    if (entry.evicted) return;
    entry.evicted = true;
    this.entries.delete(entry.fileNumber);
    if (entry.refs === 0) this.closeReader(entry.reader);
  }

  private unref(entry: Entry): void {
    assert(entry.refs > 0, 'table reference released twice');
    entry.refs--;
    if (entry.refs === 0 && entry.evicted) this.closeReader(entry.reader);
  }

  private closeReader(reader: TableReader): void {
    this.trackClose(reader.close());
  }

  private trackClose(closing: Promise<void>): void {
    const tracked = closing.then(
      () => undefined,
      () => {
        this.failedCloseCount++;
      },
    );
    this.closing.add(tracked);
    void tracked.finally(() => this.closing.delete(tracked));
  }
}

function wrapOpenError(fileNumber: number, error: unknown): unknown {
  if (error instanceof LsmError) return error;
  return new IoError(`cannot open table ${fileNumber}`, error);
}
