/**
 * The backup stream (`db.backup` / `db.load`, docs/backup.md): a self-describing, versioned,
 * checksummed byte stream of key-value records. Pure encode/decode; no I/O.
 *
 *   backup_stream := header  chunk*  trailer                    (nothing may follow the trailer)
 *   header        := magic:"LSM_BAK\n" (8 bytes)  version:fixed32 (=1)  header_crc:fixed32     16 bytes
 *     header_crc = masked crc32c of bytes [0, 12)
 *   chunk         := type:uint8 (=1)  payload_length:fixed32  record_count:fixed32  chunk_crc:fixed32
 *                    payload                                                         13-byte header
 *     chunk_crc = masked crc32c of (bytes [0, 9) of the chunk ‖ payload ‖ fixed64 stream offset of the chunk)
 *     1 <= record_count; 1 <= payload_length <= MAX_CHUNK_PAYLOAD_BYTES; records never span chunks
 *   payload       := record{record_count}                      (exactly: no bytes left over)
 *   record        := kind:uint8  key_length:uvarint  key  version:uvarint  user_meta:uint8
 *                    expires_at:uvarint  value_length:uvarint  value
 *     kind 1 = VALUE; kind 0 = DELETE (tombstone: user_meta, expires_at and value_length are 0)
 *     version = commit timestamp of the version in the source database (since < version <= until)
 *     expires_at = epoch ms, 0 = never; 1 <= key_length <= MAX_KEY_BYTES; value_length <= MAX_VALUE_BYTES
 *   trailer       := type:uint8 (=2)  record_count:fixed64  chunk_count:fixed64  since:fixed64
 *                    until:fixed64  stream_crc:fixed32                                   37 bytes
 *     stream_crc = masked crc32c of every byte of the stream before it (header, chunks, and the
 *     trailer's first 33 bytes), so the trailer checks the whole stream end to end.
 *
 * Records are in strictly ascending key order (unsigned bytes), one per key. All integers are
 * little-endian; varints are unsigned LEB128 (codec/varint.ts). Every byte is covered by a
 * checksum; binding a chunk's crc to its stream offset means a reordered, duplicated or dropped
 * chunk never verifies where it lies. Constants are written to backups; never change or reuse them.
 *
 * Errors: any malformed input is a CorruptionError whose file is "backup" and whose offset is the
 * stream byte offset of the damaged unit or field.
 */

import { compareBytes } from '../codec/bytes.js';
import { crc32cUpdate, maskCrc } from '../codec/crc32c.js';
import { getFixed32, getFixed64, putFixed32, putFixed64 } from '../codec/fixed.js';
import { getVarint, putVarint, varintLength } from '../codec/varint.js';
import { CorruptionError, InvalidArgumentError } from '../errors.js';

/** Written to backups; never change or reuse. */
export const BACKUP_MAGIC = 'LSM_BAK\n';
/** Format versions, a linear history. Written to backups; never change or reuse. */
export const BackupFormatVersion = { V1: 1 } as const;
/** Unit types. Written to backups; never change or reuse. */
export const BackupUnitType = { CHUNK: 1, TRAILER: 2 } as const;
/** Record kinds. Written to backups; never change or reuse. */
export const BackupRecordKind = { DELETE: 0, VALUE: 1 } as const;

export const BACKUP_HEADER_BYTES = 16;
export const BACKUP_CHUNK_HEADER_BYTES = 13;
export const BACKUP_TRAILER_BYTES = 37;
/** The largest key and value a backup may hold (the engine's own option ceilings). */
export const BACKUP_MAX_KEY_BYTES = 1024 * 1024;
export const BACKUP_MAX_VALUE_BYTES = 1024 * 1024 * 1024;
/** One record of the largest key and value, with its varints, fits in one chunk. */
export const MAX_CHUNK_PAYLOAD_BYTES = BACKUP_MAX_KEY_BYTES + BACKUP_MAX_VALUE_BYTES + 64;
export const DEFAULT_CHUNK_BYTES = 64 * 1024;
/** The file name CorruptionErrors carry. */
export const BACKUP_FILE = 'backup';

const magicBytes = new TextEncoder().encode(BACKUP_MAGIC);

