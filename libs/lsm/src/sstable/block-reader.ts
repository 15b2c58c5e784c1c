/**
 * Iterator over one block's contents (block-format.ts), already checksum-verified.
 *
 * - seek: binary search over the restart points (keys there are stored whole), then a linear
 *   scan of at most one restart interval.
 * - prev: as LevelDB's block.cc: back up to the restart point before the current entry and scan
 *   forward to the entry just before it; O(restart interval) per step.
 * - key() is a view of an internal buffer rebuilt from the prefix-compressed entries; value() is a
 *   view of the block contents (immutable once cached, so it stays valid after repositioning).
 * - Every length read from the block is checked against the entries area; a bad one throws
 *   CorruptionError with the file name and the absolute file offset of the entry.
 *
 * Instances are reusable: `reset()` points one at another block without allocating.
 */

import { assert } from '../assert.js';
import { getFixed32 } from '../codec/fixed.js';
import { getVarint } from '../codec/varint.js';
import { CorruptionError } from '../errors.js';
import type { InternalIterator } from '../iterator/internal-iterator.js';
import { Kind, MAX_SEQ, TRAILER_BYTES, isKind, readTrailerSeq, writeTrailer } from '../keys/internal-key.js';
import { restartArrayOffset } from './block-format.js';
import { compareInternalRanges, copyRange } from './internal-compare.js';

const EMPTY = new Uint8Array(0);
/** Trailer kind byte of a seek target: sorts before every real kind at the same seq. */
export const SEEK_KIND_BYTE = 0xff;
/** Trailer kind byte of a seekForPrev target: sorts after every real kind at the same seq. */
export const SEEK_FOR_PREV_KIND_BYTE = 0x00;

/**
 * Writes the internal key (userKey, seq, kindByte) into `buffer` (grown when too small) and
 * returns the buffer; the key occupies `[0, userKey.length + TRAILER_BYTES)`.
 */
export function encodeSeekTarget(buffer: Uint8Array, userKey: Uint8Array, seq: number, kindByte: number): Uint8Array {
  const length = userKey.length + TRAILER_BYTES;
  const target = buffer.length >= length ? buffer : new Uint8Array(Math.max(length, buffer.length * 2));
  copyRange(target, 0, userKey, 0, userKey.length);
  writeTrailer(target, userKey.length, seq, Kind.DELETE);
  target[length - 1] = kindByte;
  return target;
}

export class BlockIterator implements InternalIterator {
  private data: Uint8Array = EMPTY;
  private file = '';
  private fileOffset = 0;
  private restartsOffset = 0;
  private numRestarts = 0;
  /** offset of the current entry; `restartsOffset` when not valid */
  private current = 0;
  private nextOffset = 0;
  private restartIndex = 0;
  private keyBuffer: Uint8Array = new Uint8Array(64);
  private keyLength = 0;
  private valueStart = 0;
  private valueLength = 0;
  private userKeyView: Uint8Array | undefined;
  private target: Uint8Array = new Uint8Array(64);
  // header of the entry last decoded by decodeHeader()
  private headerShared = 0;
  private headerUnshared = 0;
  private headerValueLength = 0;
  private headerKeyStart = 0;

  /** Points the iterator at `contents` (read at absolute `fileOffset` of `file`); not valid until positioned. */
  reset(contents: Uint8Array, file: string, fileOffset: number): void {
    this.restartsOffset = restartArrayOffset(contents, file, fileOffset);
    this.numRestarts = (contents.length - 4 - this.restartsOffset) / 4;
    this.data = contents;
    this.file = file;
    this.fileOffset = fileOffset;
    this.invalidate();
  }

  valid(): boolean {
    return this.current < this.restartsOffset;
  }

  seekToFirst(): void {
    this.seekToRestart(0);
    this.parseNext();
  }

  seekToLast(): void {
    this.seekToRestart(this.numRestarts - 1);
    while (this.parseNext() && this.nextOffset < this.restartsOffset) {
      // keep going to the last entry
    }
  }

  seek(userKey: Uint8Array, seq: number = MAX_SEQ): void {
    const length = this.prepareTarget(userKey, seq, SEEK_KIND_BYTE);
    this.seekTarget(this.target, length);
  }

