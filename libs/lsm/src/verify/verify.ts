/**
 * `db.verify()` (online, `verify(engine)`) and `verifyDirectory(fs, dir)` (offline, for the `lsm`
 * command and for stores that no longer open): a full consistency check that REPORTS problems,
 * each with the file (a name in the database directory, or "memtable") and the byte offset, and
 * never throws on corruption it finds. It throws only for programmer errors, a closed database,
 * or (offline) a LOCK held by another process.
 *
 * What is checked:
 * 1. CURRENT names a MANIFEST and ends in a newline; the MANIFEST's framing verifies; every
 *    version edit decodes and applies (the MANIFEST is re-read and re-parsed from disk). Online,
 *    the files it lists must equal the open database's current version.
 * 2. Every live table (in the version) exists, its size equals the MANIFEST's fileBytes, its
 *    footer, index, filter, properties and every data block verify (TableReader.verify: checksums,
 *    key order, separators, bloom, properties), and its properties agree with the MANIFEST entry
 *    (entries, smallest/largest key and seq, seq range).
 * 3. Every value pointer in the tables and memtables resolves: its vlog file exists, the entry at
 *    its offset has the pointer's length and a valid checksum, and the entry's key is the key of
 *    the version that points at it. A pointer into a vlog file that no longer exists is fine only
 *    when the version is hidden from every reader — the oldest snapshot reads a newer version of
 *    the key, or a different entry at the same seq from a newer source (value-log GC rewrites a
 *    live value with its own seq) — and it is then counted as `stalePointers`.
 * 4. Every live vlog file is scanned: header, and each entry's lengths and checksum. Damage with
 *    valid entries after it is a problem; damage at the end with nothing valid after it is a torn
 *    tail (what a crash mid-append leaves; recovery truncates it) and is reported as a WARNING.
 * 5. Every WAL file recovery would replay (number >= the MANIFEST's logNumber) parses: framing,
 *    batches and commit markers. A torn tail is a warning (as above); damage followed by valid
 *    records is a problem. Offline, the WALs are replayed into a memtable whose pointers are then
 *    checked as in (3); online, the open memtables are checked directly.
 *
 * `ok` is true when there are no problems (warnings do not count). Online verification pins the
 * version it checks, reads table blocks without the block cache, and yields to the event loop
 * between files and every few milliseconds of work.
 */

import { BugError } from '../assert.js';
import { decodeWriteBatch } from '../batch/write-batch-format.js';
import { equalBytes, fromUtf8 } from '../codec/bytes.js';
import type { Engine } from '../db/engine.js';
import { findVersion } from '../db/read-path.js';
import { CorruptionError, IoError, LsmError, errnoOf } from '../errors.js';
import { baseName, joinPath, readAtSync, type Fs, type ReadableFile } from '../fs/fs.js';
import { CURRENT_FILE_NAME, parseFileName, tableFileName, vlogFileName, walFileName } from '../fs/filenames.js';
import { acquireLock, type LockHandle } from '../fs/lock.js';
import type { InternalIterator } from '../iterator/internal-iterator.js';
import { Kind, TRAILER_BYTES, readTrailerSeq } from '../keys/internal-key.js';
import { decodeValueHeader, decodeValuePointer, type ValuePointer } from '../keys/value-format.js';
import { applyEdit, type VersionState } from '../manifest/version-edit-apply.js';
import { decodeVersionEdit } from '../manifest/version-edit.js';
import { Version, type FileMeta } from '../manifest/version.js';
import { Memtable } from '../memtable/memtable.js';
import { readRecords } from '../record/record-reader.js';
import { BlockCache } from '../sstable/block-cache.js';
import { BlockIterator } from '../sstable/block-reader.js';
import { TableCache } from '../sstable/table-cache.js';
import type { TableReader } from '../sstable/table-reader.js';
import {
  decodeVlogEntry, vlogHeaderStatus, VLOG_ENTRY_HEADER_BYTES, VLOG_HEADER_BYTES,
} from '../vlog/vlog-format.js';
import { VlogReader } from '../vlog/vlog-reader.js';

