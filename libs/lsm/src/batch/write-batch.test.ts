// Goal: a write batch round-trips, keeps its bytes (golden file), is applied only with a valid
// commit marker (D6), and its decoder turns any malformed input into CorruptionError (D8).
// Method: fast-check round-trip and fuzz properties (seeded), exhaustive truncation and flips.
import { readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../codec/bytes.js';
import { BugError } from '../assert.js';
import { crc32c, maskCrc } from '../codec/crc32c.js';
import { putFixed32 } from '../codec/fixed.js';
import { CorruptionError } from '../errors.js';
import { Kind } from '../keys/internal-key.js';
import { encodeStoredValue, encodeValuePointer } from '../keys/value-format.js';
import {
  BATCH_OVERHEAD_BYTES,
  decodeWriteBatch,
  encodeWriteBatch,
  writeBatchBytes,
  type BatchEntry,
} from './write-batch-format.js';
import { WriteBatchBuilder } from './write-batch.js';
import { propertyRuns } from '../testing/tier.test-util.js';

const seed = Number(process.env['SEED'] ?? Date.now() % 2 ** 31);

function expectGolden(name: string, text: string): void {
  const url = new URL(`../../testdata/batch/${name}`, import.meta.url);
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(url, text);
  expect(text).toBe(readFileSync(url, 'utf8'));
}

const commitTsArb = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const entryArb = (commitTs: number): fc.Arbitrary<BatchEntry> =>
  fc.record(
    {
      kind: fc.constantFrom(Kind.DELETE, Kind.VALUE, Kind.VALUE_POINTER),
      key: fc.uint8Array({ maxLength: 40 }),
      value: fc.uint8Array({ maxLength: 300 }),
      seq: fc.integer({ min: 0, max: commitTs }),
    },
    { requiredKeys: ['kind', 'key', 'value'] },
  ).map((e) => (e.kind === Kind.DELETE ? { ...e, value: new Uint8Array(0) } : e));
const batchArb = commitTsArb.chain((commitTs) =>
  fc.record({ commitTs: fc.constant(commitTs), entries: fc.array(entryArb(commitTs), { maxLength: 20 }) }),
);

/** Entries as strings: vitest's deep equality is slow on typed arrays. */
function show(entry: BatchEntry): string {
  return `${entry.kind}/${toHex(entry.key)}/${toHex(entry.value)}/${entry.seq}`;
}

function catchCorruption(run: () => unknown): CorruptionError {
  try {
    run();
  } catch (error) {
    if (error instanceof CorruptionError) return error;
    throw error;
  }
  throw new Error('expected a CorruptionError');
}

const golden = {
  commitTs: 0x0102030405,
  entries: [
    { kind: Kind.VALUE, key: utf8('user:1'), value: encodeStoredValue(utf8('alice'), 0, 0) },
    { kind: Kind.DELETE, key: utf8('user:2'), value: new Uint8Array(0) },
    { kind: Kind.VALUE_POINTER, key: utf8('blob'), value: encodeStoredValue(encodeValuePointer({ fileNumber: 7, offset: 16, length: 1040 }), 1_700_000_000_000, 9) },
    { kind: Kind.VALUE, key: utf8('gc'), value: encodeStoredValue(utf8('old'), 0, 0), seq: 42 },
  ] satisfies BatchEntry[],
};

describe(`write batch (seed ${seed})`, () => {
  it('round-trips every batch; entries without a seq take the commit ts', () => {
    fc.assert(
      fc.property(batchArb, ({ commitTs, entries }) => {
        const bytes = encodeWriteBatch(commitTs, entries);
        expect(bytes.length).toBe(writeBatchBytes(entries));
        const decoded = decodeWriteBatch(bytes, '000001.wal', 16);
        expect(decoded.commitTs).toBe(commitTs);
        expect(decoded.entries.map(show)).toEqual(entries.map((e) => show({ ...e, seq: e.seq ?? commitTs })));
      }),
      { seed, numRuns: propertyRuns(1000) },
    );
  });

  it('the builder accounts bytes exactly and encodes what was added', () => {
    fc.assert(
      fc.property(batchArb, ({ commitTs, entries }) => {
        const builder = new WriteBatchBuilder();
        let expected = BATCH_OVERHEAD_BYTES;
        for (const entry of entries) {
          expected += WriteBatchBuilder.entryBytes(entry.key, entry.value, entry.seq);
          builder.add(entry);
          expect(builder.encodedBytes).toBe(expected);
        }
        const bytes = builder.encode(commitTs);
        expect(bytes.length).toBe(builder.encodedBytes);
        expect(toHex(bytes)).toBe(toHex(encodeWriteBatch(commitTs, entries)));
        expect(builder.count).toBe(entries.length);
      }),
      { seed, numRuns: propertyRuns(500) },
    );
    const builder = new WriteBatchBuilder();
    builder.put(utf8('a'), utf8('\x00x'));
    builder.putPointer(utf8('b'), utf8('\x00\x01\x02\x03'));
    builder.delete(utf8('c'));
    expect(decodeWriteBatch(builder.encode(5), 'w', 0).entries.map((e) => e.kind)).toEqual([Kind.VALUE, Kind.VALUE_POINTER, Kind.DELETE]);
    builder.reset();
    expect([builder.count, builder.encodedBytes]).toEqual([0, BATCH_OVERHEAD_BYTES]);
    builder.add({ kind: Kind.VALUE, key: utf8('k'), value: utf8('\x00v'), seq: 9 });
    expect(() => builder.encode(8)).toThrow(BugError);
  });

  it('matches the golden bytes', () => {
    const bytes = encodeWriteBatch(golden.commitTs, golden.entries);
    expectGolden('batch-v1.hex', toHex(bytes) + '\n');
    expectGolden('batch-empty.hex', toHex(encodeWriteBatch(1, [])) + '\n');
  });

  it('applies a batch only with a valid commit marker (D6)', () => {
    const bytes = encodeWriteBatch(golden.commitTs, golden.entries);
    const marker = bytes.length - 17;
    // every truncation loses or breaks the marker
    for (let cut = 0; cut < bytes.length; cut++) {
      expect(catchCorruption(() => decodeWriteBatch(bytes.subarray(0, cut), '000003.wal', 100)).offset).toBe(100);
    }
    // every single flipped bit is caught (crc over everything, ts/count cross-checked)
    for (let at = 0; at < bytes.length; at++) {
      for (let bit = 0; bit < 8; bit++) {
        const damaged = bytes.slice();
        damaged[at] = (damaged[at] as number) ^ (1 << bit);
        const error = catchCorruption(() => decodeWriteBatch(damaged, '000003.wal', 100));
        expect(error.file).toBe('000003.wal');
      }
    }
    expect(catchCorruption(() => decodeWriteBatch(bytes.subarray(0, marker), 'w', 0)).reason).toMatch(/commit marker|too short/);
    const noMarker = bytes.slice();
    noMarker[marker] = 0;
    expect(catchCorruption(() => decodeWriteBatch(noMarker, 'w', 0)).reason).toMatch(/missing commit marker/);
  });

  it('rejects batches whose fields disagree even when the crc is recomputed', () => {
    const reseal = (bytes: Uint8Array): Uint8Array => {
      putFixed32(bytes, bytes.length - 4, maskCrc(crc32c(bytes, 0, bytes.length - 4)));
      return bytes;
    };
    const one = (entry: BatchEntry, commitTs = 10): Uint8Array => encodeWriteBatch(commitTs, [entry]);
    const value = { kind: Kind.VALUE, key: utf8('k'), value: utf8('\x00v') } as const;
    const reason = (bytes: Uint8Array): string => catchCorruption(() => decodeWriteBatch(reseal(bytes), 'w', 0)).reason;

    const headerCount = one(value);
    putFixed32(headerCount, 9, 2);
    expect(reason(headerCount)).toMatch(/disagrees/);
    const markerTs = one(value);
    markerTs[markerTs.length - 16] = 11;
    expect(reason(markerTs)).toMatch(/disagrees/);
    const bothCountsUp = one(value);
    putFixed32(bothCountsUp, 9, 2);
    putFixed32(bothCountsUp, bothCountsUp.length - 8, 2);
    expect(reason(bothCountsUp)).toMatch(/missing|bad/);
    const bothCountsDown = one(value);
    putFixed32(bothCountsDown, 9, 0);
    putFixed32(bothCountsDown, bothCountsDown.length - 8, 0);
    expect(reason(bothCountsDown)).toMatch(/between the last entry and the commit marker/);
    const hugeCount = one(value);
    putFixed32(hugeCount, 9, 0xffffffff);
    putFixed32(hugeCount, hugeCount.length - 8, 0xffffffff);
    expect(reason(hugeCount)).toMatch(/exceeds the bytes present/);
    const seqAbove = one({ ...value, seq: 10 });
    seqAbove[14] = 11; // the explicit seq varint
    expect(reason(seqAbove)).toMatch(/bad entry seq/);
    const deleteWithValue = one(value);
    deleteWithValue[13] = Kind.DELETE;
    expect(reason(deleteWithValue)).toMatch(/a delete carries a value/);
    const unknownKind = one(value);
    unknownKind[13] = 0x05;
    expect(reason(unknownKind)).toMatch(/bad entry kind/);
    const unknownFlag = one(value);
    unknownFlag[13] = 0x41;
    expect(reason(unknownFlag)).toMatch(/bad entry kind/);
    const keyTooLong = one(value);
    keyTooLong[14] = 100;
    expect(reason(keyTooLong)).toMatch(/bad key length/);
    const tsTooBig = one(value);
    tsTooBig.fill(0xff, 1, 9);
    tsTooBig.fill(0xff, tsTooBig.length - 16, tsTooBig.length - 8);
    expect(reason(tsTooBig)).toMatch(/commit ts out of range/);
    const noHeader = one(value);
    noHeader[0] = 0;
    expect(reason(noHeader)).toMatch(/missing batch header/);

    expect(() => encodeWriteBatch(10, [{ ...value, seq: 11 }])).toThrow(BugError);
    expect(() => encodeWriteBatch(10, [{ kind: Kind.DELETE, key: utf8('k'), value: utf8('x') }])).toThrow(BugError);
    expect(() => encodeWriteBatch(-1, [])).toThrow(BugError);
  });

  it('fuzz: random and mutated bytes decode to a batch or a CorruptionError', () => {
    const valid = encodeWriteBatch(golden.commitTs, golden.entries);
    const mutated = fc
      .array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 })
      .map((flips) => {
        const bytes = valid.slice();
        for (const [at, mask] of flips) bytes[at] = (bytes[at] as number) ^ mask;
        return bytes;
      });
    fc.assert(
      fc.property(fc.oneof(mutated, fc.uint8Array({ maxLength: 200 })), (bytes) => {
        try {
          const batch = decodeWriteBatch(bytes, 'w', 0);
          for (const entry of batch.entries) expect(entry.seq).toBeLessThanOrEqual(batch.commitTs);
        } catch (error) {
          expect(error).toBeInstanceOf(CorruptionError);
        }
      }),
      { seed, numRuns: propertyRuns(2000) },
    );
  });
});
