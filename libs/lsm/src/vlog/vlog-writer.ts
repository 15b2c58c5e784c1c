/**
 * Appends entries to the active value-log file. `appendValues` lays entries out in memory and
 * returns their pointers at once; `sync()` writes them in one append and fsyncs, and must resolve
 * before any WAL record that holds those pointers is written (RELIABILITY D2).
 *
 * Invariants:
 * - `size` counts buffered bytes: pointers handed out are final, whatever happens after;
 * - `sync()` calls run one after another (a later one waits for the earlier), so the append of
 *   one group never interleaves with another's;
 * - after a failed append or fsync the writer refuses further use (D7: never retry an fsync;
 *   the bytes on disk after a failed append are unknown). The Db turns read-only.
 */

import { assert } from '../assert.js';
import { concatBytes } from '../codec/bytes.js';
import { IoError } from '../errors.js';
import type { WritableFile } from '../fs/fs.js';
import type { ValuePointer } from '../keys/value-format.js';
import { encodeVlogEntry, encodeVlogHeader, vlogEntryBytes, VLOG_HEADER_BYTES } from './vlog-format.js';

export class VlogWriter {
  private readonly file: WritableFile;
  readonly fileNumber: number;
  private pending: Uint8Array[] = [];
  private position: number;
  private syncing: Promise<void> = Promise.resolve();
  private failure: unknown = undefined;

  private constructor(file: WritableFile, fileNumber: number) {
    this.file = file;
    this.fileNumber = fileNumber;
    this.position = file.size;
  }

  /**
   * Wraps `file`; an empty file gets the header (written by the first `sync`). A non-empty file
   * is continued at its size: recovery must have truncated a torn tail first.
   */
  static async create(file: WritableFile, fileNumber: number): Promise<VlogWriter> {
    assert(file.size === 0 || file.size >= VLOG_HEADER_BYTES, `${file.path}: torn value-log header`);
    const writer = new VlogWriter(file, fileNumber);
    if (file.size === 0) {
      writer.pending.push(encodeVlogHeader());
      writer.position = VLOG_HEADER_BYTES;
    }
    return writer;
  }

  /** Bytes in the file once everything buffered is written (compare with valueLogFileBytes). */
  get size(): number {
    return this.position;
  }

  /** Buffers one entry per value; returns their pointers, in order. Durable after `sync()`. */
  appendValues(entries: readonly { key: Uint8Array; value: Uint8Array }[]): ValuePointer[] {
    this.checkUsable();
    let total = 0;
    for (const entry of entries) total += vlogEntryBytes(entry.key.length, entry.value.length);
    const buffer = new Uint8Array(total);
    const pointers: ValuePointer[] = new Array<ValuePointer>(entries.length);
    let at = 0;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as { key: Uint8Array; value: Uint8Array };
      const offset = this.position + at;
      const end = encodeVlogEntry(buffer, at, offset, entry.key, entry.value);
      pointers[i] = { fileNumber: this.fileNumber, offset, length: end - at };
      at = end;
    }
    if (total > 0) this.pending.push(buffer);
    this.position += total;
    return pointers;
  }

  /** Writes what is buffered (one append) and fsyncs. */
  sync(): Promise<void> {
    const run = this.syncing.then(() => this.flushAndSync());
    this.syncing = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.syncing;
    await this.file.close();
  }

  private async flushAndSync(): Promise<void> {
    this.checkUsable();
    try {
      if (this.pending.length > 0) {
        const parts = this.pending;
        this.pending = [];
        await this.file.append(parts.length === 1 ? (parts[0] as Uint8Array) : concatBytes(parts));
      }
      await this.file.sync();
    } catch (error) {
      this.failure ??= error;
      throw error;
    }
    assert(this.file.size === this.position || this.pending.length > 0, `${this.file.path}: size after sync`);
  }

  private checkUsable(): void {
    if (this.failure !== undefined) {
      throw new IoError(`${this.file.path}: value log unusable after an earlier failed write or sync`, this.failure);
    }
  }
}
