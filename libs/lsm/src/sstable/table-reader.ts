/**
 * Reads an SST (table-format.ts): point lookups and iterators, synchronously.
 *
 * Invariants:
 * - open() reads and verifies only the footer and the properties block; the object keeps only
 *   that small metadata. Index, filter and data blocks are fetched through the shared BlockCache
 *   on use, so memory is bounded by the cache, not by the number of open tables.
 * - Every block is checksum-verified after it is read and before it is cached; a block in the
 *   cache is trusted.
 * - Bad bytes throw CorruptionError (file, absolute offset); a failed read throws IoError.
 * - Arrays returned by get() (value) are views of immutable cached blocks: valid indefinitely.
 * - Point reads memoize the block-cache entries of the filter block and of the index block with
 *   its decoded form (table-index.ts), so a read does not look them up again; a memoized entry
 *   is used only while the cache still holds it (`live`), so memory stays bounded by the cache.
 */

import { assert } from '../assert.js';
import { readAtSync, type ReadableFile } from '../fs/fs.js';
import { CorruptionError, IoError, LsmError } from '../errors.js';
import { type Kind, MAX_SEQ, TRAILER_BYTES } from '../keys/internal-key.js';
import { BLOCK_TRAILER_BYTES, type BlockHandle, checkBlock, decodeBlockHandleInto } from './block-format.js';
import { BlockIterator, SEEK_KIND_BYTE, encodeSeekTarget } from './block-reader.js';
import type { BlockCache, CacheEntry } from './block-cache.js';
import { bloomMayContain } from './bloom.js';
import { compareUserRanges } from './internal-compare.js';
import { FOOTER_BYTES, type Footer, type TableProperties, decodeFooter, decodeProperties } from './table-format.js';
import { DecodedIndex } from './table-index.js';
import { TableIterator } from './table-iterator.js';
import { type TableProblem, verifyTable } from './table-verify.js';

export interface TableGetResult {
  seq: number;
  kind: Kind;
  /** stored value (keys/value-format.ts); empty for DELETE */
  value: Uint8Array;
}

export class TableReader {
  readonly file: ReadableFile;
  readonly fileNumber: number;
  readonly footer: Footer;
  readonly properties: TableProperties;
  private readonly cache: BlockCache;
  private readonly smallestUserKey: Uint8Array;
  private readonly largestUserKey: Uint8Array;
  /** reused by get(): reads are synchronous, so no two lookups overlap */
  private readonly getData = new BlockIterator();
  private readonly getHandle: BlockHandle = { offset: 0, size: 0 };
  private getTarget: Uint8Array = new Uint8Array(64);
  /** memoized block-cache entries (checked `live` before each use) */
  private filterEntry: CacheEntry | undefined;
  private indexEntry: CacheEntry | undefined;
  /** the cache cannot hold the index with its decoded form: seek the index block itself */
  private indexNotDecodable = false;
  private readonly getIndex = new BlockIterator();

  private constructor(file: ReadableFile, fileNumber: number, cache: BlockCache, footer: Footer, properties: TableProperties) {
    this.file = file;
    this.fileNumber = fileNumber;
    this.cache = cache;
    this.footer = footer;
    this.properties = properties;
    this.smallestUserKey = properties.smallestKey.subarray(0, properties.smallestKey.length - TRAILER_BYTES);
    this.largestUserKey = properties.largestKey.subarray(0, properties.largestKey.length - TRAILER_BYTES);
  }

  /** Verifies the footer and reads the properties. Throws CorruptionError or IoError. */
  static open(file: ReadableFile, fileNumber: number, cache: BlockCache): TableReader {
    const fileBytes = file.size;
    if (fileBytes < FOOTER_BYTES) {
      throw new CorruptionError(file.path, 0, `file of ${fileBytes} bytes is too short to be an SST`);
    }
    const footerBytes = readExactly(file, fileBytes - FOOTER_BYTES, FOOTER_BYTES);
    const footer = decodeFooter(footerBytes, file.path, fileBytes);
    const handle = footer.propertiesHandle;
    const raw = readExactly(file, handle.offset, handle.size + BLOCK_TRAILER_BYTES);
    const contents = checkBlock(raw, handle.size, file.path, handle.offset);
    const properties = decodeProperties(contents, file.path, handle.offset);
    return new TableReader(file, fileNumber, cache, footer, properties);
  }

  get path(): string {
    return this.file.path;
  }

  get fileBytes(): number {
    return this.file.size;
  }

