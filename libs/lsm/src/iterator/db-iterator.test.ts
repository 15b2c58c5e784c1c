// Goal: the user-facing iterator yields, for a snapshot, each user key once with its newest
// visible version, hides keys whose newest visible version is a tombstone or expired, honours
// [lower, upper), and works in reverse (Badger #436/#347) and after seeks in both directions.
// Method: random versions spread over merged sources (ArrayIterators that scribble stale views,
// and a memtable), random workloads with a clock that moves between steps, each step checked
// against a model computed from the versions (fast-check, seed printed); examples for the edges.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BugError } from '../assert.js';
import { compareBytes, prefixSuccessor, utf8 } from '../codec/bytes.js';
import { CorruptionError } from '../errors.js';
import { Kind, MAX_SEQ } from '../keys/internal-key.js';
import { encodeStoredValue, encodeValuePointer } from '../keys/value-format.js';
import { Memtable } from '../memtable/memtable.js';
import type { Entry } from './array-iterator.test-util.js';
import { ArrayIterator, KINDS, smallKeyArb, sortEntries } from './array-iterator.test-util.js';
import type { DbIteratorOptions } from './db-iterator.js';
import { DbIterator } from './db-iterator.js';
import type { InternalIterator } from './internal-iterator.js';
import { MergingIterator } from './merging-iterator.js';

const seed = Number(process.env['SEED'] ?? Date.now() % 2 ** 31);

interface Version {
  key: Uint8Array;
  seq: number;
  kind: Kind;
  payload: Uint8Array;
  expiresAt: number;
  userMeta: number;
}

interface Seen {
  key: number[];
  seq: number;
  kind: Kind;
  payload: number[];
  expiresAt: number;
  userMeta: number;
}

function stored(version: Version): Uint8Array {
  if (version.kind === Kind.DELETE) return new Uint8Array(0);
  return encodeStoredValue(version.payload, version.expiresAt, version.userMeta);
}

function entryOf(version: Version): Entry {
  return { key: version.key, seq: version.seq, kind: version.kind, value: stored(version) };
}

/** The model: live newest-visible versions in iteration order. */
function visible(versions: readonly Version[], readSeq: number, nowMs: number, options: Partial<DbIteratorOptions>): Version[] {
  const newest = new Map<string, Version>();
  for (const version of versions) {
    if (version.seq > readSeq) continue;
    const id = Array.from(version.key).join('.');
    const current = newest.get(id);
    if (current === undefined || current.seq < version.seq) newest.set(id, version);
  }
  const live = [...newest.values()].filter(
    (v) =>
      v.kind !== Kind.DELETE &&
      !(v.expiresAt !== 0 && v.expiresAt <= nowMs) &&
      (options.lower === undefined || compareBytes(v.key, options.lower) >= 0) &&
      (options.upper === undefined || compareBytes(v.key, options.upper) < 0),
  );
  live.sort((a, b) => compareBytes(a.key, b.key));
  return options.reverse === true ? live.reverse() : live;
}

function seenOf(iterator: DbIterator, keysOnly: boolean): Seen | undefined {
  if (!iterator.valid()) return undefined;
  return {
    key: [...iterator.key()],
    seq: iterator.seq(),
    kind: iterator.kind(),
    payload: keysOnly ? [] : [...iterator.payload()],
    expiresAt: iterator.expiresAt(),
    userMeta: iterator.userMeta(),
  };
}

function expectedOf(version: Version | undefined, keysOnly: boolean): Seen | undefined {
  if (version === undefined) return undefined;
  const { key, seq, kind, payload, expiresAt, userMeta } = version;
  return { key: [...key], seq, kind, payload: keysOnly ? [] : [...payload], expiresAt, userMeta };
}

/** Spreads versions over 1..4 sources (the first may be a memtable), newest-first order not needed. */
function sources(versions: readonly Version[], owners: readonly number[], count: number, withMemtable: boolean): InternalIterator[] {
  const parts: Entry[][] = Array.from({ length: count }, () => []);
  versions.forEach((version, i) => (parts[(owners[i] ?? 0) % count] as Entry[]).push(entryOf(version)));
  return parts.map((part, index) => {
    if (index === 0 && withMemtable) {
      const memtable = new Memtable();
      for (const entry of part) memtable.add(entry.key, entry.seq, entry.kind, entry.value);
      return memtable.newIterator();
    }
    return new ArrayIterator(sortEntries(part));
  });
}

const versionArb = fc.record({
  key: smallKeyArb,
  seq: fc.integer({ min: 1, max: 20 }),
  kind: fc.constantFrom(...KINDS),
  payload: fc.uint8Array({ maxLength: 5 }),
  expiresAt: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 30 })),
  userMeta: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 255 })),
});

type Step = { op: 'start' } | { op: 'seek'; key: Uint8Array } | { op: 'next' };
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ op: 'start' as const }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('seek' as const), key: smallKeyArb }) },
  { weight: 5, arbitrary: fc.constant({ op: 'next' as const }) },
);

