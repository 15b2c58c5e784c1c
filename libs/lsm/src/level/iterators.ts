/**
 * abstract-level iterators over a Cursor: entries, keys only (the engine skips value reads) and
 * values only. abstract-level itself enforces `limit`, decoding, busy/closed state and signals
 * before calling these private methods; here we only produce encoded data.
 */

import {
  AbstractIterator, AbstractKeyIterator, AbstractValueIterator, type AbstractIteratorOptions, type AbstractKeyIteratorOptions,
  type AbstractValueIteratorOptions,
} from 'abstract-level';
import type { Item } from '../txn/txn.js';
import type { Cursor } from './cursor.js';
import { translate } from './errors.js';
import { fromBytes, fromStoreKey, toBytes, type Encoded, type Format } from './keys.js';

/** The options object abstract-level passes to `_iterator`, `_keys` and `_values` (original object). */
export type PrivateIteratorOptions = AbstractIteratorOptions<Encoded, Encoded>;
export type Entry = [Encoded | undefined, Encoded | undefined];

interface SeekOptions {
  keyEncoding: Format;
}

/** Entries remaining before `limit` (abstract-level's count and limit getters). */
function remaining(iterator: { readonly count: number; readonly limit: number }): number {
  return iterator.limit - iterator.count;
}

function drain<T>(cursor: Cursor, max: number, map: (item: Item) => T): T[] {
  const out: T[] = [];
  while (out.length < max) {
    const item = cursor.next();
    if (item === undefined) break;
    out.push(map(item));
  }
  return out;
}

export class LsmIterator<TDatabase> extends AbstractIterator<TDatabase, Encoded, Encoded> {
  private readonly cursor: Cursor;
  private readonly map: (item: Item) => Entry;

  constructor(db: TDatabase, options: PrivateIteratorOptions, cursor: Cursor, keyFormat: Format, valueFormat: Format) {
    super(db, options);
    this.cursor = cursor;
    const keys = options.keys !== false;
    const values = options.values !== false;
    this.map = (item) => [
      keys ? fromBytes(fromStoreKey(item.key), keyFormat) : undefined,
      values ? fromBytes(item.value, valueFormat) : undefined,
    ];
  }

  async _next(): Promise<Entry | undefined> {
    return translate(() => {
      const item = this.cursor.next();
      return item === undefined ? undefined : this.map(item);
    });
  }

  async _nextv(size: number): Promise<Entry[]> {
    return translate(() => drain(this.cursor, size, this.map));
  }

  async _all(): Promise<Entry[]> {
    return translate(() => drain(this.cursor, remaining(this), this.map));
  }

  _seek(target: Encoded, _options: SeekOptions): void {
    translate(() => this.cursor.seek(toBytes(target)));
  }

  async _close(): Promise<void> {
    translate(() => this.cursor.close());
  }
}

export class LsmKeyIterator<TDatabase> extends AbstractKeyIterator<TDatabase, Encoded> {
  private readonly cursor: Cursor;
  private readonly map: (item: Item) => Encoded;

  constructor(db: TDatabase, options: AbstractKeyIteratorOptions<Encoded>, cursor: Cursor, keyFormat: Format) {
    super(db, options);
    this.cursor = cursor;
    this.map = (item) => fromBytes(fromStoreKey(item.key), keyFormat);
  }

  async _next(): Promise<Encoded | undefined> {
    return translate(() => {
      const item = this.cursor.next();
      return item === undefined ? undefined : this.map(item);
    });
  }

  async _nextv(size: number): Promise<Encoded[]> {
    return translate(() => drain(this.cursor, size, this.map));
  }

  async _all(): Promise<Encoded[]> {
    return translate(() => drain(this.cursor, remaining(this), this.map));
  }

  _seek(target: Encoded, _options: SeekOptions): void {
    translate(() => this.cursor.seek(toBytes(target)));
  }

  async _close(): Promise<void> {
    translate(() => this.cursor.close());
  }
}

export class LsmValueIterator<TDatabase> extends AbstractValueIterator<TDatabase, Encoded, Encoded> {
  private readonly cursor: Cursor;
  private readonly map: (item: Item) => Encoded;

  constructor(db: TDatabase, options: AbstractValueIteratorOptions<Encoded, Encoded>, cursor: Cursor, valueFormat: Format) {
    super(db, options);
    this.cursor = cursor;
    this.map = (item) => fromBytes(item.value, valueFormat);
  }

  async _next(): Promise<Encoded | undefined> {
    return translate(() => {
      const item = this.cursor.next();
      return item === undefined ? undefined : this.map(item);
    });
  }

  async _nextv(size: number): Promise<Encoded[]> {
    return translate(() => drain(this.cursor, size, this.map));
  }

  async _all(): Promise<Encoded[]> {
    return translate(() => drain(this.cursor, remaining(this), this.map));
  }

  _seek(target: Encoded, _options: SeekOptions): void {
    translate(() => this.cursor.seek(toBytes(target)));
  }

  async _close(): Promise<void> {
    translate(() => this.cursor.close());
  }
}
