/**
 * Goal: blocks round-trip and their iterator agrees with a sorted-array model in both
 * directions; the encoding is frozen; bad bytes give CorruptionError and nothing else.
 * Method: random sorted versions (seeded, seed printed) → BlockBuilder → checkBlock →
 * BlockIterator; random seek/seekForPrev/next/prev sequences compared with the model; a golden
 * hex block; mutated and random contents fed to the iterator.
 */

import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../codec/bytes.js';
import { CorruptionError } from '../errors.js';
import { Kind, encodeInternalKey } from '../keys/internal-key.js';
import {
  BLOCK_TRAILER_BYTES, checkBlock, decodeBlockHandle, encodeBlockHandle, restartArrayOffset,
} from './block-format.js';
import { BlockBuilder } from './block-builder.js';
import { BlockIterator } from './block-reader.js';
import {
  type TestEntry, compareWithModel, entriesHex, makeRng, randomEntries, scanBackward, scanForward,
} from './test-files.test-util.js';
import { propertyRuns } from '../testing/tier.test-util.js';

const GOLDEN_BLOCK_CRC = '0e704673';
const seed = Number(process.env['SEED'] ?? Date.now());
console.log(`block.test.ts seed=${seed}`);

function buildBlock(entries: readonly TestEntry[], restartInterval: number): Uint8Array {
  const builder = new BlockBuilder(restartInterval);
  for (const e of entries) {
    const key = encodeInternalKey(e.key, e.seq, e.kind);
    builder.add(key, key.length, e.value);
  }
  return builder.finish();
}

function iteratorOver(onDisk: Uint8Array, file = 'test.sst', fileOffset = 0): BlockIterator {
  const contents = checkBlock(onDisk, onDisk.length - BLOCK_TRAILER_BYTES, file, fileOffset);
  const iterator = new BlockIterator();
  iterator.reset(contents, file, fileOffset);
  return iterator;
}

