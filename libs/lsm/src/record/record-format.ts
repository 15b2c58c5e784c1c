/**
 * Log framing shared by the WAL (`NNNNNN.wal`) and the MANIFEST (`MANIFEST-NNNNNN`), after
 * LevelDB's doc/log_format.md, plus a file header and a position-bound checksum. See
 * docs/logs.md "Record framing".
 *
 *   log_file     := file_header  chunk_stream
 *   file_header  := magic:8 bytes   version:fixed32   header_crc:fixed32       (16 bytes, offset 0)
 *     header_crc  = masked crc32c of bytes [0, 12)
 *   chunk_stream := the file from offset 16, cut into 32 KiB blocks at file offsets k * 32768
 *                   (block 0 starts at offset 0, so it holds 32768 - 16 bytes of chunks)
 *   block        := chunk*  trailer?
 *   trailer      := 0 to 6 zero bytes: a chunk header never straddles a block boundary
 *   chunk        := crc:fixed32   length:fixed16   type:uint8   payload[length]   (7-byte header)
 *     crc         = masked crc32c of (type ‖ payload ‖ fixed64 LE of the chunk's file offset)
 *     type        : FULL | FIRST | MIDDLE* | LAST, one logical record; 0 is reserved (zeroes)
 *
 * All integers little-endian. A record of n bytes takes one FULL chunk when it fits in what is
 * left of the block, otherwise FIRST, MIDDLE..., LAST chunks (a zero-length FIRST is allowed when
 * exactly 7 bytes are left). Empty records are a FULL chunk of length 0.
 *
 * Why the chunk offset is in the crc: a chunk copied to another position (a log stored as a
 * value inside a log, or misplaced bytes) never verifies there, so the tail scan of the reader
 * cannot mistake an image inside a payload for a real chunk.
 *
 * Invariants:
 * - a chunk lies wholly inside one block: 7 + length <= bytes left in its block;
 * - a chunk starts only where at least 7 bytes are left in the block;
 * - the chunk stream of a complete record is FULL, or FIRST MIDDLE* LAST;
 * - the writer never leaves a partial record followed by another record (recovery truncates a
 *   torn tail before anything is appended again).
 */

import { crc32cUpdate, maskCrc } from '../codec/crc32c.js';
import { getFixed16, getFixed32, putFixed16, putFixed32, putFixed64 } from '../codec/fixed.js';

/** Magic at offset 0, distinct per file kind. Written to disk; never change or reuse. */
export const LogMagic = {
  WAL: 'LSM_WAL\n',
  MANIFEST: 'LSM_MAN\n',
} as const;
export type LogKind = keyof typeof LogMagic;

/** Framing versions, a linear history. Written to disk; never change or reuse. */
export const LogFormatVersion = {
  /** 32 KiB blocks, 7-byte chunk headers, offset-bound crc */
  V1: 1,
} as const;
export const LOG_FORMAT_VERSION_CURRENT = LogFormatVersion.V1;

/** Chunk types. Written to disk; never change or reuse. */
export const ChunkType = {
  /** reserved: zeroes (preallocated or torn space) are never a chunk */
  ZERO: 0,
  FULL: 1,
  FIRST: 2,
  MIDDLE: 3,
  LAST: 4,
} as const;
export type ChunkType = (typeof ChunkType)[keyof typeof ChunkType];

export const LOG_BLOCK_BYTES = 32 * 1024;
export const LOG_HEADER_BYTES = 16;
export const CHUNK_HEADER_BYTES = 7;
const MAGIC_BYTES = 8;

const offsetScratch = new Uint8Array(8);

/** Masked crc of a chunk whose type byte is at `typeAt`, payload after it, placed at `chunkOffset`. */
export function chunkCrc(bytes: Uint8Array, typeAt: number, length: number, chunkOffset: number): number {
  putFixed64(offsetScratch, 0, chunkOffset);
  const crc = crc32cUpdate(0, bytes, typeAt, typeAt + 1 + length);
  return maskCrc(crc32cUpdate(crc, offsetScratch, 0, 8));
}

export function magicBytes(kind: LogKind): Uint8Array {
  const text = LogMagic[kind];
  const out = new Uint8Array(MAGIC_BYTES);
  for (let i = 0; i < MAGIC_BYTES; i++) out[i] = text.charCodeAt(i);
  return out;
}

export function encodeLogHeader(kind: LogKind): Uint8Array {
  const out = new Uint8Array(LOG_HEADER_BYTES);
  out.set(magicBytes(kind), 0);
  putFixed32(out, MAGIC_BYTES, LOG_FORMAT_VERSION_CURRENT);
  putFixed32(out, 12, maskCrc(crc32cUpdate(0, out, 0, 12)));
  return out;
}

export type LogHeaderCheck =
  | { readonly status: 'ok' }
  /** checksum fails or bytes missing: damaged or torn, judged like a bad chunk */
  | { readonly status: 'damaged' }
  /** checksum holds but the file is not ours: always corruption */
  | { readonly status: 'foreign'; readonly reason: string };

