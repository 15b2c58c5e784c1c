/**
 * Block layout shared by data blocks and the index block of an SST (docs/sstable.md, "Blocks").
 * All integers little-endian; uvarint = LEB128 (codec/varint.ts).
 *
 *   block_on_disk := contents  trailer
 *   contents      := entry*  restart:fixed32 * num_restarts  num_restarts:fixed32
 *   entry         := shared:uvarint  unshared:uvarint  value_length:uvarint
 *                    key_delta:byte[unshared]  value:byte[value_length]
 *   trailer       := compression:uint8  crc:fixed32
 *
 * - An entry's key is the first `shared` bytes of the previous entry's key followed by
 *   `key_delta`. Every `restart_interval`-th entry (the first included) is a restart point:
 *   shared = 0, and its offset inside `contents` is listed in the restart array, ascending.
 *   num_restarts >= 1 (an empty block has one restart at offset 0, never written by us).
 * - Keys are encoded internal keys (keys/internal-key.ts): user_key ‖ 8-byte trailer, strictly
 *   ascending in internal order; so every key is >= 8 bytes.
 * - Data block values are stored values (keys/value-format.ts); index block values are
 *   block handles (below) of data blocks.
 * - crc = maskCrc(crc32c(contents ‖ compression)). Compression 0 = none, the only one written.
 *
 *   block_handle  := offset:uvarint  size:uvarint     (size excludes the 5-byte trailer)
 */

import { crc32c, maskCrc, unmaskCrc } from '../codec/crc32c.js';
import { getFixed32, putFixed32 } from '../codec/fixed.js';
import { putVarint, varintLength } from '../codec/varint.js';
import { CorruptionError } from '../errors.js';

/** Block compression types. Written to disk; never change or reuse a value. */
export const BlockCompression = {
  NONE: 0,
} as const;
export type BlockCompression = (typeof BlockCompression)[keyof typeof BlockCompression];

export const BLOCK_TRAILER_BYTES = 5;
export const DEFAULT_BLOCK_RESTART_INTERVAL = 16;
/** Smallest valid contents: the num_restarts word. */
export const BLOCK_MIN_CONTENTS_BYTES = 4;

export interface BlockHandle {
  /** file offset of the first byte of the block contents */
  offset: number;
  /** bytes of contents, excluding the trailer */
  size: number;
}

export function blockHandleLength(handle: BlockHandle): number {
  return varintLength(handle.offset) + varintLength(handle.size);
}

/** Writes a handle at `offset`; returns the offset after it. */
export function putBlockHandle(target: Uint8Array, offset: number, handle: BlockHandle): number {
  return putVarint(target, putVarint(target, offset, handle.offset), handle.size);
}

export function encodeBlockHandle(handle: BlockHandle): Uint8Array {
  const out = new Uint8Array(blockHandleLength(handle));
  putBlockHandle(out, 0, handle);
  return out;
}

/**
 * Decodes a handle that must fill `source[start, end)` exactly. `fileOffset` is the absolute
 * file offset of `source[start]`, for the error.
 */
export function decodeBlockHandle(
  source: Uint8Array,
  start: number,
  end: number,
  file: string,
  fileOffset: number,
): BlockHandle {
  const handle: BlockHandle = { offset: 0, size: 0 };
  decodeBlockHandleInto(source, start, end, file, fileOffset, handle);
  return handle;
}

/** As decodeBlockHandle, into `out` without allocating (point-read path). */
export function decodeBlockHandleInto(
  source: Uint8Array,
  start: number,
  end: number,
  file: string,
  fileOffset: number,
  out: BlockHandle,
): void {
  let offset = 0;
  let size = 0;
  let i = start;
  for (let field = 0; field < 2; field++) {
    let value = 0;
    let multiplier = 1;
    for (;;) {
      if (i >= end || multiplier > 2 ** 49) {
        throw new CorruptionError(file, fileOffset, `bad block handle ${field === 0 ? 'offset' : 'size'}`);
      }
      const byte = source[i++] as number;
      value += (byte & 0x7f) * multiplier;
      if (byte < 0x80) break;
      multiplier *= 128;
    }
    if (!Number.isSafeInteger(value)) throw new CorruptionError(file, fileOffset, 'block handle out of range');
    if (field === 0) offset = value;
    else size = value;
  }
  if (i !== end) throw new CorruptionError(file, fileOffset, 'trailing bytes after block handle');
  out.offset = offset;
  out.size = size;
}

/**
 * Writes the trailer of the contents `target[contentsStart, contentsEnd)` at `contentsEnd`
 * (5 bytes must be available there).
 */
export function putBlockTrailer(
  target: Uint8Array,
  contentsStart: number,
  contentsEnd: number,
  compression: BlockCompression,
): void {
  target[contentsEnd] = compression;
  const crc = crc32c(target, contentsStart, contentsEnd + 1);
  putFixed32(target, contentsEnd + 1, maskCrc(crc));
}

/**
 * Verifies a block read from disk (`raw` = contents ‖ trailer, read at `fileOffset`) and returns
 * its contents as a view of `raw`. Throws CorruptionError on a short read, a checksum mismatch or
 * an unknown compression type.
 */
export function checkBlock(raw: Uint8Array, expectedSize: number, file: string, fileOffset: number): Uint8Array {
  if (raw.length !== expectedSize + BLOCK_TRAILER_BYTES) {
    throw new CorruptionError(file, fileOffset, `truncated block: ${raw.length} of ${expectedSize + BLOCK_TRAILER_BYTES} bytes`);
  }
  const stored = unmaskCrc(getFixed32(raw, expectedSize + 1));
  const actual = crc32c(raw, 0, expectedSize + 1);
  if (stored !== actual) throw new CorruptionError(file, fileOffset, 'block checksum mismatch');
  const compression = raw[expectedSize] as number;
  if (compression !== BlockCompression.NONE) {
    throw new CorruptionError(file, fileOffset + expectedSize, `unknown block compression type ${compression}`);
  }
  return raw.subarray(0, expectedSize);
}

/**
 * Offset of the restart array inside `contents` (the end of the entries), after checking that the
 * array fits. The restart count is `(contents.length - 4 - result) / 4`, at least 1.
 */
export function restartArrayOffset(contents: Uint8Array, file: string, fileOffset: number): number {
  if (contents.length < BLOCK_MIN_CONTENTS_BYTES) {
    throw new CorruptionError(file, fileOffset, `block too short: ${contents.length} bytes`);
  }
  const numRestarts = getFixed32(contents, contents.length - 4);
  const restartsOffset = contents.length - 4 - numRestarts * 4;
  if (numRestarts === 0 || restartsOffset < 0) {
    throw new CorruptionError(file, fileOffset + contents.length - 4, `bad restart count ${numRestarts}`);
  }
  return restartsOffset;
}

/** Bytes of the entry header for the given lengths. */
export function entryHeaderLength(shared: number, unshared: number, valueLength: number): number {
  return varintLength(shared) + varintLength(unshared) + varintLength(valueLength);
}
