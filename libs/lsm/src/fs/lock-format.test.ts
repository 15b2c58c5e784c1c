/**
 * Goal: the LOCK record encodes to fixed bytes, round-trips, and its decoder returns a record or
 * throws CorruptionError for any input (RELIABILITY T1, T2, D8).
 * Method: a golden hex fixture (testdata/fs/lock-record-v1.hex), a fast-check round trip, and a
 * fuzz of random bytes, mutated valid records and hand-picked near misses.
 */

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CorruptionError } from '../errors.js';
import { fromHex, toHex, utf8 } from '../codec/bytes.js';
import { decodeLockRecord, encodeLockRecord, LOCK_FILE_BYTES_MAX } from './lock-format.js';
import type { LockRecord } from './lock-format.js';
import { propertyRuns } from '../testing/tier.test-util.js';

const seed = Number(process.env['SEED'] ?? Date.now());
const golden = new URL('../../testdata/fs/lock-record-v1.hex', import.meta.url);

const example: LockRecord = {
  pid: 4242,
  startedAt: 'linux:0f3c9a52-1111-4222-8333-944455556666:123456',
  host: 'build-01',
  nonce: '0123456789abcdef',
  createdAtMs: 1_700_000_000_000,
};

const recordArbitrary = fc.record({
  pid: fc.integer({ min: 1, max: 0x7fffffff }),
  startedAt: fc.option(fc.string({ maxLength: 255 }), { nil: null }),
  host: fc.string({ maxLength: 255 }),
  nonce: fc.stringMatching(/^[0-9a-f]{16,64}$/),
  createdAtMs: fc.integer({ min: 0, max: 2 ** 45 }),
});

function decodesOrCorruption(bytes: Uint8Array): void {
  try {
    decodeLockRecord(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(CorruptionError);
    expect((error as CorruptionError).file).toBe('LOCK');
  }
}

describe('lock-format', () => {
  it('encodes the golden bytes', () => {
    const hex = readFileSync(golden, 'utf8').trim();
    expect(toHex(encodeLockRecord(example))).toBe(hex);
    expect(decodeLockRecord(fromHex(hex))).toEqual(example);
    expect(new TextDecoder().decode(fromHex(hex))).toBe(
      '{"format":"lsm-lock","version":1,"pid":4242,"startedAt":"linux:0f3c9a52-1111-4222-8333-944455556666:123456",' +
        '"host":"build-01","nonce":"0123456789abcdef","createdAtMs":1700000000000}\n',
    );
  });

  it(`round-trips (seed ${seed})`, () => {
    fc.assert(
      fc.property(recordArbitrary, (record) => {
        expect(decodeLockRecord(encodeLockRecord(record))).toEqual(record);
      }),
      { seed, numRuns: propertyRuns(1000) },
    );
  });

  it('rejects near misses with CorruptionError', () => {
    const valid = JSON.parse(new TextDecoder().decode(encodeLockRecord(example))) as Record<string, unknown>;
    const variants: unknown[] = [
      { ...valid, format: 'lsm-lok' }, { ...valid, version: 2 }, { ...valid, pid: 0 }, { ...valid, pid: 1.5 },
      { ...valid, pid: '12' }, { ...valid, pid: 2 ** 31 }, { ...valid, startedAt: 5 }, { ...valid, host: null },
      { ...valid, host: 'h'.repeat(256) }, { ...valid, nonce: 'ABCDEF0123456789' }, { ...valid, nonce: 'abc' },
      { ...valid, createdAtMs: -1 }, { ...valid, createdAtMs: 1e300 }, [], null, 7, 'LOCK',
      Object.fromEntries(Object.entries(valid).filter(([key]) => key !== 'nonce')),
    ];
    for (const variant of variants) {
      expect(() => decodeLockRecord(utf8(JSON.stringify(variant))), JSON.stringify(variant)).toThrow(CorruptionError);
    }
    expect(() => decodeLockRecord(new Uint8Array(0))).toThrow(/empty LOCK/);
    expect(() => decodeLockRecord(new Uint8Array(LOCK_FILE_BYTES_MAX + 1).fill(32))).toThrow(/too long/);
    expect(() => decodeLockRecord(utf8('{"__proto__":{"format":"lsm-lock"}}'))).toThrow(CorruptionError);
  });

  it(`fuzz: random and mutated bytes decode or throw CorruptionError (seed ${seed})`, () => {
    const valid = encodeLockRecord(example);
    const mutated = fc
      .array(fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })), { maxLength: 4 })
      .chain((edits) =>
        fc.nat({ max: valid.length }).map((cut) => {
          const copy = valid.slice(0, Math.max(cut, 1));
          for (const [index, value] of edits) if (index < copy.length) copy[index] = value;
          return copy;
        }),
      );
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), mutated), decodesOrCorruption), {
      seed,
      numRuns: propertyRuns(2000),
    });
  });
});
