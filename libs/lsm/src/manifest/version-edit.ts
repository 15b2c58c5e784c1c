/**
 * VersionEdit: one change to the set of live files, as a record of the MANIFEST.
 * (NOTE to the log-formats engineer: the lead wrote this file because version-set.ts depends on
 * this exact `VersionEdit` shape and these function signatures. Keep them; add tests and fixtures.)
 *
 *   edit        := field*                                   (fields in any order, each once or repeated as noted)
 *   field       := tag:uvarint body
 *   tag 1  LOG_NUMBER        body := number:uvarint          WALs below it are obsolete
 *   tag 2  NEXT_FILE_NUMBER  body := number:uvarint
 *   tag 3  LAST_SEQ          body := seq:uvarint
 *   tag 4  DELETED_FILE      body := level:uvarint number:uvarint                       (repeated)
 *   tag 5  NEW_FILE          body := level:uvarint number:uvarint file_bytes:uvarint
 *                                    smallest_key:bytes smallest_seq:uvarint
 *                                    largest_key:bytes largest_seq:uvarint
 *                                    min_seq:uvarint max_seq:uvarint
 *                                    entries:uvarint deletions:uvarint                  (repeated)
 *   tag 6  VLOG_ADDED        body := number:uvarint                                     (repeated)
 *   tag 7  VLOG_DELETED      body := number:uvarint                                     (repeated)
 *   tag 8  VLOG_DISCARD      body := number:uvarint garbage_bytes:uvarint (added)       (repeated)
 *   tag 9  KEEP_DEAD_AFTER   body := ts:uvarint      the `until` of the newest backup: compaction
 *                                                    keeps tombstones and expired values newer
 *                                                    than it, even in the bottom level
 *   tag 10 DEAD_PURGED_TO    body := ts:uvarint      the highest seq of a tombstone or expired
 *                                                    value compaction has dropped (max over edits)
 *   bytes       := length:uvarint byte[length]
 *
 * Tags are written to disk; never change or reuse them. An unknown tag is corruption (a newer
 * format), as is any length running past the record.
 */

import { getVarint, putVarint, varintLength } from '../codec/varint.js';
import { CorruptionError } from '../errors.js';
import type { FileMeta } from './version.js';

/** Written to disk; never change or reuse. */
export const EditTag = {
  LOG_NUMBER: 1,
  NEXT_FILE_NUMBER: 2,
  LAST_SEQ: 3,
  DELETED_FILE: 4,
  NEW_FILE: 5,
  VLOG_ADDED: 6,
  VLOG_DELETED: 7,
  VLOG_DISCARD: 8,
  KEEP_DEAD_AFTER: 9,
  DEAD_PURGED_TO: 10,
} as const;

export interface VersionEdit {
  logNumber?: number;
  nextFileNumber?: number;
  lastSeq?: number;
  deletedFiles?: { level: number; fileNumber: number }[];
  newFiles?: { level: number; file: FileMeta }[];
  vlogAdded?: number[];
  vlogDeleted?: number[];
  discard?: { fileNumber: number; bytes: number }[];
  /** incremental-backup watermark (the newest backup's `until`); see docs/backup.md "Deletions" */
  keepDeadAfterTs?: number;
  /** the highest seq of a dead entry (tombstone, expired value) compaction dropped */
  deadPurgedToTs?: number;
}

