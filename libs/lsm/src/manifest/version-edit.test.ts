// Goal: VersionEdit records round-trip, keep their bytes (golden fixture), and reject any
// malformed record with CorruptionError naming the MANIFEST and offset, never another exception.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../codec/bytes.js';
import { CorruptionError } from '../errors.js';
import { decodeVersionEdit, encodeVersionEdit, type VersionEdit } from './version-edit.js';
import type { FileMeta } from './version.js';

const seed = Number(process.env['SEED'] ?? Date.now() % 2 ** 31);

const fileMeta = fc.record({
  number: fc.nat(), fileBytes: fc.nat(), smallestKey: fc.uint8Array({ maxLength: 12 }), smallestSeq: fc.maxSafeNat(),
  largestKey: fc.uint8Array({ maxLength: 12 }), largestSeq: fc.maxSafeNat(), minSeq: fc.maxSafeNat(),
  maxSeq: fc.maxSafeNat(), entries: fc.nat(), deletions: fc.nat(),
}) as fc.Arbitrary<FileMeta>;

const edit: fc.Arbitrary<VersionEdit> = fc.record(
  {
    logNumber: fc.nat(), nextFileNumber: fc.nat(), lastSeq: fc.maxSafeNat(),
    deletedFiles: fc.array(fc.record({ level: fc.nat(6), fileNumber: fc.nat() }), { minLength: 1, maxLength: 4 }),
    newFiles: fc.array(fc.record({ level: fc.nat(6), file: fileMeta }), { minLength: 1, maxLength: 4 }),
    vlogAdded: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
    vlogDeleted: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
    discard: fc.array(fc.record({ fileNumber: fc.nat(), bytes: fc.nat() }), { minLength: 1, maxLength: 3 }),
  },
  { requiredKeys: [] },
);

describe(`version edit codec (seed ${seed})`, () => {
  it('round-trips every edit', () => {
    fc.assert(
      fc.property(edit, (e) => {
        expect(decodeVersionEdit(encodeVersionEdit(e), 'MANIFEST-000001', 16)).toEqual(e);
      }),
      { seed, numRuns: 1000 },
    );
  });

  it('keeps its byte layout (golden fixture; a change needs a new tag, never a new meaning)', () => {
    const golden: VersionEdit = {
      logNumber: 7,
      nextFileNumber: 12,
      lastSeq: 300,
      deletedFiles: [{ level: 0, fileNumber: 5 }],
      newFiles: [{ level: 1, file: { number: 11, fileBytes: 4096, smallestKey: utf8('a'), smallestSeq: 9, largestKey: utf8('z'), largestSeq: 3, minSeq: 1, maxSeq: 300, entries: 10, deletions: 2 } }],
      vlogAdded: [4],
      discard: [{ fileNumber: 4, bytes: 1000 }],
    };
    expect(toHex(encodeVersionEdit(golden))).toBe('0107020c03ac0204000505010b8020016109017a0301ac020a0206040804e807');
  });

  it('reports malformed records as CorruptionError with file and offset', () => {
    const valid = encodeVersionEdit({ logNumber: 1, newFiles: [{ level: 0, file: { number: 2, fileBytes: 3, smallestKey: utf8('k'), smallestSeq: 1, largestKey: utf8('k'), largestSeq: 1, minSeq: 1, maxSeq: 1, entries: 1, deletions: 0 } }] });
    for (let cut = 1; cut < valid.length; cut++) {
      const bytes = valid.subarray(0, cut);
      try {
        decodeVersionEdit(bytes, 'MANIFEST-000003', 40);
      } catch (error) {
        expect(error).toBeInstanceOf(CorruptionError);
        expect((error as CorruptionError).file).toBe('MANIFEST-000003');
        expect((error as CorruptionError).offset).toBe(40);
      }
    }
    expect(() => decodeVersionEdit(Uint8Array.of(99, 1), 'M', 0)).toThrow(/unknown tag 99/);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodeVersionEdit(bytes, 'M', 0);
        } catch (error) {
          expect(error).toBeInstanceOf(CorruptionError);
        }
      }),
      { seed, numRuns: 2000 },
    );
  });
});
