/**
 * The engine: wires the WAL, memtables, value log, version set, caches, oracle, commit queue and
 * background work together. It holds no byte-level code (that lives in the *-format modules).
 *
 * Write path (DESIGN.md "Write path"): Txn.commit → oracle.tryCommit (conflict check + commit
 * timestamp, one synchronous step) → CommitQueue (group commit) → makeRoom (rotate a full
 * memtable; stall on flush/L0 depth, never fail) → large values appended to the vlog and synced →
 * one WAL append for the group → fsync when syncWrites → memtable insert → oracle.markApplied →
 * subscribers → the commit's promise resolves.
 *
 * Invariants:
 * - `mem` is the only mutable memtable; `imm` holds frozen ones oldest first; each memtable's
 *   writes are in exactly one WAL (`walNumber`), deleted only once the memtable is in an SST named
 *   by a durable MANIFEST edit (logNumber moved past it) (RELIABILITY D4).
 * - After any failed write, sync or background job the engine is read-only until reopened
 *   (D7); reads keep working.
 */

import { assert } from '../assert.js';
import { CompactionPicker, type Compaction } from '../compaction/picker.js';
import { writeTables, type TableWriterContext } from '../compaction/table-writer.js';
import { DbClosedError, IoError, LsmError, ReadOnlyError } from '../errors.js';
import { joinPath, type Fs } from '../fs/fs.js';
import { walFileName } from '../fs/filenames.js';
import type { LockHandle } from '../fs/lock.js';
import { Kind } from '../keys/internal-key.js';
import { encodeStoredValue, encodeValuePointer } from '../keys/value-format.js';
import { MergingIterator } from '../iterator/merging-iterator.js';
import type { InternalIterator } from '../iterator/internal-iterator.js';
import { Memtable } from '../memtable/memtable.js';
import type { Version } from '../manifest/version.js';
import type { VersionSet } from '../manifest/version-set.js';
import type { VersionEdit } from '../manifest/version-edit.js';
import type { ResolvedOptions } from '../options.js';
import { RecordWriter } from '../record/record-writer.js';
import type { BlockCache } from '../sstable/block-cache.js';
import type { TableCache } from '../sstable/table-cache.js';
import { Oracle } from '../txn/oracle.js';
import type { Item, PendingWrite } from '../txn/txn.js';
import { encodeWriteBatch, type BatchEntry } from '../batch/write-batch-format.js';
import { Background } from './background.js';
import { CommitQueue, type CommitRequest } from './commit-queue.js';
import { deleteObsoleteFiles } from './obsolete-files.js';
import { findVersion, toItem, type ReadSources } from './read-path.js';
import type { ValueLog } from './value-log.js';
import { CLOSE_KEEP_WAL_BYTES, encodeCloseMarker } from '../wal/close-marker.js';
import { EngineStats } from './engine-stats.js';
import { Mutex } from './mutex.js';
import { gcCandidates, runValueLogGc } from './value-log-gc.js';
import { describe, memtablePoolBytes, newLevelIterator, rewriteApplies, startsWith, TimeSlice, toBatchEntry } from './engine-helpers.js';

export { memtablePoolBytes, rewriteApplies, TimeSlice } from './engine-helpers.js';
export interface CommitPayload {
  writes: PendingWrite[];
  bytes: number;
}

export interface ChangeListener {
  prefixes: Uint8Array[];
  onChanges: (changes: { commitTs: number; writes: PendingWrite[] }) => void;
}

export interface EngineParts {
  options: ResolvedOptions;
  fs: Fs;
  dir: string;
  lock: LockHandle | undefined;
  versions: VersionSet;
  blockCache: BlockCache;
  tables: TableCache;
  valueLog: ValueLog;
  mem: Memtable;
  wal: RecordWriter | undefined;
  /** `mem` recovered and kept active: its highest commit ts (versions.lastSeq stays the flushed frontier) */
  recoveredCommitTs?: number;
  recoveredVlogBytes?: number;
}

const GROUP_BYTES_MAX = 4 * 1024 * 1024;
const SLICE_MS = 4;

