/**
 * Transactions: a snapshot at a read timestamp, pending writes, and (for update transactions)
 * the read set and scanned ranges that the oracle validates at commit (txn/oracle.ts).
 *
 * Invariants:
 * - Reads see the snapshot at `readTs` overlaid with this transaction's own pending writes.
 * - A transaction ends exactly once (commit or discard); after that every call but discard()
 *   throws DISCARDED_TXN, and its iterators are closed.
 * - Limits are checked before memory is committed: TXN_TOO_BIG is thrown by the write that would
 *   exceed them, and that write is not kept.
 */

import { assert } from '../assert.js';
import { compareBytes, prefixSuccessor } from '../codec/bytes.js';
import {
  ConflictError, DiscardedTxnError, KeyNotFoundError, ReadOnlyError, TxnTimeoutError, TxnTooBigError,
} from '../errors.js';
import { Kind } from '../keys/internal-key.js';
import type { KeyRange, Oracle, ReadSet } from './oracle.js';
import { keyFingerprint } from './oracle.js';
import { checkedKey, deleteWrite, valueWrite } from './write-checks.js';
import { MergedCursor, type UserCursor } from './txn-cursor.js';
import { toKeyBytes, type KeyInput, type ValueInput } from './inputs.js';

export interface Item {
  key: Uint8Array;
  /** the value; empty in keys-only iteration */
  value: Uint8Array;
  userMeta: number;
  /** epoch ms when the entry expires; 0 = never */
  expiresAt: number;
  /** commit timestamp of this version (0 for the transaction's own pending write) */
  version: number;
}

export interface PendingWrite {
  /**
   * Set only by value-log GC: rewrite the version with this (older) seq, applied only while it
   * is still the key's newest version (DESIGN.md "Value-log GC").
   */
  seq?: number;
  key: Uint8Array;
  kind: typeof Kind.VALUE | typeof Kind.DELETE;
  value: Uint8Array;
  expiresAt: number;
  userMeta: number;
}

export interface IterateOptions {
  /** only keys starting with this prefix; start and end are clamped to it */
  prefix?: KeyInput;
  /** inclusive lower bound */
  start?: KeyInput;
  /** exclusive upper bound */
  end?: KeyInput;
  reverse?: boolean;
  /** skip reading values (vlog pointers are not resolved) */
  keysOnly?: boolean;
}

export interface EntryOptions {
  ttlMs?: number;
  userMeta?: number;
}

export interface TxnLimits {
  maxKeyBytes: number;
  maxValueBytes: number;
  maxTxnEntries: number;
  maxTxnBytes: number;
  txnTimeoutMs: number;
  nowMs: () => number;
}

/** What a transaction needs from the database. */
export interface TxnHost {
  readonly limits: TxnLimits;
  readonly oracle: Oracle;
  checkOpen(write: boolean): void;
  readAt(key: Uint8Array, readTs: number): Item | undefined;
  cursorAt(readTs: number, lower: Uint8Array, upper: Uint8Array | undefined, reverse: boolean, keysOnly: boolean): UserCursor;
  commitWrites(writes: PendingWrite[], commitTs: number): Promise<void>;
  onTxnEnd(txn: Txn): void;
  countTimeout(): void;
  countIteratorClosedForCaller(): void;
}

const ENTRY_OVERHEAD_BYTES = 24;

export class Txn {
  readonly readTs: number;
  readonly update: boolean;
  private readonly host: TxnHost;
  private readonly startedMs: number;
  private readonly timeoutMs: number;
  private readonly pending = new Map<string, PendingWrite>();
  private readonly reads: ReadSet = { keys: new Set(), ranges: [] };
  private readonly iterators = new Set<TxnIterator>();
  private pendingBytes = 0;
  private ended = false;