  /** End of the data blocks: data block handles must end at or before it. */
  get dataEndOffset(): number {
    return this.footer.filterHandle.offset;
  }

  /** False only when no version of `userKey` is in the table (key range, then bloom filter). */
  mayContain(userKey: Uint8Array): boolean {
    if (compareUserRanges(userKey, 0, userKey.length, this.smallestUserKey, 0, this.smallestUserKey.length) < 0) return false;
    if (compareUserRanges(userKey, 0, userKey.length, this.largestUserKey, 0, this.largestUserKey.length) > 0) return false;
    const filterHandle = this.footer.filterHandle;
    if (filterHandle.size === 0) return true;
    return bloomMayContain(this.filterBlock(filterHandle), userKey);
  }

  /** The newest version of `userKey` with seq <= `seq` (DELETE included), or undefined. */
  get(userKey: Uint8Array, seq: number = MAX_SEQ): TableGetResult | undefined {
    if (!this.mayContain(userKey)) return undefined;
    const targetLength = userKey.length + TRAILER_BYTES;
    const target = encodeSeekTarget(this.getTarget, userKey, seq, SEEK_KIND_BYTE);
    this.getTarget = target;
    const handle = this.findDataBlock(target, targetLength, this.getHandle);
    if (handle === undefined) return undefined;
    const data = this.getData;
    data.reset(this.readBlock(handle), this.file.path, handle.offset);
    data.seekTarget(target, targetLength);
    let result: TableGetResult | undefined;
    if (data.valid()) {
      const keyUserEnd = data.currentKeyLength - TRAILER_BYTES;
      if (compareUserRanges(data.currentKeyBuffer, 0, keyUserEnd, userKey, 0, userKey.length) === 0) {
        result = { seq: data.seq(), kind: data.kind(), value: data.value() };
      }
    }
    data.close();
    return result;
  }

  /** The filter block through its memoized cache entry. */
  private filterBlock(handle: BlockHandle): Uint8Array {
    const entry = this.filterEntry;
    if (entry !== undefined && entry.live) {
      this.cache.touch(entry);
      return entry.block;
    }
    this.filterEntry = undefined;
    const cached = this.cache.lookup(this.fileNumber, handle.offset);
    if (cached !== undefined) {
      this.filterEntry = cached;
      return cached.block;
    }
    const contents = this.readBlockUncached(handle);
    this.filterEntry = this.cache.insert(this.fileNumber, handle.offset, contents);
    return contents;
  }

  /** Handle of the only data block that can hold `target` (an encoded seek key), or undefined. */
  private findDataBlock(target: Uint8Array, targetLength: number, out: BlockHandle): BlockHandle | undefined {
    const decoded = this.indexNotDecodable ? undefined : this.decodedIndex();
    if (decoded !== undefined) {
      const position = decoded.seek(target, targetLength);
      return position < decoded.count ? decoded.handleAt(position, out) : undefined;
    }
    const index = this.getIndex;
    const indexHandle = this.footer.indexHandle;
    index.reset(this.readBlock(indexHandle), this.file.path, indexHandle.offset);
    index.seekTarget(target, targetLength);
    const handle = index.valid() ? this.dataHandleAt(index, out) : undefined;
    index.close();
    return handle;
  }

  /**
   * The decoded index, from the memoized cache entry, else decoded and attached to the index
   * block's entry. Undefined (and `indexNotDecodable` set) when the cache cannot hold both: the
   * caller then seeks the index block, and memory stays bounded by the cache.
   */
  private decodedIndex(): DecodedIndex | undefined {
    const entry = this.indexEntry;
    if (entry !== undefined && entry.live && entry.attachment instanceof DecodedIndex) {
      this.cache.touch(entry);
      return entry.attachment;
    }
    this.indexEntry = undefined;
    const handle = this.footer.indexHandle;
    let found = this.cache.lookup(this.fileNumber, handle.offset);
    let contents: Uint8Array;
    if (found !== undefined) {
      contents = found.block;
      if (found.attachment instanceof DecodedIndex) {
        this.indexEntry = found;
        return found.attachment;
      }
    } else {
      contents = this.readBlockUncached(handle);
      found = this.cache.insert(this.fileNumber, handle.offset, contents);
    }
    const decoded = DecodedIndex.decode(contents, this.file.path, handle.offset, this.dataEndOffset);
    if (found === undefined || !this.cache.attach(found, decoded)) {
      this.indexNotDecodable = true;
      return undefined;
    }
    this.indexEntry = found;
    return decoded;
  }

