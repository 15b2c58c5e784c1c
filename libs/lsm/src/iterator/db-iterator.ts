/**
 * The user-facing view of a merged internal iterator at one snapshot (LevelDB db_iter.cc):
 * each user key once, with its newest version at or below `readSeq`, skipping keys whose newest
 * visible version is a DELETE or has expired, within `[lower, upper)`, in one direction fixed
 * at construction (forward = ascending keys, reverse = descending, as Badger's IteratorOptions).
 *
 * Visibility: a version (key, seq) is visible at readSeq when seq <= readSeq. For each user key
 * only its newest visible version counts: if that is a DELETE, or its `expiresAt` (value-format)
 * is non-zero and <= nowMs(), the key is absent, even when older versions hold values.
 *
 * Values: this iterator does NOT resolve value pointers. It exposes the stored value
 * (`storedValue()`, with `payload()` = the bytes after the value header: the user's value for
 * Kind.VALUE, the encoded ValuePointer for Kind.VALUE_POINTER); the engine resolves pointers
 * through the vlog. With `keysOnly`, values are never copied and storedValue()/payload() are
 * unavailable; key, seq, kind, userMeta and expiresAt still are.
 *
 * Invariants:
 * - Forward: the internal iterator sits ON the yielded version; key()/storedValue() are its
 *   views. Reverse: it sits BEFORE the yielded key (on the last entry of a smaller user key or
 *   invalid), so the yielded key and value are copies in reused buffers (LevelDB saved_key_).
 * - Returned views are valid until the next positioning call (seek, seekToStart, next, close).
 * - nowMs() is read once per positioning call, so one step judges expiry against one instant.
 */

import { assert } from '../assert.js';
import { compareBytes, equalBytes, toHex } from '../codec/bytes.js';
import { CorruptionError } from '../errors.js';
import { Kind, MAX_SEQ } from '../keys/internal-key.js';
import { decodeValueHeader } from '../keys/value-format.js';
import type { InternalIterator } from './internal-iterator.js';

export interface DbIteratorOptions {
  /** Snapshot: versions with seq <= readSeq are visible. */
  readSeq: number;
  /** Inclusive lower bound on user keys. */
  lower?: Uint8Array;
  /** Exclusive upper bound on user keys. */
  upper?: Uint8Array;
  /** Descending user keys. Default false. */
  reverse?: boolean;
  /** Keys (and headers) only: values are not copied or exposed. Default false. */
  keysOnly?: boolean;
  /** Clock for TTL expiry (epoch ms), injected. */
  nowMs: () => number;
}

/** Kinds a visible entry can have. */
export type LiveKind = typeof Kind.VALUE | typeof Kind.VALUE_POINTER;

const EMPTY = new Uint8Array(0);
const NO_CANDIDATE = 0;
const LIVE = 1;
const DEAD = 2;

export class DbIterator {
  private readonly internal: InternalIterator;
  private readonly readSeq: number;
  private readonly lower: Uint8Array | undefined;
  private readonly upper: Uint8Array | undefined;
  private readonly reverse: boolean;
  private readonly keysOnly: boolean;
  private readonly nowMs: () => number;
  private now = 0;
  private positioned = false;
  private closed = false;
  /** Forward: the key whose older versions are being skipped. Reverse: the yielded key. */
  private savedKeyBuffer = new Uint8Array(64);
  private savedKey: Uint8Array = EMPTY;
  private savedValueBuffer = new Uint8Array(256);
  private savedValue: Uint8Array = EMPTY;
  // the current version and its parsed value header
  private currentSeq = 0;
  private currentKind: LiveKind = Kind.VALUE;
  private expiresAtValue = 0;
  private userMetaValue = 0;
  private payloadOffset = 1;

  /** Takes ownership of `internal` (closes it). */
  constructor(internal: InternalIterator, options: DbIteratorOptions) {
    if (!(Number.isSafeInteger(options.readSeq) && options.readSeq >= 0)) {
      assert(false, `readSeq out of range: ${options.readSeq}`);
    }
    this.internal = internal;
    this.readSeq = options.readSeq;
    this.lower = options.lower;
    this.upper = options.upper;
    this.reverse = options.reverse ?? false;
    this.keysOnly = options.keysOnly ?? false;
    this.nowMs = options.nowMs;
  }

  /** First key in the iteration direction (the lower bound forward, the upper bound reverse). */
  seekToStart(): void {
    this.begin();
    const internal = this.internal;
    if (!this.reverse) {
      if (this.lower !== undefined) internal.seek(this.lower, this.readSeq);
      else internal.seekToFirst();
      this.findNextVisible(false);
    } else {
      if (this.upper !== undefined) internal.seekForPrev(this.upper, MAX_SEQ);
      else internal.seekToLast();
      this.findPrevVisible();
    }
  }

  /** Forward: first key >= `key`. Reverse: first key <= `key`. Both clamped to the bounds. */
  seek(key: Uint8Array): void {
    this.begin();
    const internal = this.internal;
    if (!this.reverse) {
      const lower = this.lower;
      const target = lower !== undefined && compareBytes(key, lower) < 0 ? lower : key;
      internal.seek(target, this.readSeq);
      this.findNextVisible(false);
    } else {
      const upper = this.upper;
      const clamp = upper !== undefined && compareBytes(key, upper) >= 0;
      if (clamp) internal.seekForPrev(upper, MAX_SEQ);
      else internal.seekForPrev(key, 0); // last entry <= (key, 0): every version of key included
      this.findPrevVisible();
    }
  }

