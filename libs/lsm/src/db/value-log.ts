/**
 * The value log as the engine sees it: the active NNNNNN.vlog being appended to, read-only
 * readers for every live vlog file, rotation at `valueLogFileBytes`, and pointer checks during
 * WAL replay. Byte layout and per-entry checksums are vlog/vlog-format.ts.
 *
 * Invariants:
 * - Values are appended and synced before the WAL record that points at them is written
 *   (RELIABILITY D2), whatever syncWrites says: a durable pointer never dangles.
 * - A new vlog file's number is logged in the MANIFEST (vlogAdded) before the file is created,
 *   so at open every vlog file on disk that the MANIFEST does not list is garbage; its directory
 *   entry is synced before any pointer to it is written.
 * - Files are removed only by value-log GC (`retire`), after the MANIFEST edit that drops them.
 */

import { assert } from '../assert.js';
import { CorruptionError, errnoOf } from '../errors.js';
import { joinPath, type Fs, type ReadableFile } from '../fs/fs.js';
import { vlogFileName } from '../fs/filenames.js';
import { Kind } from '../keys/internal-key.js';
import { decodeValueHeader, decodeValuePointer, type ValuePointer } from '../keys/value-format.js';
import { VlogReader } from '../vlog/vlog-reader.js';
import { VlogWriter } from '../vlog/vlog-writer.js';

export interface ValueLogOptions {
  fileBytes: number;
  newFileNumber: () => number;
  /** makes a new file's number durable in the MANIFEST before the file is created */
  recordNewFile: (fileNumber: number) => Promise<void>;
  readOnly: boolean;
}

export interface ValueLogStats {
  files: number;
  bytes: number;
  garbageBytes: Record<string, number>;
}

export class ValueLog {
  private readonly fs: Fs;
  private readonly dir: string;
  private readonly options: ValueLogOptions;
  private readonly readers = new Map<number, VlogReader>();
  private readonly files = new Map<number, ReadableFile>();
  private readonly live = new Set<number>();
  private readonly sizes = new Map<number, number>();
  private active: { number: number; writer: VlogWriter } | undefined;
  bytesWritten = 0;

  private constructor(fs: Fs, dir: string, options: ValueLogOptions) {
    this.fs = fs;
    this.dir = dir;
    this.options = options;
  }

  static async open(fs: Fs, dir: string, numbers: number[], options: ValueLogOptions): Promise<ValueLog> {
    const log = new ValueLog(fs, dir, options);
    for (const number of numbers.sort((a, b) => a - b)) {
      log.live.add(number);
      await log.openReader(number);
    }
    return log;
  }

  liveFileNumbers(): ReadonlySet<number> {
    return this.live;
  }

  /** Appends values, syncs them, and returns one pointer per value, in order. */
  async append(entries: readonly { key: Uint8Array; value: Uint8Array }[]): Promise<ValuePointer[]> {
    assert(!this.options.readOnly, 'no vlog appends in a read-only open');
    let total = 0;
    for (const entry of entries) total += entry.value.length + entry.key.length;
    if (this.active === undefined || this.active.writer.size + total > this.options.fileBytes) await this.rotate();
    const active = this.active;
    assert(active !== undefined, 'an active vlog after rotate');
    const before = active.writer.size;
    const pointers = active.writer.appendValues(entries);
    await active.writer.sync();
    this.bytesWritten += active.writer.size - before;
    this.sizes.set(active.number, active.writer.size);
    return pointers;
  }

  /** Reads and verifies the value a pointer names. */
  read(pointer: ValuePointer): Uint8Array {
    const reader = this.readers.get(pointer.fileNumber);
    if (reader === undefined) {
      throw new CorruptionError(vlogFileName(pointer.fileNumber), pointer.offset, 'value pointer names a value-log file that does not exist');
    }
    return reader.readValue(pointer);
  }

