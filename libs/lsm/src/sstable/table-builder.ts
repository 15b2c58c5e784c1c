/**
 * Streams versions in internal-key order into an SST (table-format.ts) on a WritableFile.
 *
 * Invariants:
 * - add() takes (userKey, seq, kind) in strictly ascending internal order (asserted: a caller
 *   bug, never a data condition).
 * - add() never does I/O: finished blocks collect in memory and are appended in chunks of at least
 *   `flushBytes` when the caller awaits flush() (add() returns true when that is due), and at
 *   finish(). So a flush or compaction loop costs one async append per ~64 KiB, not per entry.
 * - finish() writes filter, properties, index and footer, then sync()s the file: when it resolves
 *   the table is durable (RELIABILITY D2); the caller closes the file and records it in the
 *   MANIFEST. An empty table is a caller bug (finish asserts at least one entry; use abandon()).
 * - After a failed append or sync every further call rethrows that failure.
 */

import { assert } from '../assert.js';
import type { WritableFile } from '../fs/fs.js';
import { Kind, MAX_SEQ, TRAILER_BYTES, writeTrailer } from '../keys/internal-key.js';
import { decodeValueHeader, decodeValuePointer } from '../keys/value-format.js';
import {
  BLOCK_TRAILER_BYTES, BlockCompression, type BlockHandle, DEFAULT_BLOCK_RESTART_INTERVAL, encodeBlockHandle, putBlockTrailer,
} from './block-format.js';
import { BlockBuilder } from './block-builder.js';
import { BloomBuilder, DEFAULT_BLOOM_BITS_PER_KEY } from './bloom.js';
import { compareInternalRanges, compareUserRanges, copyRange } from './internal-compare.js';
import {
  CURRENT_TABLE_FORMAT_VERSION, FOOTER_BYTES, type TableProperties, encodeFooter, encodeProperties,
} from './table-format.js';

export const DEFAULT_BLOCK_BYTES = 4 * 1024;
export const DEFAULT_TABLE_FLUSH_BYTES = 64 * 1024;

export interface TableBuilderOptions {
  /** target size of a data block's contents (default 4 KiB) */
  blockBytes?: number;
  /** entries between restart points in data blocks (default 16) */
  blockRestartInterval?: number;
  /** bloom filter bits per distinct user key (default 10, ~1% false positives); 0 = no filter */
  bloomBitsPerKey?: number;
  /** buffered output that makes add() ask for a flush (default 64 KiB) */
  flushBytes?: number;
  /** recorded in the properties; injected for determinism (default 0 = unknown) */
  createdAtMs?: number;
  /** recorded in the properties, e.g. "flush" (default "") */
  creator?: string;
}

export type FinishedTable = TableProperties & { fileBytes: number };

export class TableBuilder {
  private readonly file: WritableFile;
  private readonly blockBytes: number;
  private readonly flushBytes: number;
  private readonly createdAtMs: number;
  private readonly creator: string;
  private readonly dataBlock: BlockBuilder;
  private readonly indexBlock = new BlockBuilder(1);
  private readonly bloom: BloomBuilder | undefined;
  private keyScratch: Uint8Array = new Uint8Array(64);
  private lastKey: Uint8Array = new Uint8Array(64);
  private lastKeyLength = 0;
  private smallestKey: Uint8Array | undefined;
  private pendingHandle: BlockHandle | undefined;
  private chunks: Uint8Array[] = [];
  private chunkBytes = 0;
  private offset = 0;
  private writing: Promise<void> = Promise.resolve();
  private state: 'open' | 'finished' | 'abandoned' = 'open';
  private failure: unknown = undefined;
  private entries = 0;
  private deletions = 0;
  private valuePointers = 0;
  private valuePointerBytes = 0;
  private minSeq = MAX_SEQ;
  private maxSeq = 0;
  private rawKeyBytes = 0;
  private rawValueBytes = 0;
  private dataBlocks = 0;

  constructor(file: WritableFile, options: TableBuilderOptions = {}) {
    assert(file.size === 0, 'a table is written into an empty file');
    this.file = file;
    this.blockBytes = options.blockBytes ?? DEFAULT_BLOCK_BYTES;
    this.flushBytes = options.flushBytes ?? DEFAULT_TABLE_FLUSH_BYTES;
    this.createdAtMs = options.createdAtMs ?? 0;
    this.creator = options.creator ?? '';
    assert(Number.isInteger(this.blockBytes) && this.blockBytes >= 64, 'blockBytes must be an integer >= 64');
    this.dataBlock = new BlockBuilder(options.blockRestartInterval ?? DEFAULT_BLOCK_RESTART_INTERVAL);
    const bloomBits = options.bloomBitsPerKey ?? DEFAULT_BLOOM_BITS_PER_KEY;
    this.bloom = bloomBits === 0 ? undefined : new BloomBuilder(bloomBits);
  }

