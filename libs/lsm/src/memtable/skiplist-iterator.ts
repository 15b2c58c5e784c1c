/**
 * InternalIterator over a Skiplist (memtable/skiplist.ts). Safe across inserts made while it is
 * open: a step from a node follows that node's current links, so it sees nodes inserted after
 * its position. Key views are cached per node; value views are made on each value() call so that
 * a value replaced in place is seen.
 */

import { assert } from '../assert.js';
import type { InternalIterator } from '../iterator/internal-iterator.js';
import type { Kind } from '../keys/internal-key.js';
import { MAX_SEQ } from '../keys/internal-key.js';
import type { Skiplist, SkiplistNode } from './skiplist.js';

const NONE = 0;

export class SkiplistIterator implements InternalIterator {
  private readonly list: Skiplist;
  private node: SkiplistNode = NONE;
  private keyNode: SkiplistNode = NONE;
  private keyView: Uint8Array = new Uint8Array(0);

  constructor(list: Skiplist) {
    this.list = list;
  }

  seek(userKey: Uint8Array, seq: number = MAX_SEQ): void {
    this.node = this.list.findGreaterOrEqual(userKey, seq);
  }

  seekForPrev(userKey: Uint8Array, seq = 0): void {
    this.node = this.list.findLastAtOrBefore(userKey, seq);
  }

  seekToFirst(): void {
    this.node = this.list.first();
  }

  seekToLast(): void {
    this.node = this.list.last();
  }

  next(): void {
    assert(this.node !== NONE, 'next() on an invalid iterator');
    this.node = this.list.nextOf(this.node);
  }

  prev(): void {
    assert(this.node !== NONE, 'prev() on an invalid iterator');
    this.node = this.list.prevOf(this.node);
  }

  valid(): boolean {
    return this.node !== NONE;
  }

  key(): Uint8Array {
    assert(this.node !== NONE, 'key() on an invalid iterator');
    if (this.keyNode !== this.node) {
      this.keyView = this.list.keyOf(this.node);
      this.keyNode = this.node;
    }
    return this.keyView;
  }

  seq(): number {
    assert(this.node !== NONE, 'seq() on an invalid iterator');
    return this.list.seqOf(this.node);
  }

  kind(): Kind {
    assert(this.node !== NONE, 'kind() on an invalid iterator');
    return this.list.kindOf(this.node);
  }

  value(): Uint8Array {
    assert(this.node !== NONE, 'value() on an invalid iterator');
    return this.list.valueOf(this.node);
  }

  close(): void {
    this.node = NONE;
  }
}