export interface BackupRecord {
  key: Uint8Array;
  /** empty for a tombstone */
  value: Uint8Array;
  /** commit timestamp of the version in the source database */
  version: number;
  userMeta: number;
  /** epoch ms; 0 = never */
  expiresAt: number;
  /** true: the key was deleted (or had expired) as of `version` */
  deleted: boolean;
}

export interface BackupTrailer {
  records: number;
  chunks: number;
  since: number;
  until: number;
}

function corrupt(offset: number, reason: string): CorruptionError {
  return new CorruptionError(BACKUP_FILE, offset, reason);
}

// ---- encoding -----------------------------------------------------------------------------------

export function encodeBackupHeader(): Uint8Array {
  const out = new Uint8Array(BACKUP_HEADER_BYTES);
  out.set(magicBytes, 0);
  putFixed32(out, 8, BackupFormatVersion.V1);
  putFixed32(out, 12, maskCrc(crc32cUpdate(0, out, 0, 12)));
  return out;
}

/** Encoded size of a record. */
export function backupRecordBytes(record: BackupRecord): number {
  return (
    1 + varintLength(record.key.length) + record.key.length + varintLength(record.version) + 1 +
    varintLength(record.expiresAt) + varintLength(record.value.length) + record.value.length
  );
}

/** Writes `record` at `target[at]`; returns the offset after it. The caller sized `target`. */
export function encodeBackupRecord(target: Uint8Array, at: number, record: BackupRecord): number {
  target[at++] = record.deleted ? BackupRecordKind.DELETE : BackupRecordKind.VALUE;
  at = putVarint(target, at, record.key.length);
  target.set(record.key, at);
  at += record.key.length;
  at = putVarint(target, at, record.version);
  target[at++] = record.deleted ? 0 : record.userMeta;
  at = putVarint(target, at, record.deleted ? 0 : record.expiresAt);
  const value = record.deleted ? EMPTY : record.value;
  at = putVarint(target, at, value.length);
  target.set(value, at);
  return at + value.length;
}

const EMPTY = new Uint8Array(0);

function checkRecordForEncoding(record: BackupRecord): void {
  if (record.key.length === 0 || record.key.length > BACKUP_MAX_KEY_BYTES) {
    throw new InvalidArgumentError(`backup record key of ${record.key.length} bytes is out of range`);
  }
  if (record.value.length > BACKUP_MAX_VALUE_BYTES) {
    throw new InvalidArgumentError(`backup record value of ${record.value.length} bytes is out of range`);
  }
  if (!Number.isSafeInteger(record.version) || record.version < 1) throw new InvalidArgumentError(`bad record version ${record.version}`);
  if (!Number.isInteger(record.userMeta) || record.userMeta < 0 || record.userMeta > 255) {
    throw new InvalidArgumentError(`bad record userMeta ${record.userMeta}`);
  }
  if (!Number.isSafeInteger(record.expiresAt) || record.expiresAt < 0) throw new InvalidArgumentError(`bad record expiresAt ${record.expiresAt}`);
}

/**
 * Builds a backup stream piece by piece: `header()`, then `add()` per record (returns a chunk
 * once the pending payload reaches `chunkBytes`), then `finish()` (last chunk + trailer). Tracks
 * the stream offset and the running stream checksum.
 */
export class BackupEncoder {
  private readonly since: number;
  private readonly until: number;
  private readonly chunkBytes: number;
  private payload: Uint8Array;
  private payloadLength = 0;
  private payloadRecords = 0;
  private offset = 0;
  private crc = 0;
  private started = false;
  private finished = false;
  private lastKey: Uint8Array | undefined;
  recordCount = 0;
  chunkCount = 0;

  constructor(options: { since: number; until: number; chunkBytes?: number }) {
    const { since, until } = options;
    if (!Number.isSafeInteger(since) || since < 0) throw new InvalidArgumentError('since must be a non-negative integer');
    if (!Number.isSafeInteger(until) || until < since) throw new InvalidArgumentError('until must be an integer >= since');
    const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    if (!Number.isInteger(chunkBytes) || chunkBytes < 1 || chunkBytes > 64 * 1024 * 1024) {
      throw new InvalidArgumentError('chunkBytes must be an integer from 1 to 64 MiB');
    }
    this.since = since;
    this.until = until;
    this.chunkBytes = chunkBytes;
    this.payload = new Uint8Array(Math.min(chunkBytes, 1024 * 1024) + 1024);
  }