export interface VerifyProblem {
  /** a file name in the database directory ("000012.sst", "MANIFEST-000003", ...), or "memtable" */
  file: string;
  offset: number;
  reason: string;
}

export interface VerifyChecked {
  manifestEdits: number;
  tables: number;
  /** table blocks read and verified (data, index, filter, properties) */
  blocks: number;
  tableEntries: number;
  memtableEntries: number;
  /** value pointers resolved (tables and memtables) */
  pointers: number;
  /** pointers into removed vlog files from versions no reader can see (not problems) */
  stalePointers: number;
  vlogFiles: number;
  vlogEntries: number;
  walFiles: number;
  walBatches: number;
}

export interface VerifyReport {
  /** no problems (warnings do not count) */
  ok: boolean;
  problems: VerifyProblem[];
  /** conditions a crash leaves behind and recovery repairs (torn log tails); not corruption */
  warnings: VerifyProblem[];
  checked: VerifyChecked;
}

export interface VerifyDirectoryOptions {
  /** take the database LOCK while verifying (default true); LOCKED if another process holds it */
  lock?: boolean;
}

/** Everything verification reads from, online or offline. */
interface Sources {
  fs: Fs;
  dir: string;
  online: boolean;
  tables: TableCache;
  /** memtables to check, with the name problems carry */
  memtables: Memtable[];
  /** newest version of key at or below readTs over every source (for the stale-pointer rule) */
  findVersion: (key: Uint8Array, readTs: number) => { seq: number; value: Uint8Array } | undefined;
  oldestSnapshotTs: () => number;
  /** still live (online: the value log may retire files while we run) */
  vlogLive: (fileNumber: number) => boolean;
}

const SLICE_MS = 8;
const VLOG_WINDOW_BYTES = 4 * 1024 * 1024;
/** Offline: more levels than any option allows, so any MANIFEST's level numbers fit. */
const OFFLINE_LEVELS = 12;

class Verifier {
  readonly problems: VerifyProblem[] = [];
  readonly warnings: VerifyProblem[] = [];
  readonly checked: VerifyChecked = {
    manifestEdits: 0, tables: 0, blocks: 0, tableEntries: 0, memtableEntries: 0, pointers: 0, stalePointers: 0,
    vlogFiles: 0, vlogEntries: 0, walFiles: 0, walBatches: 0,
  };
  private readonly vlogFiles = new Map<number, ReadableFile | undefined>();
  private sliceStart = performance.now();
  private sources: Sources | undefined;

  problem(file: string, offset: number, reason: string): void {
    this.problems.push({ file: baseName(file), offset, reason });
  }

  warning(file: string, offset: number, reason: string): void {
    this.warnings.push({ file: baseName(file), offset, reason });
  }

  /** Records a CorruptionError or IoError as a problem; anything else (a bug) propagates. */
  record(error: unknown, file: string): void {
    if (error instanceof CorruptionError) this.problem(error.file, error.offset, error.reason);
    else if (error instanceof LsmError) this.problem(file, 0, error.message);
    else if (errnoOf(error) !== undefined) this.problem(file, 0, error instanceof Error ? error.message : String(error));
    else throw error;
  }

  async maybeYield(): Promise<void> {
    if (performance.now() - this.sliceStart < SLICE_MS) return;
    await new Promise((resolve) => setImmediate(resolve));
    this.sliceStart = performance.now();
  }

  report(): VerifyReport {
    return { ok: this.problems.length === 0, problems: this.problems, warnings: this.warnings, checked: this.checked };
  }

  // ---- CURRENT and MANIFEST ---------------------------------------------------------------------