  get entryCount(): number {
    return this.entries;
  }

  /** Size of the file if finished now (approximate for the index, filter and properties). */
  get estimatedBytes(): number {
    const bloomBytes = this.bloom === undefined ? 0 : this.bloom.estimatedBytes;
    return this.offset + this.dataBlock.estimatedBytes + this.indexBlock.estimatedBytes + bloomBytes + 256 + FOOTER_BYTES;
  }

  /**
   * Adds one version. `storedValue` is a stored value (keys/value-format.ts), empty for DELETE.
   * Returns true when buffered output reached `flushBytes`: the caller should `await flush()`.
   */
  add(userKey: Uint8Array, seq: number, kind: Kind, storedValue: Uint8Array): boolean {
    this.checkOpen();
    const keyLength = userKey.length + TRAILER_BYTES;
    if (this.keyScratch.length < keyLength) this.keyScratch = new Uint8Array(Math.max(keyLength, this.keyScratch.length * 2));
    const key = this.keyScratch;
    copyRange(key, 0, userKey, 0, userKey.length);
    writeTrailer(key, userKey.length, seq, kind);
    let newUserKey = true;
    if (this.entries > 0) {
      assert(compareInternalRanges(this.lastKey, 0, this.lastKeyLength, key, 0, keyLength) < 0, 'table keys must be strictly ascending in internal order');
      newUserKey = compareUserRanges(this.lastKey, 0, this.lastKeyLength - TRAILER_BYTES, key, 0, userKey.length) !== 0;
    }
    if (this.pendingHandle !== undefined) this.addIndexEntry(key, keyLength);
    if (newUserKey && this.bloom !== undefined) this.bloom.addKey(userKey);
    this.dataBlock.add(key, keyLength, storedValue);
    this.count(seq, kind, storedValue, keyLength);
    this.rememberLastKey(key, keyLength);
    if (this.smallestKey === undefined) this.smallestKey = key.slice(0, keyLength);
    if (this.dataBlock.estimatedBytes - BLOCK_TRAILER_BYTES >= this.blockBytes) this.finishDataBlock();
    return this.chunkBytes >= this.flushBytes;
  }

  /** Appends buffered output to the file (one append); resolves when it is written. */
  flush(): Promise<void> {
    this.checkOpen();
    return this.writeChunks();
  }

  /** Completes the table and syncs the file. Resolves with its properties and byte size. */
  async finish(): Promise<FinishedTable> {
    this.checkOpen();
    assert(this.entries > 0 && this.smallestKey !== undefined, 'finish() of an empty table; abandon() it instead');
    if (!this.dataBlock.isEmpty) this.finishDataBlock();
    if (this.pendingHandle !== undefined) this.addIndexEntry(undefined, 0);
    const filterHandle = this.pushBlock(this.bloom === undefined ? new Uint8Array(0) : this.bloom.finish());
    const properties = this.properties(this.smallestKey);
    const propertiesHandle = this.pushBlock(encodeProperties(properties));
    const indexBytes = this.indexBlock.finish();
    const indexHandle = { offset: this.offset, size: indexBytes.length - BLOCK_TRAILER_BYTES };
    this.pushChunk(indexBytes);
    this.pushChunk(encodeFooter({ indexHandle, filterHandle, propertiesHandle, formatVersion: CURRENT_TABLE_FORMAT_VERSION }));
    this.state = 'finished';
    try {
      await this.writeChunks();
      await this.file.sync();
    } catch (error) {
      this.failure = error;
      throw error;
    }
    return { ...properties, fileBytes: this.offset };
  }

  /** Gives up on the table (e.g. nothing to write); the caller closes and deletes the file. */
  abandon(): void {
    this.state = 'abandoned';
    this.chunks = [];
    this.chunkBytes = 0;
  }

  private checkOpen(): void {
    if (this.failure !== undefined) throw this.failure;
    assert(this.state === 'open', `table builder used after it was ${this.state}`);
  }

