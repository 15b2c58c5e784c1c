/**
 * The memtable: the newest writes, in memory, ordered by internal key, until they are flushed to
 * an L0 table. One memtable per WAL file (`walNumber`); when it is full the engine freezes it
 * (immutable, still readable) and starts a new one.
 *
 * Invariants:
 * - Versions are ordered (user key asc, seq desc); at most one version per (user key, seq): a
 *   second add of the same (key, seq) replaces the first (the later add wins), so `get` and the
 *   iterator agree. The engine gives each write its own (key, seq); replacement only makes
 *   replays idempotent.
 * - The memtable copies key and value bytes on add (the caller may reuse its buffers); views it
 *   returns never change, so they outlive iterator steps and later adds.
 * - After `freeze()`, `add` is a bug (assertion). Reads and iterators keep working.
 * - A DELETE carries an empty stored value (keys/value-format.ts).
 */

import { assert } from '../assert.js';
import type { InternalIterator } from '../iterator/internal-iterator.js';
import { Kind, isKind } from '../keys/internal-key.js';
import { Skiplist } from './skiplist.js';
import { SkiplistIterator } from './skiplist-iterator.js';

export interface MemtableOptions {
  /** The WAL file this memtable's writes are logged in; the engine may also set it later. */
  walNumber?: number;
  /** Seed of the skiplist height PRNG (determinism by injection). */
  seed?: number;
  /**
   * Bytes reserved up front for the skiplist pool (it doubles when full). The engine may pass
   * about its memtable size limit to avoid copies while the memtable fills. Default 64 KiB.
   */
  initialBytes?: number;
}

/** The newest version at or below a read seq. `value` is a view that never changes. */
export interface MemtableEntry {
  seq: number;
  kind: Kind;
  value: Uint8Array;
}

export class Memtable {
  /** The WAL file number holding this memtable's writes (set by the engine). */
  walNumber: number;
  private readonly list: Skiplist;
  private frozen = false;
  private minSeqValue = 0;
  private maxSeqValue = 0;

  constructor(options: MemtableOptions = {}) {
    this.walNumber = options.walNumber ?? 0;
    this.list = new Skiplist({
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.initialBytes === undefined ? {} : { initialBytes: options.initialBytes }),
    });
  }

  /** Adds one version; copies the bytes. `storedValue` is empty for a DELETE. */
  add(key: Uint8Array, seq: number, kind: Kind, storedValue: Uint8Array): void {
    assert(!this.frozen, 'add() on a frozen memtable');
    if (!isKind(kind)) assert(false, `unknown kind ${kind}`);
    assert(kind !== Kind.DELETE || storedValue.length === 0, 'a DELETE has an empty stored value');
    const wasEmpty = this.list.size === 0;
    this.list.insert(key, seq, kind, storedValue);
    if (wasEmpty || seq < this.minSeqValue) this.minSeqValue = seq;
    if (wasEmpty || seq > this.maxSeqValue) this.maxSeqValue = seq;
  }

  /** The newest version of `userKey` with seq <= `seq` (DELETEs included), or undefined. */
  get(userKey: Uint8Array, seq: number): MemtableEntry | undefined {
    const node = this.list.findGreaterOrEqual(userKey, seq);
    if (node === 0 || !this.list.keyEquals(node, userKey)) return undefined;
    const list = this.list;
    return { seq: list.seqOf(node), kind: list.kindOf(node), value: list.valueOf(node) };
  }

  /** An iterator over every version in internal-key order; valid across later adds. */
  newIterator(): InternalIterator {
    return new SkiplistIterator(this.list);
  }

  /** Makes the memtable immutable (before it is flushed). Idempotent. */
  freeze(): void {
    this.frozen = true;
  }

  get isFrozen(): boolean {
    return this.frozen;
  }

  get isEmpty(): boolean {
    return this.list.size === 0;
  }

  /** Distinct (key, seq) versions held. */
  get entryCount(): number {
    return this.list.size;
  }

  /**
   * Bytes the entries occupy, measured, not estimated: keys, values (including values replaced
   * in place) and per-entry overhead (a 28-byte node header, 4 bytes per link, about 1.33 links,
   * padding to 4 bytes). The flush trigger compares this with the memtable size limit.
   */
  get approximateBytes(): number {
    return this.list.usedBytes;
  }

  /** Key and value bytes added (including replaced values), without overhead. */
  get keyValueBytes(): number {
    return this.list.keyValueByteCount;
  }

  /** Bytes reserved by the pool (capacity; at most twice `approximateBytes` past 64 KiB). */
  get reservedBytes(): number {
    return this.list.reservedBytes;
  }

  /** Smallest seq added; 0 when empty. */
  get minSeq(): number {
    return this.minSeqValue;
  }

  /** Largest seq added; 0 when empty. */
  get maxSeq(): number {
    return this.maxSeqValue;
  }

  /** O(n) structural check of the skiplist (tests, LSM_INVARIANTS=1). */
  checkInvariants(): void {
    this.list.checkInvariants();
  }
}