  /** Bytes emitted so far. */
  get bytes(): number {
    return this.offset;
  }

  header(): Uint8Array {
    if (this.started) throw new InvalidArgumentError('backup header already written');
    this.started = true;
    return this.emit(encodeBackupHeader());
  }

  /** Adds a record (keys strictly ascending); returns a whole chunk when one is ready. */
  add(record: BackupRecord): Uint8Array | undefined {
    if (!this.started || this.finished) throw new InvalidArgumentError('backup encoder is not accepting records');
    checkRecordForEncoding(record);
    if (record.version <= this.since || record.version > this.until) {
      throw new InvalidArgumentError(`record version ${record.version} is outside (${this.since}, ${this.until}]`);
    }
    if (this.lastKey !== undefined && compareBytes(this.lastKey, record.key) >= 0) {
      throw new InvalidArgumentError('backup records must be in strictly ascending key order');
    }
    this.lastKey = record.key.slice();
    const size = backupRecordBytes(record);
    if (this.payloadLength + size > this.payload.length) {
      const grown = new Uint8Array(Math.max(this.payload.length * 2, this.payloadLength + size));
      grown.set(this.payload.subarray(0, this.payloadLength));
      this.payload = grown;
    }
    this.payloadLength = encodeBackupRecord(this.payload, this.payloadLength, record);
    this.payloadRecords++;
    this.recordCount++;
    return this.payloadLength >= this.chunkBytes ? this.cutChunk() : undefined;
  }

  /** The last chunk (if records are pending) and the trailer, as one array. */
  finish(): Uint8Array {
    if (!this.started || this.finished) throw new InvalidArgumentError('backup encoder is not accepting records');
    const last = this.payloadRecords > 0 ? this.cutChunk() : EMPTY;
    this.finished = true;
    const trailer = new Uint8Array(BACKUP_TRAILER_BYTES);
    trailer[0] = BackupUnitType.TRAILER;
    putFixed64(trailer, 1, this.recordCount);
    putFixed64(trailer, 9, this.chunkCount);
    putFixed64(trailer, 17, this.since);
    putFixed64(trailer, 25, this.until);
    const crc = crc32cUpdate(this.crc, trailer, 0, 33);
    putFixed32(trailer, 33, maskCrc(crc));
    this.emit(trailer);
    const out = new Uint8Array(last.length + trailer.length);
    out.set(last, 0);
    out.set(trailer, last.length);
    return out;
  }

  private cutChunk(): Uint8Array {
    const chunk = encodeBackupChunk(this.payload.subarray(0, this.payloadLength), this.payloadRecords, this.offset);
    this.payloadLength = 0;
    this.payloadRecords = 0;
    this.chunkCount++;
    if (this.payload.length > 2 * this.chunkBytes + 1024) this.payload = new Uint8Array(Math.min(this.chunkBytes, 1024 * 1024) + 1024);
    return this.emit(chunk);
  }

  private emit(bytes: Uint8Array): Uint8Array {
    this.crc = crc32cUpdate(this.crc, bytes);
    this.offset += bytes.length;
    return bytes;
  }
}

/** One chunk holding `payload` (`recordCount` encoded records) that will sit at `streamOffset`. */
export function encodeBackupChunk(payload: Uint8Array, recordCount: number, streamOffset: number): Uint8Array {
  const out = new Uint8Array(BACKUP_CHUNK_HEADER_BYTES + payload.length);
  out[0] = BackupUnitType.CHUNK;
  putFixed32(out, 1, payload.length);
  putFixed32(out, 5, recordCount);
  out.set(payload, BACKUP_CHUNK_HEADER_BYTES);
  putFixed32(out, 9, chunkCrc(out, streamOffset));
  return out;
}

const offsetScratch = new Uint8Array(8);

