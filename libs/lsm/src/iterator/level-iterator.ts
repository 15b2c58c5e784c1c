/**
 * Concatenating iterator over the tables of one sorted level (levels >= 1; LevelDB's
 * TwoLevelIterator over a LevelFileNumIterator, Pebble levelIter).
 *
 * Invariants:
 * - `files` are sorted by smallest user key and do not overlap, except that the last user key
 *   of a file may be the first user key of the next (the versions of one user key can straddle a
 *   file boundary: newer versions in the earlier file). Checked when LSM_INVARIANTS=1.
 * - At most one table iterator is open: the one under the cursor. It is opened lazily by a
 *   positioning call and closed when the cursor leaves its file or the level iterator is closed.
 * - A seek that finds nothing in its first candidate file repeats the SAME seek in the next file
 *   (previous file for seekForPrev), not seekToFirst/seekToLast: with a straddling user key the
 *   next file may hold versions of the target key that sort before the target (key, seq).
 *   next()/prev() that run off a file continue at the first/last entry of the adjacent file.
 * - An empty table (no entries) is skipped.
 */

import { assert, invariantsEnabled } from '../assert.js';
import { compareBytes } from '../codec/bytes.js';
import type { Kind } from '../keys/internal-key.js';
import type { InternalIterator } from './internal-iterator.js';

/** The user-key range of one table of the level. */
export interface LevelFileBounds {
  readonly smallest: Uint8Array;
  readonly largest: Uint8Array;
}

/** Opens an iterator over table `index` of the level (the level iterator closes it). */
export type OpenTableIterator = (index: number) => InternalIterator;

const SEEK = 0;
const SEEK_FOR_PREV = 1;
const TO_FIRST = 2;
const TO_LAST = 3;
type Positioning = typeof SEEK | typeof SEEK_FOR_PREV | typeof TO_FIRST | typeof TO_LAST;

export class LevelIterator implements InternalIterator {
  private readonly files: readonly LevelFileBounds[];
  private readonly openTableIterator: OpenTableIterator;
  private fileIndex = -1;
  private table: InternalIterator | undefined;

  constructor(files: readonly LevelFileBounds[], openTableIterator: OpenTableIterator) {
    this.files = files;
    this.openTableIterator = openTableIterator;
    if (invariantsEnabled) checkLevelOrder(files);
  }

  seek(userKey: Uint8Array, seq?: number): void {
    this.forwardFrom(this.firstFileWithLargestAtLeast(userKey), SEEK, userKey, seq);
  }

  seekForPrev(userKey: Uint8Array, seq?: number): void {
    this.backwardFrom(this.firstFileWithSmallestAbove(userKey) - 1, SEEK_FOR_PREV, userKey, seq);
  }

  seekToFirst(): void {
    this.forwardFrom(0, TO_FIRST, undefined, undefined);
  }

  seekToLast(): void {
    this.backwardFrom(this.files.length - 1, TO_LAST, undefined, undefined);
  }

  next(): void {
    const table = this.current('next()');
    table.next();
    if (!table.valid()) this.forwardFrom(this.fileIndex + 1, TO_FIRST, undefined, undefined);
  }

  prev(): void {
    const table = this.current('prev()');
    table.prev();
    if (!table.valid()) this.backwardFrom(this.fileIndex - 1, TO_LAST, undefined, undefined);
  }

  valid(): boolean {
    return this.table !== undefined && this.table.valid();
  }

  key(): Uint8Array {
    return this.current('key()').key();
  }

  seq(): number {
    return this.current('seq()').seq();
  }

  kind(): Kind {
    return this.current('kind()').kind();
  }

  value(): Uint8Array {
    return this.current('value()').value();
  }

  close(): void {
    this.closeTable();
  }

  private current(what: string): InternalIterator {
    const table = this.table;
    if (table === undefined || !table.valid()) assert(false, `${what} on an invalid iterator`);
    return table;
  }

  /** Positions in file `index`, moving to later files until one has an entry. */
  private forwardFrom(index: number, how: Positioning, key?: Uint8Array, seq?: number): void {
    for (; index < this.files.length; index++) {
      const table = this.openFile(index);
      if (how === SEEK) table.seek(key as Uint8Array, seq);
      else table.seekToFirst();
      if (table.valid()) return;
    }
    this.closeTable();
  }

  /** Positions in file `index`, moving to earlier files until one has an entry. */
  private backwardFrom(index: number, how: Positioning, key?: Uint8Array, seq?: number): void {
    for (; index >= 0; index--) {
      const table = this.openFile(index);
      if (how === SEEK_FOR_PREV) table.seekForPrev(key as Uint8Array, seq);
      else table.seekToLast();
      if (table.valid()) return;
    }
    this.closeTable();
  }

  private openFile(index: number): InternalIterator {
    if (this.table !== undefined && this.fileIndex === index) return this.table;
    this.closeTable();
    const table = this.openTableIterator(index);
    this.table = table;
    this.fileIndex = index;
    return table;
  }

  private closeTable(): void {
    if (this.table !== undefined) {
      const table = this.table;
      this.table = undefined;
      this.fileIndex = -1;
      table.close();
    }
  }

  /** Binary search: the first file whose largest user key is >= key (files.length if none). */
  private firstFileWithLargestAtLeast(key: Uint8Array): number {
    let low = 0;
    let high = this.files.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const file = this.files[middle] as LevelFileBounds;
      if (compareBytes(file.largest, key) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Binary search: the first file whose smallest user key is > key (files.length if none). */
  private firstFileWithSmallestAbove(key: Uint8Array): number {
    let low = 0;
    let high = this.files.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const file = this.files[middle] as LevelFileBounds;
      if (compareBytes(file.smallest, key) <= 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

/** Asserts the level's files are sorted and overlap at most in one straddling user key. */
export function checkLevelOrder(files: readonly LevelFileBounds[]): void {
  for (let i = 0; i < files.length; i++) {
    const file = files[i] as LevelFileBounds;
    if (compareBytes(file.smallest, file.largest) > 0) assert(false, `level file ${i} is inverted`);
    const next = files[i + 1];
    if (next !== undefined && compareBytes(file.largest, next.smallest) > 0) {
      assert(false, `level files ${i} and ${i + 1} overlap`);
    }
  }
}