export class Engine {
  readonly options: ResolvedOptions;
  readonly fs: Fs;
  readonly dir: string;
  readonly versions: VersionSet;
  readonly blockCache: BlockCache;
  readonly tables: TableCache;
  readonly valueLog: ValueLog;
  readonly oracle: Oracle;
  readonly stats = new EngineStats();
  readonly background: Background;
  readonly commits: CommitQueue<CommitPayload>;
  private readonly picker: CompactionPicker;
  private readonly lock: LockHandle | undefined;
  private readonly listeners = new Set<ChangeListener>();
  /** versions pinned by open iterators and running compactions */
  private readonly pinned = new Map<Version, number>();
  private readonly compactionMutex = new Mutex();
  /** held while the WAL is written or swapped (group writes, memtable rotation) */
  private readonly walMutex = new Mutex();
  /** the newest commit timestamp applied to each memtable */
  private readonly memCommitTs = new WeakMap<Memtable, number>();
  /** vlog bytes each memtable points at (a WAL replay checks them) */
  private readonly memVlogBytes = new WeakMap<Memtable, number>();
  /** vlog files GC emptied, retired once every snapshot older than `afterTs` has ended */
  private readonly retiring: { fileNumber: number; afterTs: number }[] = [];
  /** table numbers being written: never treated as obsolete */
  private readonly pendingOutputs = new Set<number>();
  mem: Memtable;
  imm: Memtable[] = [];
  private wal: RecordWriter | undefined;
  private failure: unknown;
  private closed = false;
  private seed: number;

  constructor(parts: EngineParts) {
    this.options = parts.options;
    this.fs = parts.fs;
    this.dir = parts.dir;
    this.lock = parts.lock;
    this.versions = parts.versions;
    this.blockCache = parts.blockCache;
    this.tables = parts.tables;
    this.valueLog = parts.valueLog;
    this.mem = parts.mem;
    this.wal = parts.wal;
    this.seed = parts.options.seed;
    this.oracle = new Oracle(Math.max(parts.versions.lastSeq, parts.recoveredCommitTs ?? 0));
    if (parts.recoveredCommitTs !== undefined) this.memCommitTs.set(parts.mem, parts.recoveredCommitTs);
    if (parts.recoveredVlogBytes !== undefined) this.memVlogBytes.set(parts.mem, parts.recoveredVlogBytes);
    this.picker = new CompactionPicker(parts.options);
    this.commits = new CommitQueue<CommitPayload>(
      {
        makeRoom: () => this.makeRoom(),
        writeGroup: (group) => this.writeGroup(group),
        failed: (error) => this.fail(error),
      },
      (payload) => payload.bytes,
      GROUP_BYTES_MAX,
    );
    this.background = new Background({
      hasImmutable: () => this.imm.length > 0,
      flushOldest: () => this.flushOldest(),
      compactOnce: () => this.compactOnce(),
      idleWork: () => this.autoValueLogGc(),
      backgroundFailed: (error) => this.fail(error),
    });
  }

  get readOnly(): boolean {
    return this.options.readOnly || this.failure !== undefined;
  }

