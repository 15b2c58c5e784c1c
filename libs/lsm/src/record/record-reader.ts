/**
 * Reads the records of a whole WAL or MANIFEST file (layout: record-format.ts) and decides where
 * the log ends (RELIABILITY.md D5, docs/logs.md "Replay rules"):
 *
 * - the records returned are exactly the complete records before the first damage, in order;
 * - damage (a chunk that does not verify, non-zero trailer bytes, zeroes, a file that ends inside
 *   a chunk or a record) with NO valid chunk anywhere after it is a torn tail: the log ends at
 *   `validEndOffset`, the end of the last complete record, and `tornTail` says bytes follow it
 *   that recovery must truncate before appending;
 * - damage followed by any valid chunk later in the file is a CorruptionError naming the file and
 *   the offset of the damaged chunk: a crash only tears the end of a log, so valid data after the
 *   damage means the damage is not a tear, and skipping it would lose acknowledged records;
 * - a valid chunk out of sequence (FIRST or FULL inside a record, MIDDLE or LAST outside one) is
 *   always a CorruptionError: a torn write cannot produce it.
 *
 * Pure: no I/O; `bytes` is the whole file. Records of one chunk are views into `bytes`.
 */

import { CorruptionError } from '../errors.js';
import { concatBytes } from '../codec/bytes.js';
import { getFixed16 } from '../codec/fixed.js';
import {
  CHUNK_HEADER_BYTES,
  ChunkType,
  LOG_BLOCK_BYTES,
  LOG_HEADER_BYTES,
  checkLogHeader,
  chunkHeaderAt,
  chunkProblem,
  findValidChunk,
} from './record-format.js';
import type { LogKind } from './record-format.js';

export interface ReadRecordsResult {
  /** complete records in file order */
  records: Uint8Array[];
  /** file offset of the first chunk of each record, parallel to `records` */
  recordOffsets: number[];
  /** end of the last complete record (LOG_HEADER_BYTES for a header-only log; 0 if no header) */
  validEndOffset: number;
  /** bytes follow `validEndOffset`: truncate the file there before appending */
  tornTail: boolean;
}

export function readRecords(bytes: Uint8Array, fileName: string, kind: LogKind): ReadRecordsResult {
  const result: ReadRecordsResult = { records: [], recordOffsets: [], validEndOffset: 0, tornTail: false };
  if (bytes.length === 0) return result;
  if (bytes.length < LOG_HEADER_BYTES) return endAtDamage(result, bytes, fileName, 0, 'truncated file header');
  const header = checkLogHeader(bytes, kind);
  if (header.status === 'foreign') throw new CorruptionError(fileName, 0, header.reason);
  if (header.status === 'damaged') return endAtDamage(result, bytes, fileName, 0, 'file header checksum mismatch');
  result.validEndOffset = LOG_HEADER_BYTES;
  return readChunks(result, bytes, fileName);
}

function readChunks(result: ReadRecordsResult, bytes: Uint8Array, fileName: string): ReadRecordsResult {
  let position = LOG_HEADER_BYTES;
  let recordStart = -1; // offset of the FIRST chunk of the record being assembled, -1 outside one
  let parts: Uint8Array[] = [];
  while (position < bytes.length) {
    const blockLeft = LOG_BLOCK_BYTES - (position % LOG_BLOCK_BYTES);
    if (blockLeft < CHUNK_HEADER_BYTES) {
      const trailerEnd = Math.min(position + blockLeft, bytes.length);
      for (let i = position; i < trailerEnd; i++) {
        if (bytes[i] !== 0) return endAtDamage(result, bytes, fileName, position, 'non-zero block trailer');
      }
      position = trailerEnd;
      continue;
    }
    const problem = chunkProblem(bytes, position);
    if (problem !== undefined) return endAtDamage(result, bytes, fileName, position, problem);
    const { type, length } = chunkHeaderAt(bytes, position);
    const payload = bytes.subarray(position + CHUNK_HEADER_BYTES, position + CHUNK_HEADER_BYTES + length);
    const chunkEnd = position + CHUNK_HEADER_BYTES + length;
    if (type === ChunkType.FULL || type === ChunkType.FIRST) {
      if (recordStart >= 0) {
        throw new CorruptionError(fileName, recordStart, 'partial record without end (a new record starts)');
      }
      if (type === ChunkType.FULL) {
        pushRecord(result, payload, position, chunkEnd);
      } else {
        recordStart = position;
        parts = [payload];
      }
    } else {
      if (recordStart < 0) throw new CorruptionError(fileName, position, 'missing start of fragmented record');
      parts.push(payload);
      if (type === ChunkType.LAST) {
        pushRecord(result, concatBytes(parts), recordStart, chunkEnd);
        recordStart = -1;
        parts = [];
      }
    }
    position = chunkEnd;
  }
  // The file ends: inside a record (its remaining chunks never reached the disk) or after one.
  result.tornTail = result.validEndOffset < bytes.length;
  return result;
}

function pushRecord(result: ReadRecordsResult, record: Uint8Array, offset: number, end: number): void {
  result.records.push(record);
  result.recordOffsets.push(offset);
  result.validEndOffset = end;
}

/** Damage at `position`: a torn tail when nothing valid follows, corruption otherwise. */
function endAtDamage(
  result: ReadRecordsResult,
  bytes: Uint8Array,
  fileName: string,
  position: number,
  reason: string,
): ReadRecordsResult {
  let next = nextChunkIfValid(bytes, position);
  if (next < 0) next = findValidChunk(bytes, position + 1);
  if (next >= 0) {
    throw new CorruptionError(fileName, position, `${reason}; valid records follow at offset ${next}`);
  }
  result.tornTail = true;
  return result;
}

/**
 * Where the damaged chunk at `position` says the next chunk starts, if a valid chunk is there:
 * the common case of a flipped payload byte, found without scanning the payload.
 */
function nextChunkIfValid(bytes: Uint8Array, position: number): number {
  const blockLeft = LOG_BLOCK_BYTES - (position % LOG_BLOCK_BYTES);
  if (blockLeft < CHUNK_HEADER_BYTES || position + CHUNK_HEADER_BYTES > bytes.length) return -1;
  let next = position + CHUNK_HEADER_BYTES + getFixed16(bytes, position + 4);
  const nextBlockLeft = LOG_BLOCK_BYTES - (next % LOG_BLOCK_BYTES);
  if (nextBlockLeft < CHUNK_HEADER_BYTES) next += nextBlockLeft;
  if (next >= bytes.length) return -1;
  return chunkProblem(bytes, next) === undefined ? next : -1;
}
