/**
 * K-way merge of InternalIterators (memtables, L0 tables, level iterators) into one stream in
 * internal-key order, forward and reverse, with a binary heap of child indices (LevelDB
 * table/merger.cc, Pebble mergingIter).
 *
 * Invariants:
 * - Children are given newest source first. The same (user key, seq) never appears in two
 *   sources except as a duplicate of one version (copied by a flush or compaction while still
 *   visible in its old source). When two children hold the same (key, seq), the EARLIER child
 *   (the newer source) is yielded, with its kind and value, and the others are skipped: ties in
 *   the heap are broken by child index (kind is not compared), and after every positioning step
 *   the children whose entry has the top's (key, seq) are stepped past it before the top is
 *   exposed. A child yields each (key, seq) at most once.
 * - Forward: the heap is a min-heap; every child is positioned at its first entry after the
 *   current key (or invalid). Reverse: a max-heap; every child at its last entry before it.
 * - Direction switch (as LevelDB): on next() after a reverse step, every child other than the
 *   current one is re-seeked to its first entry strictly after the current (key, seq); on prev()
 *   after a forward step, to its last entry strictly before it. The current child just steps.
 * - Each child's current (key, seq, kind) is cached after each of its moves, so heap comparisons
 *   call no child methods. The cached key view is valid until that child moves again.
 */

import { assert } from '../assert.js';
import { compareBytes, equalBytes } from '../codec/bytes.js';
import type { Kind } from '../keys/internal-key.js';
import type { InternalIterator } from './internal-iterator.js';

const FORWARD = 1;
const REVERSE = -1;
const EMPTY_KEY = new Uint8Array(0);

export class MergingIterator implements InternalIterator {
  private readonly children: readonly InternalIterator[];
  private readonly keys: Uint8Array[];
  private readonly seqs: Float64Array;
  private readonly kinds: Uint8Array;
  /** child indices; heap[0] is the current child; only valid children are in the heap */
  private readonly heap: Int32Array;
  private heapSize = 0;
  private direction = FORWARD;

  /** `children` newest source first; the merging iterator owns and closes them. */
  constructor(children: readonly InternalIterator[]) {
    this.children = children;
    this.keys = children.map(() => EMPTY_KEY);
    this.seqs = new Float64Array(children.length);
    this.kinds = new Uint8Array(children.length);
    this.heap = new Int32Array(children.length);
  }

  seek(userKey: Uint8Array, seq?: number): void {
    for (const child of this.children) child.seek(userKey, seq);
    this.rebuild(FORWARD);
  }

  seekForPrev(userKey: Uint8Array, seq?: number): void {
    for (const child of this.children) child.seekForPrev(userKey, seq);
    this.rebuild(REVERSE);
  }

  seekToFirst(): void {
    for (const child of this.children) child.seekToFirst();
    this.rebuild(FORWARD);
  }

  seekToLast(): void {
    for (const child of this.children) child.seekToLast();
    this.rebuild(REVERSE);
  }

  next(): void {
    assert(this.heapSize > 0, 'next() on an invalid iterator');
    if (this.direction !== FORWARD) this.switchToForward();
    const top = this.heap[0] as number;
    (this.children[top] as InternalIterator).next();
    this.afterMove(top);
  }

  prev(): void {
    assert(this.heapSize > 0, 'prev() on an invalid iterator');
    if (this.direction !== REVERSE) this.switchToReverse();
    const top = this.heap[0] as number;
    (this.children[top] as InternalIterator).prev();
    this.afterMove(top);
  }

  valid(): boolean {
    return this.heapSize > 0;
  }

  key(): Uint8Array {
    assert(this.heapSize > 0, 'key() on an invalid iterator');
    return this.keys[this.heap[0] as number] as Uint8Array;
  }

  seq(): number {
    assert(this.heapSize > 0, 'seq() on an invalid iterator');
    return this.seqs[this.heap[0] as number] as number;
  }

  kind(): Kind {
    assert(this.heapSize > 0, 'kind() on an invalid iterator');
    return this.kinds[this.heap[0] as number] as Kind;
  }

  value(): Uint8Array {
    assert(this.heapSize > 0, 'value() on an invalid iterator');
    return (this.children[this.heap[0] as number] as InternalIterator).value();
  }

  close(): void {
    for (const child of this.children) child.close();
    this.heapSize = 0;
  }

  /** Every child but the current one moves to its first entry after (key, seq). */
  private switchToForward(): void {
    const top = this.heap[0] as number;
    const key = this.keys[top] as Uint8Array;
    const seq = this.seqs[top] as number;
    for (let index = 0; index < this.children.length; index++) {
      if (index === top) continue;
      const child = this.children[index] as InternalIterator;
      child.seek(key, seq);
      if (child.valid() && child.seq() === seq && equalBytes(child.key(), key)) child.next();
    }
    this.rebuildKeeping(top, FORWARD);
  }

