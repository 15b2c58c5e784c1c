// Goal: the skiplist keeps (key asc, seq desc) order with one node per (key, seq), and its
// iterator moves and seeks exactly like a sorted array. Method: random operation sequences
// (inserts with several versions per key, replacements, seeks, next/prev mixes) checked step by
// step against a sorted-array model (fast-check, seed printed), plus structural checks
// (checkInvariants), determinism of the seeded heights, pool growth and the view contract.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BugError } from '../assert.js';
import { equalBytes } from '../codec/bytes.js';
import { Kind, MAX_SEQ } from '../keys/internal-key.js';
import type { Entry } from '../iterator/array-iterator.test-util.js';
import { KINDS, compareEntries, lowerBound, upperBoundPrev } from '../iterator/array-iterator.test-util.js';
import { Skiplist } from './skiplist.js';
import { SkiplistIterator } from './skiplist-iterator.js';

const seed = Number(process.env['SEED'] ?? Date.now() % 2 ** 31);

const keyArb = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }).map((a) => Uint8Array.from(a));
const seqArb = fc.oneof(
  fc.integer({ min: 0, max: 12 }),
  fc.constantFrom(0, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, MAX_SEQ),
);
const valueArb = fc.uint8Array({ maxLength: 40 });
const kindArb = fc.constantFrom(...KINDS);

