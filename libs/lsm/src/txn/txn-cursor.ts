/**
 * Merges the snapshot (a UserCursor from the engine) with a transaction's own pending writes,
 * in the iteration direction. On equal keys the pending write wins; a pending delete hides the
 * key.
 */

import { compareBytes } from '../codec/bytes.js';
import { Kind } from '../keys/internal-key.js';
import type { Item, PendingWrite } from './txn.js';

/** A user-level cursor at one snapshot: one entry per live key, in direction order. */
export interface UserCursor {
  /** first key in the iteration direction */
  seekToStart(): void;
  /** first key >= key (forward) or <= key (reverse), within the bounds */
  seek(key: Uint8Array): void;
  valid(): boolean;
  key(): Uint8Array;
  /** the current item; its value is empty when the cursor is keys-only */
  item(): Item;
  next(): void;
  close(): void;
}

export class MergedCursor {
  private readonly base: UserCursor;
  private readonly own: PendingWrite[];
  private readonly reverse: boolean;
  private readonly keysOnly: boolean;
  private ownIndex = 0;
  /** which side the current entry comes from */
  private current: 'base' | 'own' | 'none' = 'none';

  constructor(base: UserCursor, own: PendingWrite[], reverse: boolean, keysOnly: boolean) {
    this.base = base;
    this.own = own;
    this.reverse = reverse;
    this.keysOnly = keysOnly;
  }

  seekToStart(): void {
    this.base.seekToStart();
    this.ownIndex = 0;
    this.settle();
  }

  seek(key: Uint8Array): void {
    this.base.seek(key);
    this.ownIndex = 0;
    while (this.ownIndex < this.own.length && this.before((this.own[this.ownIndex] as PendingWrite).key, key)) {
      this.ownIndex++;
    }
    this.settle();
  }

  valid(): boolean {
    return this.current !== 'none';
  }

  item(): Item {
    if (this.current === 'own') {
      const write = this.own[this.ownIndex] as PendingWrite;
      return {
        key: write.key,
        value: this.keysOnly ? new Uint8Array(0) : write.value,
        userMeta: write.userMeta,
        expiresAt: write.expiresAt,
        version: 0,
      };
    }
    return this.base.item();
  }

  next(): void {
    if (this.current === 'own') {
      const key = (this.own[this.ownIndex] as PendingWrite).key;
      this.ownIndex++;
      if (this.base.valid() && compareBytes(this.base.key(), key) === 0) this.base.next();
    } else if (this.current === 'base') {
      this.base.next();
    }
    this.settle();
  }

  close(): void {
    this.current = 'none';
    this.base.close();
  }

  /** true when `a` comes strictly before `b` in the iteration direction */
  private before(a: Uint8Array, b: Uint8Array): boolean {
    const c = compareBytes(a, b);
    return this.reverse ? c > 0 : c < 0;
  }

  /** Chooses the next visible entry, skipping keys hidden by pending deletes. */
  private settle(): void {
    for (;;) {
      const own = this.own[this.ownIndex];
      const baseValid = this.base.valid();
      if (own === undefined) {
        this.current = baseValid ? 'base' : 'none';
        return;
      }
      if (baseValid && this.before(this.base.key(), own.key)) {
        this.current = 'base';
        return;
      }
      if (own.kind !== Kind.DELETE) {
        this.current = 'own';
        return;
      }
      // a pending delete: skip it and the base entry it hides
      if (baseValid && compareBytes(this.base.key(), own.key) === 0) this.base.next();
      this.ownIndex++;
    }
  }
}
