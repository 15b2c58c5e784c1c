/**
 * The engine's UserCursor (txn/txn-cursor.ts) at one snapshot: every source merged
 * (MergingIterator), visibility applied (DbIterator), value pointers resolved through the value
 * log. Pins the Version it reads until closed, so compaction cannot delete its files.
 */

import { copyOut } from '../codec/byte-slab.js';
import { CorruptionError } from '../errors.js';
import { DbIterator } from '../iterator/db-iterator.js';
import { MergingIterator } from '../iterator/merging-iterator.js';
import { Kind } from '../keys/internal-key.js';
import { decodeValuePointer } from '../keys/value-format.js';
import type { Item } from '../txn/txn.js';
import type { UserCursor } from '../txn/txn-cursor.js';
import type { Engine } from './engine.js';

const EMPTY = new Uint8Array(0);

export class UserCursorImpl implements UserCursor {
  private readonly engine: Engine;
  private readonly iterator: DbIterator;
  private readonly keysOnly: boolean;
  private readonly release: () => void;
  private closed = false;

  constructor(engine: Engine, readTs: number, lower: Uint8Array, upper: Uint8Array | undefined, reverse: boolean, keysOnly: boolean) {
    this.engine = engine;
    this.keysOnly = keysOnly;
    const { iterators, release } = engine.internalIterators();
    this.release = release;
    this.iterator = new DbIterator(new MergingIterator(iterators), {
      readSeq: readTs,
      ...(lower.length > 0 ? { lower } : {}),
      ...(upper === undefined ? {} : { upper }),
      reverse,
      keysOnly,
      nowMs: engine.options.nowMs,
    });
  }

  seekToStart(): void {
    this.iterator.seekToStart();
  }

  seek(key: Uint8Array): void {
    this.iterator.seek(key);
  }

  valid(): boolean {
    return !this.closed && this.iterator.valid();
  }

  key(): Uint8Array {
    return this.iterator.key();
  }

  item(): Item {
    const it = this.iterator;
    const key = copyOut(it.key());
    let value: Uint8Array = EMPTY;
    if (!this.keysOnly) {
      const payload = it.payload();
      if (it.kind() === Kind.VALUE) value = copyOut(payload);
      else {
        const pointer = decodeValuePointer(payload, 0);
        if (pointer === undefined) throw new CorruptionError('iterator', 0, 'malformed value pointer');
        value = this.engine.valueLog.read(pointer);
      }
    }
    return { key, value, userMeta: it.userMeta(), expiresAt: it.expiresAt(), version: it.seq() };
  }

  next(): void {
    this.iterator.next();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.iterator.close();
    this.release();
  }
}