  /** Every child but the current one moves to its last entry before (key, seq). */
  private switchToReverse(): void {
    const top = this.heap[0] as number;
    const key = this.keys[top] as Uint8Array;
    const seq = this.seqs[top] as number;
    for (let index = 0; index < this.children.length; index++) {
      if (index === top) continue;
      const child = this.children[index] as InternalIterator;
      child.seek(key, seq); // first entry >= (key, seq): one step back is the last entry before
      if (child.valid()) child.prev();
      else child.seekToLast();
    }
    this.rebuildKeeping(top, REVERSE);
  }

  /** Rebuilds the heap from every child's position; `top` stays current (it has not moved). */
  private rebuildKeeping(top: number, direction: number): void {
    this.direction = direction;
    this.heapSize = 0;
    for (let index = 0; index < this.children.length; index++) {
      if (index !== top && this.cache(index)) this.heap[this.heapSize++] = index;
    }
    this.heap[this.heapSize++] = top; // current child is valid and its cache is current
    for (let i = (this.heapSize >> 1) - 1; i >= 0; i--) this.siftDown(i);
    // top is strictly before (forward) / after (reverse) every other child now, so it is heap[0]
    assert(this.heap[0] === top, 'direction switch lost the current child');
  }

  private rebuild(direction: number): void {
    this.direction = direction;
    this.heapSize = 0;
    for (let index = 0; index < this.children.length; index++) {
      if (this.cache(index)) this.heap[this.heapSize++] = index;
    }
    for (let i = (this.heapSize >> 1) - 1; i >= 0; i--) this.siftDown(i);
    this.skipDuplicatesOfTop();
  }

  /** The current child moved: refresh or drop it, restore the heap, skip duplicates. */
  private afterMove(top: number): void {
    if (this.cache(top)) {
      this.siftDown(0);
    } else {
      this.heapSize--;
      if (this.heapSize > 0) {
        this.heap[0] = this.heap[this.heapSize] as number;
        this.siftDown(0);
      }
    }
    this.skipDuplicatesOfTop();
  }

  /**
   * Advances (in the current direction) every child whose entry equals the top's (key, seq).
   * In a heap ordered by (entry, child index), the next-smallest element is a child of the root,
   * so duplicates of the root surface there one at a time.
   */
  private skipDuplicatesOfTop(): void {
    const heap = this.heap;
    const keys = this.keys;
    while (this.heapSize > 1) {
      const top = heap[0] as number;
      const second = this.heapSize > 2 && this.before(heap[2] as number, heap[1] as number) ? 2 : 1;
      const other = heap[second] as number;
      if (this.seqs[other] !== this.seqs[top]) return;
      if (!equalBytes(keys[other] as Uint8Array, keys[top] as Uint8Array)) return;
      const child = this.children[other] as InternalIterator;
      if (this.direction === FORWARD) child.next();
      else child.prev();
      if (this.cache(other)) {
        this.siftDown(second);
      } else {
        this.heapSize--;
        if (second < this.heapSize) {
          heap[second] = heap[this.heapSize] as number;
          this.siftDown(second);
        }
      }
    }
  }


  /** Caches child `index`'s current entry; false when the child is exhausted. */
  private cache(index: number): boolean {
    const child = this.children[index] as InternalIterator;
    if (!child.valid()) return false;
    this.keys[index] = child.key();
    this.seqs[index] = child.seq();
    this.kinds[index] = child.kind();
    return true;
  }

  /**
   * True when child a's entry comes first in the current direction. Order: user key, then seq
   * descending, then child index (kind is not compared: an equal (key, seq) is a duplicate, and
   * the lower index must win it in both directions).
   */
  private before(a: number, b: number): boolean {
    let order = compareBytes(this.keys[a] as Uint8Array, this.keys[b] as Uint8Array);
    if (order === 0) {
      const seqA = this.seqs[a] as number;
      const seqB = this.seqs[b] as number;
      if (seqA === seqB) return a < b;
      order = seqA > seqB ? -1 : 1;
    }
    return this.direction === FORWARD ? order < 0 : order > 0;
  }

  private siftDown(start: number): void {
    const heap = this.heap;
    const size = this.heapSize;
    let position = start;
    const item = heap[position] as number;
    while (true) {
      let child = 2 * position + 1;
      if (child >= size) break;
      const right = child + 1;
      if (right < size && this.before(heap[right] as number, heap[child] as number)) child = right;
      if (!this.before(heap[child] as number, item)) break;
      heap[position] = heap[child] as number;
      position = child;
    }
    heap[position] = item;
  }
}
