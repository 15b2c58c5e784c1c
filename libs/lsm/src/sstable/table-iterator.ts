/**
 * Two-level iterator over one table: an iterator over the index block picks data blocks, a block
 * iterator walks each; both directions.
 *
 * Invariants:
 * - valid() implies the data iterator is positioned inside the block the index iterator names.
 * - The index contents are pinned by this iterator once loaded (a cache eviction cannot pull them
 *   away mid-scan); data blocks are fetched through the block cache as the scan reaches them.
 * - Index separators may be shorter than the block's last key, so a seek can land past a block's
 *   last entry; the iterator then moves on to the next block (and back for seekForPrev).
 * - Readahead: after READAHEAD_AFTER_BLOCKS data blocks in a row reached by `next()` and not
 *   found in the cache, the iterator reads the following data area in one chunk (starting at
 *   READAHEAD_MIN_BYTES, doubling up to READAHEAD_MAX_BYTES) and takes the next blocks from it,
 *   each checksum-verified, without inserting them into the block cache (a long scan neither
 *   pays one read and one allocation per 4 KiB block nor flushes the cache). The iterator holds
 *   at most one chunk; views handed out keep theirs alive, and chunks are never written.
 */

import { assert } from '../assert.js';
import type { InternalIterator } from '../iterator/internal-iterator.js';
import { type Kind, MAX_SEQ, TRAILER_BYTES } from '../keys/internal-key.js';
import { BlockIterator, SEEK_FOR_PREV_KIND_BYTE, SEEK_KIND_BYTE, encodeSeekTarget } from './block-reader.js';
import { BLOCK_TRAILER_BYTES, type BlockHandle } from './block-format.js';
import type { TableReader } from './table-reader.js';

export const READAHEAD_AFTER_BLOCKS = 2;
export const READAHEAD_MIN_BYTES = 16 * 1024;
export const READAHEAD_MAX_BYTES = 256 * 1024;

export class TableIterator implements InternalIterator {
  private readonly reader: TableReader;
  private readonly index = new BlockIterator();
  private readonly data = new BlockIterator();
  private indexLoaded = false;
  /** file offset of the block loaded into `data`; -1 when none */
  private dataOffset = -1;
  private positioned = false;
  private target: Uint8Array = new Uint8Array(64);
  private readonly handle: BlockHandle = { offset: 0, size: 0 };
  private onClose: (() => void) | undefined;
  private closed = false;
  /** data blocks in a row loaded by forward steps (not seeks) */
  private sequentialLoads = 0;
  private readaheadBytes = READAHEAD_MIN_BYTES;
  private chunk: Uint8Array | undefined;
  private chunkOffset = 0;

  constructor(reader: TableReader, onClose?: () => void) {
    this.reader = reader;
    this.onClose = onClose;
  }

  valid(): boolean {
    return this.positioned && this.data.valid();
  }

  seekToFirst(): void {
    this.loadIndex();
    this.index.seekToFirst();
    if (!this.loadDataBlock()) return;
    this.data.seekToFirst();
    this.skipForward();
  }

  seekToLast(): void {
    this.loadIndex();
    this.index.seekToLast();
    if (!this.loadDataBlock()) return;
    this.data.seekToLast();
    this.skipBackward();
  }

  seek(userKey: Uint8Array, seq: number = MAX_SEQ): void {
    this.loadIndex();
    this.target = encodeSeekTarget(this.target, userKey, seq, SEEK_KIND_BYTE);
    const length = userKey.length + TRAILER_BYTES;
    this.index.seekTarget(this.target, length);
    if (!this.loadDataBlock()) return;
    this.data.seekTarget(this.target, length);
    this.skipForward();
  }

  seekForPrev(userKey: Uint8Array, seq = 0): void {
    this.loadIndex();
    this.target = encodeSeekTarget(this.target, userKey, seq, SEEK_FOR_PREV_KIND_BYTE);
    const length = userKey.length + TRAILER_BYTES;
    this.index.seekTarget(this.target, length);
    if (!this.index.valid()) {
      // every separator, hence every key, is below the target
      this.seekToLast();
      return;
    }
    if (!this.loadDataBlock()) return;
    this.data.seekForPrevTarget(this.target, length);
    this.skipBackward();
  }

  next(): void {
    assert(this.valid(), 'next() on an invalid table iterator');
    this.data.next();
    this.skipForward();
  }

  prev(): void {
    assert(this.valid(), 'prev() on an invalid table iterator');
    this.data.prev();
    this.skipBackward();
  }

  key(): Uint8Array {
    return this.data.key();
  }

  /** Encoded internal key of the current entry (view valid until the next positioning call). */
  internalKey(): Uint8Array {
    return this.data.internalKey();
  }

  seq(): number {
    return this.data.seq();
  }

  kind(): Kind {
    return this.data.kind();
  }

  value(): Uint8Array {
    return this.data.value();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.positioned = false;
    this.index.close();
    this.data.close();
    this.indexLoaded = false;
    this.dataOffset = -1;
    this.chunk = undefined;
    const onClose = this.onClose;
    this.onClose = undefined;
    if (onClose !== undefined) onClose();
  }

  private loadIndex(): void {
    assert(!this.closed, 'table iterator used after close()');
    if (this.indexLoaded) return;
    const handle = this.reader.footer.indexHandle;
    this.index.reset(this.reader.indexBlock(), this.reader.path, handle.offset);
    this.indexLoaded = true;
  }

  /**
   * Loads the block the index iterator points at; false (and not valid) when it points nowhere.
   * `forward`: reached by stepping forward from the previous block (readahead may apply).
   */
  private loadDataBlock(forward = false): boolean {
    if (!this.index.valid()) {
      this.positioned = false;
      return false;
    }
    const handle = this.reader.dataHandleAt(this.index, this.handle);
    if (handle.offset !== this.dataOffset) {
      this.data.reset(this.blockContents(handle, forward), this.reader.path, handle.offset);
      this.dataOffset = handle.offset;
    }
    this.positioned = true;
    return true;
  }

  private blockContents(handle: BlockHandle, forward: boolean): Uint8Array {
    const reader = this.reader;
    if (!forward) {
      this.sequentialLoads = 0;
      this.readaheadBytes = READAHEAD_MIN_BYTES;
      return reader.readBlock(handle);
    }
    if (this.chunk !== undefined) {
      const fromChunk = reader.blockFromChunk(this.chunk, this.chunkOffset, handle);
      if (fromChunk !== undefined) return fromChunk;
      this.chunk = undefined;
    }
    this.sequentialLoads++;
    const cached = reader.cachedBlock(handle);
    if (cached !== undefined) return cached;
    if (this.sequentialLoads <= READAHEAD_AFTER_BLOCKS) return reader.loadBlock(handle);
    this.chunk = reader.readDataChunk(handle.offset, Math.max(this.readaheadBytes, handle.size + BLOCK_TRAILER_BYTES));
    this.chunkOffset = handle.offset;
    this.readaheadBytes = Math.min(this.readaheadBytes * 2, READAHEAD_MAX_BYTES);
    const contents = reader.blockFromChunk(this.chunk, this.chunkOffset, handle);
    assert(contents !== undefined, 'readahead chunk does not hold the block it was read for');
    return contents;
  }

  private skipForward(): void {
    while (!this.data.valid()) {
      this.index.next();
      if (!this.loadDataBlock(true)) return;
      this.data.seekToFirst();
    }
  }

  private skipBackward(): void {
    while (!this.data.valid()) {
      this.index.prev();
      if (!this.loadDataBlock()) return;
      this.data.seekToLast();
    }
  }
}