  /** The next key in the iteration direction. */
  next(): void {
    assert(this.positioned, 'next() on an invalid iterator');
    this.begin();
    if (!this.reverse) {
      this.saveKey(this.internal.key());
      this.internal.next();
      this.findNextVisible(true);
    } else {
      this.findPrevVisible(); // the internal iterator already sits before the current key
    }
  }

  valid(): boolean {
    return this.positioned;
  }

  key(): Uint8Array {
    assert(this.positioned, 'key() on an invalid iterator');
    return this.reverse ? this.savedKey : this.internal.key();
  }

  /** The stored value (value header + payload); unavailable when keysOnly. */
  storedValue(): Uint8Array {
    assert(this.positioned, 'storedValue() on an invalid iterator');
    assert(!this.keysOnly, 'storedValue() on a keys-only iterator');
    return this.reverse ? this.savedValue : this.internal.value();
  }

  /** The stored value after its header: user value (VALUE) or encoded ValuePointer. */
  payload(): Uint8Array {
    return this.storedValue().subarray(this.payloadOffset);
  }

  kind(): LiveKind {
    assert(this.positioned, 'kind() on an invalid iterator');
    return this.currentKind;
  }

  /** Commit seq of the yielded version. */
  seq(): number {
    assert(this.positioned, 'seq() on an invalid iterator');
    return this.currentSeq;
  }

  userMeta(): number {
    assert(this.positioned, 'userMeta() on an invalid iterator');
    return this.userMetaValue;
  }

  /** Epoch ms after which the version reads as absent; 0 = never. */
  expiresAt(): number {
    assert(this.positioned, 'expiresAt() on an invalid iterator');
    return this.expiresAtValue;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.positioned = false;
    this.internal.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  private begin(): void {
    assert(!this.closed, 'iterator used after close()');
    this.now = this.nowMs();
  }

  /**
   * Forward: from the internal position, the first version that is the newest visible version of
   * its user key and live. `skipping`: versions of savedKey are hidden (already yielded/dead).
   */
  private findNextVisible(skipping: boolean): void {
    const internal = this.internal;
    const upper = this.upper;
    while (internal.valid()) {
      const key = internal.key();
      if (upper !== undefined && compareBytes(key, upper) >= 0) break;
      const seq = internal.seq();
      if (seq <= this.readSeq && !(skipping && equalBytes(key, this.savedKey))) {
        const kind = internal.kind();
        if (kind !== Kind.DELETE) {
          this.parseHeader(internal.value(), key, seq);
          if (!this.isExpired()) {
            this.currentSeq = seq;
            this.currentKind = kind;
            this.positioned = true;
            return;
          }
        }
        this.saveKey(key); // newest visible version is dead: hide the older ones
        skipping = true;
      }
      internal.next();
    }
    this.positioned = false;
  }

  /**
   * Reverse: scans back from the internal position. Within a user key versions arrive oldest
   * first, so each visible version replaces the candidate; the candidate is final when a smaller
   * user key's visible version arrives (the internal iterator is then left on it).
   */
  private findPrevVisible(): void {
    const internal = this.internal;
    const upper = this.upper;
    const lower = this.lower;
    if (upper !== undefined) {
      while (internal.valid() && compareBytes(internal.key(), upper) >= 0) internal.prev();
    }
    let state = NO_CANDIDATE;
    while (internal.valid()) {
      const key = internal.key();
      if (lower !== undefined && compareBytes(key, lower) < 0) break;
      const seq = internal.seq();
      if (seq <= this.readSeq) {
        if (state === LIVE && !equalBytes(key, this.savedKey)) break;
        const kind = internal.kind();
        if (kind === Kind.DELETE) {
          state = DEAD;
        } else {
          const stored = internal.value();
          this.parseHeader(stored, key, seq);
          if (this.isExpired()) {
            state = DEAD;
          } else {
            state = LIVE;
            this.saveKey(key);
            if (!this.keysOnly) this.saveValue(stored);
            this.currentSeq = seq;
            this.currentKind = kind;
          }
        }
      }
      internal.prev();
    }
    this.positioned = state === LIVE;
  }

  private isExpired(): boolean {
    return this.expiresAtValue !== 0 && this.expiresAtValue <= this.now;
  }

  /** Parses the value header into the current fields; throws CorruptionError when malformed. */
  private parseHeader(stored: Uint8Array, key: Uint8Array, seq: number): void {
    if (stored.length > 0 && stored[0] === 0) {
      // common case: no TTL, no user meta; no allocation
      this.expiresAtValue = 0;
      this.userMetaValue = 0;
      this.payloadOffset = 1;
      return;
    }
    const header = decodeValueHeader(stored);
    if (header === undefined) {
      const reason = `bad value header of key ${toHex(key)} at seq ${seq}`;
      throw new CorruptionError('stored value', 0, reason);
    }
    this.expiresAtValue = header.expiresAt;
    this.userMetaValue = header.userMeta;
    this.payloadOffset = header.payloadOffset;
  }

  private saveKey(key: Uint8Array): void {
    if (key.length > this.savedKeyBuffer.length) {
      this.savedKeyBuffer = new Uint8Array(Math.max(key.length, this.savedKeyBuffer.length * 2));
    }
    this.savedKeyBuffer.set(key);
    this.savedKey = this.savedKeyBuffer.subarray(0, key.length);
  }

  private saveValue(value: Uint8Array): void {
    if (value.length > this.savedValueBuffer.length) {
      const length = Math.max(value.length, this.savedValueBuffer.length * 2);
      this.savedValueBuffer = new Uint8Array(length);
    }
    this.savedValueBuffer.set(value);
    this.savedValue = this.savedValueBuffer.subarray(0, value.length);
  }
}
