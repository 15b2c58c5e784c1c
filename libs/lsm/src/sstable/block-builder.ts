/**
 * Builds one block (block-format.ts): prefix-compressed entries with a restart point every
 * `restartInterval` entries, then the restart array, its count and the trailer.
 *
 * Invariants:
 * - Keys are added in strictly ascending internal-key order (asserted by the caller, the table
 *   builder, which sees keys across blocks; checked here when LSM_INVARIANTS=1).
 * - The first entry and every `restartInterval`-th after it have shared = 0.
 * - `finish()` returns a fresh array (contents ‖ trailer) and resets the builder for reuse.
 */

import { assert, invariantsEnabled } from '../assert.js';
import { putFixed32 } from '../codec/fixed.js';
import { putVarint } from '../codec/varint.js';
import { BLOCK_TRAILER_BYTES, BlockCompression, entryHeaderLength, putBlockTrailer } from './block-format.js';
import { compareInternalRanges, copyRange } from './internal-compare.js';

const INITIAL_BUFFER_BYTES = 8 * 1024;

export class BlockBuilder {
  private readonly restartInterval: number;
  private buffer: Uint8Array = new Uint8Array(INITIAL_BUFFER_BYTES);
  private length = 0;
  private restarts: number[] = [0];
  private sinceRestart = 0;
  private entries = 0;
  private lastKey: Uint8Array = new Uint8Array(64);
  private lastKeyLength = 0;

  constructor(restartInterval: number) {
    assert(Number.isInteger(restartInterval) && restartInterval >= 1, 'restart interval must be a positive integer');
    this.restartInterval = restartInterval;
  }

  get entryCount(): number {
    return this.entries;
  }

  get isEmpty(): boolean {
    return this.entries === 0;
  }

  /** Size of the block on disk if finished now (contents + trailer). */
  get estimatedBytes(): number {
    return this.length + this.restarts.length * 4 + 4 + BLOCK_TRAILER_BYTES;
  }

  /** Appends the entry whose key is `keySource[0, keyLength)`. */
  add(keySource: Uint8Array, keyLength: number, value: Uint8Array): void {
    let shared = 0;
    if (this.sinceRestart >= this.restartInterval) {
      this.restarts.push(this.length);
      this.sinceRestart = 0;
    } else if (this.entries > 0) {
      const last = this.lastKey;
      const limit = keyLength < this.lastKeyLength ? keyLength : this.lastKeyLength;
      while (shared < limit && keySource[shared] === last[shared]) shared++;
    }
    if (invariantsEnabled && this.entries > 0) {
      const order = compareInternalRanges(this.lastKey, 0, this.lastKeyLength, keySource, 0, keyLength);
      assert(order < 0, 'block keys must be strictly ascending');
    }
    const unshared = keyLength - shared;
    const needed = entryHeaderLength(shared, unshared, value.length) + unshared + value.length;
    this.ensureCapacity(needed);
    let offset = putVarint(this.buffer, this.length, shared);
    offset = putVarint(this.buffer, offset, unshared);
    offset = putVarint(this.buffer, offset, value.length);
    copyRange(this.buffer, offset, keySource, shared, keyLength);
    offset += unshared;
    copyRange(this.buffer, offset, value, 0, value.length);
    this.length = offset + value.length;
    this.rememberKey(keySource, shared, keyLength);
    this.sinceRestart++;
    this.entries++;
  }

  /** Returns contents ‖ trailer as a new array and resets the builder. */
  finish(): Uint8Array {
    const contentsBytes = this.length + this.restarts.length * 4 + 4;
    const out = new Uint8Array(contentsBytes + BLOCK_TRAILER_BYTES);
    out.set(this.buffer.subarray(0, this.length), 0);
    let offset = this.length;
    for (const restart of this.restarts) offset = putFixed32(out, offset, restart);
    putFixed32(out, offset, this.restarts.length);
    putBlockTrailer(out, 0, contentsBytes, BlockCompression.NONE);
    this.reset();
    return out;
  }

  reset(): void {
    this.length = 0;
    this.restarts = [0];
    this.sinceRestart = 0;
    this.entries = 0;
    this.lastKeyLength = 0;
  }

  private rememberKey(keySource: Uint8Array, shared: number, keyLength: number): void {
    if (this.lastKey.length < keyLength) {
      const grown = new Uint8Array(Math.max(keyLength, this.lastKey.length * 2));
      grown.set(this.lastKey.subarray(0, shared));
      this.lastKey = grown;
    }
    copyRange(this.lastKey, shared, keySource, shared, keyLength);
    this.lastKeyLength = keyLength;
  }

  private ensureCapacity(extraBytes: number): void {
    const needed = this.length + extraBytes;
    if (needed <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }
}
