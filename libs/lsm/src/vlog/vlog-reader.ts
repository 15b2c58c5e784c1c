/**
 * Reads value-log entries by pointer (synchronously, verifying each entry's checksum), and scans
 * a whole file for value-log GC and recovery.
 *
 * Scan rules (as the WAL's, RELIABILITY.md D5): entries are yielded in file order up to the
 * first damaged one; damage with no valid entry anywhere after it is a torn tail (the scan ends
 * and its return value says where); damage followed by a valid entry is a CorruptionError, so
 * GC never treats a file as fully scanned, and deletes it, while live values lie past the damage.
 */

import { readAtSync, type ReadableFile } from '../fs/fs.js';
import { vlogFileName } from '../fs/filenames.js';
import { CorruptionError } from '../errors.js';
import type { ValuePointer } from '../keys/value-format.js';
import {
  checkVlogHeader,
  decodeVlogEntry,
  findValidVlogEntry,
  vlogEntryLengthAt,
  vlogEntryProblem,
  vlogHeaderStatus,
  VLOG_ENTRY_HEADER_BYTES,
  VLOG_HEADER_BYTES,
  type VlogEntry,
} from './vlog-format.js';
import { getFixed32 } from '../codec/fixed.js';

/** Pointers at least this long are checked against the entry header before the full read. */
const UNVERIFIED_READ_BYTES_MAX = 64 * 1024 * 1024;

export interface VlogScanEnd {
  /** end of the last whole entry (VLOG_HEADER_BYTES for a file with none; 0 if no header) */
  validEndOffset: number;
  /** bytes follow `validEndOffset` (a torn append); truncate before appending to the file */
  tornTail: boolean;
}

export type VlogScanItem = VlogEntry & { pointer: ValuePointer };

export class VlogReader {
  private readonly file: ReadableFile;
  readonly fileNumber: number;
  readonly fileName: string;

  constructor(file: ReadableFile, fileNumber: number) {
    this.file = file;
    this.fileNumber = fileNumber;
    this.fileName = vlogFileName(fileNumber);
  }

  /** The value a pointer names, verified (a view into a buffer read for this call). */
  readValue(pointer: ValuePointer): Uint8Array {
    const { offset, length } = pointer;
    if (offset < VLOG_HEADER_BYTES) throw new CorruptionError(this.fileName, offset, 'value pointer inside the file header');
    if (length < VLOG_ENTRY_HEADER_BYTES) throw new CorruptionError(this.fileName, offset, `value pointer length ${length} is too short`);
    if (length >= UNVERIFIED_READ_BYTES_MAX) this.checkHugeLength(offset, length);
    const bytes = readAtSync(this.file, offset, length);
    if (bytes.length !== length) throw new CorruptionError(this.fileName, offset, 'value pointer past the end of the file');
    return decodeVlogEntry(bytes, this.fileName, offset).value;
  }

  /**
   * Every whole entry of a file's `bytes` in order. Stops cleanly at a torn tail (the generator's
   * return value says where); throws CorruptionError for damage followed by valid entries, and
   * for a header that is intact but not a V1 value-log header.
   */
  *scan(bytes: Uint8Array): Generator<VlogScanItem, VlogScanEnd, undefined> {
    if (bytes.length === 0) return { validEndOffset: 0, tornTail: false };
    const header = vlogHeaderStatus(bytes);
    if (header === 'truncated' || header === 'damaged') return this.endAtDamage(bytes, 0, 0, `header ${header}`);
    if (header !== 'ok') checkVlogHeader(bytes, this.fileName); // bad magic or version: throws
    let at = VLOG_HEADER_BYTES;
    while (at < bytes.length) {
      const problem = vlogEntryProblem(bytes, at);
      if (problem !== undefined) return this.endAtDamage(bytes, at, at, problem);
      const keyEnd = at + VLOG_ENTRY_HEADER_BYTES + getFixed32(bytes, at + 4);
      const length = vlogEntryLengthAt(bytes, at) as number;
      const key = bytes.subarray(at + VLOG_ENTRY_HEADER_BYTES, keyEnd);
      const value = bytes.subarray(keyEnd, at + length);
      yield { key, value, pointer: { fileNumber: this.fileNumber, offset: at, length } };
      at += length;
    }
    return { validEndOffset: at, tornTail: false };
  }

  /** Runs `scan` to its end: where the valid entries stop (recovery truncates there). */
  validEnd(bytes: Uint8Array): VlogScanEnd {
    const scan = this.scan(bytes);
    for (;;) {
      const step = scan.next();
      if (step.done === true) return step.value;
    }
  }

  private endAtDamage(bytes: Uint8Array, damageAt: number, validEnd: number, reason: string): VlogScanEnd {
    const natural = damageAt >= VLOG_HEADER_BYTES ? damageAt + (vlogEntryLengthAt(bytes, damageAt) ?? 0) : VLOG_HEADER_BYTES;
    let next = natural > damageAt && natural < bytes.length && vlogEntryProblem(bytes, natural) === undefined ? natural : -1;
    if (next < 0) next = findValidVlogEntry(bytes, damageAt + 1);
    if (next >= 0) {
      throw new CorruptionError(this.fileName, damageAt, `${reason}; valid entries follow at offset ${next}`);
    }
    return { validEndOffset: validEnd, tornTail: true };
  }

  /** A pointer claiming a huge entry must agree with the entry's own header before we allocate. */
  private checkHugeLength(offset: number, length: number): void {
    const header = readAtSync(this.file, offset, VLOG_ENTRY_HEADER_BYTES);
    const claimed = header.length < VLOG_ENTRY_HEADER_BYTES
      ? -1
      : VLOG_ENTRY_HEADER_BYTES + getFixed32(header, 4) + getFixed32(header, 8);
    if (claimed !== length) {
      throw new CorruptionError(this.fileName, offset, `value pointer length ${length} disagrees with the entry header`);
    }
  }
}