function chunkCrc(chunk: Uint8Array, streamOffset: number): number {
  putFixed64(offsetScratch, 0, streamOffset);
  let crc = crc32cUpdate(0, chunk, 0, 9);
  crc = crc32cUpdate(crc, chunk, BACKUP_CHUNK_HEADER_BYTES, chunk.length);
  return maskCrc(crc32cUpdate(crc, offsetScratch));
}

// ---- decoding -----------------------------------------------------------------------------------

/** Throws CorruptionError unless `bytes` (at least 16) start with a valid V1 backup header. */
export function checkBackupHeader(bytes: Uint8Array): void {
  if (bytes.length < BACKUP_HEADER_BYTES) throw corrupt(0, 'truncated backup header');
  for (let i = 0; i < magicBytes.length; i++) {
    if (bytes[i] !== magicBytes[i]) throw corrupt(0, 'not a backup stream (bad magic)');
  }
  if (getFixed32(bytes, 12) !== maskCrc(crc32cUpdate(0, bytes, 0, 12))) throw corrupt(0, 'backup header checksum mismatch');
  const version = getFixed32(bytes, 8);
  if (version !== BackupFormatVersion.V1) throw corrupt(8, `unsupported backup format version ${version}`);
}

/**
 * Verifies a whole chunk (`chunk` = its 13-byte header and payload) read from `streamOffset` and
 * decodes its records (keys and values are views into `chunk`).
 */
export function decodeBackupChunk(chunk: Uint8Array, streamOffset: number): BackupRecord[] {
  if (chunk.length < BACKUP_CHUNK_HEADER_BYTES) throw corrupt(streamOffset, 'truncated chunk header');
  if (chunk[0] !== BackupUnitType.CHUNK) throw corrupt(streamOffset, `expected a chunk, found unit type ${chunk[0] as number}`);
  const payloadLength = getFixed32(chunk, 1);
  const count = getFixed32(chunk, 5);
  if (BACKUP_CHUNK_HEADER_BYTES + payloadLength !== chunk.length) throw corrupt(streamOffset, 'chunk length does not match its header');
  if (getFixed32(chunk, 9) !== chunkCrc(chunk, streamOffset)) throw corrupt(streamOffset, 'chunk checksum mismatch');
  if (count === 0) throw corrupt(streamOffset + 5, 'chunk holds no records');
  const records: BackupRecord[] = [];
  let at = BACKUP_CHUNK_HEADER_BYTES;
  const end = chunk.length;
  for (let i = 0; i < count; i++) {
    if (at >= end) throw corrupt(streamOffset + at, `chunk payload ends after ${i} of ${count} records`);
    const decoded = decodeRecordAt(chunk, at, end, streamOffset);
    records.push(decoded.record);
    at = decoded.next;
  }
  if (at !== end) throw corrupt(streamOffset + at, `${end - at} bytes follow the chunk's last record`);
  return records;
}

function decodeRecordAt(bytes: Uint8Array, start: number, end: number, base: number): { record: BackupRecord; next: number } {
  let at = start;
  const kind = bytes[at] as number;
  if (kind !== BackupRecordKind.VALUE && kind !== BackupRecordKind.DELETE) throw corrupt(base + at, `unknown record kind ${kind}`);
  at++;
  const keyLength = getVarint(bytes, at, end);
  if (keyLength === undefined) throw corrupt(base + at, 'bad key length');
  if (keyLength.value === 0 || keyLength.value > BACKUP_MAX_KEY_BYTES) throw corrupt(base + at, `key length ${keyLength.value} out of range`);
  at = keyLength.next;
  if (at + keyLength.value > end) throw corrupt(base + at, 'key runs past the chunk');
  const key = bytes.subarray(at, at + keyLength.value);
  at += keyLength.value;
  const version = getVarint(bytes, at, end);
  if (version === undefined || version.value === 0) throw corrupt(base + at, 'bad version');
  at = version.next;
  if (at >= end) throw corrupt(base + at, 'record ends before user meta');
  const userMeta = bytes[at] as number;
  at++;
  const expiresAt = getVarint(bytes, at, end);
  if (expiresAt === undefined) throw corrupt(base + at, 'bad expires_at');
  at = expiresAt.next;
  const valueLength = getVarint(bytes, at, end);
  if (valueLength === undefined || valueLength.value > BACKUP_MAX_VALUE_BYTES) throw corrupt(base + at, 'bad value length');
  const valueAt = valueLength.next;
  if (valueAt + valueLength.value > end) throw corrupt(base + at, 'value runs past the chunk');
  const deleted = kind === BackupRecordKind.DELETE;
  if (deleted && (userMeta !== 0 || expiresAt.value !== 0 || valueLength.value !== 0)) {
    throw corrupt(base + start, 'tombstone record with a value, user meta or expiry');
  }
  const record: BackupRecord = {
    key,
    value: bytes.subarray(valueAt, valueAt + valueLength.value),
    version: version.value,
    userMeta,
    expiresAt: expiresAt.value,
    deleted,
  };
  return { record, next: valueAt + valueLength.value };
}