  /** Re-reads CURRENT and the MANIFEST it names; the replayed state, or undefined on a problem. */
  async readManifest(fs: Fs, dir: string, numLevels: number): Promise<{ state: VersionState; name: string } | undefined> {
    let currentText: string;
    try {
      currentText = fromUtf8(await fs.readFile(joinPath(dir, CURRENT_FILE_NAME)));
    } catch (error) {
      this.record(error instanceof LsmError ? error : new IoError(`cannot read CURRENT: ${describe(error)}`, error), CURRENT_FILE_NAME);
      return undefined;
    }
    if (!currentText.endsWith('\n')) {
      this.problem(CURRENT_FILE_NAME, currentText.length, 'CURRENT does not end with a newline');
      return undefined;
    }
    const name = currentText.slice(0, -1);
    const parsed = parseFileName(name);
    if (parsed === undefined || parsed.type !== 'manifest') {
      this.problem(CURRENT_FILE_NAME, 0, `CURRENT names ${JSON.stringify(name)}, not a MANIFEST`);
      return undefined;
    }
    let bytes: Uint8Array;
    try {
      bytes = await fs.readFile(joinPath(dir, name));
    } catch (error) {
      this.problem(name, 0, errnoOf(error) === 'ENOENT' ? 'the MANIFEST named by CURRENT does not exist' : `cannot read: ${describe(error)}`);
      return undefined;
    }
    let state: VersionState = {
      version: Version.empty(numLevels), nextFileNumber: 2, lastSeq: 0, logNumber: 0, vlogFiles: new Set(), discard: new Map(),
    };
    try {
      const { records, recordOffsets, validEndOffset, tornTail } = readRecords(bytes, name, 'MANIFEST');
      if (records.length === 0) {
        this.problem(name, 0, 'MANIFEST holds no version edit');
        return undefined;
      }
      records.forEach((record, i) => {
        const offset = recordOffsets[i] ?? 0;
        state = applyEdit(state, decodeVersionEdit(record, name, offset), name, offset);
        this.checked.manifestEdits++;
      });
      if (tornTail) this.warning(name, validEndOffset, `torn tail: ${bytes.length - validEndOffset} bytes after the last complete edit`);
      try {
        state.version.checkInvariants();
      } catch (error) {
        if (!(error instanceof BugError)) throw error;
        this.problem(name, 0, `the MANIFEST's version breaks an invariant: ${error.message}`);
        return undefined;
      }
    } catch (error) {
      this.record(error, name);
      return undefined;
    }
    return { state, name };
  }

  // ---- tables -------------------------------------------------------------------------------------

  async checkTables(version: Version): Promise<void> {
    const sources = this.need();
    for (let level = 0; level < version.numLevels; level++) {
      for (const meta of version.files(level)) {
        await this.maybeYield();
        await this.checkTable(sources, level, meta);
      }
    }
  }

  private async checkTable(sources: Sources, level: number, meta: FileMeta): Promise<void> {
    const name = tableFileName(meta.number);
    this.checked.tables++;
    const stat = await sources.fs.stat(joinPath(sources.dir, name)).catch((error: unknown) => {
      this.record(new IoError(`cannot stat: ${describe(error)}`, error), name);
      return null;
    });
    if (stat === null) return;
    if (stat === undefined) {
      this.problem(name, 0, `table of L${level} listed in the MANIFEST does not exist`);
      return;
    }
    if (stat.size !== meta.fileBytes) {
      this.problem(name, 0, `file is ${stat.size} bytes; the MANIFEST says ${meta.fileBytes}`);
    }
    let lease;
    try {
      lease = await sources.tables.acquire(meta.number);
    } catch (error) {
      this.record(error, name);
      return;
    }
    try {
      const reader = lease.reader;
      const before = this.problems.length;
      for (const problem of reader.verify()) this.problem(problem.file, problem.offset, problem.reason);
      const props = reader.properties;
      this.checked.blocks += props.dataBlockCount + 2 + (reader.footer.filterHandle.size > 0 ? 1 : 0);
      this.checkMeta(name, reader, meta);
      if (this.problems.length === before) this.checkTablePointers(sources, reader, name);
    } finally {
      lease.release();
    }
  }