describe(`db iterator (seed ${seed})`, () => {
  it('matches the visibility model at random snapshots, clocks, bounds and directions', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(versionArb, { maxLength: 50, selector: (v) => `${Array.from(v.key).join('.')}/${v.seq}` }),
        fc.array(fc.nat(), { maxLength: 50 }),
        fc.record({
          count: fc.integer({ min: 1, max: 4 }),
          withMemtable: fc.boolean(),
          readSeq: fc.integer({ min: 0, max: 22 }),
          lower: fc.option(smallKeyArb, { nil: undefined }),
          upper: fc.option(smallKeyArb, { nil: undefined }),
          reverse: fc.boolean(),
          keysOnly: fc.boolean(),
        }),
        fc.array(fc.tuple(stepArb, fc.integer({ min: 0, max: 3 })), { maxLength: 40 }),
        (versions, owners, config, steps) => {
          let nowMs = 5;
          const options: DbIteratorOptions = {
            readSeq: config.readSeq,
            reverse: config.reverse,
            keysOnly: config.keysOnly,
            nowMs: () => nowMs,
            ...(config.lower === undefined ? {} : { lower: config.lower }),
            ...(config.upper === undefined ? {} : { upper: config.upper }),
          };
          const merged = new MergingIterator(sources(versions, owners, config.count, config.withMemtable));
          const iterator = new DbIterator(merged, options);
          const inOrder = (a: Uint8Array, b: Uint8Array): boolean => (config.reverse ? compareBytes(a, b) > 0 : compareBytes(a, b) < 0);
          for (const [step, tick] of [[{ op: 'start' }, 0] as const, ...steps]) {
            nowMs += tick;
            const model = visible(versions, config.readSeq, nowMs, options);
            let expected: Version | undefined;
            if (step.op === 'start') {
              iterator.seekToStart();
              expected = model[0];
            } else if (step.op === 'seek') {
              iterator.seek(step.key);
              expected = model.find((v) => !inOrder(v.key, step.key));
            } else {
              if (!iterator.valid()) continue;
              const current = iterator.key().slice();
              iterator.next();
              expected = model.find((v) => inOrder(current, v.key));
            }
            expect(seenOf(iterator, config.keysOnly)).toEqual(expectedOf(expected, config.keysOnly));
          }
          iterator.close();
        },
      ),
      { seed, numRuns: 500 },
    );
  });

  it('shows each snapshot its newest visible version; tombstones hide older versions', () => {
    const versions: Version[] = [
      { key: utf8('a'), seq: 1, kind: Kind.VALUE, payload: utf8('a1'), expiresAt: 0, userMeta: 0 },
      { key: utf8('a'), seq: 3, kind: Kind.VALUE, payload: utf8('a3'), expiresAt: 0, userMeta: 0 },
      { key: utf8('a'), seq: 5, kind: Kind.DELETE, payload: new Uint8Array(0), expiresAt: 0, userMeta: 0 },
      { key: utf8('a'), seq: 7, kind: Kind.VALUE, payload: utf8('a7'), expiresAt: 0, userMeta: 0 },
      { key: utf8('b'), seq: 2, kind: Kind.VALUE, payload: utf8('b2'), expiresAt: 0, userMeta: 0 },
    ];
    const expected = ['', 'a=a1', 'a=a1 b=b2', 'a=a3 b=b2', 'a=a3 b=b2', 'b=b2', 'b=b2', 'a=a7 b=b2', 'a=a7 b=b2'];
    for (let readSeq = 0; readSeq <= 8; readSeq++) {
      for (const reverse of [false, true]) {
        const got = scan(versions, { readSeq, reverse, nowMs: () => 0 });
        const want = expected[readSeq] as string;
        expect(got, `readSeq ${readSeq} reverse ${reverse}`).toBe(reverse ? want.split(' ').reverse().join(' ') : want);
      }
    }
  });

  it('hides expired versions with the injected clock and never resurrects older ones', () => {
    const versions: Version[] = [
      { key: utf8('k'), seq: 1, kind: Kind.VALUE, payload: utf8('old'), expiresAt: 0, userMeta: 0 },
      { key: utf8('k'), seq: 2, kind: Kind.VALUE, payload: utf8('new'), expiresAt: 100, userMeta: 7 },
      { key: utf8('m'), seq: 3, kind: Kind.VALUE_POINTER, payload: encodeValuePointer({ fileNumber: 4, offset: 10, length: 99 }), expiresAt: 200, userMeta: 0 },
    ];
    let now = 99;
    const iterator = new DbIterator(new ArrayIterator(sortEntries(versions.map(entryOf))), { readSeq: MAX_SEQ, nowMs: () => now });
    iterator.seekToStart();
    expect([iterator.seq(), iterator.expiresAt(), iterator.userMeta()]).toEqual([2, 100, 7]);
    expect(iterator.payload()).toEqual(utf8('new'));
    now = 100; // expiresAt <= now: expired
    iterator.next();
    expect([iterator.seq(), iterator.kind(), iterator.expiresAt()]).toEqual([3, Kind.VALUE_POINTER, 200]);
    expect(iterator.payload()).toEqual(encodeValuePointer({ fileNumber: 4, offset: 10, length: 99 })); // not resolved
    iterator.seekToStart();
    expect(iterator.seq()).toBe(3); // k's newest version expired; the older one stays hidden
    expect(scan(versions, { readSeq: MAX_SEQ, reverse: true, nowMs: () => 150 })).toBe('m=' + String.fromCharCode(4, 10, 99));
    expect(scan(versions, { readSeq: MAX_SEQ, nowMs: () => 200 })).toBe('');
    expect(scan(versions, { readSeq: 1, nowMs: () => 200 })).toBe('k=old');
  });

  it('iterates a prefix in reverse (Badger #436/#347) and seeks in both directions within bounds', () => {
    const keys = ['a', 'ab', 'ab\u00ff', 'abc', 'ac', 'b'];
    const versions = keys.map((key, i) => ({ key: latin1(key), seq: i + 1, kind: Kind.VALUE, payload: utf8(String(i)), expiresAt: 0, userMeta: 0 }));
    const prefix = utf8('ab');
    const bounds = { lower: prefix, upper: prefixSuccessor(prefix) as Uint8Array };
    expect(scan(versions, { readSeq: 10, reverse: true, nowMs: () => 0, ...bounds })).toBe('ab\u00ff=2 abc=3 ab=1');
    expect(scan(versions, { readSeq: 10, nowMs: () => 0, ...bounds })).toBe('ab=1 abc=3 ab\u00ff=2');
    const reverse = new DbIterator(new ArrayIterator(sortEntries(versions.map(entryOf))), { readSeq: 10, reverse: true, nowMs: () => 0, ...bounds });
    reverse.seek(latin1('ab\u00ff\u00ff')); // <= target
    expect(text(reverse.key())).toBe('ab\u00ff');
    reverse.seek(latin1('abd')); // <= target
    expect(text(reverse.key())).toBe('abc');
    reverse.seek(latin1('zzz')); // clamped to the upper bound
    expect(text(reverse.key())).toBe('ab\u00ff');
    reverse.seek(latin1('ab'));
    expect(text(reverse.key())).toBe('ab');
    reverse.next();
    expect(reverse.valid()).toBe(false);
    reverse.seek(latin1('aa')); // below the lower bound
    expect(reverse.valid()).toBe(false);
    const forward = new DbIterator(new ArrayIterator(sortEntries(versions.map(entryOf))), { readSeq: 10, nowMs: () => 0, ...bounds });
    forward.seek(latin1('a')); // clamped to the lower bound
    expect(text(forward.key())).toBe('ab');
    forward.seek(latin1('abb'));
    expect(text(forward.key())).toBe('abc');
    forward.next();
    expect(text(forward.key())).toBe('ab\u00ff');
    forward.next();
    expect(forward.valid()).toBe(false);
  });

  it('keys-only iteration exposes no values and copies none', () => {
    const versions: Version[] = [{ key: utf8('x'), seq: 1, kind: Kind.VALUE, payload: utf8('value'), expiresAt: 9, userMeta: 3 }];
    for (const reverse of [false, true]) {
      const iterator = new DbIterator(new ArrayIterator(versions.map(entryOf)), { readSeq: 1, reverse, keysOnly: true, nowMs: () => 0 });
      iterator.seekToStart();
      expect([text(iterator.key()), iterator.userMeta(), iterator.expiresAt()]).toEqual(['x', 3, 9]);
      expect(() => iterator.storedValue()).toThrow(BugError);
      expect(() => iterator.payload()).toThrow(BugError);
    }
  });

  it('handles empty sources, reports a bad value header as corruption, and asserts misuse', () => {
    for (const reverse of [false, true]) {
      const empty = new DbIterator(new MergingIterator([]), { readSeq: 5, reverse, nowMs: () => 0 });
      empty.seekToStart();
      expect(empty.valid()).toBe(false);
      empty.seek(utf8('a'));
      expect(empty.valid()).toBe(false);
      expect(() => empty.next()).toThrow(BugError);
      expect(() => empty.key()).toThrow(BugError);
      const bad = new DbIterator(new ArrayIterator([{ key: utf8('k'), seq: 1, kind: Kind.VALUE, value: Uint8Array.of(0x80) }]), {
        readSeq: 5,
        reverse,
        nowMs: () => 0,
      });
      expect(() => bad.seekToStart()).toThrow(CorruptionError);
      const closing = new DbIterator(new ArrayIterator([]), { readSeq: 5, reverse, nowMs: () => 0 });
      closing[Symbol.dispose]();
      closing.close();
      expect(() => closing.seekToStart()).toThrow(BugError);
    }
    expect(() => new DbIterator(new ArrayIterator([]), { readSeq: -1, nowMs: () => 0 })).toThrow(BugError);
  });
});

function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function text(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}

/** "key=payload ..." in iteration order. */
function scan(versions: readonly Version[], options: DbIteratorOptions): string {
  const iterator = new DbIterator(new ArrayIterator(sortEntries(versions.map(entryOf))), options);
  const out: string[] = [];
  for (iterator.seekToStart(); iterator.valid(); iterator.next()) out.push(`${text(iterator.key())}=${text(iterator.payload())}`);
  iterator.close();
  return out.join(' ');
}
