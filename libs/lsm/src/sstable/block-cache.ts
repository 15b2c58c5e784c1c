/**
 * Bounded LRU cache of verified block contents, keyed by (fileNumber, blockOffset) and charged by
 * block bytes. Data, index and filter blocks of every table share it, so memory stays bounded no
 * matter how many tables are open.
 *
 * Invariants:
 * - usedBytes = sum of the charges of cached entries <= capacityBytes after every call.
 * - A block larger than the capacity is never cached (the caller still gets to use it).
 * - Cached arrays are never mutated; eviction only drops the reference, so a view handed out
 *   earlier stays valid.
 * - get/insert/evict are O(1): a Map per file to a node of one doubly linked list (head = most
 *   recently used). evictFile is O(blocks of that file).
 */

import { assert } from '../assert.js';

interface Node {
  fileNumber: number;
  offset: number;
  block: Uint8Array;
  chargeBytes: number;
  newer: Node | undefined;
  older: Node | undefined;
}

export interface BlockCacheStats {
  capacityBytes: number;
  usedBytes: number;
  blockCount: number;
  hits: number;
  misses: number;
}

export class BlockCache {
  readonly capacityBytes: number;
  private readonly files = new Map<number, Map<number, Node>>();
  /** memo of the last `files` lookup (a point read asks for 3 blocks of one table in a row) */
  private memoFileNumber = -1;
  private memoFile: Map<number, Node> | undefined;
  private newest: Node | undefined;
  private oldest: Node | undefined;
  private used = 0;
  private count = 0;
  private hitCount = 0;
  private missCount = 0;

  constructor(capacityBytes: number) {
    assert(Number.isSafeInteger(capacityBytes) && capacityBytes >= 0, 'block cache capacity must be a non-negative integer');
    this.capacityBytes = capacityBytes;
  }

  get usedBytes(): number {
    return this.used;
  }

  get blockCount(): number {
    return this.count;
  }

  get hits(): number {
    return this.hitCount;
  }

  get misses(): number {
    return this.missCount;
  }

  stats(): BlockCacheStats {
    return {
      capacityBytes: this.capacityBytes,
      usedBytes: this.used,
      blockCount: this.count,
      hits: this.hitCount,
      misses: this.missCount,
    };
  }

  /** The cached block, marked most recently used; counts a hit or a miss. */
  get(fileNumber: number, offset: number): Uint8Array | undefined {
    const node = this.fileMap(fileNumber)?.get(offset);
    if (node === undefined) {
      this.missCount++;
      return undefined;
    }
    this.hitCount++;
    if (node !== this.newest) {
      this.unlink(node);
      this.pushNewest(node);
    }
    return node.block;
  }

  /** Caches `block` (replacing an entry with the same key), evicting least recently used blocks. */
  insert(fileNumber: number, offset: number, block: Uint8Array): void {
    const chargeBytes = block.byteLength;
    const existing = this.fileMap(fileNumber)?.get(offset);
    if (existing !== undefined) this.remove(existing);
    if (chargeBytes > this.capacityBytes) return;
    while (this.used + chargeBytes > this.capacityBytes && this.oldest !== undefined) this.remove(this.oldest);
    let perFile = this.files.get(fileNumber); // after evictions, which may have dropped it
    if (perFile === undefined) {
      perFile = new Map();
      this.files.set(fileNumber, perFile);
      this.forgetMemo();
    }
    const node: Node = { fileNumber, offset, block, chargeBytes, newer: undefined, older: undefined };
    perFile.set(offset, node);
    this.pushNewest(node);
    this.used += chargeBytes;
    this.count++;
  }

  /** Drops every block of a file (it was deleted or is being replaced). */
  evictFile(fileNumber: number): void {
    const perFile = this.files.get(fileNumber);
    if (perFile === undefined) return;
    for (const node of perFile.values()) {
      this.unlink(node);
      this.used -= node.chargeBytes;
      this.count--;
    }
    this.files.delete(fileNumber);
    this.forgetMemo();
  }

  clear(): void {
    this.files.clear();
    this.forgetMemo();
    this.newest = undefined;
    this.oldest = undefined;
    this.used = 0;
    this.count = 0;
  }

  private remove(node: Node): void {
    this.unlink(node);
    const perFile = this.files.get(node.fileNumber);
    assert(perFile !== undefined && perFile.get(node.offset) === node, 'block cache index out of sync');
    perFile.delete(node.offset);
    if (perFile.size === 0) {
      this.files.delete(node.fileNumber);
      this.forgetMemo();
    }
    this.used -= node.chargeBytes;
    this.count--;
  }

  private fileMap(fileNumber: number): Map<number, Node> | undefined {
    if (fileNumber === this.memoFileNumber) return this.memoFile;
    const perFile = this.files.get(fileNumber);
    this.memoFileNumber = fileNumber;
    this.memoFile = perFile;
    return perFile;
  }

  private forgetMemo(): void {
    this.memoFileNumber = -1;
    this.memoFile = undefined;
  }

  private unlink(node: Node): void {
    if (node.newer === undefined) this.newest = node.older;
    else node.newer.older = node.older;
    if (node.older === undefined) this.oldest = node.newer;
    else node.older.newer = node.newer;
    node.newer = undefined;
    node.older = undefined;
  }

  private pushNewest(node: Node): void {
    node.older = this.newest;
    node.newer = undefined;
    if (this.newest !== undefined) this.newest.newer = node;
    this.newest = node;
    if (this.oldest === undefined) this.oldest = node;
  }
}