  /** A two-level iterator; `onClose` runs once when it is closed (table cache reference). */
  newIterator(onClose?: () => void): TableIterator {
    return new TableIterator(this, onClose);
  }

  /**
   * Re-reads every block from the file (bypassing the cache) and checks checksums, key order,
   * separators, values, the bloom filter and the properties. Returns the problems found (empty
   * when the table is sound); only a bug throws.
   */
  verify(): TableProblem[] {
    return verifyTable(this);
  }

  /** Index block contents (through the cache). */
  indexBlock(): Uint8Array {
    return this.readBlock(this.footer.indexHandle);
  }

  /** Decodes and bounds-checks the data block handle in the index iterator's current value. */
  dataHandleAt(index: BlockIterator, out: BlockHandle = { offset: 0, size: 0 }): BlockHandle {
    const start = index.currentValueStart;
    const fileOffset = index.currentValueFileOffset;
    decodeBlockHandleInto(index.contents, start, start + index.currentValueLength, this.file.path, fileOffset, out);
    if (out.offset + out.size + BLOCK_TRAILER_BYTES > this.dataEndOffset) {
      throw new CorruptionError(this.file.path, fileOffset, `data block handle ${out.offset}+${out.size} beyond the data area`);
    }
    return out;
  }

  /** Verified contents of the block at `handle`, through the block cache. */
  readBlock(handle: BlockHandle): Uint8Array {
    return this.cachedBlock(handle) ?? this.loadBlock(handle);
  }

  /** The block at `handle` if the block cache holds it (counts a cache hit or miss). */
  cachedBlock(handle: BlockHandle): Uint8Array | undefined {
    return this.cache.get(this.fileNumber, handle.offset);
  }

  /** Reads and verifies the block at `handle` from the file and caches it. */
  loadBlock(handle: BlockHandle): Uint8Array {
    const contents = this.readBlockUncached(handle);
    this.cache.insert(this.fileNumber, handle.offset, contents);
    return contents;
  }

  /**
   * Reads `[offset, offset + length)` of the data area in one positioned read (an iterator's
   * readahead, table-iterator.ts); `length` is cut at the end of the data area. Not verified:
   * `blockFromChunk` checks each block taken from it.
   */
  readDataChunk(offset: number, length: number): Uint8Array {
    const end = Math.min(offset + length, this.dataEndOffset);
    assert(offset >= 0 && end > offset, `readahead of ${offset}+${length} outside the data area`);
    return readExactly(this.file, offset, end - offset);
  }

  /**
   * Verified contents of the block at `handle`, taken from `chunk` (read at `chunkOffset`) when
   * the chunk holds the whole block (trailer included), else undefined. Bypasses the cache.
   */
  blockFromChunk(chunk: Uint8Array, chunkOffset: number, handle: BlockHandle): Uint8Array | undefined {
    const start = handle.offset - chunkOffset;
    const end = start + handle.size + BLOCK_TRAILER_BYTES;
    if (start < 0 || end > chunk.length) return undefined;
    return checkBlock(chunk.subarray(start, end), handle.size, this.file.path, handle.offset);
  }

  /** Reads and verifies a block from the file, bypassing the cache (verify()). */
  readBlockUncached(handle: BlockHandle): Uint8Array {
    const raw = readExactly(this.file, handle.offset, handle.size + BLOCK_TRAILER_BYTES);
    return checkBlock(raw, handle.size, this.file.path, handle.offset);
  }

  close(): Promise<void> {
    this.getIndex.close();
    this.getData.close();
    this.filterEntry = undefined;
    this.indexEntry = undefined;
    return this.file.close();
  }
}

/**
 * Reads `length` bytes at `position`; a short read is corruption (the footer or an index said the
 * bytes are there); an OS error becomes IoError.
 */
function readExactly(file: ReadableFile, position: number, length: number): Uint8Array {
  if (position + length > file.size) {
    throw new CorruptionError(file.path, position, `block of ${length} bytes extends beyond end of file (${file.size} bytes)`);
  }
  let bytes: Uint8Array;
  try {
    bytes = readAtSync(file, position, length);
  } catch (error) {
    if (error instanceof LsmError) throw error;
    throw new IoError(`read of ${length} bytes at ${position} in ${file.path} failed`, error);
  }
  if (bytes.length !== length) {
    throw new CorruptionError(file.path, position, `short read: ${bytes.length} of ${length} bytes`);
  }
  return bytes;
}