export type BackupUnit =
  | { type: 'chunk'; offset: number; bytes: Uint8Array; records: BackupRecord[] }
  | { type: 'trailer'; offset: number; trailer: BackupTrailer };

/**
 * Incremental decoder for a stream arriving in arbitrary pieces: `push()` bytes, take whole units
 * with `next()` until it returns undefined, and call `finish()` when the input ends. Verifies the
 * header, every chunk, record order, the counts and the stream checksum; throws CorruptionError
 * ("backup", stream offset) at the first problem. A chunk's `bytes` stays valid after later
 * pushes (it is a copy or a view of data no longer reused).
 */
export class BackupStreamDecoder {
  private parts: Uint8Array[] = [];
  private partsBytes = 0;
  /** stream offset of the first byte in `parts` */
  private offset = 0;
  private crc = 0;
  private state: 'header' | 'body' | 'done' = 'header';
  private records = 0;
  private chunks = 0;
  private minVersion = Number.MAX_SAFE_INTEGER;
  private maxVersion = 0;
  private lastKey: Uint8Array | undefined;
  private result: BackupTrailer | undefined;

  /** Stream bytes consumed as whole units so far. */
  get consumedBytes(): number {
    return this.offset;
  }

  push(data: Uint8Array): void {
    if (data.length === 0) return;
    if (this.state === 'done') throw corrupt(this.offset, `${data.length} bytes follow the trailer`);
    this.parts.push(data);
    this.partsBytes += data.length;
  }

  next(): BackupUnit | undefined {
    if (this.state === 'done') {
      if (this.partsBytes > 0) throw corrupt(this.offset, `${this.partsBytes} bytes follow the trailer`);
      return undefined;
    }
    if (this.state === 'header') {
      if (this.partsBytes < BACKUP_HEADER_BYTES) {
        // Reject a foreign stream as soon as its first bytes disagree with the magic.
        const head = this.peek(Math.min(this.partsBytes, magicBytes.length));
        for (let i = 0; i < head.length; i++) if (head[i] !== magicBytes[i]) throw corrupt(0, 'not a backup stream (bad magic)');
        return undefined;
      }
      checkBackupHeader(this.take(BACKUP_HEADER_BYTES));
      this.state = 'body';
    }
    if (this.partsBytes < 1) return undefined;
    const type = this.peek(1)[0] as number;
    if (type === BackupUnitType.CHUNK) {
      if (this.partsBytes < BACKUP_CHUNK_HEADER_BYTES) return undefined;
      const header = this.peek(BACKUP_CHUNK_HEADER_BYTES);
      const payloadLength = getFixed32(header, 1);
      if (payloadLength === 0 || payloadLength > MAX_CHUNK_PAYLOAD_BYTES) {
        throw corrupt(this.offset + 1, `chunk payload length ${payloadLength} out of range`);
      }
      if (this.partsBytes < BACKUP_CHUNK_HEADER_BYTES + payloadLength) return undefined;
      const offset = this.offset;
      const bytes = this.take(BACKUP_CHUNK_HEADER_BYTES + payloadLength);
      const records = decodeBackupChunk(bytes, offset);
      for (const record of records) this.checkOrder(record, offset);
      this.records += records.length;
      this.chunks++;
      return { type: 'chunk', offset, bytes, records };
    }
    if (type === BackupUnitType.TRAILER) {
      if (this.partsBytes < BACKUP_TRAILER_BYTES) return undefined;
      const offset = this.offset;
      const crcBefore = this.crc;
      const bytes = this.take(BACKUP_TRAILER_BYTES);
      const crc = crc32cUpdate(crcBefore, bytes, 0, 33);
      if (getFixed32(bytes, 33) !== maskCrc(crc)) throw corrupt(offset, 'stream checksum mismatch');
      const trailer: BackupTrailer = {
        records: getFixed64(bytes, 1),
        chunks: getFixed64(bytes, 9),
        since: getFixed64(bytes, 17),
        until: getFixed64(bytes, 25),
      };
      if (trailer.records !== this.records) throw corrupt(offset + 1, `trailer counts ${trailer.records} records, stream holds ${this.records}`);
      if (trailer.chunks !== this.chunks) throw corrupt(offset + 9, `trailer counts ${trailer.chunks} chunks, stream holds ${this.chunks}`);
      if (trailer.since > trailer.until) throw corrupt(offset + 17, `since ${trailer.since} is after until ${trailer.until}`);
      if (this.records > 0 && (this.minVersion <= trailer.since || this.maxVersion > trailer.until)) {
        throw corrupt(offset + 17, `record versions [${this.minVersion}, ${this.maxVersion}] outside (${trailer.since}, ${trailer.until}]`);
      }
      this.state = 'done';
      this.result = trailer;
      if (this.partsBytes > 0) throw corrupt(this.offset, `${this.partsBytes} bytes follow the trailer`);
      return { type: 'trailer', offset, trailer };
    }
    throw corrupt(this.offset, `unknown unit type ${type}`);
  }

