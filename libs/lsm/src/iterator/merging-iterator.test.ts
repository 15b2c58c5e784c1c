// Goal: the merging iterator yields the union of its children in internal order, forward and
// reverse, across any mix of seeks, steps and direction switches; an equal (key, seq) in several
// children is yielded once, from the earliest child. Method: random children (ArrayIterators,
// whose views are scribbled after each step to catch stale-view bugs) and random workloads,
// checked step by step against the sorted, de-duplicated union (fast-check, seed printed).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BugError } from '../assert.js';
import { Kind } from '../keys/internal-key.js';
import { Memtable } from '../memtable/memtable.js';
import type { Entry } from './array-iterator.test-util.js';
import {
  ArrayIterator,
  bytesOf,
  iteratorOpArb,
  runAgainstModel,
  scanBothWays,
  sortEntries,
  uniqueEntriesArb,
} from './array-iterator.test-util.js';
import { MergingIterator } from './merging-iterator.js';

const seed = Number(process.env['SEED'] ?? Date.now() % 2 ** 31);

/** Each version goes to 1..3 children; a child's copy carries its index in the value. */
const childrenArb = fc
  .record({
    childCount: fc.integer({ min: 0, max: 5 }),
    versions: uniqueEntriesArb(60),
  })
  .chain(({ childCount, versions }) =>
    fc.record({
      childCount: fc.constant(childCount),
      versions: fc.constant(versions),
      owners: fc.array(fc.uniqueArray(fc.integer({ min: 0, max: Math.max(0, childCount - 1) }), { minLength: 1, maxLength: 3 }), {
        minLength: versions.length,
        maxLength: versions.length,
      }),
    }),
  )
  .map(({ childCount, versions, owners }) => {
    const children: Entry[][] = Array.from({ length: childCount }, () => []);
    const model: Entry[] = [];
    versions.forEach((version, i) => {
      if (childCount === 0) return;
      const owning = [...(owners[i] as number[])].sort((a, b) => a - b);
      for (const child of owning) {
        (children[child] as Entry[]).push({ ...version, value: Uint8Array.from([...version.value, child]) });
      }
      model.push({ ...version, value: Uint8Array.from([...version.value, owning[0] as number]) });
    });
    return { children, model };
  });

describe(`merging iterator (seed ${seed})`, () => {
  it('matches the de-duplicated union under random seeks, steps and direction switches', () => {
    fc.assert(
      fc.property(childrenArb, fc.array(iteratorOpArb, { maxLength: 80 }), ({ children, model }, ops) => {
        const sources = children.map((entries) => new ArrayIterator(entries));
        const merged = new MergingIterator(sources);
        runAgainstModel(merged, model, ops, (actual, expected) => expect(actual).toEqual(expected));
        const { forward, backward } = scanBothWays(merged);
        expect(forward).toEqual(model);
        expect(backward).toEqual([...model].reverse());
        merged.close();
        expect(sources.every((source) => source.closed)).toBe(true);
      }),
      { seed, numRuns: 400 },
    );
  });

  it('prefers the earliest child for an equal (key, seq), whatever the kinds, in both directions', () => {
    const newer = new ArrayIterator([{ key: bytesOf(1), seq: 5, kind: Kind.DELETE, value: new Uint8Array(0) }]);
    const older = new ArrayIterator(
      sortEntries([
        { key: bytesOf(1), seq: 5, kind: Kind.VALUE, value: bytesOf(0, 9) },
        { key: bytesOf(1), seq: 3, kind: Kind.VALUE, value: bytesOf(0, 8) },
      ]),
    );
    const merged = new MergingIterator([newer, older]);
    merged.seekToFirst();
    expect([merged.seq(), merged.kind()]).toEqual([5, Kind.DELETE]);
    merged.next();
    expect([merged.seq(), merged.kind()]).toEqual([3, Kind.VALUE]);
    merged.next();
    expect(merged.valid()).toBe(false);
    merged.seekToLast();
    expect(merged.seq()).toBe(3);
    merged.prev();
    expect([merged.seq(), merged.kind()]).toEqual([5, Kind.DELETE]);
    merged.prev();
    expect(merged.valid()).toBe(false);
  });

  it('switches direction in the middle of equal user keys held by different children', () => {
    const a = new ArrayIterator(sortEntries([4, 2].map((seq) => ({ key: bytesOf(7), seq, kind: Kind.VALUE, value: bytesOf(0, seq) }))));
    const b = new ArrayIterator(sortEntries([5, 3, 1].map((seq) => ({ key: bytesOf(7), seq, kind: Kind.VALUE, value: bytesOf(0, seq) }))));
    const merged = new MergingIterator([a, b]);
    merged.seek(bytesOf(7), 3); // lands on seq 3 (in b)
    expect(merged.seq()).toBe(3);
    merged.prev();
    expect(merged.seq()).toBe(4);
    merged.next();
    expect(merged.seq()).toBe(3);
    merged.next();
    expect(merged.seq()).toBe(2);
    merged.prev();
    merged.prev();
    expect(merged.seq()).toBe(4);
  });

  it('merges a live memtable with other sources', () => {
    const memtable = new Memtable();
    memtable.add(bytesOf(2), 9, Kind.VALUE, bytesOf(0, 2));
    memtable.add(bytesOf(4), 8, Kind.DELETE, new Uint8Array(0));
    const table = new ArrayIterator(sortEntries([1, 2, 3, 4].map((k) => ({ key: bytesOf(k), seq: 1, kind: Kind.VALUE, value: bytesOf(0, k) }))));
    const merged = new MergingIterator([memtable.newIterator(), table]);
    const { forward, backward } = scanBothWays(merged);
    expect(forward.map((e) => `${e.key[0]}/${e.seq}`)).toEqual(['1/1', '2/9', '2/1', '3/1', '4/8', '4/1']);
    expect(backward.map((e) => `${e.key[0]}/${e.seq}`)).toEqual(['4/1', '4/8', '3/1', '2/1', '2/9', '1/1']);
  });

  it('is always invalid with no children or only empty ones, and asserts on misuse', () => {
    for (const children of [[], [new ArrayIterator([]), new ArrayIterator([])]]) {
      const merged = new MergingIterator(children);
      merged.seekToFirst();
      expect(merged.valid()).toBe(false);
      merged.seekForPrev(bytesOf(1));
      expect(merged.valid()).toBe(false);
      expect(() => merged.next()).toThrow(BugError);
      expect(() => merged.key()).toThrow(BugError);
      merged.close();
    }
  });
});
