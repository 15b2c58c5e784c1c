// Goal: Memtable.get returns the newest version at or below a read seq (tombstones included),
// the iterator yields exactly the added versions in internal order, the accounting fields are
// right, and a frozen memtable refuses writes. Method: a Map-of-versions model driven by random
// adds and gets (fast-check, seed printed), plus examples for the edges.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BugError } from '../assert.js';
import { toHex } from '../codec/bytes.js';
import type { Kind } from '../keys/internal-key.js';
import { Kind as Kinds, MAX_SEQ } from '../keys/internal-key.js';
import { encodeStoredValue } from '../keys/value-format.js';
import { KINDS } from '../iterator/array-iterator.test-util.js';
import { Memtable } from './memtable.js';

const seed = Number(process.env['SEED'] ?? Date.now() % 2 ** 31);

interface Version {
  seq: number;
  kind: Kind;
  value: Uint8Array;
}

const keyArb = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }).map((a) => Uint8Array.from(a));
const addArb = fc.record({
  key: keyArb,
  seq: fc.integer({ min: 0, max: 30 }),
  kind: fc.constantFrom(...KINDS),
  payload: fc.uint8Array({ maxLength: 20 }),
});

describe(`memtable (seed ${seed})`, () => {
  it('get returns the newest version <= seq, like a model of versions per key', () => {
    fc.assert(
      fc.property(
        fc.array(addArb, { maxLength: 150 }),
        fc.array(fc.record({ key: keyArb, seq: fc.integer({ min: 0, max: 35 }) }), { maxLength: 60 }),
        (adds, gets) => {
          const memtable = new Memtable({ seed: 11, initialBytes: 1024 });
          const model = new Map<string, Map<number, Version>>();
          for (const add of adds) {
            const value = add.kind === Kinds.DELETE ? new Uint8Array(0) : encodeStoredValue(add.payload, 0, 0);
            memtable.add(add.key, add.seq, add.kind, value);
            const versions = model.get(toHex(add.key)) ?? new Map<number, Version>();
            versions.set(add.seq, { seq: add.seq, kind: add.kind, value }); // the later add wins
            model.set(toHex(add.key), versions);
          }
          for (const get of [...gets, ...adds.map((a) => ({ key: a.key, seq: a.seq }))]) {
            const versions = [...(model.get(toHex(get.key))?.values() ?? [])].filter((v) => v.seq <= get.seq);
            versions.sort((a, b) => b.seq - a.seq);
            expect(memtable.get(get.key, get.seq)).toEqual(versions[0]);
          }
          let count = 0;
          for (const versions of model.values()) count += versions.size;
          expect(memtable.entryCount).toBe(count);
          expect(memtable.isEmpty).toBe(count === 0);
          memtable.checkInvariants();
          // the iterator yields every version once, in internal order
          const iterator = memtable.newIterator();
          const seen: string[] = [];
          for (iterator.seekToFirst(); iterator.valid(); iterator.next()) seen.push(`${toHex(iterator.key())}/${iterator.seq()}`);
          const expected = [...model.entries()]
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .flatMap(([key, versions]) => [...versions.keys()].sort((a, b) => b - a).map((s) => `${key}/${s}`));
          expect(seen).toEqual(expected);
        },
      ),
      { seed, numRuns: 200 },
    );
  });

  it('tracks min and max seq, counts and bytes', () => {
    const memtable = new Memtable({ walNumber: 12 });
    expect(memtable.walNumber).toBe(12);
    expect(memtable.isEmpty).toBe(true);
    expect([memtable.minSeq, memtable.maxSeq, memtable.entryCount]).toEqual([0, 0, 0]);
    const empty = memtable.approximateBytes;
    memtable.add(Uint8Array.of(1, 2, 3), 50, Kinds.VALUE, encodeStoredValue(Uint8Array.of(9, 9), 0, 0));
    memtable.add(Uint8Array.of(1, 2, 3), 40, Kinds.DELETE, new Uint8Array(0));
    memtable.add(Uint8Array.of(0), 70, Kinds.VALUE_POINTER, Uint8Array.of(0, 1, 2, 3));
    expect([memtable.minSeq, memtable.maxSeq, memtable.entryCount]).toEqual([40, 70, 3]);
    expect(memtable.keyValueBytes).toBe(3 + 3 + 3 + 0 + 1 + 4);
    // measured: node headers (28 bytes) + links + key/value bytes, padded
    expect(memtable.approximateBytes - empty).toBeGreaterThanOrEqual(3 * 32 + memtable.keyValueBytes);
    expect(memtable.approximateBytes - empty).toBeLessThanOrEqual(3 * (28 + 12 * 4 + 3) + memtable.keyValueBytes);
    expect(memtable.reservedBytes).toBeGreaterThanOrEqual(memtable.approximateBytes);
    expect(memtable.get(Uint8Array.of(1, 2, 3), MAX_SEQ)?.seq).toBe(50);
    expect(memtable.get(Uint8Array.of(1, 2, 3), 49)).toEqual({ seq: 40, kind: Kinds.DELETE, value: new Uint8Array(0) });
    expect(memtable.get(Uint8Array.of(1, 2, 3), 39)).toBeUndefined();
    expect(memtable.get(Uint8Array.of(1, 2), MAX_SEQ)).toBeUndefined();
    expect(memtable.get(Uint8Array.of(1, 2, 3, 0), MAX_SEQ)).toBeUndefined();
  });

  it('copies what it is given; returned values never change', () => {
    const memtable = new Memtable();
    const key = Uint8Array.of(5);
    const value = encodeStoredValue(Uint8Array.of(1, 2), 0, 0);
    memtable.add(key, 1, Kinds.VALUE, value);
    const before = memtable.get(Uint8Array.of(5), 1);
    key[0] = 6;
    value.fill(0xff);
    for (let i = 0; i < 5000; i++) memtable.add(Uint8Array.of(7, i & 0xff, i >> 8), i + 2, Kinds.VALUE, value); // pool grows
    expect(memtable.get(Uint8Array.of(5), 1)?.value).toEqual(encodeStoredValue(Uint8Array.of(1, 2), 0, 0));
    expect(before?.value).toEqual(encodeStoredValue(Uint8Array.of(1, 2), 0, 0));
    expect(memtable.get(Uint8Array.of(6), 1)).toBeUndefined();
  });

  it('refuses adds after freeze, still serves reads; rejects malformed adds', () => {
    const memtable = new Memtable();
    memtable.add(Uint8Array.of(1), 1, Kinds.VALUE, Uint8Array.of(0, 7));
    const iterator = memtable.newIterator();
    memtable.freeze();
    memtable.freeze();
    expect(memtable.isFrozen).toBe(true);
    expect(() => memtable.add(Uint8Array.of(2), 2, Kinds.VALUE, Uint8Array.of(0))).toThrow(BugError);
    expect(memtable.get(Uint8Array.of(1), 5)?.value).toEqual(Uint8Array.of(0, 7));
    iterator.seekToLast();
    expect(iterator.valid()).toBe(true);
    const fresh = new Memtable();
    expect(() => fresh.add(Uint8Array.of(1), 1, Kinds.DELETE, Uint8Array.of(0))).toThrow(BugError);
    expect(() => fresh.add(Uint8Array.of(1), 1, 7 as Kind, Uint8Array.of(0))).toThrow(BugError);
    expect(fresh.isEmpty).toBe(true);
  });
});