  seekForPrev(userKey: Uint8Array, seq = 0): void {
    const length = this.prepareTarget(userKey, seq, SEEK_FOR_PREV_KIND_BYTE);
    this.seekForPrevTarget(this.target, length);
  }

  /** First entry whose encoded internal key is >= `key[0, keyLength)`. */
  seekTarget(key: Uint8Array, keyLength: number): void {
    let left = 0;
    let right = this.numRestarts - 1;
    while (left < right) {
      const mid = (left + right + 1) >>> 1;
      const entryOffset = this.restartPoint(mid);
      this.decodeHeader(entryOffset);
      if (this.headerShared !== 0) this.corrupt(entryOffset, 'restart entry has a shared prefix');
      this.checkKeyLength(entryOffset, this.headerUnshared);
      const start = this.headerKeyStart;
      if (compareInternalRanges(this.data, start, start + this.headerUnshared, key, 0, keyLength) < 0) {
        left = mid;
      } else {
        right = mid - 1;
      }
    }
    this.seekToRestart(left);
    while (this.parseNext()) {
      if (compareInternalRanges(this.keyBuffer, 0, this.keyLength, key, 0, keyLength) >= 0) return;
    }
  }

  /** Last entry whose encoded internal key is <= `key[0, keyLength)`. */
  seekForPrevTarget(key: Uint8Array, keyLength: number): void {
    this.seekTarget(key, keyLength);
    if (!this.valid()) {
      this.seekToLast();
      return;
    }
    if (compareInternalRanges(this.keyBuffer, 0, this.keyLength, key, 0, keyLength) > 0) this.prev();
  }

  next(): void {
    assert(this.valid(), 'next() on an invalid block iterator');
    this.parseNext();
  }

  prev(): void {
    assert(this.valid(), 'prev() on an invalid block iterator');
    const original = this.current;
    while (this.restartPoint(this.restartIndex) >= original) {
      if (this.restartIndex === 0) {
        this.invalidate();
        return;
      }
      this.restartIndex--;
    }
    this.seekToRestart(this.restartIndex);
    while (this.parseNext() && this.nextOffset < original) {
      // advance to the entry just before `original`
    }
  }

  key(): Uint8Array {
    if (this.userKeyView === undefined) {
      this.userKeyView = this.keyBuffer.subarray(0, this.keyLength - TRAILER_BYTES);
    }
    return this.userKeyView;
  }

  /** The whole encoded internal key, as a view valid until the next positioning call. */
  internalKey(): Uint8Array {
    return this.keyBuffer.subarray(0, this.keyLength);
  }

  /** Buffer holding the current encoded internal key in `[0, currentKeyLength)`; no allocation. */
  get currentKeyBuffer(): Uint8Array {
    return this.keyBuffer;
  }

  get currentKeyLength(): number {
    return this.keyLength;
  }

  seq(): number {
    return readTrailerSeq(this.keyBuffer, this.keyLength - TRAILER_BYTES);
  }

  kind(): Kind {
    return this.keyBuffer[this.keyLength - 1] as Kind;
  }

  value(): Uint8Array {
    return this.data.subarray(this.valueStart, this.valueStart + this.valueLength);
  }

  /** The block contents and the value's range in it (index blocks decode handles in place). */
  get contents(): Uint8Array {
    return this.data;
  }

  get currentValueStart(): number {
    return this.valueStart;
  }

  get currentValueLength(): number {
    return this.valueLength;
  }

  /** Absolute file offset of the current entry's value (for error messages). */
  get currentValueFileOffset(): number {
    return this.fileOffset + this.valueStart;
  }

  close(): void {
    this.data = EMPTY;
    this.restartsOffset = 0;
    this.numRestarts = 0;
    this.invalidate();
  }

  private prepareTarget(userKey: Uint8Array, seq: number, kindByte: number): number {
    this.target = encodeSeekTarget(this.target, userKey, seq, kindByte);
    return userKey.length + TRAILER_BYTES;
  }

