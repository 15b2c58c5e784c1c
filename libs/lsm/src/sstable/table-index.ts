/**
 * A table's index block decoded for point reads: the separators in one contiguous array, the
 * data block handles as numbers, and for each separator a 32-bit "head": the 4 bytes of its user
 * key that follow the prefix shared by every separator of the table (big-endian, zero-padded).
 *
 * Why: a point read binary-searches the index. On the block itself every probe decodes an entry
 * header at a random offset and compares keys there: two cache misses per step, ~12 steps for a
 * 4 MiB table. The heads of all separators sit in one small Uint32Array (4 bytes per data block),
 * so the search runs over a few cache lines, and whole keys are compared only between separators
 * with equal heads (usually none or one).
 *
 * The last separator is left out of the prefix and heads: it is the table's short successor
 * (e.g. "1" after "0000000000999999"), which would cut the shared prefix to nothing; it is
 * compared whole when the search passes every other separator.
 *
 * Order argument: for user keys a <= b that both start with the shared prefix, head(a) <= head(b)
 * (the bytes after the prefix decide, and zero padding only makes a shorter key smaller or equal).
 * So a head strictly below the target's means the separator's user key is below the target's
 * (hence the whole internal key is below), and a head strictly above means above; only equal
 * heads need the full internal-key comparison.
 *
 * Built from index block contents that were checksum-verified; every entry and handle is checked
 * while decoding (CorruptionError with file and absolute offset), exactly as the block iterator
 * and `TableReader.dataHandleAt` check them on the undecoded path.
 */

import { assert } from '../assert.js';
import { CorruptionError } from '../errors.js';
import { TRAILER_BYTES } from '../keys/internal-key.js';
import { BLOCK_TRAILER_BYTES, type BlockHandle, decodeBlockHandleInto } from './block-format.js';
import { BlockIterator } from './block-reader.js';
import type { BlockAttachment } from './block-cache.js';
import { compareInternalRanges } from './internal-compare.js';

/** Fixed bytes per entry beyond its key: start, head, offset, size. */
const ENTRY_OVERHEAD_BYTES = 4 + 4 + 8 + 4;

export class DecodedIndex implements BlockAttachment {
  readonly count: number;
  readonly chargeBytes: number;
  /** separators [0, searchable) have heads and share `prefix`; the rest are compared whole */
  private readonly searchable: number;
  /** separators (encoded internal keys), back to back */
  private readonly keys: Uint8Array;
  /** separator i is keys[keyStarts[i], keyStarts[i + 1]) */
  private readonly keyStarts: Uint32Array;
  private readonly heads: Uint32Array;
  private readonly blockOffsets: Float64Array;
  private readonly blockSizes: Uint32Array;
  /** the user-key prefix every separator shares */
  private readonly prefix: Uint8Array;

  private constructor(
    keys: Uint8Array,
    keyStarts: Uint32Array,
    blockOffsets: Float64Array,
    blockSizes: Uint32Array,
    count: number,
  ) {
    this.count = count;
    this.keys = keys;
    this.keyStarts = keyStarts;
    this.blockOffsets = blockOffsets;
    this.blockSizes = blockSizes;
    this.searchable = count >= 2 ? count - 1 : count;
    this.prefix = sharedUserPrefix(keys, keyStarts, this.searchable);
    const heads = new Uint32Array(this.searchable);
    const skip = this.prefix.length;
    for (let i = 0; i < this.searchable; i++) {
      const start = keyStarts[i] as number;
      heads[i] = headOf(keys, start + skip, (keyStarts[i + 1] as number) - TRAILER_BYTES);
    }
    this.heads = heads;
    this.chargeBytes = keys.byteLength + this.prefix.byteLength + count * ENTRY_OVERHEAD_BYTES + 4;
  }