  private checkMeta(name: string, reader: TableReader, meta: FileMeta): void {
    const props = reader.properties;
    const mismatches: string[] = [];
    if (props.entryCount !== meta.entries) mismatches.push(`entries ${meta.entries} != ${props.entryCount}`);
    if (props.minSeq !== meta.minSeq || props.maxSeq !== meta.maxSeq) {
      mismatches.push(`seq range [${meta.minSeq}, ${meta.maxSeq}] != [${props.minSeq}, ${props.maxSeq}]`);
    }
    const check = (what: string, internalKey: Uint8Array, userKey: Uint8Array, seq: number): void => {
      if (internalKey.length < TRAILER_BYTES) {
        mismatches.push(`${what} key is malformed`);
        return;
      }
      const user = internalKey.subarray(0, internalKey.length - TRAILER_BYTES);
      if (!equalBytes(user, userKey)) mismatches.push(`${what} key differs`);
      else if (readTrailerSeq(internalKey, internalKey.length - TRAILER_BYTES) !== seq) mismatches.push(`${what} seq differs`);
    };
    check('smallest', props.smallestKey, meta.smallestKey, meta.smallestSeq);
    check('largest', props.largestKey, meta.largestKey, meta.largestSeq);
    for (const reason of mismatches) {
      this.problem(name, reader.footer.propertiesHandle.offset, `MANIFEST entry disagrees with the table's properties: ${reason}`);
    }
  }

  /** Walks the table's data blocks (uncached) and resolves every value pointer. */
  private checkTablePointers(sources: Sources, reader: TableReader, name: string): void {
    try {
      const index = new BlockIterator();
      const indexHandle = reader.footer.indexHandle;
      index.reset(reader.readBlockUncached(indexHandle), name, indexHandle.offset);
      const data = new BlockIterator();
      for (index.seekToFirst(); index.valid(); index.next()) {
        const handle = reader.dataHandleAt(index);
        data.reset(reader.readBlockUncached(handle), name, handle.offset);
        for (data.seekToFirst(); data.valid(); data.next()) {
          this.checked.tableEntries++;
          if (data.kind() !== Kind.VALUE_POINTER) continue;
          const internalKey = data.internalKey();
          const key = internalKey.slice(0, internalKey.length - TRAILER_BYTES);
          this.checkPointer(sources, key, data.seq(), data.value(), name, data.currentValueFileOffset);
        }
      }
      index.close();
      data.close();
    } catch (error) {
      this.record(error, name);
    }
  }

  // ---- memtables ----------------------------------------------------------------------------------

  async checkMemtables(): Promise<void> {
    const sources = this.need();
    for (const memtable of sources.memtables) {
      let iterator: InternalIterator | undefined;
      try {
        iterator = memtable.newIterator();
        for (iterator.seekToFirst(); iterator.valid(); iterator.next()) {
          this.checked.memtableEntries++;
          const kind = iterator.kind();
          if (kind === Kind.DELETE) continue;
          const stored = iterator.value();
          if (kind === Kind.VALUE) {
            if (decodeValueHeader(stored) === undefined) this.problem('memtable', 0, `malformed stored value at seq ${iterator.seq()}`);
            continue;
          }
          this.checkPointer(sources, iterator.key().slice(), iterator.seq(), stored, 'memtable', 0);
          if ((this.checked.memtableEntries & 1023) === 0) await this.maybeYield();
        }
      } catch (error) {
        this.record(error, 'memtable');
      } finally {
        iterator?.close();
      }
    }
  }

  // ---- value pointers -----------------------------------------------------------------------------

