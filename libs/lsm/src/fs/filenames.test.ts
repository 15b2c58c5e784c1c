/**
 * Goal: file names format canonically and parse back exactly; anything else parses to undefined.
 * Method: a golden table, a fast-check round trip over all types and numbers, and a fuzz of
 * arbitrary strings (parse never throws, and whatever parses formats back to the same name).
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fileName, formatFileNumber, manifestFileName, parseFileName, parseFileNumber, tableFileName, tempFileName,
  vlogFileName, walFileName,
} from './filenames.js';
import type { FileType } from './filenames.js';
import { propertyRuns } from '../testing/tier.test-util.js';

const seed = Number(process.env['SEED'] ?? Date.now());

describe('filenames', () => {
  it('formats the documented names (golden)', () => {
    expect(tableFileName(123)).toBe('000123.sst');
    expect(vlogFileName(45)).toBe('000045.vlog');
    expect(walFileName(46)).toBe('000046.wal');
    expect(manifestFileName(7)).toBe('MANIFEST-000007');
    expect(tempFileName(8)).toBe('000008.dbtmp');
    expect(tableFileName(1_234_567)).toBe('1234567.sst');
    expect(tableFileName(999_999)).toBe('999999.sst');
    expect(tableFileName(0)).toBe('000000.sst');
    expect(fileName('current', 0)).toBe('CURRENT');
    expect(fileName('lock', 0)).toBe('LOCK');
    expect(fileName('temp', 0)).toBe('CURRENT.dbtmp');
    expect(formatFileNumber(Number.MAX_SAFE_INTEGER)).toBe('9007199254740991');
  });

  it('parses the documented names', () => {
    expect(parseFileName('000123.sst')).toEqual({ type: 'table', number: 123 });
    expect(parseFileName('000045.vlog')).toEqual({ type: 'vlog', number: 45 });
    expect(parseFileName('000046.wal')).toEqual({ type: 'wal', number: 46 });
    expect(parseFileName('MANIFEST-000007')).toEqual({ type: 'manifest', number: 7 });
    expect(parseFileName('CURRENT')).toEqual({ type: 'current', number: 0 });
    expect(parseFileName('LOCK')).toEqual({ type: 'lock', number: 0 });
    expect(parseFileName('CURRENT.dbtmp')).toEqual({ type: 'temp', number: 0 });
    expect(parseFileName('000009.dbtmp')).toEqual({ type: 'temp', number: 9 });
    expect(parseFileName('1234567.sst')).toEqual({ type: 'table', number: 1_234_567 });
  });

  it('rejects non-canonical and foreign names', () => {
    const bad = [
      '', '.sst', '123.sst', '0000123.sst', '00012a.sst', '000123.SST', '000123.sst.bak', '000123sst',
      'MANIFEST-', 'MANIFEST-7', 'MANIFEST-0000007', 'MANIFEST-000007.dbtmp', 'manifest-000007', 'CURRENT2',
      'LOCK.break-0123456789abcdef', 'LOCK.dbtmp', '+00123.sst', '-00123.sst', ' 00123.sst', '000123.log',
      '99999999999999999.sst', '9007199254740992.sst', '0001e5.sst', '00.5e1.sst',
    ];
    for (const name of bad) expect(parseFileName(name), name).toBeUndefined();
    expect(parseFileNumber('000001')).toBe(1);
    expect(parseFileNumber('00001')).toBeUndefined();
  });

  it('asserts on invalid file numbers', () => {
    expect(() => tableFileName(-1)).toThrow(/invariant/);
    expect(() => tableFileName(1.5)).toThrow(/invariant/);
    expect(() => tableFileName(2 ** 53)).toThrow(/invariant/);
  });

  it(`round-trips every type and number (seed ${seed})`, () => {
    const numbered: FileType[] = ['table', 'vlog', 'wal', 'manifest', 'temp'];
    fc.assert(
      fc.property(
        fc.constantFrom(...numbered),
        fc.oneof(fc.integer({ min: 1, max: 2_000_000 }), fc.maxSafeNat().filter((n) => n > 0)),
        (type, fileNumber) => {
          const name = fileName(type, fileNumber);
          expect(parseFileName(name)).toEqual({ type, number: fileNumber });
        },
      ),
      { seed, numRuns: propertyRuns(1000) },
    );
  });

  it(`parses arbitrary strings without throwing, canonically (seed ${seed})`, () => {
    const nameLike = fc.oneof(
      fc.string(),
      fc.stringMatching(/^[0-9]{0,18}\.(sst|vlog|wal|dbtmp|x)$/),
      fc.stringMatching(/^MANIFEST-[0-9]{0,18}$/),
    );
    fc.assert(
      fc.property(nameLike, (name) => {
        const parsed = parseFileName(name);
        if (parsed !== undefined) expect(fileName(parsed.type, parsed.number)).toBe(name === '000000.dbtmp' ? 'CURRENT.dbtmp' : name);
      }),
      { seed, numRuns: propertyRuns(2000) },
    );
  });
});