  get failedWith(): unknown {
    return this.failure;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  nextSeed(): number {
    this.seed = (Math.imul(this.seed ^ 0x9e3779b9, 0x85ebca6b) + 1) >>> 0;
    return this.seed;
  }

  checkOpen(write: boolean): void {
    if (this.closed) throw new DbClosedError();
    if (!write) return;
    if (this.options.readOnly) throw new ReadOnlyError('database was opened read-only');
    if (this.failure !== undefined) {
      throw new ReadOnlyError(`database is read-only after an earlier failure: ${describe(this.failure)}; reopen it`);
    }
  }

  // ---- reads ----------------------------------------------------------------------------------

  readSources(): ReadSources {
    return { mem: this.mem, imm: this.imm, version: this.versions.current, tables: this.tables };
  }

  findVersion(key: Uint8Array, readTs: number): ReturnType<typeof findVersion> {
    return findVersion(this.readSources(), key, readTs);
  }

  /** The caller's view of `key` at `readTs`: undefined when absent, deleted or expired. */
  readItem(key: Uint8Array, readTs: number): Item | undefined {
    const hit = this.findVersion(key, readTs);
    if (hit === undefined) return undefined;
    return toItem(key, hit.seq, hit.kind, hit.value, this.options.nowMs(), (p) => this.valueLog.read(p), false, hit);
  }

  /** Every source as internal iterators, newest first; pins the version until `release`. */
  internalIterators(): { iterators: InternalIterator[]; release: () => void } {
    const version = this.versions.current;
    this.pin(version);
    const iterators: InternalIterator[] = [this.mem.newIterator()];
    for (let i = this.imm.length - 1; i >= 0; i--) iterators.push((this.imm[i] as Memtable).newIterator());
    for (const file of version.files(0)) iterators.push(this.tables.newIterator(file.number));
    for (let level = 1; level < version.numLevels; level++) {
      if (version.files(level).length > 0) iterators.push(this.levelIterator(version, level));
    }
    let released = false;
    return {
      iterators,
      release: () => {
        if (released) return;
        released = true;
        this.unpin(version);
      },
    };
  }

  private levelIterator(version: Version, level: number): InternalIterator {
    return newLevelIterator(version.files(level), (index) => {
      const file = version.files(level)[index];
      assert(file !== undefined, 'level iterator index in range');
      return this.tables.newIterator(file.number);
    });
  }

  // ---- writes ---------------------------------------------------------------------------------

  /** Enqueues a commit whose timestamp the oracle has assigned. */
  commit(writes: PendingWrite[], commitTs: number): Promise<void> {
    let bytes = 0;
    for (const write of writes) bytes += write.key.length + write.value.length + 16;
    this.stats.userBytesWritten += bytes;
    return this.commits.enqueue({ writes, bytes }, commitTs, this.options.syncWrites);
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async makeRoom(): Promise<void> {
    for (;;) {
      if (this.failure !== undefined) throw this.failure;
      const l0 = this.versions.current.files(0).length;
      if (l0 >= this.options.l0StopTrigger) {
        this.stats.writeStalls++;
        this.background.kick();
        await this.background.progress();
        continue;
      }
      if (this.mem.approximateBytes < this.options.memTableBytes) break;
      if (this.imm.length >= this.options.maxImmutableMemtables) {
        this.stats.writeStalls++;
        this.background.kick();
        await this.background.progress();
        continue;
      }
      await this.rotateMemtable();
      break;
    }
    if (this.versions.current.files(0).length >= this.options.l0SlowdownTrigger) {
      this.stats.writeSlowdowns++;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  /** Freezes the memtable and starts a new one with its own WAL. */
  rotateMemtable(): Promise<void> {
    return this.walMutex.run(() => this.rotateMemtableLocked());
  }

  private async rotateMemtableLocked(): Promise<void> {
    if (this.mem.isEmpty) return;
    const wal = this.wal;
    assert(wal !== undefined, 'a writable engine has a WAL');
    // Sync the old WAL so that, without syncWrites, a crash still loses only a suffix.
    await wal.sync();
    const walNumber = this.versions.newFileNumber();
    const file = await this.fs.openWritable(joinPath(this.dir, walFileName(walNumber)), { truncate: true });
    const next = await RecordWriter.create(file, 'WAL');
    await next.sync();
    await this.fs.syncDir(this.dir);
    this.mem.freeze();
    this.imm.push(this.mem);
    this.mem = new Memtable({ walNumber, seed: this.nextSeed(), initialBytes: memtablePoolBytes(this.options) });
    this.wal = next;
    await wal.close();
    this.background.kick();
  }

  private writeGroup(group: readonly CommitRequest<CommitPayload>[]): Promise<void> {
    return this.walMutex.run(() => this.writeGroupLocked(group));
  }

  private async writeGroupLocked(group: readonly CommitRequest<CommitPayload>[]): Promise<void> {
    const wal = this.wal;
    assert(wal !== undefined, 'a writable engine has a WAL');
    const slice = new TimeSlice(SLICE_MS);
    const large: { key: Uint8Array; value: Uint8Array; write: PendingWrite }[] = [];
    for (const request of group) {
      for (const write of request.payload.writes) {
        if (write.kind === Kind.VALUE && write.value.length >= this.options.valueThresholdBytes) {
          large.push({ key: write.key, value: write.value, write });
        }
      }
    }
    const pointers = large.length === 0 ? [] : await this.valueLog.append(large);
    for (const pointer of pointers) this.memVlogBytes.set(this.mem, (this.memVlogBytes.get(this.mem) ?? 0) + pointer.length);
    slice.restart();
    this.stats.vlogBytesWritten = this.valueLog.bytesWritten;
    const stored = new Map<PendingWrite, BatchEntry>();
    large.forEach((entry, i) => {
      const pointer = pointers[i];
      assert(pointer !== undefined, 'one pointer per large value');
      const { write } = entry;
      stored.set(write, {
        kind: Kind.VALUE_POINTER,
        key: write.key,
        value: encodeStoredValue(encodeValuePointer(pointer), write.expiresAt, write.userMeta),
        ...(write.seq === undefined ? {} : { seq: write.seq }),
      });
    });
    const records: Uint8Array[] = [];
    let sync = false;
    for (const request of group) {
      sync ||= request.sync;
      const entries = request.payload.writes.map((write) => stored.get(write) ?? toBatchEntry(write));
      (request as CommitRequest<CommitPayload> & { entries?: BatchEntry[] }).entries = entries;
      records.push(encodeWriteBatch(request.commitTs, entries));
      await slice.maybeYield();
    }
    await wal.addRecords(records);
    if (sync) {
      await wal.sync();
      this.stats.walSyncs++;
    }
    let walBytes = 0;
    for (const record of records) walBytes += record.length;
    this.stats.walBytesWritten += walBytes;
    slice.restart();
    await this.applyGroup(group, slice);
  }

  /**
   * Inserts the group's entries into the memtable and makes each commit visible in order, yielding
   * between slices of work: entries of a commit not yet marked applied have seqs above every read
   * timestamp (no reader sees half a commit), and the WAL mutex keeps rotation out.
   */
  private async applyGroup(group: readonly CommitRequest<CommitPayload>[], slice: TimeSlice): Promise<void> {
    for (const request of group) {
      const entries = (request as CommitRequest<CommitPayload> & { entries?: BatchEntry[] }).entries;
      assert(entries !== undefined, 'entries encoded before apply');
      const mem = this.mem;
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i] as BatchEntry;
        const seq = entry.seq ?? request.commitTs;
        if (rewriteApplies(this.readSources(), entry.key, seq, request.commitTs)) mem.add(entry.key, seq, entry.kind, entry.value);
        if ((i & 255) === 255) await slice.maybeYield();
      }
      assert(mem === this.mem, 'no memtable rotation while a group is applied');
      this.memCommitTs.set(this.mem, request.commitTs);
      this.oracle.markApplied(request.commitTs);
      this.notify(request.commitTs, request.payload.writes);
      await slice.maybeYield();
    }
    this.stats.commitGroups++;
    this.stats.commits += group.length;
  }

  private notify(commitTs: number, writes: PendingWrite[]): void {
    for (const listener of this.listeners) {
      // Value-log GC rewrites (seq set) change no value: subscribers never see them.
      const matching = writes.filter(
        (w) => w.seq === undefined && (listener.prefixes.length === 0 || listener.prefixes.some((p) => startsWith(w.key, p))),
      );
      if (matching.length === 0) continue;
      try {
        listener.onChanges({ commitTs, writes: matching });
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  fail(error: unknown): void {
    if (this.failure === undefined) this.failure = error instanceof LsmError ? error : new IoError(`write path failed: ${describe(error)}`, error);
  }

  // ---- background -----------------------------------------------------------------------------

  private writerContext(bottommost: boolean, targetFileBytes: number): TableWriterContext {
    return {
      fs: this.fs,
      dir: this.dir,
      newFileNumber: () => this.versions.newFileNumber(),
      onFileCreated: (number) => this.pendingOutputs.add(number),
      targetFileBytes,
      builderOptions: {
        blockBytes: this.options.blockBytes,
        bloomBitsPerKey: this.options.bloomBitsPerKey,
        createdAtMs: this.options.nowMs(),
      },
      oldestSnapshotTs: this.oracle.oldestSnapshotTs(),
      numVersionsToKeep: this.options.numVersionsToKeep,
      bottommost,
      keepDeadAfterTs: this.versions.keepDeadAfterTs ?? Number.MAX_SAFE_INTEGER,
      nowMs: this.options.nowMs(),
      sliceMs: SLICE_MS,
    };
  }

  private async flushOldest(): Promise<void> {
    const memtable = this.imm[0];
    assert(memtable !== undefined && memtable.isFrozen, 'flush takes a frozen memtable');
    const ctx = this.writerContext(false, Number.MAX_SAFE_INTEGER);
    const iterator = memtable.newIterator();
    let result;
    try {
      result = await writeTables(ctx, iterator);
    } finally {
      iterator.close();
    }
    for (const file of result.files) await this.tables.ensureOpen(file.number);
    // D2: the new tables' directory entries are durable before the edit that names them.
    await this.fs.syncDir(this.dir);
    const nextWal = this.imm[1]?.walNumber ?? this.mem.walNumber;
    const edit: VersionEdit = {
      logNumber: nextWal,
      // the flushed frontier: every commit applied to this memtable (GC rewrites carry older seqs)
      lastSeq: Math.max(this.versions.lastSeq, memtable.maxSeq, this.memCommitTs.get(memtable) ?? 0),
      newFiles: result.files.map((file) => ({ level: 0, file })),
      discard: [...result.discard].map(([fileNumber, bytes]) => ({ fileNumber, bytes })),
    };
    await this.versions.logAndApply(edit);
    for (const file of result.files) this.pendingOutputs.delete(file.number);
    this.imm.shift();
    this.stats.flushBytesWritten += result.bytesWritten;
    await this.cleanup();
  }

  /** Serializes compactions: background and manual ones pick their inputs under this lock. */
  withCompactionLock<T>(run: () => Promise<T>): Promise<T> {
    return this.compactionMutex.run(run);
  }

  private compactOnce(): Promise<boolean> {
    return this.withCompactionLock(async () => {
      if (this.options.readOnly || this.closed) return false;
      // dead entries newer than the backup watermark stay: a purge rewrite could not drop them
      const horizon = Math.min(this.oracle.oldestSnapshotTs(), this.versions.keepDeadAfterTs ?? Number.MAX_SAFE_INTEGER);
      const compaction = this.picker.pick(this.versions.current, horizon, new Set());
      if (compaction === undefined) return false;
      await this.runCompaction(compaction);
      return true;
    });
  }

  /** Compacts every level into the one below it, down to the bottom (db.flatten). */
  async flatten(): Promise<void> {
    for (let level = 0; level < this.options.numLevels - 1; level++) {
      await this.withCompactionLock(async () => {
        const compaction = this.picker.pickManual(this.versions.current, level);
        if (compaction !== undefined) await this.runCompaction(compaction);
      });
    }
    // The bottom level in place, when it still holds dead entries (e.g. tombstones a backup
    // watermark kept, or shadowed versions a snapshot needed): flatten reclaims all dead space.
    await this.withCompactionLock(async () => {
      const bottom = this.options.numLevels - 1;
      if (!this.versions.current.files(bottom).some((file) => file.deletions > 0)) return;
      const compaction = this.picker.pickManual(this.versions.current, bottom);
      if (compaction !== undefined) await this.runCompaction(compaction);
    });
  }

  /** Background GC: one file at a time, when a file is at least half garbage. */
  private async autoValueLogGc(): Promise<boolean> {
    if (!this.options.autoValueLogGc || this.readOnly || this.closed) return false;
    if (gcCandidates(this, 0.5).length === 0) return false;
    const result = await runValueLogGc(this, { discardRatio: 0.5, maxFiles: 1 });
    return result.filesRewritten.length > 0;
  }

  private async runCompaction(compaction: Compaction): Promise<void> {
    const deleted = [
      ...compaction.inputs.map((file) => ({ level: compaction.level, fileNumber: file.number })),
      ...compaction.outputInputs.map((file) => ({ level: compaction.outputLevel, fileNumber: file.number })),
    ];
    if (compaction.trivialMove) {
      const file = compaction.inputs[0];
      assert(file !== undefined, 'a move has one input');
      await this.versions.logAndApply({ deletedFiles: deleted, newFiles: [{ level: compaction.outputLevel, file }] });
      this.stats.trivialMoves++;
      this.stats.compactionsByReason[`${compaction.reason} (move)`] = (this.stats.compactionsByReason[`${compaction.reason} (move)`] ?? 0) + 1;
      return;
    }
    const version = this.versions.current;
    this.pin(version);
    const iterators = [...compaction.inputs, ...compaction.outputInputs].map((file) => this.tables.newIterator(file.number));
    const merged = new MergingIterator(iterators);
    let result;
    try {
      const target = this.options.baseTableBytes;
      result = await writeTables(this.writerContext(compaction.bottommost, target), merged);
    } finally {
      merged.close();
      this.unpin(version);
    }
    for (const file of result.files) await this.tables.ensureOpen(file.number);
    await this.fs.syncDir(this.dir);
    await this.versions.logAndApply({
      deletedFiles: deleted,
      newFiles: result.files.map((file) => ({ level: compaction.outputLevel, file })),
      discard: [...result.discard].map(([fileNumber, bytes]) => ({ fileNumber, bytes })),
      ...(result.deadPurgedToTs > 0 ? { deadPurgedToTs: result.deadPurgedToTs } : {}),
    });
    for (const file of result.files) this.pendingOutputs.delete(file.number);
    this.stats.compactionBytesWritten += result.bytesWritten;
    this.stats.compactionBytesRead += [...compaction.inputs, ...compaction.outputInputs].reduce((n, f) => n + f.fileBytes, 0);
    this.stats.compactionsByReason[compaction.reason] = (this.stats.compactionsByReason[compaction.reason] ?? 0) + 1;
    await this.cleanup();
  }

  pin(version: Version): void {
    this.pinned.set(version, (this.pinned.get(version) ?? 0) + 1);
  }

  unpin(version: Version): void {
    const count = this.pinned.get(version);
    assert(count !== undefined, 'unpin of a pinned version');
    if (count === 1) {
      this.pinned.delete(version);
      if (version !== this.versions.current && !this.closed) void this.cleanup().catch((error: unknown) => this.fail(error));
    } else this.pinned.set(version, count - 1);
  }

  /** A snapshot ended: vlog files waiting for it may be retired now. */
  snapshotReleased(): void {
    if (this.retiring.length === 0 || this.closed || this.readOnly) return;
    void this.cleanup().catch((error: unknown) => this.fail(error));
  }

  /** GC already emptied this file; it only waits to be retired. */
  isRetiring(fileNumber: number): boolean {
    return this.retiring.some((r) => r.fileNumber === fileNumber);
  }

  retireVlogAfter(fileNumber: number, afterTs: number): void {
    this.retiring.push({ fileNumber, afterTs });
  }

  /** Publishes the removal of vlog files no snapshot can still read. */
  private async retireVlogs(): Promise<void> {
    const oldest = this.oracle.oldestSnapshotTs();
    // Besides readers, the WALs: a WAL not yet flushed may hold pointers into the file, and
    // replay checks every pointer. versions.lastSeq is the flushed frontier (set by flushes).
    const flushed = this.versions.lastSeq;
    const ready = this.retiring.filter((r) => oldest >= r.afterTs && flushed >= r.afterTs);
    if (ready.length === 0) return;
    for (const r of ready) this.retiring.splice(this.retiring.indexOf(r), 1);
    await this.versions.logAndApply({ vlogDeleted: ready.map((r) => r.fileNumber) });
    for (const r of ready) await this.valueLog.retire(r.fileNumber);
  }

  /** Deletes files no live version, WAL or write in progress needs (after durable edits only). */
  async cleanup(atOpen = false): Promise<void> {
    if (this.options.readOnly) return;
    await this.retireVlogs();
    // Taken before the live set: a table created while this pass lists and unlinks (a flush or
    // compaction output, not yet in any version) is numbered at or above it and is kept.
    const newFilesFrom = this.versions.nextFileNumber;
    const live = new Set<number>();
    for (const version of [this.versions.current, ...this.pinned.keys()]) {
      for (const file of version.allFiles()) live.add(file.number);
    }
    for (const number of this.pendingOutputs) live.add(number);
    const liveWals = new Set<number>([this.mem.walNumber, ...this.imm.map((m) => m.walNumber)]);
    const removed = await deleteObsoleteFiles(this.fs, this.dir, {
      liveTables: live,
      newFilesFrom,
      liveWals,
      logNumber: this.versions.logNumber,
      manifestNumber: this.versions.manifestFileNumber,
      liveVlogs: this.valueLog.liveFileNumbers(),
      deleteTemp: atOpen,
    });
    for (const number of removed.tables) this.tables.evict(number);
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  /**
   * Without an earlier failure, and when the WAL plus the vlog values it points at are at most
   * CLOSE_KEEP_WAL_BYTES: appends the clean-close marker and syncs, leaving the memtable in the
   * WAL for the next open to continue (wal/close-marker.ts). Otherwise flushes the memtable.
   * Then waits for flushes, stops background work, releases the lock.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.commits.idle();
      const wal = this.wal;
      const replayBytes = (wal?.size ?? 0) + (this.memVlogBytes.get(this.mem) ?? 0);
      const clean = this.failure === undefined && this.versions.failed === undefined;
      if (!this.readOnly && wal !== undefined && clean && replayBytes <= CLOSE_KEEP_WAL_BYTES) {
        await this.walMutex.run(async () => {
          await wal.addRecords([encodeCloseMarker()]);
          await wal.sync();
        });
      } else if (!this.readOnly && !this.mem.isEmpty) await this.rotateMemtable();
      if (!this.readOnly) await this.background.flushed();
    } finally {
      this.closed = true;
      await this.background.stop();
      await this.wal?.close().catch(() => undefined);
      await this.versions.close().catch(() => undefined);
      await this.tables.close();
      await this.valueLog.close();
      await this.lock?.release();
    }
  }
}
