// Goal: the log framing codecs on their own (record.test.ts drives them through the reader and the
// writer): each header verdict, every reason chunkProblem gives in the order it checks, and
// findValidChunk skipping block tails, impossible lengths and images that do not verify.
import { describe, expect, it } from 'vitest';
import { crc32cUpdate, maskCrc } from '../codec/crc32c.js';
import { putFixed16, putFixed32 } from '../codec/fixed.js';
import {
  CHUNK_HEADER_BYTES,
  ChunkType,
  LOG_BLOCK_BYTES,
  LOG_HEADER_BYTES,
  checkLogHeader,
  chunkCrc,
  chunkHeaderAt,
  chunkProblem,
  encodeLogHeader,
  findValidChunk,
} from './record-format.js';

/** Writes a chunk of `type` with `payload` at `position` of `bytes`, with a valid crc for there. */
function putChunk(bytes: Uint8Array, position: number, type: number, payload: Uint8Array): number {
  putFixed16(bytes, position + 4, payload.length);
  bytes[position + 6] = type;
  bytes.set(payload, position + CHUNK_HEADER_BYTES);
  putFixed32(bytes, position, chunkCrc(bytes, position + 6, payload.length, position));
  return position + CHUNK_HEADER_BYTES + payload.length;
}

function sealHeader(header: Uint8Array): Uint8Array {
  putFixed32(header, 12, maskCrc(crc32cUpdate(0, header, 0, 12)));
  return header;
}

describe('log file header', () => {
  it('ok, damaged, the other kind, an unknown magic, a newer version', () => {
    expect(checkLogHeader(encodeLogHeader('WAL'), 'WAL')).toEqual({ status: 'ok' });
    expect(checkLogHeader(encodeLogHeader('MANIFEST'), 'MANIFEST')).toEqual({ status: 'ok' });
    const damaged = encodeLogHeader('WAL');
    damaged[2] = (damaged[2] as number) ^ 1;
    expect(checkLogHeader(damaged, 'WAL')).toEqual({ status: 'damaged' });
    expect(checkLogHeader(encodeLogHeader('MANIFEST'), 'WAL')).toEqual({ status: 'foreign', reason: 'not a WAL file: a MANIFEST file' });
    expect(checkLogHeader(encodeLogHeader('WAL'), 'MANIFEST')).toEqual({ status: 'foreign', reason: 'not a MANIFEST file: a WAL file' });
    const unknown = encodeLogHeader('WAL');
    unknown.set(new TextEncoder().encode('SQLITE3\n'), 0);
    expect(checkLogHeader(sealHeader(unknown), 'WAL')).toEqual({ status: 'foreign', reason: 'not a WAL file: unknown magic' });
    const newer = encodeLogHeader('WAL');
    putFixed32(newer, 8, 2);
    expect(checkLogHeader(sealHeader(newer), 'WAL')).toEqual({ status: 'foreign', reason: 'unsupported log format version 2' });
  });
});

describe('chunkProblem', () => {
  it('accepts a valid chunk and reads its header', () => {
    const bytes = new Uint8Array(64);
    bytes.set(encodeLogHeader('WAL'), 0);
    putChunk(bytes, LOG_HEADER_BYTES, ChunkType.FULL, Uint8Array.of(1, 2, 3));
    expect(chunkProblem(bytes, LOG_HEADER_BYTES)).toBeUndefined();
    expect(chunkHeaderAt(bytes, LOG_HEADER_BYTES)).toEqual({ type: ChunkType.FULL, length: 3 });
  });

  it('gives each reason, in the order it checks', () => {
    const file = new Uint8Array(LOG_BLOCK_BYTES + 64);
    // Fewer than 7 bytes left in the block: no chunk header may start there.
    expect(chunkProblem(file, LOG_BLOCK_BYTES - 6)).toBe('chunk header crosses a block boundary');
    expect(chunkProblem(file.subarray(0, 20), 16)).toBe('truncated chunk header');
    expect(chunkProblem(file, 16)).toBe('zeroed space');
    const zeroType = file.slice();
    putFixed16(zeroType, 20, 5);
    expect(chunkProblem(zeroType, 16)).toBe('chunk of type zero');
    const unknown = file.slice();
    unknown[22] = 5;
    expect(chunkProblem(unknown, 16)).toBe('unknown chunk type 5');
    const crossing = file.slice();
    const at = LOG_BLOCK_BYTES - 20; // 20 bytes left in the block: 7 header + 13 payload at most
    putChunk(crossing, at, ChunkType.FIRST, new Uint8Array(14));
    expect(chunkProblem(crossing, at)).toBe('bad record length: chunk crosses its block');
    const cut = new Uint8Array(40);
    putChunk(cut, 16, ChunkType.FULL, new Uint8Array(10));
    expect(chunkProblem(cut.subarray(0, 32), 16)).toBe('truncated chunk payload');
    const flipped = cut.slice();
    flipped[30] = (flipped[30] as number) ^ 1;
    expect(chunkProblem(flipped, 16)).toBe('checksum mismatch');
    // The crc binds the chunk to its offset: the same bytes one position later do not verify.
    const moved = new Uint8Array(41);
    moved.set(cut.subarray(16, 33), 17);
    expect(chunkProblem(moved, 17)).toBe('checksum mismatch');
  });
});

describe('findValidChunk', () => {
  it('finds the next valid chunk, skipping block tails, bad types, impossible lengths and bad crcs', () => {
    const bytes = new Uint8Array(LOG_BLOCK_BYTES + 100);
    bytes.set(encodeLogHeader('WAL'), 0);
    const first = putChunk(bytes, LOG_HEADER_BYTES, ChunkType.FULL, Uint8Array.of(7));
    expect(findValidChunk(bytes, 0)).toBe(LOG_HEADER_BYTES); // never inside the file header
    expect(findValidChunk(bytes, LOG_HEADER_BYTES + 1)).toBe(-1); // zeroes only after it
    // A chunk in the next block; garbage in between: a bad type, a length past its block, a
    // length past the file, and a bad crc.
    const next = LOG_BLOCK_BYTES + 10;
    putChunk(bytes, next, ChunkType.LAST, Uint8Array.of(1, 2));
    bytes[first + 6] = 9; // bad type
    putFixed16(bytes, LOG_BLOCK_BYTES - 30 + 4, 40); // length past the block
    bytes[LOG_BLOCK_BYTES - 30 + 6] = ChunkType.MIDDLE;
    putFixed16(bytes, LOG_BLOCK_BYTES + 4, 200); // length past the file
    bytes[LOG_BLOCK_BYTES + 6] = ChunkType.FIRST;
    bytes[200 + 6] = ChunkType.FULL; // plausible header, zero crc: fails the checksum
    expect(findValidChunk(bytes, first)).toBe(next);
    // The last 6 bytes of block 0 are skipped as a whole (a header cannot start there).
    expect(findValidChunk(bytes, LOG_BLOCK_BYTES - 3)).toBe(next);
    expect(findValidChunk(bytes, next + 1)).toBe(-1);
    expect(findValidChunk(bytes.subarray(0, next + 8), next)).toBe(-1); // cut inside the payload
  });
});
