/**
 * The WAL payload of one committed transaction or write batch: ONE log record (record-format.ts)
 * that opens with a header and closes with a commit marker. See docs/logs.md "Write batch".
 *
 *   write_batch   := batch_header  entry{count}  commit_marker
 *   batch_header  := BEGIN:uint8 = 0x42   commit_ts:fixed64   count:fixed32          (13 bytes)
 *   entry         := kind_flags:uint8  [seq:uvarint]  key_length:uvarint  key
 *                    value_length:uvarint  value
 *     kind_flags   : bits 0-3 Kind (keys/internal-key.ts), bit 7 EXPLICIT_SEQ, bits 4-6 zero
 *     seq          : present iff EXPLICIT_SEQ; otherwise the entry's seq is commit_ts. An explicit
 *                    seq is <= commit_ts (value-log GC rewrites a version under its own seq).
 *     value        : the stored value (keys/value-format.ts); empty for Kind.DELETE
 *   commit_marker := COMMIT:uint8 = 0x43   commit_ts:fixed64   count:fixed32   crc:fixed32  (17 bytes)
 *     crc          = masked crc32c of every byte of the batch before it
 *
 * Integers little-endian. Replay applies a batch only when its marker is present and valid
 * (RELIABILITY.md D6): marker tag, the same commit_ts and count as the header, the crc, and the
 * marker ending exactly at the end of the record. The record framing already drops torn records,
 * so a record that verifies but whose marker does not is corruption, never a partial apply.
 *
 * Invariants: every entry of a batch has seq <= commit_ts; count = number of entries.
 */

import { assert } from '../assert.js';
import { crc32c, maskCrc } from '../codec/crc32c.js';
import { getFixed32, getFixed64, putFixed32, putFixed64 } from '../codec/fixed.js';
import { getVarint, putVarint, varintLength } from '../codec/varint.js';
import { CorruptionError } from '../errors.js';
import { isKind, Kind } from '../keys/internal-key.js';

/** Batch tags. Written to disk; never change or reuse. */
export const BatchTag = {
  BEGIN: 0x42,
  COMMIT: 0x43,
} as const;

/** Flag bits of kind_flags above the kind. Written to disk; never change or reuse. */
export const BatchEntryFlag = {
  EXPLICIT_SEQ: 0x80,
} as const;

const KIND_MASK = 0x0f;
export const BATCH_HEADER_BYTES = 13;
export const COMMIT_MARKER_BYTES = 17;
export const BATCH_OVERHEAD_BYTES = BATCH_HEADER_BYTES + COMMIT_MARKER_BYTES;
/** smallest entry: kind_flags, empty key, empty value */
const MIN_ENTRY_BYTES = 3;

/** One write of a batch, as the commit path builds it. */
export interface BatchEntry {
  kind: Kind;
  key: Uint8Array;
  /** stored value (keys/value-format.ts); empty for DELETE */
  value: Uint8Array;
  /** the version's own seq (value-log GC rewrites); absent = the batch's commit ts */
  seq?: number;
}

/** A decoded write: key and value are views into the record; seq is always set. */
export interface DecodedBatchEntry extends BatchEntry {
  seq: number;
}

export interface DecodedBatch {
  commitTs: number;
  entries: DecodedBatchEntry[];
}

/** Encoded bytes of one entry. */
export function batchEntryBytes(keyBytes: number, valueBytes: number, seq?: number): number {
  return (
    1 + (seq === undefined ? 0 : varintLength(seq)) + varintLength(keyBytes) + keyBytes + varintLength(valueBytes) + valueBytes
  );
}

/** Encoded bytes of a whole batch of `entries`. */
export function writeBatchBytes(entries: readonly BatchEntry[]): number {
  let total = BATCH_OVERHEAD_BYTES;
  for (const entry of entries) total += batchEntryBytes(entry.key.length, entry.value.length, entry.seq);
  return total;
}

/** Encodes one batch (one WAL record). Entries are checked: a malformed one is a bug. */
export function encodeWriteBatch(commitTs: number, entries: readonly BatchEntry[]): Uint8Array {
  assert(Number.isSafeInteger(commitTs) && commitTs >= 0, `commit ts ${commitTs}`);
  assert(entries.length <= 0xffff_ffff, 'batch entry count fits fixed32');
  for (const entry of entries) {
    assert(isKind(entry.kind), `batch entry kind ${entry.kind}`);
    assert(entry.kind !== Kind.DELETE || entry.value.length === 0, 'a delete carries no value');
    assert(entry.seq === undefined || (Number.isSafeInteger(entry.seq) && entry.seq >= 0 && entry.seq <= commitTs), `entry seq ${entry.seq} above commit ts ${commitTs}`);
  }
  const out = new Uint8Array(writeBatchBytes(entries));
  encodeWriteBatchInto(out, commitTs, entries);
  return out;
}

/**
 * Writes the batch into `target`, exactly `writeBatchBytes(entries)` long. The caller checked
 * each entry (kind, seq <= commitTs, DELETE has an empty value), as `encodeWriteBatch` does.
 */