  private checkPointer(sources: Sources, key: Uint8Array, seq: number, stored: Uint8Array, where: string, offset: number): void {
    const header = decodeValueHeader(stored);
    const pointer = header === undefined ? undefined : decodeValuePointer(stored, header.payloadOffset);
    if (pointer === undefined) {
      this.problem(where, offset, `malformed value pointer at seq ${seq}`);
      return;
    }
    this.checked.pointers++;
    const vlogName = vlogFileName(pointer.fileNumber);
    let file = this.vlogFile(sources, pointer.fileNumber);
    if (file !== undefined && pointer.offset + pointer.length > file.size && sources.fs.openReadableSync !== undefined) {
      // Online, the active vlog grows after we opened it: reopen once before judging.
      this.closeVlog(pointer.fileNumber);
      file = this.vlogFile(sources, pointer.fileNumber);
    }
    if (file === undefined) {
      if (this.hiddenFromEveryReader(sources, key, seq, stored)) {
        this.checked.stalePointers++;
        return;
      }
      this.problem(where, offset, `value pointer at seq ${seq} names ${vlogName}, which does not exist`);
      return;
    }
    const problem = this.resolve(file, vlogName, pointer, key);
    if (problem !== undefined) this.problem(problem.file, problem.offset, `${problem.reason} (pointer from ${baseName(where)}${where === 'memtable' ? '' : ` at offset ${offset}`}, seq ${seq})`);
  }

  private resolve(file: ReadableFile, vlogName: string, pointer: ValuePointer, key: Uint8Array): VerifyProblem | undefined {
    if (pointer.offset < VLOG_HEADER_BYTES || pointer.length < VLOG_ENTRY_HEADER_BYTES) {
      return { file: vlogName, offset: pointer.offset, reason: `value pointer ${pointer.offset}+${pointer.length} is malformed` };
    }
    if (pointer.offset + pointer.length > file.size) {
      return { file: vlogName, offset: pointer.offset, reason: `value pointer runs past the end of the file (${file.size} bytes)` };
    }
    try {
      const entry = decodeVlogEntry(readAtSync(file, pointer.offset, pointer.length), vlogName, pointer.offset);
      if (!equalBytes(entry.key, key)) {
        return { file: vlogName, offset: pointer.offset, reason: 'value-log entry holds a different key than the version that points at it' };
      }
    } catch (error) {
      if (error instanceof CorruptionError) return { file: baseName(error.file), offset: error.offset, reason: error.reason };
      if (errnoOf(error) !== undefined) return { file: vlogName, offset: pointer.offset, reason: describe(error) };
      throw error;
    }
    return undefined;
  }

  /**
   * No reader can see this version: what the oldest snapshot reads for the key is a newer version,
   * or a different entry at the same seq in a newer source (value-log GC rewrites a live value
   * with its own seq, so the rewritten pointer shadows the old one).
   */
  private hiddenFromEveryReader(sources: Sources, key: Uint8Array, seq: number, stored: Uint8Array): boolean {
    try {
      const newest = sources.findVersion(key, sources.oldestSnapshotTs());
      if (newest === undefined) return false;
      return newest.seq > seq || (newest.seq === seq && !equalBytes(newest.value, stored));
    } catch (error) {
      if (error instanceof LsmError || error instanceof BugError) return false;
      throw error;
    }
  }

  private vlogFile(sources: Sources, fileNumber: number): ReadableFile | undefined {
    if (this.vlogFiles.has(fileNumber)) return this.vlogFiles.get(fileNumber);
    let file: ReadableFile | undefined;
    const open = sources.fs.openReadableSync;
    if (open !== undefined) {
      try {
        file = open.call(sources.fs, joinPath(sources.dir, vlogFileName(fileNumber)));
      } catch (error) {
        if (errnoOf(error) !== 'ENOENT') throw new IoError(`cannot open ${vlogFileName(fileNumber)}: ${describe(error)}`, error);
      }
    }
    this.vlogFiles.set(fileNumber, file);
    return file;
  }