  /** The input has ended: returns the trailer, or throws CorruptionError for a truncated stream. */
  finish(): BackupTrailer {
    if (this.state === 'done' && this.result !== undefined) {
      if (this.partsBytes > 0) throw corrupt(this.offset, `${this.partsBytes} bytes follow the trailer`);
      return this.result;
    }
    const end = this.offset + this.partsBytes;
    if (this.state === 'header') {
      throw corrupt(end, end === 0 ? 'empty backup stream' : `backup stream ends at offset ${end}, inside its header`);
    }
    if (this.partsBytes > 0) throw corrupt(this.offset, `backup stream is truncated: it ends at offset ${end}, inside the unit at ${this.offset}`);
    throw corrupt(end, `backup stream is truncated: it ends at offset ${end} without a trailer`);
  }

  private checkOrder(record: BackupRecord, chunkOffset: number): void {
    if (this.lastKey !== undefined && compareBytes(this.lastKey, record.key) >= 0) {
      throw corrupt(chunkOffset, 'records out of key order');
    }
    this.lastKey = record.key.slice();
    if (record.version < this.minVersion) this.minVersion = record.version;
    if (record.version > this.maxVersion) this.maxVersion = record.version;
  }

  /** The first `n` buffered bytes without consuming them (n <= partsBytes). */
  private peek(n: number): Uint8Array {
    const first = this.parts[0];
    if (first !== undefined && first.length >= n) return first.subarray(0, n);
    return this.gather(n, false);
  }

  /** Consumes the first `n` buffered bytes (n <= partsBytes), feeding the stream checksum. */
  private take(n: number): Uint8Array {
    const first = this.parts[0];
    let out: Uint8Array;
    if (first !== undefined && first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.parts.shift();
      else this.parts[0] = first.subarray(n);
      this.partsBytes -= n;
    } else {
      out = this.gather(n, true);
    }
    this.crc = crc32cUpdate(this.crc, out);
    this.offset += n;
    return out;
  }

  private gather(n: number, consume: boolean): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    let index = 0;
    while (filled < n) {
      const part = this.parts[index] as Uint8Array;
      const use = Math.min(part.length, n - filled);
      out.set(part.subarray(0, use), filled);
      filled += use;
      if (consume) {
        if (use === part.length) {
          this.parts.shift();
        } else {
          this.parts[0] = part.subarray(use);
        }
      } else {
        index++;
      }
    }
    if (consume) this.partsBytes -= n;
    return out;
  }
}