  /** WAL replay: a pointer must land inside an existing vlog file. */
  checkPointer(kind: number, stored: Uint8Array, walName: string, walOffset: number): void {
    if (kind !== Kind.VALUE_POINTER) return;
    const header = decodeValueHeader(stored);
    const pointer = header === undefined ? undefined : decodeValuePointer(stored, header.payloadOffset);
    if (pointer === undefined) throw new CorruptionError(walName, walOffset, 'malformed value pointer in WAL record');
    const reader = this.readers.get(pointer.fileNumber);
    let intact = reader !== undefined;
    if (reader !== undefined) {
      try {
        reader.readValue(pointer);
      } catch (error) {
        // an I/O error reading the file is not damage to it (regression: io-errors.rel.test.ts,
        // an EIO during a replayed pointer's check was reported as CORRUPTION)
        if (!(error instanceof CorruptionError) && errnoOf(error) !== undefined) throw error;
        intact = false;
      }
    }
    if (!intact) {
      throw new CorruptionError(walName, walOffset, `value pointer past the end of ${vlogFileName(pointer.fileNumber)}`);
    }
  }

  /** `discard`: garbage bytes per file, from the MANIFEST's discard statistics. */
  stats(discard: ReadonlyMap<number, number>): ValueLogStats {
    let bytes = 0;
    for (const number of this.live) bytes += this.sizes.get(number) ?? 0;
    const garbageBytes: Record<string, number> = {};
    for (const [number, garbage] of discard) if (this.live.has(number)) garbageBytes[vlogFileName(number)] = garbage;
    return { files: this.live.size, bytes, garbageBytes };
  }

  /** The active file's number, if any (GC seals it before rewriting it: Badger #2334). */
  get activeFileNumber(): number | undefined {
    return this.active?.number;
  }

  /** Closes the active file; the next append starts a new one. */
  async sealActive(): Promise<void> {
    const active = this.active;
    this.active = undefined;
    await active?.writer.close();
  }

  sizeOf(fileNumber: number): number {
    return this.sizes.get(fileNumber) ?? 0;
  }

  /** Raw bytes of a sealed file, for GC's sequential scan. */
  async readWhole(fileNumber: number): Promise<Uint8Array> {
    return this.fs.readFile(joinPath(this.dir, vlogFileName(fileNumber)));
  }

  reader(fileNumber: number): VlogReader | undefined {
    return this.readers.get(fileNumber);
  }

  /** GC published the file's removal: stop reading it (the file is unlinked by cleanup). */
  async retire(fileNumber: number): Promise<void> {
    assert(this.active?.number !== fileNumber, 'the active vlog file is never retired');
    this.live.delete(fileNumber);
    this.readers.delete(fileNumber);
    this.sizes.delete(fileNumber);
    const file = this.files.get(fileNumber);
    this.files.delete(fileNumber);
    await file?.close();
  }

  private async rotate(): Promise<void> {
    const number = this.options.newFileNumber();
    await this.options.recordNewFile(number);
    this.live.add(number);
    const file = await this.fs.openWritable(joinPath(this.dir, vlogFileName(number)), { truncate: true });
    const writer = await VlogWriter.create(file, number);
    await writer.sync();
    await this.fs.syncDir(this.dir);
    const previous = this.active;
    this.active = { number, writer };
    await this.openReader(number);
    if (previous !== undefined) await previous.writer.close();
  }

  private async openReader(number: number): Promise<void> {
    const file = await this.fs.openReadable(joinPath(this.dir, vlogFileName(number)));
    const old = this.files.get(number);
    this.files.set(number, file);
    if (!this.sizes.has(number)) this.sizes.set(number, file.size);
    this.readers.set(number, new VlogReader(file, number));
    await old?.close();
  }

  async close(): Promise<void> {
    await this.active?.writer.close();
    this.active = undefined;
    for (const file of this.files.values()) await file.close().catch(() => undefined);
    this.files.clear();
    this.readers.clear();
  }
}
