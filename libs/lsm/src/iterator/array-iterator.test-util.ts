/**
 * Test helpers: an array-backed InternalIterator (the reference source for iterator tests), a
 * model of internal-key order, and small byte helpers.
 *
 * The ArrayIterator enforces the InternalIterator contract on its callers: every key()/value()
 * returns a fresh copy, and on the next positioning call the copies handed out earlier are
 * overwritten with 0xEE ("scribbled"), so a caller that keeps a view past a step reads garbage
 * and its test fails. It also counts opens/closes for the level iterator's tests.
 */

import fc from 'fast-check';
import { compareInternal, Kind, MAX_SEQ } from '../keys/internal-key.js';
import type { InternalIterator } from './internal-iterator.js';

export const KINDS: readonly Kind[] = [Kind.DELETE, Kind.VALUE, Kind.VALUE_POINTER];

export interface Entry {
  key: Uint8Array;
  seq: number;
  kind: Kind;
  value: Uint8Array;
}

export function compareEntries(a: Entry, b: Entry): number {
  return compareInternal(a.key, a.seq, a.kind, b.key, b.seq, b.kind);
}

export function sortEntries(entries: readonly Entry[]): Entry[] {
  return [...entries].sort(compareEntries);
}

/** Index of the first entry at or after (key, seq) — any kind of (key, seq) included. */
export function lowerBound(entries: readonly Entry[], key: Uint8Array, seq: number): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const entry = entries[middle] as Entry;
    if (compareInternal(entry.key, entry.seq, 0, key, seq, 0) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Index of the last entry at or before (key, seq, kind 0); -1 when none. */
export function upperBoundPrev(entries: readonly Entry[], key: Uint8Array, seq: number): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const entry = entries[middle] as Entry;
    if (compareInternal(entry.key, entry.seq, entry.kind, key, seq, 0) <= 0) low = middle + 1;
    else high = middle;
  }
  return low - 1;
}

export class ArrayIterator implements InternalIterator {
  readonly entries: readonly Entry[];
  private index = -1;
  private handedOut: Uint8Array[] = [];
  closed = false;

  /** `entries` must be sorted in internal order (use sortEntries). */
  constructor(entries: readonly Entry[]) {
    this.entries = entries;
  }

  seek(userKey: Uint8Array, seq = Number.MAX_SAFE_INTEGER): void {
    this.moved();
    this.index = lowerBound(this.entries, userKey, seq);
  }

  seekForPrev(userKey: Uint8Array, seq = 0): void {
    this.moved();
    this.index = upperBoundPrev(this.entries, userKey, seq);
  }

  seekToFirst(): void {
    this.moved();
    this.index = 0;
  }

  seekToLast(): void {
    this.moved();
    this.index = this.entries.length - 1;
  }

  next(): void {
    this.check();
    this.moved();
    this.index++;
  }

  prev(): void {
    this.check();
    this.moved();
    this.index--;
  }

  valid(): boolean {
    return !this.closed && this.index >= 0 && this.index < this.entries.length;
  }

  key(): Uint8Array {
    return this.handOut(this.current().key);
  }

  seq(): number {
    return this.current().seq;
  }

  kind(): Kind {
    return this.current().kind;
  }

  value(): Uint8Array {
    return this.handOut(this.current().value);
  }

  close(): void {
    this.moved();
    this.closed = true;
  }

  private current(): Entry {
    this.check();
    return this.entries[this.index] as Entry;
  }

  private check(): void {
    if (!this.valid()) throw new Error('ArrayIterator used while invalid or closed');
  }

  private handOut(bytes: Uint8Array): Uint8Array {
    const copy = bytes.slice();
    this.handedOut.push(copy);
    return copy;
  }

  private moved(): void {
    for (const bytes of this.handedOut) bytes.fill(0xee);
    this.handedOut = [];
  }
}

export function bytesOf(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}


/** A step of a random iterator workload (shared by the iterator model tests). */
export type IteratorOp =
  | { op: 'seek'; key: Uint8Array; seq: number | undefined }
  | { op: 'seekForPrev'; key: Uint8Array; seq: number | undefined }
  | { op: 'first' | 'last' | 'next' | 'prev' };

/**
 * Applies `ops` to `iterator` and to a model position in the sorted, (key, seq)-unique `model`,
 * checking the iterator's entry after every step (next/prev on an invalid iterator are skipped).
 * `check(actual, expected)` is the caller's assertion (vitest expect).
 */
export function runAgainstModel(
  iterator: InternalIterator,
  model: readonly Entry[],
  ops: readonly IteratorOp[],
  check: (actual: Entry | undefined, expected: Entry | undefined) => void,
): void {
  let position = -1;
  for (const op of ops) {
    switch (op.op) {
      case 'seek':
        iterator.seek(op.key, op.seq);
        position = lowerBound(model, op.key, op.seq ?? Number.MAX_SAFE_INTEGER);
        break;
      case 'seekForPrev':
        iterator.seekForPrev(op.key, op.seq);
        position = upperBoundPrev(model, op.key, op.seq ?? 0);
        break;
      case 'first':
        iterator.seekToFirst();
        position = 0;
        break;
      case 'last':
        iterator.seekToLast();
        position = model.length - 1;
        break;
      case 'next':
      case 'prev':
        if (!iterator.valid()) continue;
        if (op.op === 'next') iterator.next();
        else iterator.prev();
        position += op.op === 'next' ? 1 : -1;
        break;
    }
    check(currentEntry(iterator), model[position]);
  }
}

export function currentEntry(iterator: InternalIterator): Entry | undefined {
  if (!iterator.valid()) return undefined;
  return { key: iterator.key().slice(), seq: iterator.seq(), kind: iterator.kind(), value: iterator.value().slice() };
}

/** Every entry from first to last, and from last to first. */
export function scanBothWays(iterator: InternalIterator): { forward: Entry[]; backward: Entry[] } {
  const forward: Entry[] = [];
  for (iterator.seekToFirst(); iterator.valid(); iterator.next()) forward.push(currentEntry(iterator) as Entry);
  const backward: Entry[] = [];
  for (iterator.seekToLast(); iterator.valid(); iterator.prev()) backward.push(currentEntry(iterator) as Entry);
  return { forward, backward };
}

/** Small key alphabet (many shared prefixes and versions per key). */
export const smallKeyArb = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }).map((a) => Uint8Array.from(a));
export const smallSeqArb = fc.oneof(fc.integer({ min: 0, max: 12 }), fc.constantFrom(2 ** 32, MAX_SEQ));

export const iteratorOpArb: fc.Arbitrary<IteratorOp> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ op: fc.constant('seek' as const), key: smallKeyArb, seq: fc.option(smallSeqArb, { nil: undefined }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('seekForPrev' as const), key: smallKeyArb, seq: fc.option(smallSeqArb, { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('first' as const, 'last' as const) }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constantFrom('next' as const, 'prev' as const) }) },
);

/** Sorted entries, unique by (key, seq). */
export const uniqueEntriesArb = (maxLength: number): fc.Arbitrary<Entry[]> =>
  fc
    .uniqueArray(
      fc.record({ key: smallKeyArb, seq: smallSeqArb, kind: fc.constantFrom(...KINDS), value: fc.uint8Array({ maxLength: 6 }) }),
      { maxLength, selector: (e) => `${Array.from(e.key).join('.')}/${e.seq}` },
    )
    .map(sortEntries);
