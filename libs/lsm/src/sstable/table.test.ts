/**
 * Goal: a table written by TableBuilder reads back exactly through TableReader (get, iterators
 * in both directions, properties, verify), output is chunked and synced, misuse is a BugError,
 * and the file bytes are frozen (golden fixture).
 * Method: seeded random versions (seed printed) with random block sizes, restart intervals and
 * bloom settings, compared with a sorted-array model; testdata/sstable/small-table-v1.hex.
 */

import * as fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BugError } from '../assert.js';
import { equalBytes, fromHex, toHex, utf8 } from '../codec/bytes.js';
import { CorruptionError, IoError } from '../errors.js';
import { Kind, MAX_SEQ, encodeInternalKey } from '../keys/internal-key.js';
import { encodeStoredValue, encodeValuePointer } from '../keys/value-format.js';
import { BlockCache } from './block-cache.js';
import { TableBuilder } from './table-builder.js';
import { TableReader } from './table-reader.js';
import {
  MemReadableFile, MemWritableFile, type TestEntry, buildTable, compareWithModel, entriesHex, makeRng,
  openTable, pickUserKey, randomEntries, scanBackward, scanForward,
} from './test-files.test-util.js';

const seed = Number(process.env['SEED'] ?? Date.now());
console.log(`table.test.ts seed=${seed}`);
const GOLDEN_PATH = new URL('../../testdata/sstable/small-table-v1.hex', import.meta.url);

/** Newest version of `key` with seq <= `seq` in the model. */
function modelGet(entries: readonly TestEntry[], key: Uint8Array, seq: number): TestEntry | undefined {
  return entries.find((e) => equalBytes(e.key, key) && e.seq <= seq);
}

const optionsArbitrary = fc.record({
  blockBytes: fc.integer({ min: 64, max: 2048 }),
  blockRestartInterval: fc.integer({ min: 1, max: 16 }),
  bloomBitsPerKey: fc.constantFrom(0, 4, 10),
});