  private closeVlog(fileNumber: number): void {
    const file = this.vlogFiles.get(fileNumber);
    this.vlogFiles.delete(fileNumber);
    void file?.close().catch(() => undefined);
  }

  /** Opens every vlog file the pointers may need (asynchronously, for Fs without a sync open). */
  async preopenVlogs(numbers: readonly number[]): Promise<void> {
    const sources = this.need();
    if (sources.fs.openReadableSync !== undefined) return;
    for (const number of numbers) {
      try {
        this.vlogFiles.set(number, await sources.fs.openReadable(joinPath(sources.dir, vlogFileName(number))));
      } catch (error) {
        if (errnoOf(error) !== 'ENOENT') throw error;
        this.vlogFiles.set(number, undefined);
      }
    }
  }

  // ---- vlog files ---------------------------------------------------------------------------------

  async scanVlogs(numbers: readonly number[]): Promise<void> {
    const sources = this.need();
    for (const number of numbers) {
      await this.maybeYield();
      const name = vlogFileName(number);
      let file: ReadableFile;
      try {
        file = await sources.fs.openReadable(joinPath(sources.dir, name));
      } catch (error) {
        // Retired while we ran, or (the newest) registered and about to be created.
        if (errnoOf(error) === 'ENOENT' && (!sources.vlogLive(number) || (sources.online && number === numbers[numbers.length - 1]))) continue;
        this.record(errnoOf(error) === 'ENOENT' ? new CorruptionError(name, 0, 'live value-log file does not exist') : error, name);
        continue;
      }
      this.checked.vlogFiles++;
      try {
        await this.scanVlog(file, number, name);
      } catch (error) {
        this.record(error, name);
      } finally {
        await file.close().catch(() => undefined);
      }
    }
  }

  private async scanVlog(file: ReadableFile, number: number, name: string): Promise<void> {
    const size = file.size;
    if (size === 0) return;
    const header = readAtSync(file, 0, Math.min(size, VLOG_HEADER_BYTES));
    if (vlogHeaderStatus(header) !== 'ok') {
      this.vlogDamage(file, number, name);
      return;
    }
    let at = VLOG_HEADER_BYTES;
    let windowStart = 0;
    let window: Uint8Array = new Uint8Array(0);
    while (at < size) {
      if (at + VLOG_ENTRY_HEADER_BYTES > size) {
        this.vlogDamage(file, number, name);
        return;
      }
      if (at + VLOG_ENTRY_HEADER_BYTES > windowStart + window.length) {
        windowStart = at;
        window = readAtSync(file, at, Math.min(VLOG_WINDOW_BYTES, size - at));
        await this.maybeYield();
      }
      const h = at - windowStart;
      const length = VLOG_ENTRY_HEADER_BYTES + getU32(window, h + 4) + getU32(window, h + 8);
      if (at + length > size) {
        this.vlogDamage(file, number, name);
        return;
      }
      const bytes = at + length <= windowStart + window.length
        ? window.subarray(h, h + length)
        : readAtSync(file, at, length);
      try {
        decodeVlogEntry(bytes, name, at);
      } catch (error) {
        if (!(error instanceof CorruptionError)) throw error;
        this.vlogDamage(file, number, name);
        return;
      }
      this.checked.vlogEntries++;
      at += length;
    }
  }

  /** Damage found: corruption if valid entries follow it, else a torn tail (warning). */
  private vlogDamage(file: ReadableFile, number: number, name: string): void {
    const bytes = readAtSync(file, 0, file.size);
    try {
      const end = new VlogReader(file, number).validEnd(bytes);
      if (end.tornTail) {
        this.warning(name, end.validEndOffset, `torn tail: ${bytes.length - end.validEndOffset} bytes after the last whole entry`);
      }
    } catch (error) {
      this.record(error, name);
    }
  }

  // ---- WAL files ----------------------------------------------------------------------------------