export function encodeWriteBatchInto(target: Uint8Array, commitTs: number, entries: readonly BatchEntry[]): void {
  target[0] = BatchTag.BEGIN;
  putFixed64(target, 1, commitTs);
  putFixed32(target, 9, entries.length);
  let at = BATCH_HEADER_BYTES;
  for (const entry of entries) {
    if (entry.seq === undefined) {
      target[at++] = entry.kind;
    } else {
      target[at++] = entry.kind | BatchEntryFlag.EXPLICIT_SEQ;
      at = putVarint(target, at, entry.seq);
    }
    at = putVarint(target, at, entry.key.length);
    target.set(entry.key, at);
    at = putVarint(target, at + entry.key.length, entry.value.length);
    target.set(entry.value, at);
    at += entry.value.length;
  }
  assert(at + COMMIT_MARKER_BYTES === target.length, `write batch target ${target.length} bytes, needs ${at + COMMIT_MARKER_BYTES}`);
  target[at] = BatchTag.COMMIT;
  putFixed64(target, at + 1, commitTs);
  putFixed32(target, at + 9, entries.length);
  putFixed32(target, at + 13, maskCrc(crc32c(target, 0, at + 13)));
}

/**
 * Decodes one batch record. `fileOffset` is the record's offset in `fileName`, for errors; an
 * error's reason names the byte inside the batch.
 */
export function decodeWriteBatch(bytes: Uint8Array, fileName: string, fileOffset: number): DecodedBatch {
  const fail = (at: number, reason: string): CorruptionError =>
    new CorruptionError(fileName, fileOffset, `write batch: ${reason} (batch byte ${at})`);
  if (bytes.length < BATCH_OVERHEAD_BYTES) throw fail(0, `${bytes.length} bytes is too short for a batch`);
  const commitTs = checkMarker(bytes, fail);
  const count = getFixed32(bytes, 9);
  const end = bytes.length - COMMIT_MARKER_BYTES;
  if (count > (end - BATCH_HEADER_BYTES) / MIN_ENTRY_BYTES) throw fail(9, `count ${count} exceeds the bytes present`);
  const entries: DecodedBatchEntry[] = new Array<DecodedBatchEntry>(count);
  let at = BATCH_HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    const start = at;
    if (at >= end) throw fail(at, `entry ${i} of ${count} missing`);
    const kindFlags = bytes[at++] as number;
    const kind = kindFlags & KIND_MASK;
    if (!isKind(kind) || (kindFlags & ~(KIND_MASK | BatchEntryFlag.EXPLICIT_SEQ)) !== 0) {
      throw fail(start, `bad entry kind/flags 0x${kindFlags.toString(16)}`);
    }
    let seq = commitTs;
    if (kindFlags & BatchEntryFlag.EXPLICIT_SEQ) {
      const decoded = getVarint(bytes, at, end);
      if (decoded === undefined || decoded.value > commitTs) throw fail(at, 'bad entry seq');
      seq = decoded.value;
      at = decoded.next;
    }
    const keyLength = getVarint(bytes, at, end);
    if (keyLength === undefined || keyLength.value > end - keyLength.next) throw fail(at, 'bad key length');
    const key = bytes.subarray(keyLength.next, keyLength.next + keyLength.value);
    at = keyLength.next + keyLength.value;
    const valueLength = getVarint(bytes, at, end);
    if (valueLength === undefined || valueLength.value > end - valueLength.next) throw fail(at, 'bad value length');
    if (kind === Kind.DELETE && valueLength.value !== 0) throw fail(at, 'a delete carries a value');
    const value = bytes.subarray(valueLength.next, valueLength.next + valueLength.value);
    at = valueLength.next + valueLength.value;
    entries[i] = { kind, key, value, seq };
  }
  if (at !== end) throw fail(at, `${end - at} bytes between the last entry and the commit marker`);
  return { commitTs, entries };
}

/** Checks header tag, marker tag, ts and count agreement, and the crc; returns commit_ts. */
function checkMarker(bytes: Uint8Array, fail: (at: number, reason: string) => CorruptionError): number {
  if (bytes[0] !== BatchTag.BEGIN) throw fail(0, 'missing batch header');
  const marker = bytes.length - COMMIT_MARKER_BYTES;
  if (bytes[marker] !== BatchTag.COMMIT) throw fail(marker, 'missing commit marker');
  const crc = getFixed32(bytes, marker + 13);
  if (maskCrc(crc32c(bytes, 0, marker + 13)) !== crc) throw fail(marker + 13, 'commit marker checksum mismatch');
  const commitTs = getFixed64(bytes, 1);
  if (Number.isNaN(commitTs)) throw fail(1, 'commit ts out of range');
  if (getFixed64(bytes, marker + 1) !== commitTs || getFixed32(bytes, marker + 9) !== getFixed32(bytes, 9)) {
    throw fail(marker, 'commit marker disagrees with the batch header');
  }
  return commitTs;
}
