/**
 * The checker behind `verify()` and `verifyDirectory()` (verify.ts): collects problems and warnings,
 * each naming a file and a byte offset, over the MANIFEST, tables, memtables, value-log and WAL files.
 */


import { BugError } from '../assert.js';
import { decodeWriteBatch } from '../batch/write-batch-format.js';
import { equalBytes, fromUtf8 } from '../codec/bytes.js';
import { CorruptionError, IoError, LsmError, errnoOf } from '../errors.js';
import { baseName, joinPath, readAtSync, type Fs, type ReadableFile } from '../fs/fs.js';
import { CURRENT_FILE_NAME, parseFileName, tableFileName, vlogFileName, walFileName } from '../fs/filenames.js';
import type { InternalIterator } from '../iterator/internal-iterator.js';
import { Kind, TRAILER_BYTES, readTrailerSeq } from '../keys/internal-key.js';
import { decodeValueHeader, decodeValuePointer, type ValuePointer } from '../keys/value-format.js';
import { applyEdit, type VersionState } from '../manifest/version-edit-apply.js';
import { decodeVersionEdit } from '../manifest/version-edit.js';
import { Version, type FileMeta } from '../manifest/version.js';
import type { Memtable } from '../memtable/memtable.js';
import { readRecords } from '../record/record-reader.js';
import { BlockIterator } from '../sstable/block-reader.js';
import type { TableCache } from '../sstable/table-cache.js';
import type { TableReader } from '../sstable/table-reader.js';
import {
  decodeVlogEntry, vlogHeaderStatus, VLOG_ENTRY_HEADER_BYTES, VLOG_HEADER_BYTES,
} from '../vlog/vlog-format.js';
import { VlogReader } from '../vlog/vlog-reader.js';
import type { VerifyChecked, VerifyProblem, VerifyReport } from './report.js';

/** Everything verification reads from, online or offline. */
export interface Sources {
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

export class Verifier {
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

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