  /** Parses every WAL numbered >= logNumber; with `into`, replays them into that memtable. */
  async checkWals(logNumber: number, into?: Memtable): Promise<void> {
    const sources = this.need();
    let names: string[];
    try {
      names = await sources.fs.readdir(sources.dir);
    } catch (error) {
      this.record(new IoError(`cannot list the directory: ${describe(error)}`, error), sources.dir);
      return;
    }
    const numbers = names
      .map((n) => parseFileName(n))
      .filter((p) => p !== undefined && p.type === 'wal' && p.number >= logNumber)
      .map((p) => (p as { number: number }).number)
      .sort((a, b) => a - b);
    for (const number of numbers) {
      await this.maybeYield();
      const name = walFileName(number);
      let bytes: Uint8Array;
      try {
        bytes = await sources.fs.readFile(joinPath(sources.dir, name));
      } catch (error) {
        if (errnoOf(error) === 'ENOENT') continue; // rotated away while we ran
        this.record(new IoError(`cannot read: ${describe(error)}`, error), name);
        continue;
      }
      this.checked.walFiles++;
      try {
        const { records, recordOffsets, validEndOffset, tornTail } = readRecords(bytes, name, 'WAL');
        records.forEach((record, i) => {
          const offset = recordOffsets[i] ?? 0;
          const batch = decodeWriteBatch(record, name, offset);
          this.checked.walBatches++;
          if (into !== undefined) for (const entry of batch.entries) into.add(entry.key.slice(), batch.commitTs, entry.kind, entry.value.slice());
        });
        if (tornTail) this.warning(name, validEndOffset, `torn tail: ${bytes.length - validEndOffset} bytes after the last complete record`);
      } catch (error) {
        this.record(error, name);
      }
    }
  }

  // ---- plumbing -----------------------------------------------------------------------------------

  use(sources: Sources): void {
    this.sources = sources;
  }

  private need(): Sources {
    if (this.sources === undefined) throw new BugError('verifier sources not set');
    return this.sources;
  }

  async close(): Promise<void> {
    for (const file of this.vlogFiles.values()) await file?.close().catch(() => undefined);
    this.vlogFiles.clear();
  }
}

function getU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] as number) | ((bytes[at + 1] as number) << 8) | ((bytes[at + 2] as number) << 16) | ((bytes[at + 3] as number) << 24)) >>> 0;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sameFiles(a: Version, b: Version): string | undefined {
  const list = (v: Version): string[] =>
    v.levels.flatMap((files, level) => files.map((f) => `L${level}:${f.number}:${f.fileBytes}`)).sort();
  const left = list(a);
  const right = list(b);
  if (left.length === right.length && left.every((x, i) => x === right[i])) return undefined;
  const onlyDisk = left.filter((x) => !right.includes(x));
  const onlyMemory = right.filter((x) => !left.includes(x));
  return `MANIFEST lists [${onlyDisk.join(', ')}] that the open database does not, and misses [${onlyMemory.join(', ')}]`;
}

// ---- online -------------------------------------------------------------------------------------