type Op =
  | { op: 'insert'; key: Uint8Array; seq: number; kind: Kind; value: Uint8Array }
  | { op: 'seek'; key: Uint8Array; seq: number | undefined }
  | { op: 'seekForPrev'; key: Uint8Array; seq: number | undefined }
  | { op: 'first' | 'last' | 'next' | 'prev' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('insert' as const), key: keyArb, seq: seqArb, kind: kindArb, value: valueArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('seek' as const), key: keyArb, seq: fc.option(seqArb, { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('seekForPrev' as const), key: keyArb, seq: fc.option(seqArb, { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('first' as const, 'last' as const) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('next' as const, 'prev' as const) }) },
);

/** The sorted-array model: one entry per (key, seq), the later insert wins. */
function modelInsert(model: Entry[], entry: Entry): void {
  const index = lowerBound(model, entry.key, entry.seq);
  const existing = model[index];
  if (existing !== undefined && existing.seq === entry.seq && compareEntries({ ...existing, kind: 0 }, { ...entry, kind: 0 }) === 0) {
    model[index] = entry;
  } else {
    model.splice(index, 0, entry);
  }
}

function expectAt(iterator: SkiplistIterator, model: readonly Entry[], index: number): void {
  const entry = model[index];
  if (entry === undefined) {
    expect(iterator.valid()).toBe(false);
    return;
  }
  expect(iterator.valid()).toBe(true);
  expect(iterator.key()).toEqual(entry.key);
  expect(iterator.seq()).toBe(entry.seq);
  expect(iterator.kind()).toBe(entry.kind);
  expect(iterator.value()).toEqual(entry.value);
}

describe(`skiplist (seed ${seed})`, () => {
  it('matches a sorted-array model under random inserts, seeks and steps', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 200 }), fc.integer(), (ops, heightSeed) => {
        const list = new Skiplist({ seed: heightSeed, initialBytes: 1024 });
        const iterator = new SkiplistIterator(list);
        const model: Entry[] = [];
        let position = -1; // model index of the iterator; -1 or model.length = invalid
        let positionEntry: Entry | undefined;
        for (const op of ops) {
          switch (op.op) {
            case 'insert': {
              const isNew = list.insert(op.key, op.seq, op.kind, op.value);
              const before = model.length;
              modelInsert(model, { key: op.key, seq: op.seq, kind: op.kind, value: op.value });
              expect(isNew).toBe(model.length > before);
              // the iterator stays on its node; re-find its model index
              position = positionEntry === undefined ? -1 : lowerBound(model, positionEntry.key, positionEntry.seq);
              break;
            }
            case 'seek':
              iterator.seek(op.key, op.seq);
              position = lowerBound(model, op.key, op.seq ?? MAX_SEQ);
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
          expectAt(iterator, model, position);
          positionEntry = iterator.valid() ? model[position] : undefined;
        }
        list.checkInvariants();
        expect(list.size).toBe(model.length);
        const forward: Entry[] = [];
        for (iterator.seekToFirst(); iterator.valid(); iterator.next()) {
          forward.push({ key: iterator.key(), seq: iterator.seq(), kind: iterator.kind(), value: iterator.value() });
        }
        expect(forward).toEqual(model);
        const backward: Entry[] = [];
        for (iterator.seekToLast(); iterator.valid(); iterator.prev()) {
          backward.push({ key: iterator.key(), seq: iterator.seq(), kind: iterator.kind(), value: iterator.value() });
        }
        expect(backward).toEqual([...model].reverse());
      }),
      { seed, numRuns: 300 },
    );
  });

  it('is deterministic for a seed: same inserts, same structure', () => {
    const build = (heightSeed: number): number[] => {
      const list = new Skiplist({ seed: heightSeed });
      for (let i = 0; i < 500; i++) list.insert(Uint8Array.of(i % 7, i & 0xff), i, Kind.VALUE, Uint8Array.of(0, i & 0xff));
      list.checkInvariants();
      const handles: number[] = [];
      for (let node = list.first(); node !== 0; node = list.nextOf(node)) handles.push(node);
      handles.push(list.usedBytes);
      return handles;
    };
    expect(build(1)).toEqual(build(1));
    expect(build(1)).not.toEqual(build(2)); // heights differ, so node sizes and handles differ
  });

  it('keeps views handed out before the pool grows, and big values', () => {
    const list = new Skiplist({ initialBytes: 1024 });
    const big = new Uint8Array(100_000).map((_, i) => i & 0xff);
    list.insert(Uint8Array.of(1), 1, Kind.VALUE, Uint8Array.of(0, 42));
    const firstKey = list.keyOf(list.first());
    const firstValue = list.valueOf(list.first());
    for (let i = 0; i < 2000; i++) list.insert(Uint8Array.of(2, i >> 8, i & 0xff), i + 2, Kind.VALUE, Uint8Array.of(0, i & 0xff));
    list.insert(Uint8Array.of(3), 5000, Kind.VALUE, big);
    expect(list.reservedBytes).toBeGreaterThan(100_000);
    expect(firstKey).toEqual(Uint8Array.of(1));
    expect(firstValue).toEqual(Uint8Array.of(0, 42));
    expect(equalBytes(list.valueOf(list.last()), big)).toBe(true);
    expect(list.size).toBe(2002);
    expect(list.keyValueByteCount).toBe(1 + 2 + 2000 * 5 + 1 + big.length);
    list.checkInvariants();
  });

  it('copies the caller bytes and replaces a (key, seq) in place', () => {
    const list = new Skiplist();
    const key = Uint8Array.of(7, 7);
    const value = Uint8Array.of(0, 1, 2);
    expect(list.insert(key, 9, Kind.VALUE, value)).toBe(true);
    key.fill(0);
    value.fill(0);
    const node = list.findGreaterOrEqual(Uint8Array.of(7, 7), 9);
    expect(list.keyOf(node)).toEqual(Uint8Array.of(7, 7));
    expect(list.valueOf(node)).toEqual(Uint8Array.of(0, 1, 2));
    const oldView = list.valueOf(node);
    expect(list.insert(Uint8Array.of(7, 7), 9, Kind.DELETE, new Uint8Array(0))).toBe(false);
    expect(list.size).toBe(1);
    expect(list.kindOf(node)).toBe(Kind.DELETE);
    expect(list.valueOf(node)).toEqual(new Uint8Array(0));
    expect(oldView).toEqual(Uint8Array.of(0, 1, 2)); // a replacement never overwrites bytes
  });

  it('an iterator sees entries inserted after its position', () => {
    const list = new Skiplist();
    const iterator = new SkiplistIterator(list);
    list.insert(Uint8Array.of(1), 1, Kind.VALUE, Uint8Array.of(0));
    list.insert(Uint8Array.of(5), 1, Kind.VALUE, Uint8Array.of(0));
    iterator.seekToFirst();
    list.insert(Uint8Array.of(3), 1, Kind.VALUE, Uint8Array.of(0));
    list.insert(Uint8Array.of(1), 0, Kind.VALUE, Uint8Array.of(0)); // older version of key 1
    iterator.next();
    expect([...iterator.key()]).toEqual([1]);
    expect(iterator.seq()).toBe(0);
    iterator.next();
    expect([...iterator.key()]).toEqual([3]);
    iterator.prev();
    iterator.prev();
    expect(iterator.seq()).toBe(1);
    iterator.prev();
    expect(iterator.valid()).toBe(false);
  });

  it('handles the empty list and rejects bad seqs and steps on an invalid iterator', () => {
    const list = new Skiplist();
    const iterator = new SkiplistIterator(list);
    for (const position of [() => iterator.seekToFirst(), () => iterator.seekToLast(), () => iterator.seek(Uint8Array.of(1)), () => iterator.seekForPrev(Uint8Array.of(1))]) {
      position();
      expect(iterator.valid()).toBe(false);
    }
    expect(() => iterator.next()).toThrow(BugError);
    expect(() => iterator.key()).toThrow(BugError);
    expect(() => list.insert(Uint8Array.of(1), -1, Kind.VALUE, Uint8Array.of(0))).toThrow(BugError);
    expect(() => list.insert(Uint8Array.of(1), 1.5, Kind.VALUE, Uint8Array.of(0))).toThrow(BugError);
    expect(() => list.insert(Uint8Array.of(1), MAX_SEQ + 1, Kind.VALUE, Uint8Array.of(0))).toThrow(BugError);
    list.insert(new Uint8Array(0), MAX_SEQ, Kind.VALUE, new Uint8Array(0)); // empty key and value are storable
    iterator.seekToFirst();
    expect(iterator.key().length).toBe(0);
    expect(iterator.seq()).toBe(MAX_SEQ);
  });

  it('appends in key order take the tail fast path and stay ordered', () => {
    const list = new Skiplist({ seed: 3 });
    for (let i = 0; i < 5000; i++) {
      const key = new Uint8Array(4);
      new DataView(key.buffer).setUint32(0, i);
      list.insert(key, 10, Kind.VALUE, Uint8Array.of(0));
      list.insert(key, 5, Kind.VALUE, Uint8Array.of(0)); // older version after it: also an append
    }
    list.checkInvariants();
    expect(list.size).toBe(10_000);
    const node = list.findGreaterOrEqual(Uint8Array.of(0, 0, 0x10, 0), 7);
    expect([...list.keyOf(node)]).toEqual([0, 0, 0x10, 0]);
    expect(list.seqOf(node)).toBe(5);
  });
});
