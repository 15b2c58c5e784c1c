/**
 * A re-seekable, range-bounded walk over one read-only transaction: what the adapter's entry, key
 * and value iterators share. abstract-level semantics it implements on top of TxnIterator:
 *
 * - the range is fixed at creation (gt/gte/lt/lte mapped to engine bounds, keys escaped);
 * - seek(target) outside the range ends the iterator (abstract-level: "If range options like gt
 *   were passed to db.iterator() and target does not fall within that range, the iterator will
 *   reach its natural end");
 * - seek() after the natural end starts a new walk over the same snapshot (a TxnIterator closes
 *   itself when exhausted, so a fresh one is opened on the same transaction).
 */

import type { Item, Txn, TxnIterator } from '../txn/txn.js';
import { inRange, isEmptyRange, toStoreKey, type StoreRange } from './keys.js';

export class Cursor {
  private readonly txn: Txn;
  private readonly ownsTxn: boolean;
  private readonly range: StoreRange;
  private readonly reverse: boolean;
  private readonly keysOnly: boolean;
  private iterator: TxnIterator | undefined;
  private ended: boolean;
  private closed = false;

  /** `ownsTxn`: discard `txn` at close (an implicit snapshot); false for an explicit snapshot's. */
  constructor(txn: Txn, ownsTxn: boolean, range: StoreRange, reverse: boolean, keysOnly: boolean) {
    this.txn = txn;
    this.ownsTxn = ownsTxn;
    this.range = range;
    this.reverse = reverse;
    this.keysOnly = keysOnly;
    this.ended = isEmptyRange(range);
  }

  /** The next item in iteration order, or undefined at the natural end. */
  next(): Item | undefined {
    if (this.ended) return undefined;
    this.iterator ??= this.open();
    const result = this.iterator.next();
    if (result.done === true) {
      // TxnIterator closed itself; a later seek() opens a new one.
      this.iterator = undefined;
      this.ended = true;
      return undefined;
    }
    return result.value;
  }

  /** `target` is an unescaped Level key in bytes. */
  seek(target: Uint8Array): void {
    const key = toStoreKey(target);
    if (!inRange(this.range, key)) {
      this.closeIterator();
      this.ended = true;
      return;
    }
    this.ended = false;
    this.iterator ??= this.open();
    this.iterator.seek(key);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.closeIterator();
    if (this.ownsTxn) this.txn.discard();
  }

  private open(): TxnIterator {
    return this.txn.iterate({
      ...(this.range.lower === undefined ? {} : { start: this.range.lower }),
      ...(this.range.upper === undefined ? {} : { end: this.range.upper }),
      reverse: this.reverse,
      keysOnly: this.keysOnly,
    });
  }

  private closeIterator(): void {
    this.iterator?.close();
    this.iterator = undefined;
  }
}
