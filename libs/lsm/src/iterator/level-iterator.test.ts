// Goal: the level iterator over a level's tables behaves exactly like one iterator over all of
// their entries, including user keys whose versions straddle a file boundary and empty tables,
// while keeping at most one table open and closing what it leaves. Method: random sorted
// entries cut into files at random entry boundaries, random workloads checked step by step
// against the whole array (fast-check, seed printed), plus examples for the straddling cases.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BugError } from '../assert.js';
import { Kind } from '../keys/internal-key.js';
import type { Entry } from './array-iterator.test-util.js';
import { ArrayIterator, bytesOf, iteratorOpArb, runAgainstModel, scanBothWays, sortEntries, uniqueEntriesArb } from './array-iterator.test-util.js';
import type { LevelFileBounds } from './level-iterator.js';
import { LevelIterator, checkLevelOrder } from './level-iterator.js';

const seed = Number(process.env['SEED'] ?? Date.now() % 2 ** 31);

interface Level {
  files: LevelFileBounds[];
  tables: Entry[][];
}

/** Cuts sorted entries into non-empty tables; `emptyAfter` adds empty tables after some. */
function cutLevel(entries: readonly Entry[], cuts: readonly number[], emptyAfter: readonly number[]): Level {
  const points = [...new Set(cuts.map((c) => c % Math.max(1, entries.length)))].filter((c) => c > 0).sort((a, b) => a - b);
  const tables: Entry[][] = [];
  let start = 0;
  for (const point of [...points, entries.length]) {
    if (point > start) tables.push(entries.slice(start, point));
    start = point;
  }
  const files: LevelFileBounds[] = [];
  const withEmpty: Entry[][] = [];
  tables.forEach((table, i) => {
    files.push({ smallest: (table[0] as Entry).key, largest: (table[table.length - 1] as Entry).key });
    withEmpty.push(table);
    if (emptyAfter.includes(i)) {
      const bound = (table[table.length - 1] as Entry).key;
      files.push({ smallest: bound, largest: bound });
      withEmpty.push([]);
    }
  });
  return { files, tables: withEmpty };
}

class Opener {
  readonly opened: ArrayIterator[] = [];
  constructor(private readonly tables: Entry[][]) {}
  readonly open = (index: number): ArrayIterator => {
    expect(this.openCount()).toBe(0); // the previous table was closed first
    const iterator = new ArrayIterator(this.tables[index] as Entry[]);
    this.opened.push(iterator);
    return iterator;
  };
  openCount(): number {
    return this.opened.filter((iterator) => !iterator.closed).length;
  }
}

describe(`level iterator (seed ${seed})`, () => {
  it('matches one iterator over all entries under random workloads', () => {
    fc.assert(
      fc.property(
        uniqueEntriesArb(60),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.array(fc.nat({ max: 12 }), { maxLength: 3 }),
        fc.array(iteratorOpArb, { maxLength: 80 }),
        (entries, cuts, emptyAfter, ops) => {
          const level = cutLevel(entries, cuts, emptyAfter);
          checkLevelOrder(level.files);
          const opener = new Opener(level.tables);
          const iterator = new LevelIterator(level.files, opener.open);
          expect(opener.opened.length).toBe(0); // lazy
          runAgainstModel(iterator, entries, ops, (actual, expected) => {
            expect(actual).toEqual(expected);
            expect(opener.openCount()).toBeLessThanOrEqual(1);
          });
          const { forward, backward } = scanBothWays(iterator);
          expect(forward).toEqual(entries);
          expect(backward).toEqual([...entries].reverse());
          iterator.close();
          expect(opener.openCount()).toBe(0);
        },
      ),
      { seed, numRuns: 400 },
    );
  });

  it('finds versions of a user key that straddle two files, by seek and seekForPrev', () => {
    const versions = [9, 7, 5, 3, 1].map((seq) => ({ key: bytesOf(5), seq, kind: Kind.VALUE, value: bytesOf(0, seq) }));
    const entries = sortEntries([{ key: bytesOf(1), seq: 1, kind: Kind.VALUE, value: bytesOf(0) }, ...versions, { key: bytesOf(8), seq: 1, kind: Kind.VALUE, value: bytesOf(0) }]);
    // file 0: (1,1) (5,9) (5,7) | file 1: (5,5) (5,3) (5,1) (8,1)
    const level = cutLevel(entries, [3], []);
    const opener = new Opener(level.tables);
    const iterator = new LevelIterator(level.files, opener.open);
    iterator.seek(bytesOf(5), 6); // file 0 holds only newer versions: continue into file 1
    expect(iterator.seq()).toBe(5);
    iterator.prev();
    expect(iterator.seq()).toBe(7);
    iterator.seek(bytesOf(5), 4); // file 1's first entry (5, 5) is before the target: seek again there
    expect(iterator.seq()).toBe(3);
    iterator.seekForPrev(bytesOf(5), 6); // last entry <= (5, 6): (5, 7) in file 0
    expect(iterator.seq()).toBe(7);
    iterator.seekForPrev(bytesOf(5), 8); // file 1 has nothing <= (5, 8): back to file 0
    expect(iterator.seq()).toBe(9);
    iterator.seekForPrev(bytesOf(5)); // every version of 5 included: (5, 1) in file 1
    expect(iterator.seq()).toBe(1);
    iterator.next();
    expect([...iterator.key()]).toEqual([8]);
    iterator.seek(bytesOf(9));
    expect(iterator.valid()).toBe(false);
    expect(opener.openCount()).toBe(0);
  });

  it('handles an empty level and asserts on misuse', () => {
    const iterator = new LevelIterator([], () => {
      throw new Error('must not open');
    });
    iterator.seekToFirst();
    expect(iterator.valid()).toBe(false);
    iterator.seekToLast();
    iterator.seek(bytesOf(1));
    iterator.seekForPrev(bytesOf(1));
    expect(iterator.valid()).toBe(false);
    expect(() => iterator.next()).toThrow(BugError);
    expect(() => iterator.key()).toThrow(BugError);
    iterator.close();
  });

  it('checkLevelOrder rejects overlapping or inverted files', () => {
    expect(() => checkLevelOrder([{ smallest: bytesOf(1), largest: bytesOf(3) }, { smallest: bytesOf(2), largest: bytesOf(4) }])).toThrow(BugError);
    expect(() => checkLevelOrder([{ smallest: bytesOf(3), largest: bytesOf(1) }])).toThrow(BugError);
    checkLevelOrder([{ smallest: bytesOf(1), largest: bytesOf(3) }, { smallest: bytesOf(3), largest: bytesOf(4) }]);
  });
});