/** Verifies an open database (`db.verify()`). Throws DB_CLOSED if the engine is closed. */
export async function verify(engine: Engine): Promise<VerifyReport> {
  engine.checkOpen(false);
  const verifier = new Verifier();
  const version = engine.versions.current;
  engine.pin(version);
  try {
    verifier.use({
      fs: engine.fs,
      dir: engine.dir,
      online: true,
      tables: engine.tables,
      memtables: [engine.mem, ...engine.imm],
      findVersion: (key, readTs) => engine.findVersion(key, readTs),
      oldestSnapshotTs: () => engine.oracle.oldestSnapshotTs(),
      vlogLive: (n) => engine.valueLog.liveFileNumbers().has(n),
    });
    // 1. CURRENT and MANIFEST, compared with the open version (retried: an edit may be landing).
    for (let attempt = 0; ; attempt++) {
      const before = engine.versions.current;
      const probe = new Verifier();
      const parsed = await probe.readManifest(engine.fs, engine.dir, before.numLevels);
      const after = engine.versions.current;
      const mismatch = parsed === undefined || before !== after ? undefined : sameFiles(parsed.state.version, after);
      const settled = parsed === undefined || (before === after && (mismatch === undefined || attempt >= 5));
      if (settled) {
        verifier.problems.push(...probe.problems);
        verifier.warnings.push(...probe.warnings);
        verifier.checked.manifestEdits = probe.checked.manifestEdits;
        if (parsed !== undefined && mismatch !== undefined) verifier.problem(parsed.name, 0, mismatch);
        break;
      }
      if (attempt >= 20) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const vlogs = [...engine.valueLog.liveFileNumbers()].sort((a, b) => a - b);
    await verifier.preopenVlogs(vlogs);
    // 2 + 3. Tables and their pointers; memtables and theirs.
    await verifier.checkTables(version);
    engine.checkOpen(false);
    await verifier.checkMemtables();
    // 4. Value-log files.
    await verifier.scanVlogs(vlogs);
    // 5. WAL files parse (the memtables already hold what they contain).
    engine.checkOpen(false);
    await verifier.checkWals(engine.versions.logNumber);
    return verifier.report();
  } finally {
    engine.unpin(version);
    await verifier.close();
  }
}

// ---- offline ------------------------------------------------------------------------------------

/**
 * Verifies the database in `dir` without opening it (nothing is replayed, truncated or
 * rewritten), under its LOCK unless `lock: false`. Throws LOCKED when another process holds it.
 */
export async function verifyDirectory(fs: Fs, dir: string, options: VerifyDirectoryOptions = {}): Promise<VerifyReport> {
  let lock: LockHandle | undefined;
  if (options.lock !== false) lock = await acquireLock(fs, dir);
  const verifier = new Verifier();
  const blockCache = new BlockCache(8 * 1024 * 1024);
  const tables = new TableCache({
    blockCache,
    maxOpenTables: 64,
    openFile: (n) => fs.openReadable(joinPath(dir, tableFileName(n))),
    ...(fs.openReadableSync === undefined ? {} : { openFileSync: (n: number) => (fs.openReadableSync as (p: string) => ReadableFile).call(fs, joinPath(dir, tableFileName(n))) }),
  });
  try {
    const parsed = await verifier.readManifest(fs, dir, OFFLINE_LEVELS);
    const version = parsed?.state.version ?? Version.empty(OFFLINE_LEVELS);
    const memtable = new Memtable({ seed: 1 });
    const lastSeq = () => Math.max(parsed?.state.lastSeq ?? 0, memtable.maxSeq);
    let names: string[] = [];
    try {
      names = await fs.readdir(dir);
    } catch (error) {
      verifier.record(new IoError(`cannot list ${dir}: ${describe(error)}`, error), dir);
    }
    const vlogs = names
      .map((n) => parseFileName(n))
      .filter((p) => p !== undefined && p.type === 'vlog')
      .map((p) => (p as { number: number }).number)
      .sort((a, b) => a - b);
    verifier.use({
      fs,
      dir,
      online: false,
      tables,
      memtables: [memtable],
      findVersion: (key, readTs) => findVersion({ mem: memtable, imm: [], version, tables }, key, readTs),
      oldestSnapshotTs: lastSeq,
      vlogLive: () => true,
    });
    await verifier.preopenVlogs(vlogs);
    // WALs first: their entries join the memtable, which the stale-pointer rule reads.
    await verifier.checkWals(parsed?.state.logNumber ?? 0, memtable);
    await verifier.checkTables(version);
    await verifier.checkMemtables();
    await verifier.scanVlogs(vlogs);
    return verifier.report();
  } finally {
    await verifier.close();
    await tables.close();
    await lock?.release();
  }
}
