/**
 * Appends records to a WAL or MANIFEST file in the framing of record-format.ts.
 *
 * - Many records go out in ONE `append` (group commit: one write and one fsync for every
 *   transaction waiting), laid out from the file's current size.
 * - A new (empty) file gets its 16-byte header first. An existing file is continued at its
 *   size; recovery must have truncated any torn tail first (readRecords().validEndOffset), or the
 *   reader would later see damage followed by valid records.
 * - After a failed append or sync the writer refuses further use (RELIABILITY.md D7: a failed
 *   fsync is never retried; the bytes on disk after a failed append are unknown).
 * - Appends must not overlap: the caller (the commit queue, the version set) serialises them.
 */

import { assert } from '../assert.js';
import { IoError } from '../errors.js';
import type { WritableFile } from '../fs/fs.js';
import { LOG_HEADER_BYTES, encodeChunks, encodeLogHeader, encodedChunksBytes } from './record-format.js';
import type { LogKind } from './record-format.js';

/**
 * The chunk bytes of `records` laid out from file offset `startOffset` (pure). Appending them
 * to a log whose size is `startOffset` adds the records.
 */
export function encodeRecords(startOffset: number, records: readonly Uint8Array[]): Uint8Array {
  assert(startOffset >= LOG_HEADER_BYTES, `records start after the file header, not at ${startOffset}`);
  const lengths = records.map((record) => record.length);
  const out = new Uint8Array(encodedChunksBytes(startOffset, lengths));
  encodeChunks(out, startOffset, records);
  return out;
}

export class RecordWriter {
  readonly file: WritableFile;
  readonly kind: LogKind;
  private position: number;
  private appending = false;
  private failure: unknown = undefined;

  private constructor(file: WritableFile, kind: LogKind) {
    this.file = file;
    this.kind = kind;
    this.position = file.size;
  }

  /** Wraps `file`; writes the file header when the file is empty. */
  static async create(file: WritableFile, kind: LogKind): Promise<RecordWriter> {
    assert(
      file.size === 0 || file.size >= LOG_HEADER_BYTES,
      `${file.path}: ${file.size} bytes is a torn header; recovery truncates it to 0 first`,
    );
    const writer = new RecordWriter(file, kind);
    if (file.size === 0) await writer.appendRaw(encodeLogHeader(kind));
    return writer;
  }

  /** File offset after everything appended so far (the header included). */
  get size(): number {
    return this.position;
  }

  /** Appends `records` in one `append`; durable only after `sync()`. */
  async addRecords(records: readonly Uint8Array[]): Promise<void> {
    if (records.length === 0) return;
    this.checkUsable();
    await this.appendRaw(encodeRecords(this.position, records));
  }

  async sync(): Promise<void> {
    this.checkUsable();
    try {
      await this.file.sync();
    } catch (error) {
      this.failure ??= error;
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.file.close();
  }

  private async appendRaw(bytes: Uint8Array): Promise<void> {
    assert(!this.appending, `${this.file.path}: overlapping appends to one log`);
    this.appending = true;
    const expected = this.position + bytes.length;
    this.position = expected;
    try {
      await this.file.append(bytes);
    } catch (error) {
      this.failure ??= error;
      throw error;
    } finally {
      this.appending = false;
    }
    assert(this.file.size === expected, `${this.file.path}: size ${this.file.size} after append, expected ${expected}`);
  }

  private checkUsable(): void {
    if (this.failure !== undefined) {
      throw new IoError(`${this.file.path}: log unusable after an earlier failed write or sync`, this.failure);
    }
  }
}
