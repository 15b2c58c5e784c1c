// Goal: VersionEdit records round-trip, keep their bytes (golden fixture), and reject any
// malformed record with CorruptionError naming the MANIFEST and offset, never another exception.
import { readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../codec/bytes.js';
import { CorruptionError } from '../errors.js';
import { readRecords } from '../record/record-reader.js';
import { encodeLogHeader, LOG_HEADER_BYTES } from '../record/record-format.js';
import { encodeRecords } from '../record/record-writer.js';
import { decodeVersionEdit, EditTag, encodeVersionEdit, type VersionEdit } from './version-edit.js';
import type { FileMeta } from './version.js';
import { propertyRuns } from '../testing/tier.test-util.js';

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
    keepDeadAfterTs: fc.maxSafeNat(),
    deadPurgedToTs: fc.maxSafeNat(),
  },
  { requiredKeys: [] },
);

describe(`version edit codec (seed ${seed})`, () => {
  it('round-trips every edit', () => {
    fc.assert(
      fc.property(edit, (e) => {
        expect(decodeVersionEdit(encodeVersionEdit(e), 'MANIFEST-000001', 16)).toEqual(e);
      }),
      { seed, numRuns: propertyRuns(1000) },
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
      { seed, numRuns: propertyRuns(2000) },
    );
  });

  // Added by the log-formats engineer: a whole MANIFEST (framing + edits) as a golden file,
  // every tag exercised, and mutation fuzzing of valid records.
  const everyTag: VersionEdit[] = [
    {
      logNumber: 3,
      nextFileNumber: 20,
      lastSeq: 2 ** 40,
      newFiles: [{ level: 0, file: { number: 12, fileBytes: 8192, smallestKey: utf8('apple'), smallestSeq: 7, largestKey: utf8('pear'), largestSeq: 2, minSeq: 1, maxSeq: 9, entries: 44, deletions: 3 } }],
      vlogAdded: [10, 11],
    },
    {
      deletedFiles: [{ level: 0, fileNumber: 12 }, { level: 1, fileNumber: 5 }],
      vlogDeleted: [10],
      discard: [{ fileNumber: 11, bytes: 123456 }],
    },
  ];

  it('keeps the bytes of a whole MANIFEST with every tag (golden file)', () => {
    const body = encodeRecords(LOG_HEADER_BYTES, everyTag.map(encodeVersionEdit));
    const manifest = new Uint8Array(LOG_HEADER_BYTES + body.length);
    manifest.set(encodeLogHeader('MANIFEST'), 0);
    manifest.set(body, LOG_HEADER_BYTES);
    const url = new URL('../../testdata/manifest/manifest-v1.hex', import.meta.url);
    if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(url, toHex(manifest) + '\n');
    expect(toHex(manifest) + '\n').toBe(readFileSync(url, 'utf8'));
    const { records, recordOffsets, tornTail } = readRecords(manifest, 'MANIFEST-000004', 'MANIFEST');
    expect(tornTail).toBe(false);
    expect(records.map((r, i) => decodeVersionEdit(r, 'MANIFEST-000004', recordOffsets[i] ?? 0))).toEqual(everyTag);
    const tags = new Set<number>();
    for (const record of records) for (let i = 0; i < record.length; i++) tags.add(record[i] as number);
    for (const tag of Object.values(EditTag)) expect(tags.has(tag)).toBe(true);
  });

  it('fuzz: mutated valid edits decode to an edit or a CorruptionError', () => {
    const valid = everyTag.map(encodeVersionEdit);
    const mutated = fc
      .tuple(fc.nat(valid.length - 1), fc.array(fc.tuple(fc.nat(200), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }), fc.nat(200))
      .map(([which, flips, cut]) => {
        const bytes = (valid[which] as Uint8Array).slice();
        for (const [at, mask] of flips) bytes[at % bytes.length] = (bytes[at % bytes.length] as number) ^ mask;
        return bytes.subarray(0, Math.max(1, bytes.length - (cut % 4)));
      });
    fc.assert(
      fc.property(mutated, (bytes) => {
        try {
          const edit = decodeVersionEdit(bytes, 'M', 0);
          for (const { file } of edit.newFiles ?? []) expect(Number.isSafeInteger(file.maxSeq)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(CorruptionError);
        }
      }),
      { seed, numRuns: propertyRuns(2000) },
    );
  });
});