  private invalidate(): void {
    this.current = this.restartsOffset;
    this.nextOffset = this.restartsOffset;
    this.restartIndex = this.numRestarts;
    this.keyLength = 0;
    this.userKeyView = undefined;
  }

  private restartPoint(index: number): number {
    const at = this.restartsOffset + index * 4;
    const point = getFixed32(this.data, at);
    if (point >= this.restartsOffset) this.corrupt(at, `restart point ${point} beyond entries`);
    return point;
  }

  private seekToRestart(index: number): void {
    this.keyLength = 0;
    this.restartIndex = index;
    this.nextOffset = this.restartPoint(index);
    this.current = this.nextOffset;
  }

  /** Decodes the entry at `nextOffset`; false (and invalid) at the end of the entries. */
  private parseNext(): boolean {
    const offset = this.nextOffset;
    if (offset >= this.restartsOffset) {
      this.invalidate();
      return false;
    }
    this.decodeHeader(offset);
    const shared = this.headerShared;
    const unshared = this.headerUnshared;
    if (shared > this.keyLength) this.corrupt(offset, `shared prefix ${shared} longer than previous key`);
    const keyLength = shared + unshared;
    this.checkKeyLength(offset, keyLength);
    const start = this.headerKeyStart;
    if (this.keyBuffer.length < keyLength) this.growKeyBuffer(keyLength);
    const keys = this.keyBuffer;
    const data = this.data;
    copyRange(keys, shared, data, start, start + unshared);
    if (!isKind(keys[keyLength - 1] as number)) this.corrupt(offset, `unknown key kind ${keys[keyLength - 1]}`);
    this.keyLength = keyLength;
    this.userKeyView = undefined;
    this.current = offset;
    this.valueStart = start + unshared;
    this.valueLength = this.headerValueLength;
    this.nextOffset = this.valueStart + this.valueLength;
    while (this.restartIndex + 1 < this.numRestarts && this.restartPoint(this.restartIndex + 1) <= offset) {
      this.restartIndex++;
    }
    return true;
  }

  /** Reads the three header varints at `offset` and checks the entry fits in the entries area. */
  private decodeHeader(offset: number): void {
    const data = this.data;
    const limit = this.restartsOffset;
    let shared = data[offset] as number;
    let unshared = data[offset + 1] as number;
    let valueLength = data[offset + 2] as number;
    let start = offset + 3;
    if (start > limit || (shared | unshared | valueLength) >= 0x80) {
      start = this.decodeHeaderSlow(offset);
      shared = this.headerShared;
      unshared = this.headerUnshared;
      valueLength = this.headerValueLength;
    }
    if (start + unshared + valueLength > limit) this.corrupt(offset, 'entry overruns the block');
    this.headerShared = shared;
    this.headerUnshared = unshared;
    this.headerValueLength = valueLength;
    this.headerKeyStart = start;
  }

  private decodeHeaderSlow(offset: number): number {
    const limit = this.restartsOffset;
    const shared = getVarint(this.data, offset, limit);
    if (shared === undefined) this.corrupt(offset, 'bad entry shared length');
    const unshared = getVarint(this.data, shared.next, limit);
    if (unshared === undefined) this.corrupt(offset, 'bad entry key length');
    const valueLength = getVarint(this.data, unshared.next, limit);
    if (valueLength === undefined) this.corrupt(offset, 'bad entry value length');
    this.headerShared = shared.value;
    this.headerUnshared = unshared.value;
    this.headerValueLength = valueLength.value;
    return valueLength.next;
  }

  private checkKeyLength(offset: number, keyLength: number): void {
    if (keyLength < TRAILER_BYTES) this.corrupt(offset, `key of ${keyLength} bytes is shorter than its trailer`);
  }

  private growKeyBuffer(keyLength: number): void {
    const grown = new Uint8Array(Math.max(keyLength, this.keyBuffer.length * 2));
    grown.set(this.keyBuffer.subarray(0, this.keyLength));
    this.keyBuffer = grown;
  }

  private corrupt(offsetInBlock: number, reason: string): never {
    throw new CorruptionError(this.file, this.fileOffset + offsetInBlock, reason);
  }
}