  /**
   * Decodes verified index block `contents` (read at `fileOffset` of `file`); every handle must
   * end at or before `dataEndOffset`.
   */
  static decode(contents: Uint8Array, file: string, fileOffset: number, dataEndOffset: number): DecodedIndex {
    const it = new BlockIterator();
    it.reset(contents, file, fileOffset);
    let capacity = 64;
    let keys = new Uint8Array(capacity * 32);
    let keyStarts = new Uint32Array(capacity + 1);
    let blockOffsets = new Float64Array(capacity);
    let blockSizes = new Uint32Array(capacity);
    let count = 0;
    let keyBytes = 0;
    const handle: BlockHandle = { offset: 0, size: 0 };
    for (it.seekToFirst(); it.valid(); it.next()) {
      if (count === capacity) {
        capacity *= 2;
        keyStarts = grow(keyStarts, new Uint32Array(capacity + 1));
        blockOffsets = grow(blockOffsets, new Float64Array(capacity));
        blockSizes = grow(blockSizes, new Uint32Array(capacity));
      }
      const keyLength = it.currentKeyLength;
      if (keyBytes + keyLength > keys.length) keys = grow(keys, new Uint8Array(Math.max(keys.length * 2, keyBytes + keyLength)));
      keys.set(it.currentKeyBuffer.subarray(0, keyLength), keyBytes);
      keyStarts[count] = keyBytes;
      keyBytes += keyLength;
      const start = it.currentValueStart;
      const valueFileOffset = it.currentValueFileOffset;
      decodeBlockHandleInto(it.contents, start, start + it.currentValueLength, file, valueFileOffset, handle);
      if (handle.offset + handle.size + BLOCK_TRAILER_BYTES > dataEndOffset) {
        throw new CorruptionError(file, valueFileOffset, `data block handle ${handle.offset}+${handle.size} beyond the data area`);
      }
      blockOffsets[count] = handle.offset;
      blockSizes[count] = handle.size;
      count++;
    }
    keyStarts[count] = keyBytes;
    return new DecodedIndex(
      keys.slice(0, keyBytes),
      keyStarts.slice(0, count + 1),
      blockOffsets.slice(0, count),
      blockSizes.slice(0, count),
      count,
    );
  }

  /**
   * Position of the first separator >= the internal key `target[0, targetLength)`, or `count`
   * when every separator is below it (the key is not in the table).
   */
  seek(target: Uint8Array, targetLength: number): number {
    const position = this.seekSearchable(target, targetLength);
    if (position < this.searchable) return position;
    // every searchable separator is below the target: the rest, compared whole
    const keys = this.keys;
    const starts = this.keyStarts;
    let at = position;
    while (at < this.count && compareInternalRanges(keys, starts[at] as number, starts[at + 1] as number, target, 0, targetLength) < 0) at++;
    return at;
  }

  /** First position in [0, searchable) whose separator is >= target, or `searchable`. */
  private seekSearchable(target: Uint8Array, targetLength: number): number {
    const end = this.searchable;
    const userLength = targetLength - TRAILER_BYTES;
    const prefix = this.prefix;
    const skip = prefix.length;
    const common = userLength < skip ? userLength : skip;
    for (let i = 0; i < common; i++) {
      const x = target[i] as number;
      const y = prefix[i] as number;
      if (x !== y) return x < y ? 0 : end;
    }
    if (userLength < skip) return 0; // a proper prefix of every searchable separator's user key sorts first
    const head = headOf(target, skip, userLength);
    const heads = this.heads;
    // first position whose head >= head
    let low = 0;
    let high = end;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((heads[mid] as number) < head) low = mid + 1;
      else high = mid;
    }
    // among equal heads, the first separator >= target by full comparison
    const keys = this.keys;
    const starts = this.keyStarts;
    while (low < end && heads[low] === head) {
      if (compareInternalRanges(keys, starts[low] as number, starts[low + 1] as number, target, 0, targetLength) >= 0) return low;
      low++;
    }
    return low;
  }

  /** Writes the handle of data block `position` (< count) into `out`. */
  handleAt(position: number, out: BlockHandle): BlockHandle {
    assert(position >= 0 && position < this.count, 'index position out of range');
    out.offset = this.blockOffsets[position] as number;
    out.size = this.blockSizes[position] as number;
    return out;
  }
}

/** The 4 bytes of `key[start, end)` from `start` as a big-endian uint32, zero-padded. */
function headOf(key: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (length >= 4) {
    return (((key[start] as number) << 24) | ((key[start + 1] as number) << 16) | ((key[start + 2] as number) << 8) | (key[start + 3] as number)) >>> 0;
  }
  let head = 0;
  for (let i = 0; i < 4; i++) head = head * 256 + (i < length ? (key[start + i] as number) : 0);
  return head;
}

/** The longest user-key prefix shared by separators [0, count) (first and last suffice: sorted). */
function sharedUserPrefix(keys: Uint8Array, starts: Uint32Array, count: number): Uint8Array {
  if (count === 0) return new Uint8Array(0);
  const firstStart = starts[0] as number;
  const firstEnd = (starts[1] as number) - TRAILER_BYTES;
  const lastStart = starts[count - 1] as number;
  const lastEnd = (starts[count] as number) - TRAILER_BYTES;
  const limit = Math.min(firstEnd - firstStart, lastEnd - lastStart);
  let shared = 0;
  while (shared < limit && keys[firstStart + shared] === keys[lastStart + shared]) shared++;
  return keys.slice(firstStart, firstStart + shared);
}

function grow<T extends Uint8Array | Uint32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