  constructor(host: TxnHost, update: boolean, timeoutMs?: number) {
    this.host = host;
    this.update = update;
    this.readTs = host.oracle.begin(update);
    this.startedMs = host.limits.nowMs();
    this.timeoutMs = timeoutMs ?? host.limits.txnTimeoutMs;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  get pendingWrites(): number {
    return this.pending.size;
  }

  /** The value of `key`, or KEY_NOT_FOUND. */
  get(key: KeyInput): Uint8Array {
    const item = this.getItem(key);
    if (item === undefined) throw new KeyNotFoundError(`key not found`);
    return item.value;
  }

  /** The value of `key`, or undefined when absent. */
  tryGet(key: KeyInput): Uint8Array | undefined {
    return this.getItem(key)?.value;
  }

  /** The whole item (value, user meta, expiry, version), or undefined when absent. */
  getItem(key: KeyInput): Item | undefined {
    this.checkUsable(false);
    const bytes = checkedKey(key, this.host.limits);
    // no string id (an allocation) for the common read with nothing pending
    const own = this.pending.size === 0 ? undefined : this.pending.get(pendingId(bytes));
    if (own !== undefined) {
      return own.kind === Kind.DELETE ? undefined : { key: bytes, value: own.value, userMeta: own.userMeta, expiresAt: own.expiresAt, version: 0 };
    }
    if (this.update) this.reads.keys.add(keyFingerprint(bytes));
    return this.host.readAt(bytes, this.readTs);
  }

  set(key: KeyInput, value: ValueInput): void {
    this.setEntry(key, value, {});
  }

  /** Sets a value with a time to live and/or a user meta byte. */
  setEntry(key: KeyInput, value: ValueInput, options: EntryOptions): void {
    this.checkUsable(true);
    this.addWrite(valueWrite(key, value, options, this.host.limits));
  }

  delete(key: KeyInput): void {
    this.checkUsable(true);
    this.addWrite(deleteWrite(key, this.host.limits));
  }

  /** An iterator over the snapshot plus pending writes; closes itself when a for-of loop ends. */
  iterate(options: IterateOptions = {}): TxnIterator {
    this.checkUsable(false);
    const { lower, upper } = resolveBounds(options);
    const reverse = options.reverse === true;
    const keysOnly = options.keysOnly === true;
    const own = this.pendingInRange(lower, upper, reverse);
    const base = this.host.cursorAt(this.readTs, lower, upper, reverse, keysOnly);
    const iterator = new TxnIterator(this, new MergedCursor(base, own, reverse, keysOnly), lower, upper, reverse);
    this.iterators.add(iterator);
    return iterator;
  }

  /**
   * Commits: validates the read set (update transactions) and writes durably. Resolves to the
   * commit timestamp, or 0 when there was nothing to write.
   */
  async commit(): Promise<number> {
    this.checkUsable(false);
    this.closeIterators();
    const writes = [...this.pending.values()];
    let commitTs: number | undefined;
    try {
      if (writes.length === 0) return 0;
      if (!this.update) throw new ReadOnlyError('read-only transaction has writes');
      this.host.checkOpen(true);
      // The check and the timestamp happen while this transaction still pins the history.
      commitTs = this.host.oracle.tryCommit(this.readTs, this.reads, writes.map((w) => w.key));
    } finally {
      this.finish();
    }
    if (commitTs === undefined) throw new ConflictError();
    await this.host.commitWrites(writes, commitTs);
    return commitTs;
  }

  /** Ends the transaction without writing. Idempotent. */
  discard(): void {
    if (this.ended) return;
    this.closeIterators();
    this.finish();
  }

  [Symbol.dispose](): void {
    this.discard();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.discard();
  }

  /** @internal called by TxnIterator at each seek and when it closes: a range it covered. */
  recordScan(range: KeyRange, iterator: TxnIterator, closing: boolean): void {
    if (closing) this.iterators.delete(iterator);
    if (this.update && !this.ended) this.reads.ranges.push(range);
  }

  /** @internal */
  checkUsable(write: boolean): void {
    if (this.ended) throw new DiscardedTxnError();
    if (write && !this.update) throw new ReadOnlyError('cannot write in a read-only transaction');
    if (this.host.limits.nowMs() - this.startedMs > this.timeoutMs) {
      this.host.countTimeout();
      this.discard();
      throw new TxnTimeoutError(`transaction was open longer than ${this.timeoutMs} ms`);
    }
    this.host.checkOpen(false);
  }



  private addWrite(write: PendingWrite): void {
    const id = pendingId(write.key);
    const previous = this.pending.get(id);
    const delta = writeBytes(write) - (previous === undefined ? 0 : writeBytes(previous));
    const entries = this.pending.size + (previous === undefined ? 1 : 0);
    const { maxTxnEntries, maxTxnBytes } = this.host.limits;
    if (entries > maxTxnEntries) throw new TxnTooBigError(`transaction exceeds ${maxTxnEntries} entries`);
    if (this.pendingBytes + delta > maxTxnBytes) throw new TxnTooBigError(`transaction exceeds ${maxTxnBytes} bytes`);
    this.pending.set(id, write);
    this.pendingBytes += delta;
  }

  private pendingInRange(lower: Uint8Array, upper: Uint8Array | undefined, reverse: boolean): PendingWrite[] {
    const out: PendingWrite[] = [];
    for (const write of this.pending.values()) {
      if (compareBytes(write.key, lower) < 0) continue;
      if (upper !== undefined && compareBytes(write.key, upper) >= 0) continue;
      out.push(write);
    }
    out.sort((a, b) => compareBytes(a.key, b.key) * (reverse ? -1 : 1));
    return out;
  }

  private closeIterators(): void {
    for (const iterator of [...this.iterators]) {
      this.host.countIteratorClosedForCaller();
      iterator.close();
    }
  }

  private finish(): void {
    assert(!this.ended, 'transaction ends once');
    this.ended = true;
    this.host.oracle.end(this.readTs, this.update);
    this.host.onTxnEnd(this);
  }
}

/**
 * A positioned iterator over a transaction's view. Use it in for-of (closes at loop exit), or
 * drive it by hand with seek()/next() and close() it (`using` works too).
 */
export class TxnIterator implements IterableIterator<Item>, Disposable {
  private readonly txn: Txn;
  private readonly cursor: MergedCursor;
  private readonly lower: Uint8Array;
  private readonly upper: Uint8Array | undefined;
  private readonly reverse: boolean;
  private started = false;
  private closed = false;
  private lastKey: Uint8Array | undefined;
  private seekKey: Uint8Array | undefined;
  /** a seek positioned the cursor on the item the next next() returns */
  private pendingFirst = false;