  private count(seq: number, kind: Kind, storedValue: Uint8Array, keyLength: number): void {
    this.entries++;
    this.rawKeyBytes += keyLength;
    this.rawValueBytes += storedValue.length;
    if (seq < this.minSeq) this.minSeq = seq;
    if (seq > this.maxSeq) this.maxSeq = seq;
    if (kind === Kind.DELETE) {
      assert(storedValue.length === 0, 'a DELETE version has an empty stored value');
      this.deletions++;
    } else if (kind === Kind.VALUE_POINTER) {
      const header = decodeValueHeader(storedValue);
      const pointer = header === undefined ? undefined : decodeValuePointer(storedValue, header.payloadOffset);
      assert(pointer !== undefined, 'VALUE_POINTER version without a valid value pointer');
      this.valuePointers++;
      this.valuePointerBytes += pointer.length;
    }
  }

  private rememberLastKey(key: Uint8Array, keyLength: number): void {
    if (this.lastKey.length < keyLength) this.lastKey = new Uint8Array(Math.max(keyLength, this.lastKey.length * 2));
    copyRange(this.lastKey, 0, key, 0, keyLength);
    this.lastKeyLength = keyLength;
  }

  private finishDataBlock(): void {
    const bytes = this.dataBlock.finish();
    this.pendingHandle = { offset: this.offset, size: bytes.length - BLOCK_TRAILER_BYTES };
    this.pushChunk(bytes);
    this.dataBlocks++;
  }

  /**
   * Index entry for the finished block whose last key is `lastKey`: a short separator below
   * `next[0, nextLength)` (the next block's first key), or a short successor when it is the last.
   */
  private addIndexEntry(next: Uint8Array | undefined, nextLength: number): void {
    const handle = this.pendingHandle;
    assert(handle !== undefined, 'no pending index entry');
    const last = this.lastKey;
    const lastUserLength = this.lastKeyLength - TRAILER_BYTES;
    const nextUserLength = nextLength - TRAILER_BYTES;
    let cut = 0; // separator user key = last[0, cut) with its final byte incremented
    let i = 0;
    if (next !== undefined) {
      const limit = Math.min(lastUserLength, nextUserLength);
      while (i < limit && last[i] === next[i]) i++;
      if (i < limit && (last[i] as number) + 1 < (next[i] as number)) cut = i + 1;
    } else {
      while (i < lastUserLength && last[i] === 0xff) i++;
      if (i < lastUserLength) cut = i + 1;
    }
    let separator: Uint8Array;
    if (cut > 0 && cut < lastUserLength) {
      separator = new Uint8Array(cut + TRAILER_BYTES);
      separator.set(last.subarray(0, cut), 0);
      separator[cut - 1] = (separator[cut - 1] as number) + 1;
      writeTrailer(separator, cut, MAX_SEQ, Kind.VALUE_POINTER);
    } else {
      separator = last.slice(0, this.lastKeyLength);
    }
    this.indexBlock.add(separator, separator.length, encodeBlockHandle(handle));
    this.pendingHandle = undefined;
  }

  private pushBlock(contents: Uint8Array): BlockHandle {
    const bytes = new Uint8Array(contents.length + BLOCK_TRAILER_BYTES);
    bytes.set(contents, 0);
    putBlockTrailer(bytes, 0, contents.length, BlockCompression.NONE);
    const handle = { offset: this.offset, size: contents.length };
    this.pushChunk(bytes);
    return handle;
  }

  private pushChunk(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.chunkBytes += bytes.length;
    this.offset += bytes.length;
  }

  private writeChunks(): Promise<void> {
    if (this.chunkBytes === 0) return this.writing;
    const chunks = this.chunks;
    const total = this.chunkBytes;
    this.chunks = [];
    this.chunkBytes = 0;
    const data = chunks.length === 1 ? (chunks[0] as Uint8Array) : concat(chunks, total);
    this.writing = this.writing.then(() => this.file.append(data)).catch((error: unknown) => {
      this.failure ??= error;
      throw error;
    });
    return this.writing;
  }

  private properties(smallestKey: Uint8Array): TableProperties {
    return {
      smallestKey,
      largestKey: this.lastKey.slice(0, this.lastKeyLength),
      entryCount: this.entries,
      deletionCount: this.deletions,
      valuePointerCount: this.valuePointers,
      valuePointerBytes: this.valuePointerBytes,
      minSeq: this.minSeq,
      maxSeq: this.maxSeq,
      rawKeyBytes: this.rawKeyBytes,
      rawValueBytes: this.rawValueBytes,
      dataBlockCount: this.dataBlocks,
      createdAtMs: this.createdAtMs,
      creator: this.creator,
    };
  }
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