/** Checks the 16-byte file header (the caller ensured `bytes.length >= LOG_HEADER_BYTES`). */
export function checkLogHeader(bytes: Uint8Array, kind: LogKind): LogHeaderCheck {
  if (maskCrc(crc32cUpdate(0, bytes, 0, 12)) !== getFixed32(bytes, 12)) return { status: 'damaged' };
  const magic = String.fromCharCode(...bytes.subarray(0, MAGIC_BYTES));
  if (magic !== LogMagic[kind]) {
    const other = (Object.keys(LogMagic) as LogKind[]).find((k) => LogMagic[k] === magic);
    const what = other === undefined ? 'unknown magic' : `a ${other} file`;
    return { status: 'foreign', reason: `not a ${kind} file: ${what}` };
  }
  const version = getFixed32(bytes, MAGIC_BYTES);
  if (version !== LOG_FORMAT_VERSION_CURRENT) {
    return { status: 'foreign', reason: `unsupported log format version ${version}` };
  }
  return { status: 'ok' };
}

/**
 * Bytes `encodeChunks` produces for records of `lengths` starting at file offset `start`
 * (`start >= LOG_HEADER_BYTES`), block trailers included.
 */
export function encodedChunksBytes(start: number, lengths: readonly number[]): number {
  let position = start;
  for (const length of lengths) position = layoutRecord(undefined, position, undefined, length);
  return position - start;
}

/**
 * Writes the chunks of `records` into `target` from index 0, as if `target[0]` sits at file
 * offset `start`. `target` must be exactly `encodedChunksBytes(start, ...)` long.
 */
export function encodeChunks(target: Uint8Array, start: number, records: readonly Uint8Array[]): void {
  let position = start;
  for (const record of records) position = layoutRecord(target, position, record, record.length, start);
}

/**
 * Lays out one record from file offset `position`; returns the offset after it. With no
 * `target` it only measures. `base` is the file offset of `target[0]`.
 */
function layoutRecord(
  target: Uint8Array | undefined,
  position: number,
  record: Uint8Array | undefined,
  length: number,
  base = 0,
): number {
  let done = 0;
  let first = true;
  while (true) {
    const blockLeft = LOG_BLOCK_BYTES - (position % LOG_BLOCK_BYTES);
    if (blockLeft < CHUNK_HEADER_BYTES) {
      if (target !== undefined) target.fill(0, position - base, position - base + blockLeft);
      position += blockLeft;
      continue;
    }
    const fragment = Math.min(length - done, blockLeft - CHUNK_HEADER_BYTES);
    const last = done + fragment === length;
    const type = first ? (last ? ChunkType.FULL : ChunkType.FIRST) : last ? ChunkType.LAST : ChunkType.MIDDLE;
    if (target !== undefined && record !== undefined) {
      const at = position - base;
      putFixed16(target, at + 4, fragment);
      target[at + 6] = type;
      target.set(record.subarray(done, done + fragment), at + CHUNK_HEADER_BYTES);
      putFixed32(target, at, chunkCrc(target, at + 6, fragment, position));
    }
    position += CHUNK_HEADER_BYTES + fragment;
    done += fragment;
    first = false;
    if (last) return position;
  }
}

export interface ChunkHeader {
  type: number;
  length: number;
}

/**
 * Why the chunk at `position` is not a valid chunk, or `undefined` when it is one (header inside
 * its block and the file, known type, checksum holds). Never throws; `bytes` is the whole file.
 */
export function chunkProblem(bytes: Uint8Array, position: number): string | undefined {
  const blockLeft = LOG_BLOCK_BYTES - (position % LOG_BLOCK_BYTES);
  if (blockLeft < CHUNK_HEADER_BYTES) return 'chunk header crosses a block boundary';
  if (position + CHUNK_HEADER_BYTES > bytes.length) return 'truncated chunk header';
  const length = getFixed16(bytes, position + 4);
  const type = bytes[position + 6] as number;
  if (type === ChunkType.ZERO) return length === 0 ? 'zeroed space' : 'chunk of type zero';
  if (type > ChunkType.LAST) return `unknown chunk type ${type}`;
  if (CHUNK_HEADER_BYTES + length > blockLeft) return 'bad record length: chunk crosses its block';
  if (position + CHUNK_HEADER_BYTES + length > bytes.length) return 'truncated chunk payload';
  if (chunkCrc(bytes, position + 6, length, position) !== getFixed32(bytes, position)) {
    return 'checksum mismatch';
  }
  return undefined;
}

/** Header fields of the chunk at `position`; only after `chunkProblem` returned undefined. */
export function chunkHeaderAt(bytes: Uint8Array, position: number): ChunkHeader {
  return { type: bytes[position + 6] as number, length: getFixed16(bytes, position + 4) };
}

/**
 * First file offset `>= from` holding a valid chunk, or -1. A cheap filter (type, length fits
 * its block and the file) precedes each checksum, so zero-filled or random tails scan quickly.
 */
export function findValidChunk(bytes: Uint8Array, from: number): number {
  let position = Math.max(from, LOG_HEADER_BYTES);
  const end = bytes.length - CHUNK_HEADER_BYTES;
  while (position <= end) {
    const blockLeft = LOG_BLOCK_BYTES - (position % LOG_BLOCK_BYTES);
    if (blockLeft < CHUNK_HEADER_BYTES) {
      position += blockLeft;
      continue;
    }
    const type = bytes[position + 6] as number;
    if (type >= ChunkType.FULL && type <= ChunkType.LAST) {
      const length = getFixed16(bytes, position + 4);
      if (
        CHUNK_HEADER_BYTES + length <= blockLeft &&
        position + CHUNK_HEADER_BYTES + length <= bytes.length &&
        chunkCrc(bytes, position + 6, length, position) === getFixed32(bytes, position)
      ) {
        return position;
      }
    }
    position++;
  }
  return -1;
}