describe('table', () => {
  it(`round-trips random tables: scans, properties, verify (seed ${seed})`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 400 }), optionsArbitrary, async (s, count, options) => {
        const entries = randomEntries(makeRng(s), count);
        const { bytes, finished } = await buildTable(entries, options);
        const reader = openTable(bytes);
        expect(entriesHex(scanForward(reader.newIterator()))).toEqual(entriesHex(entries));
        expect(entriesHex(scanBackward(reader.newIterator()))).toEqual(entriesHex(entries).reverse());
        expect(finished.fileBytes).toBe(bytes.length);
        expect(reader.properties.entryCount).toBe(entries.length);
        expect(reader.properties.deletionCount).toBe(entries.filter((e) => e.kind === Kind.DELETE).length);
        expect(reader.properties.valuePointerCount).toBe(entries.filter((e) => e.kind === Kind.VALUE_POINTER).length);
        const first = entries[0] as TestEntry;
        const last = entries[entries.length - 1] as TestEntry;
        expect(toHex(reader.properties.smallestKey)).toBe(toHex(encodeInternalKey(first.key, first.seq, first.kind)));
        expect(toHex(reader.properties.largestKey)).toBe(toHex(encodeInternalKey(last.key, last.seq, last.kind)));
        expect(reader.properties.minSeq).toBe(Math.min(...entries.map((e) => e.seq)));
        expect(reader.properties.maxSeq).toBe(Math.max(...entries.map((e) => e.seq)));
        expect(reader.verify()).toEqual([]);
      }),
      { seed, numRuns: 150 },
    );
  });

  it(`iterator matches the model under random operations across blocks (seed ${seed})`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 300 }), optionsArbitrary, async (s, count, options) => {
        const rng = makeRng(s);
        const entries = randomEntries(rng, count);
        const reader = openTable((await buildTable(entries, options)).bytes);
        const iterator = reader.newIterator();
        expect(compareWithModel(iterator, entries, rng, 300)).toBeUndefined();
        iterator.close();
      }),
      { seed, numRuns: 150 },
    );
  });

  it(`get returns the newest version <= seq, undefined when absent (seed ${seed})`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 300 }), optionsArbitrary, async (s, count, options) => {
        const rng = makeRng(s);
        const entries = randomEntries(rng, count);
        const reader = openTable((await buildTable(entries, options)).bytes);
        for (let i = 0; i < 300; i++) {
          const key = pickUserKey(rng, entries);
          const seq = rng() < 0.3 ? MAX_SEQ : Math.floor(rng() * (entries.length + 2));
          const expected = modelGet(entries, key, seq);
          const actual = reader.get(key, seq);
          if (expected === undefined) {
            expect(actual).toBeUndefined();
          } else {
            expect(actual).toBeDefined();
            expect([actual?.seq, actual?.kind, toHex(actual?.value ?? new Uint8Array())]).toEqual([expected.seq, expected.kind, toHex(expected.value)]);
          }
        }
      }),
      { seed, numRuns: 100 },
    );
  });

  it('buffers output into large appends and syncs once at finish', async () => {
    const entries = randomEntries(makeRng(seed), 20_000, 60);
    const { bytes, file, finished } = await buildTable(entries);
    expect(bytes.length).toBeGreaterThan(500_000);
    expect(file.appendCount).toBeLessThanOrEqual(Math.ceil(bytes.length / (64 * 1024)) + 2);
    expect(file.syncCount).toBe(1);
    expect(file.syncedBytes).toBe(bytes.length);
    expect(finished.dataBlockCount).toBeGreaterThan(100);
    const builder = new TableBuilder(new MemWritableFile('/e.sst'));
    expect(builder.estimatedBytes).toBeGreaterThan(0);
  });

  it('asserts internal key order and non-empty tables', async () => {
    const builder = new TableBuilder(new MemWritableFile('/x.sst'));
    builder.add(utf8('b'), 5, Kind.VALUE, fromHex('00'));
    expect(() => builder.add(utf8('a'), 9, Kind.VALUE, fromHex('00'))).toThrow(BugError);
    expect(() => builder.add(utf8('b'), 5, Kind.VALUE, fromHex('00'))).toThrow(BugError);
    expect(() => builder.add(utf8('b'), 6, Kind.VALUE, fromHex('00'))).toThrow(BugError);
    builder.add(utf8('b'), 4, Kind.DELETE, new Uint8Array(0));
    expect(() => builder.add(utf8('c'), 1, Kind.DELETE, fromHex('00'))).toThrow(BugError);
    await expect(new TableBuilder(new MemWritableFile('/y.sst')).finish()).rejects.toThrow(BugError);
  });

  it('rethrows an append failure from finish and every later call', async () => {
    const file = new MemWritableFile('/fail.sst');
    const builder = new TableBuilder(file);
    builder.add(utf8('a'), 1, Kind.VALUE, fromHex('0001'));
    const failure = Object.assign(new Error('disk full'), { code: 'ENOSPC' });
    file.failNextAppend = failure;
    await expect(builder.finish()).rejects.toBe(failure);
    expect(file.syncCount).toBe(0);
    await expect(builder.finish()).rejects.toBe(failure);
  });

  it('records value-pointer bytes and creation info in the properties', async () => {
    const pointer = encodeStoredValue(encodeValuePointer({ fileNumber: 3, offset: 100, length: 5000 }), 0, 0);
    const entries: TestEntry[] = [
      { key: utf8('a'), seq: 4, kind: Kind.VALUE_POINTER, value: pointer },
      { key: utf8('b'), seq: 2, kind: Kind.VALUE, value: encodeStoredValue(utf8('hello'), 1_700_000_000_000, 7) },
      { key: utf8('c'), seq: 3, kind: Kind.VALUE_POINTER, value: pointer },
    ];
    const { finished } = await buildTable(entries, { createdAtMs: 1234, creator: 'flush' });
    expect(finished.valuePointerBytes).toBe(10_000);
    expect(finished.rawKeyBytes).toBe(3 * 9);
    const reader = openTable((await buildTable(entries, { createdAtMs: 1234, creator: 'flush' })).bytes);
    expect(reader.properties.createdAtMs).toBe(1234);
    expect(reader.properties.creator).toBe('flush');
    expect(reader.properties.valuePointerBytes).toBe(10_000);
  });

  it('reads index, filter and data blocks through the block cache', async () => {
    const entries = randomEntries(makeRng(seed), 500);
    const { bytes } = await buildTable(entries, { blockBytes: 256 });
    const cache = new BlockCache(1 << 20);
    const file = new MemReadableFile('/c.sst', bytes);
    const reader = TableReader.open(file, 7, cache);
    const readsAfterOpen = file.readCount;
    const target = entries[100] as TestEntry;
    expect(reader.get(target.key)?.seq).toBe(modelGet(entries, target.key, MAX_SEQ)?.seq);
    expect(cache.blockCount).toBe(3); // filter, index, one data block
    const reads = file.readCount;
    expect(reads).toBe(readsAfterOpen + 3);
    reader.get(target.key);
    expect(file.readCount).toBe(reads);
    expect(cache.hits).toBeGreaterThanOrEqual(3);
  });

  it('wraps read failures in IoError', async () => {
    const { bytes } = await buildTable(randomEntries(makeRng(seed), 50));
    const file = new MemReadableFile('/io.sst', bytes);
    const reader = TableReader.open(file, 1, new BlockCache(1 << 20));
    file.failReads = Object.assign(new Error('EIO'), { code: 'EIO' });
    const error = catchError(() => reader.get(utf8('a')));
    if (error !== undefined) {
      expect(error).toBeInstanceOf(IoError);
      expect((error as IoError).errno).toBe('EIO');
    }
    expect(() => reader.newIterator().seekToFirst()).toThrow(IoError);
  });

  it('rejects files that are too short or not tables', () => {
    expect(() => openTable(new Uint8Array(10))).toThrow(CorruptionError);
    expect(() => openTable(new Uint8Array(200))).toThrow(/magic/);
  });

  it('matches the golden fixture testdata/sstable/small-table-v1.hex', async () => {
    const { bytes } = await buildTable(goldenEntries(), { blockBytes: 64, blockRestartInterval: 2, createdAtMs: 1_700_000_000_000, creator: 'golden' });
    const hex = toHex(bytes).replace(/(.{64})/g, '$1\n').trim() + '\n';
    if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(GOLDEN_PATH, hex);
    const golden = readFileSync(GOLDEN_PATH, 'utf8');
    expect(hex).toBe(golden);
    const reader = openTable(fromHex(golden));
    expect(entriesHex(scanForward(reader.newIterator()))).toEqual(entriesHex(goldenEntries()));
    expect(reader.verify()).toEqual([]);
  });
});

export function goldenEntries(): TestEntry[] {
  const value = (text: string): Uint8Array => encodeStoredValue(utf8(text), 0, 0);
  return [
    { key: utf8('apple'), seq: 3, kind: Kind.VALUE, value: value('red') },
    { key: utf8('apple'), seq: 2, kind: Kind.DELETE, value: new Uint8Array(0) },
    { key: utf8('apricot'), seq: 7, kind: Kind.VALUE, value: value('orange') },
    { key: utf8('banana'), seq: 5, kind: Kind.VALUE_POINTER, value: encodeStoredValue(encodeValuePointer({ fileNumber: 2, offset: 4096, length: 300 }), 0, 0) },
    { key: utf8('blueberry'), seq: 9, kind: Kind.VALUE, value: value('blue') },
    { key: utf8('cherry'), seq: 1, kind: Kind.VALUE, value: value('dark red') },
  ];
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error;
  }
}
