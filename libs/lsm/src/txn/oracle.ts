/**
 * The oracle hands out timestamps and decides conflicts (Badger txn.go `oracle`, extended with
 * scanned ranges so that phantoms are caught).
 *
 * Rule (DESIGN.md "Isolation"): an update transaction T with read timestamp r commits only if no
 * transaction C with commitTs > r wrote a key that T read, or a key inside a range T scanned.
 * Write-only transactions never conflict. This yields serializability: every committed update
 * transaction behaves as if it ran alone at its commit timestamp.
 *
 * Invariants:
 * - Commit timestamps are assigned in strictly increasing order and are applied (made visible)
 *   in that order by the single write queue, so `readTs()` = the last applied commit.
 * - `committed` holds every commit newer than min(oldest open update transaction's read ts,
 *   last applied ts); older entries can conflict with nobody and are pruned.
 */

import { assert } from '../assert.js';
import { compareBytes } from '../codec/bytes.js';

export interface KeyRange {
  /** inclusive lower bound; empty = from the start */
  start: Uint8Array;
  /** exclusive upper bound; undefined = to the end */
  end: Uint8Array | undefined;
}

export interface ReadSet {
  /** fingerprints of point-read keys (keyFingerprint) */
  keys: Set<number>;
  ranges: KeyRange[];
}

interface CommittedTxn {
  commitTs: number;
  fingerprints: Set<number>;
  keys: Uint8Array[];
}

/** 53-bit fingerprint of a key: two FNV-1a variants combined. A collision only adds a conflict. */
export function keyFingerprint(key: Uint8Array): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ key.length;
  for (let i = 0; i < key.length; i++) {
    const byte = key[i] as number;
    a = Math.imul(a ^ byte, 0x01000193);
    b = Math.imul(b ^ byte, 0x5bd1e995) ^ (b >>> 15);
  }
  return (a >>> 0) * 0x20_0000 + ((b >>> 0) & 0x1f_ffff);
}

function inRange(key: Uint8Array, range: KeyRange): boolean {
  if (compareBytes(key, range.start) < 0) return false;
  return range.end === undefined || compareBytes(key, range.end) < 0;
}

export class Oracle {
  private lastAssignedTs: number;
  private lastAppliedTs: number;
  private readonly committed: CommittedTxn[] = [];
  /** read timestamps of open update transactions, with counts */
  private readonly activeReads = new Map<number, number>();
  /** read timestamps of every open snapshot (update or view), for compaction and GC */
  private readonly snapshots = new Map<number, number>();
  conflicts = 0;

  constructor(lastCommittedTs: number) {
    assert(Number.isSafeInteger(lastCommittedTs) && lastCommittedTs >= 0, 'initial timestamp');
    this.lastAssignedTs = lastCommittedTs;
    this.lastAppliedTs = lastCommittedTs;
  }

  /** The snapshot a new transaction reads: every commit applied so far. */
  readTs(): number {
    return this.lastAppliedTs;
  }

  lastTs(): number {
    return this.lastAssignedTs;
  }

  /** Registers an open snapshot; `update` ones also pin the conflict history. */
  begin(update: boolean): number {
    const ts = this.lastAppliedTs;
    increment(this.snapshots, ts);
    if (update) increment(this.activeReads, ts);
    return ts;
  }

  end(readTs: number, update: boolean): void {
    decrement(this.snapshots, readTs);
    if (update) {
      decrement(this.activeReads, readTs);
      this.prune();
    }
  }

  /** Oldest read timestamp any open snapshot holds; compaction keeps what it may read. */
  oldestSnapshotTs(): number {
    let oldest = this.lastAppliedTs;
    for (const ts of this.snapshots.keys()) if (ts < oldest) oldest = ts;
    return oldest;
  }

  openSnapshots(): number {
    let count = 0;
    for (const n of this.snapshots.values()) count += n;
    return count;
  }

  /** True when a commit after `readTs` wrote something in `reads`. */
  hasConflict(readTs: number, reads: ReadSet): boolean {
    if (reads.keys.size === 0 && reads.ranges.length === 0) return false;
    for (let i = this.committed.length - 1; i >= 0; i--) {
      const commit = this.committed[i] as CommittedTxn;
      if (commit.commitTs <= readTs) break;
      for (const fingerprint of reads.keys) if (commit.fingerprints.has(fingerprint)) return true;
      for (const range of reads.ranges) {
        for (const key of commit.keys) if (inRange(key, range)) return true;
      }
    }
    return false;
  }

  /**
   * Checks and assigns a commit timestamp in one synchronous step (no await between them, so
   * no other commit can slip in). Returns undefined on conflict.
   */
  tryCommit(readTs: number | undefined, reads: ReadSet | undefined, writeKeys: Uint8Array[]): number | undefined {
    if (readTs !== undefined && reads !== undefined && this.hasConflict(readTs, reads)) {
      this.conflicts++;
      return undefined;
    }
    const commitTs = ++this.lastAssignedTs;
    // Recorded even with no open update transaction: one may begin before this commit is
    // applied, reading below commitTs. Pruned once applied and older than every open reader.
    if (writeKeys.length > 0) {
      const fingerprints = new Set<number>();
      for (const key of writeKeys) fingerprints.add(keyFingerprint(key));
      this.committed.push({ commitTs, fingerprints, keys: writeKeys });
    }
    return commitTs;
  }

  /** Called by the write queue, in timestamp order, once a commit is in the memtable. */
  markApplied(commitTs: number): void {
    assert(commitTs === this.lastAppliedTs + 1 || commitTs > this.lastAppliedTs, 'commits apply in order');
    this.lastAppliedTs = commitTs;
    this.prune();
  }

  /** A timestamp was assigned but its commit failed; later ones may still apply. */
  markAbandoned(commitTs: number): void {
    if (commitTs > this.lastAppliedTs) this.lastAppliedTs = commitTs;
    this.prune();
  }

  private prune(): void {
    let oldest = this.lastAppliedTs;
    for (const ts of this.activeReads.keys()) if (ts < oldest) oldest = ts;
    let drop = 0;
    while (drop < this.committed.length && (this.committed[drop] as CommittedTxn).commitTs <= oldest) drop++;
    if (drop > 0) this.committed.splice(0, drop);
  }

  pendingHistory(): number {
    return this.committed.length;
  }
}

function increment(map: Map<number, number>, key: number): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function decrement(map: Map<number, number>, key: number): void {
  const count = map.get(key);
  assert(count !== undefined && count > 0, 'snapshot released twice');
  if (count === 1) map.delete(key);
  else map.set(key, count - 1);
}