describe('block', () => {
  it(`round-trips random entries forward and backward (seed ${seed})`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 120 }), (s, interval, count) => {
        const entries = randomEntries(makeRng(s), count);
        const iterator = iteratorOver(buildBlock(entries, interval));
        expect(entriesHex(scanForward(iterator))).toEqual(entriesHex(entries));
        expect(entriesHex(scanBackward(iterator))).toEqual(entriesHex(entries).reverse());
      }),
      { seed, numRuns: propertyRuns(300) },
    );
  });

  it(`matches the sorted-array model under random seek/seekForPrev/next/prev (seed ${seed})`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 17 }), fc.integer({ min: 1, max: 150 }), (s, interval, count) => {
        const rng = makeRng(s);
        const entries = randomEntries(rng, count);
        const iterator = iteratorOver(buildBlock(entries, interval));
        expect(compareWithModel(iterator, entries, rng, 200)).toBeUndefined();
      }),
      { seed, numRuns: propertyRuns(300) },
    );
  });

  it('keeps views of values valid after repositioning, and key() after the next call changes', () => {
    const entries = randomEntries(makeRng(seed), 50);
    const iterator = iteratorOver(buildBlock(entries, 4));
    iterator.seekToFirst();
    const firstValue = iterator.value();
    const firstValueHex = toHex(firstValue);
    iterator.seekToLast();
    expect(toHex(firstValue)).toBe(firstValueHex);
  });

  it('matches the golden bytes of a small block', () => {
    const entries: TestEntry[] = [
      { key: utf8('apple'), seq: 3, kind: Kind.VALUE, value: fromHex('0078') },
      { key: utf8('apple'), seq: 2, kind: Kind.DELETE, value: new Uint8Array(0) },
      { key: utf8('apricot'), seq: 7, kind: Kind.VALUE, value: fromHex('00797a') },
    ];
    const golden =
      '000d02' + '6170706c65' + '0000000000000301' + '0078' + // apple@3 VALUE, restart 0
      '0b0200' + '0200' + // apple@2 DELETE: 11 bytes shared, trailer tail 02 00
      '000f03' + '61707269636f74' + '0000000000000701' + '00797a' + // apricot@7, restart 1
      '00000000' + '17000000' + '02000000' + // restarts [0, 23], count 2
      '00' + 'CRC'; // compression none, masked crc32c
    const block = buildBlock(entries, 2);
    const crc = toHex(block.subarray(block.length - 4));
    expect(toHex(block)).toBe(golden.replace('CRC', crc));
    expect(crc).toBe(GOLDEN_BLOCK_CRC);
    expect(entriesHex(scanForward(iteratorOver(block)))).toEqual(entriesHex(entries));
  });

  it('encodes and decodes block handles, rejecting bad ones', () => {
    const handle = { offset: 123_456_789_012, size: 4096 };
    const bytes = encodeBlockHandle(handle);
    expect(decodeBlockHandle(bytes, 0, bytes.length, 'f', 0)).toEqual(handle);
    expect(() => decodeBlockHandle(bytes, 0, bytes.length - 1, 'f', 10)).toThrow(CorruptionError);
    const padded = new Uint8Array([...bytes, 0]);
    expect(() => decodeBlockHandle(padded, 0, padded.length, 'f', 10)).toThrow(/trailing bytes/);
  });

  it('reports checksum mismatches and bad restart arrays with file and absolute offset', () => {
    const block = buildBlock(randomEntries(makeRng(seed), 10), 3);
    const flipped = block.slice();
    flipped[5] = (flipped[5] as number) ^ 0x10;
    const error = catchError(() => checkBlock(flipped, flipped.length - BLOCK_TRAILER_BYTES, 'x.sst', 4000));
    expect(error).toBeInstanceOf(CorruptionError);
    expect((error as CorruptionError).file).toBe('x.sst');
    expect((error as CorruptionError).offset).toBe(4000);
    expect(() => checkBlock(block.subarray(0, 10), block.length - BLOCK_TRAILER_BYTES, 'x.sst', 0)).toThrow(/truncated/);
    expect(() => restartArrayOffset(new Uint8Array([1, 2]), 'x.sst', 0)).toThrow(CorruptionError);
    expect(() => restartArrayOffset(new Uint8Array([0, 0, 0, 0]), 'x.sst', 0)).toThrow(/restart count/);
    expect(() => restartArrayOffset(new Uint8Array([9, 0, 0, 0]), 'x.sst', 0)).toThrow(/restart count/);
  });

  it(`decoding mutated or random contents throws only CorruptionError (seed ${seed})`, () => {
    const rng = makeRng(seed);
    const valid = buildBlock(randomEntries(rng, 60), 5);
    const contentsBytes = valid.length - BLOCK_TRAILER_BYTES;
    let corruptions = 0;
    for (let run = 0; run < 3000; run++) {
      let contents: Uint8Array;
      if (run % 3 === 0) {
        contents = new Uint8Array(Math.floor(rng() * 80));
        for (let i = 0; i < contents.length; i++) contents[i] = Math.floor(rng() * 256);
      } else {
        contents = valid.slice(0, contentsBytes);
        const flips = 1 + Math.floor(rng() * 4);
        for (let f = 0; f < flips; f++) contents[Math.floor(rng() * contents.length)] = Math.floor(rng() * 256);
        if (run % 3 === 2) contents = contents.subarray(0, Math.floor(rng() * contents.length));
      }
      const error = catchError(() => exerciseUnchecked(contents, rng));
      if (error !== undefined) {
        expect(error).toBeInstanceOf(CorruptionError);
        corruptions++;
      }
    }
    expect(corruptions).toBeGreaterThan(0);
  });
});

/** Drives an iterator over unchecked contents (as if a checksum collided) with every operation. */
function exerciseUnchecked(contents: Uint8Array, rng: () => number): void {
  const iterator = new BlockIterator();
  iterator.reset(contents, 'fuzz.sst', 100);
  let steps = 0;
  for (iterator.seekToFirst(); iterator.valid() && steps < 500; iterator.next()) {
    iterator.key();
    iterator.seq();
    iterator.value();
    steps++;
  }
  steps = 0;
  for (iterator.seekToLast(); iterator.valid() && steps < 500; iterator.prev()) steps++;
  const key = new Uint8Array(Math.floor(rng() * 4)).map(() => 0x61 + Math.floor(rng() * 3));
  iterator.seek(key);
  iterator.seekForPrev(key, 5);
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error;
  }
}