class Writer {
  private parts: number[] = [];
  private chunks: Uint8Array[] = [];
  uint(value: number): void {
    this.parts.push(value);
  }
  bytes(value: Uint8Array): void {
    this.parts.push(value.length);
    this.flushParts();
    this.chunks.push(value);
  }
  private flushParts(): void {
    if (this.parts.length === 0) return;
    let length = 0;
    for (const part of this.parts) length += varintLength(part);
    const out = new Uint8Array(length);
    let offset = 0;
    for (const part of this.parts) offset = putVarint(out, offset, part);
    this.chunks.push(out);
    this.parts = [];
  }
  finish(): Uint8Array {
    this.flushParts();
    let length = 0;
    for (const chunk of this.chunks) length += chunk.length;
    const out = new Uint8Array(length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

export function encodeVersionEdit(edit: VersionEdit): Uint8Array {
  const w = new Writer();
  if (edit.logNumber !== undefined) {
    w.uint(EditTag.LOG_NUMBER);
    w.uint(edit.logNumber);
  }
  if (edit.nextFileNumber !== undefined) {
    w.uint(EditTag.NEXT_FILE_NUMBER);
    w.uint(edit.nextFileNumber);
  }
  if (edit.lastSeq !== undefined) {
    w.uint(EditTag.LAST_SEQ);
    w.uint(edit.lastSeq);
  }
  for (const { level, fileNumber } of edit.deletedFiles ?? []) {
    w.uint(EditTag.DELETED_FILE);
    w.uint(level);
    w.uint(fileNumber);
  }
  for (const { level, file } of edit.newFiles ?? []) {
    w.uint(EditTag.NEW_FILE);
    w.uint(level);
    w.uint(file.number);
    w.uint(file.fileBytes);
    w.bytes(file.smallestKey);
    w.uint(file.smallestSeq);
    w.bytes(file.largestKey);
    for (const v of [file.largestSeq, file.minSeq, file.maxSeq, file.entries, file.deletions]) w.uint(v);
  }
  for (const n of edit.vlogAdded ?? []) {
    w.uint(EditTag.VLOG_ADDED);
    w.uint(n);
  }
  for (const n of edit.vlogDeleted ?? []) {
    w.uint(EditTag.VLOG_DELETED);
    w.uint(n);
  }
  for (const { fileNumber, bytes } of edit.discard ?? []) {
    w.uint(EditTag.VLOG_DISCARD);
    w.uint(fileNumber);
    w.uint(bytes);
  }
  if (edit.keepDeadAfterTs !== undefined) {
    w.uint(EditTag.KEEP_DEAD_AFTER);
    w.uint(edit.keepDeadAfterTs);
  }
  if (edit.deadPurgedToTs !== undefined) {
    w.uint(EditTag.DEAD_PURGED_TO);
    w.uint(edit.deadPurgedToTs);
  }
  return w.finish();
}

/** Decodes one MANIFEST record; `fileName`/`offset` locate it for CorruptionError. */
export function decodeVersionEdit(record: Uint8Array, fileName: string, offset: number): VersionEdit {
  let position = 0;
  const fail = (reason: string): never => {
    throw new CorruptionError(fileName, offset, `version edit: ${reason} (byte ${position} of the record)`);
  };
  const uint = (): number => {
    const decoded = getVarint(record, position) ?? fail('truncated or over-long varint');
    position = decoded.next;
    return decoded.value;
  };
  const bytes = (): Uint8Array => {
    const length = uint();
    if (length > record.length - position) fail('byte string runs past the record');
    const out = record.slice(position, position + length);
    position += length;
    return out;
  };
  const edit: VersionEdit = {};
  while (position < record.length) {
    const tag = uint();
    switch (tag) {
      case EditTag.LOG_NUMBER: edit.logNumber = uint(); break;
      case EditTag.NEXT_FILE_NUMBER: edit.nextFileNumber = uint(); break;
      case EditTag.LAST_SEQ: edit.lastSeq = uint(); break;
      case EditTag.DELETED_FILE: (edit.deletedFiles ??= []).push({ level: uint(), fileNumber: uint() }); break;
      case EditTag.NEW_FILE: {
        const level = uint();
        const number = uint();
        const fileBytes = uint();
        const smallestKey = bytes();
        const smallestSeq = uint();
        const largestKey = bytes();
        const [largestSeq, minSeq, maxSeq, entries, deletions] = [uint(), uint(), uint(), uint(), uint()];
        const file: FileMeta = { number, fileBytes, smallestKey, smallestSeq, largestKey, largestSeq, minSeq, maxSeq, entries, deletions };
        (edit.newFiles ??= []).push({ level, file });
        break;
      }
      case EditTag.VLOG_ADDED: (edit.vlogAdded ??= []).push(uint()); break;
      case EditTag.VLOG_DELETED: (edit.vlogDeleted ??= []).push(uint()); break;
      case EditTag.VLOG_DISCARD: (edit.discard ??= []).push({ fileNumber: uint(), bytes: uint() }); break;
      case EditTag.KEEP_DEAD_AFTER: edit.keepDeadAfterTs = uint(); break;
      case EditTag.DEAD_PURGED_TO: edit.deadPurgedToTs = uint(); break;
      default: fail(`unknown tag ${tag}`);
    }
  }
  return edit;
}