  constructor(txn: Txn, cursor: MergedCursor, lower: Uint8Array, upper: Uint8Array | undefined, reverse: boolean) {
    this.txn = txn;
    this.cursor = cursor;
    this.lower = lower;
    this.upper = upper;
    this.reverse = reverse;
  }

  /** Positions at the first key >= key (<= key when reverse); the next next() returns it. */
  seek(key: KeyInput): void {
    this.checkOpen();
    const bytes = toKeyBytes(key);
    // What was returned before this seek stays protected: record it as its own range.
    if (this.lastKey !== undefined) this.txn.recordScan(this.coveredRange(false), this, false);
    this.lastKey = undefined;
    this.seekKey = bytes;
    this.cursor.seek(bytes);
    this.started = true;
    this.pendingFirst = true;
  }

  next(): IteratorResult<Item> {
    this.checkOpen();
    if (!this.started) {
      this.cursor.seekToStart();
      this.started = true;
    } else if (!this.pendingFirst) {
      if (this.cursor.valid()) this.cursor.next();
    }
    this.pendingFirst = false;
    if (!this.cursor.valid()) {
      this.close(true);
      return { done: true, value: undefined };
    }
    const item = this.cursor.item();
    this.lastKey = item.key;
    return { done: false, value: item };
  }

  return(): IteratorResult<Item> {
    this.close();
    return { done: true, value: undefined };
  }

  [Symbol.iterator](): this {
    return this;
  }

  [Symbol.dispose](): void {
    this.close();
  }

  close(exhausted = false): void {
    if (this.closed) return;
    this.closed = true;
    this.cursor.close();
    this.txn.recordScan(this.coveredRange(exhausted), this, true);
  }

  private coveredRange(exhausted: boolean): KeyRange {
    // A seek makes the covered range start (or end) at the seek key; an early stop ends it just
    // past the last key returned. Conflicts are judged on exactly what the caller could observe.
    if (!this.reverse) {
      const start = this.seekKey !== undefined && compareBytes(this.seekKey, this.lower) > 0 ? this.seekKey : this.lower;
      if (exhausted || this.lastKey === undefined) return { start, end: exhausted ? this.upper : start };
      return { start, end: keySuccessor(this.lastKey) };
    }
    const end = this.seekKey !== undefined && (this.upper === undefined || compareBytes(this.seekKey, this.upper) < 0)
      ? keySuccessor(this.seekKey) : this.upper;
    if (exhausted || this.lastKey === undefined) return { start: exhausted ? this.lower : (end ?? this.lower), end };
    return { start: this.lastKey, end };
  }

  private checkOpen(): void {
    if (this.closed) throw new DiscardedTxnError();
    this.txn.checkUsable(false);
  }
}

function keySuccessor(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out.set(key, 0);
  return out;
}

function resolveBounds(options: IterateOptions): { lower: Uint8Array; upper: Uint8Array | undefined } {
  let lower = options.start === undefined ? new Uint8Array(0) : toKeyBytes(options.start);
  let upper = options.end === undefined ? undefined : toKeyBytes(options.end);
  if (options.prefix !== undefined) {
    const prefix = toKeyBytes(options.prefix);
    const prefixEnd = prefixSuccessor(prefix);
    if (compareBytes(lower, prefix) < 0) lower = prefix;
    if (prefixEnd !== undefined && (upper === undefined || compareBytes(upper, prefixEnd) > 0)) upper = prefixEnd;
  }
  return { lower, upper };
}

function pendingId(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}

function writeBytes(write: PendingWrite): number {
  return write.key.length + write.value.length + ENTRY_OVERHEAD_BYTES;
}
