/**
 * Bounded cache of verified block contents, keyed by (fileNumber, blockOffset) and charged by
 * block bytes. Data, index and filter blocks of every table share it, so memory stays bounded no
 * matter how many tables are open. A block may carry one decoded form (a table's index, decoded
 * for point reads: table-index.ts), charged to the cache with it and dropped with it.
 *
 * Eviction is second-chance FIFO (CLOCK): a hit only sets the entry's `referenced` flag (one
 * store: no list relinking, which cost cache misses on the neighbours' nodes on every hit); the
 * evictor takes the oldest entry, and one that was referenced since it last got this far is
 * moved to the newest end with its flag cleared instead of being dropped.
 *
 * Invariants:
 * - usedBytes = sum of the charges of cached entries (block bytes + decoded bytes)
 *   <= capacityBytes after every call.
 * - A block larger than the capacity is never cached (the caller still gets to use it).
 * - Cached arrays are never mutated; eviction only drops the reference, so a view handed out
 *   earlier stays valid.
 * - An entry handed out by `lookup`/`insert` has `live` false once it left the cache, and then
 *   no longer references its block or attachment (`block` is empty): a holder (a TableReader
 *   memoizing its filter and index entries) must check `live` before each use and `touch()` it
 *   then, and a stale memo keeps no memory the cache no longer counts.
 * - get/insert/touch are O(1) amortized: a Map per file to a node of one doubly linked list
 *   (head = newest). evictFile is O(blocks of that file).
 */

import { assert } from '../assert.js';

const EMPTY_BLOCK = new Uint8Array(0);

/** A decoded form attached to a cached block; `chargeBytes` is what it costs the cache. */
export interface BlockAttachment {
  readonly chargeBytes: number;
}

/** A cached block as handed out to a holder that memoizes it (read-only outside the cache). */
export interface CacheEntry {
  readonly fileNumber: number;
  readonly offset: number;
  readonly block: Uint8Array;
  readonly attachment: BlockAttachment | undefined;
  readonly live: boolean;
}

interface Node extends CacheEntry {
  block: Uint8Array;
  attachment: BlockAttachment | undefined;
  chargeBytes: number;
  referenced: boolean;
  live: boolean;
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

  /** The cached block, marked referenced; counts a hit or a miss. */
  get(fileNumber: number, offset: number): Uint8Array | undefined {
    return this.lookup(fileNumber, offset)?.block;
  }

  /** The cached entry, marked referenced; counts a hit or a miss. */
  lookup(fileNumber: number, offset: number): CacheEntry | undefined {
    const node = this.fileMap(fileNumber)?.get(offset);
    if (node === undefined) {
      this.missCount++;
      return undefined;
    }
    this.hitCount++;
    node.referenced = true;
    return node;
  }

  /** A use of an entry the caller memoized (it checked `entry.live`): counts a hit. */
  touch(entry: CacheEntry): void {
    assert(entry.live, 'touch() of an entry no longer in the block cache');
    this.hitCount++;
    (entry as Node).referenced = true;
  }

  /**
   * Caches `block` (replacing an entry with the same key), evicting old unreferenced blocks.
   * Returns the entry, or undefined when the block is larger than the whole cache.
   */
  insert(fileNumber: number, offset: number, block: Uint8Array): CacheEntry | undefined {
    const chargeBytes = block.byteLength;
    const existing = this.fileMap(fileNumber)?.get(offset);
    if (existing !== undefined) this.remove(existing);
    if (chargeBytes > this.capacityBytes) return undefined;
    this.makeRoom(chargeBytes);
    let perFile = this.files.get(fileNumber); // after evictions, which may have dropped it
    if (perFile === undefined) {
      perFile = new Map();
      this.files.set(fileNumber, perFile);
      this.forgetMemo();
    }
    const node: Node = {
      fileNumber, offset, block, attachment: undefined, chargeBytes, referenced: false, live: true, newer: undefined, older: undefined,
    };
    perFile.set(offset, node);
    this.pushNewest(node);
    this.used += chargeBytes;
    this.count++;
    return node;
  }

  /**
   * Attaches a decoded form to a live entry (replacing any earlier one) and charges its bytes.
   * False, with the entry unchanged, when block and attachment together exceed the capacity;
   * the entry itself is never evicted to make room for its own attachment.
   */
  attach(entry: CacheEntry, attachment: BlockAttachment): boolean {
    assert(entry.live, 'attach() to an entry no longer in the block cache');
    assert(Number.isSafeInteger(attachment.chargeBytes) && attachment.chargeBytes >= 0, 'attachment charge must be a non-negative integer');
    const node = entry as Node;
    const blockBytes = node.block.byteLength;
    if (blockBytes + attachment.chargeBytes > this.capacityBytes) return false;
    this.used -= node.chargeBytes - blockBytes;
    node.chargeBytes = blockBytes;
    node.attachment = undefined;
    // take the node out of the eviction order while room is made, so it cannot evict itself
    this.unlink(node);
    this.makeRoom(attachment.chargeBytes);
    this.pushNewest(node);
    node.attachment = attachment;
    node.chargeBytes = blockBytes + attachment.chargeBytes;
    this.used += attachment.chargeBytes;
    return true;
  }

  /** Drops every block of a file (it was deleted or is being replaced). */
  evictFile(fileNumber: number): void {
    const perFile = this.files.get(fileNumber);
    if (perFile === undefined) return;
    for (const node of perFile.values()) {
      this.unlink(node);
      this.used -= node.chargeBytes;
      this.count--;
      release(node);
    }
    this.files.delete(fileNumber);
    this.forgetMemo();
  }

  clear(): void {
    for (let node = this.newest; node !== undefined; ) {
      const older = node.older;
      release(node);
      node = older;
    }
    this.files.clear();
    this.forgetMemo();
    this.newest = undefined;
    this.oldest = undefined;
    this.used = 0;
    this.count = 0;
  }

  /** Evicts until `bytes` more fit: oldest first, a referenced entry gets a second chance. */
  private makeRoom(bytes: number): void {
    while (this.used + bytes > this.capacityBytes) {
      const oldest = this.oldest;
      if (oldest === undefined) break;
      if (oldest.referenced) {
        oldest.referenced = false;
        this.unlink(oldest);
        this.pushNewest(oldest);
      } else {
        this.remove(oldest);
      }
    }
    assert(this.used + bytes <= this.capacityBytes, 'block cache cannot make room for a block within its capacity');
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
    release(node);
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

/** Marks a node that left the cache dead and drops its references (stale memos hold no memory). */
function release(node: Node): void {
  node.live = false;
  node.block = EMPTY_BLOCK;
  node.attachment = undefined;
}
