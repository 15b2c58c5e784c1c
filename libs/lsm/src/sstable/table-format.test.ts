/**
 * Goal: footer and properties codecs round-trip, are frozen, and reject bad bytes only with
 * CorruptionError. Method: fast-check round trips (seed printed), golden hex, random and mutated
 * inputs to the decoders.
 */

import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../codec/bytes.js';
import { CorruptionError } from '../errors.js';
import { Kind, encodeInternalKey } from '../keys/internal-key.js';
import {
  FOOTER_BYTES, type Footer, TABLE_MAGIC, type TableProperties, TableFormatVersion, decodeFooter, decodeProperties,
  encodeFooter, encodeProperties,
} from './table-format.js';
import { makeRng } from './test-files.test-util.js';
import { propertyRuns } from '../testing/tier.test-util.js';

const seed = Number(process.env['SEED'] ?? Date.now());
console.log(`table-format.test.ts seed=${seed}`);

/** A footer for a file whose blocks tile: data [0, dataEnd), then filter, properties, index. */
function tiledFooter(dataEnd: number, filterSize: number, propertiesSize: number, indexSize: number): { footer: Footer; fileBytes: number } {
  const filterHandle = { offset: dataEnd, size: filterSize };
  const propertiesHandle = { offset: dataEnd + filterSize + 5, size: propertiesSize };
  const indexHandle = { offset: propertiesHandle.offset + propertiesSize + 5, size: indexSize };
  const fileBytes = indexHandle.offset + indexSize + 5 + FOOTER_BYTES;
  return { footer: { indexHandle, filterHandle, propertiesHandle, formatVersion: TableFormatVersion.V1 }, fileBytes };
}

function sampleProperties(): TableProperties {
  return {
    smallestKey: encodeInternalKey(utf8('a'), 9, Kind.VALUE),
    largestKey: encodeInternalKey(utf8('zz'), 1, Kind.DELETE),
    entryCount: 10, deletionCount: 2, valuePointerCount: 3, valuePointerBytes: 70_000, minSeq: 1, maxSeq: 9,
    rawKeyBytes: 100, rawValueBytes: 2000, dataBlockCount: 2, createdAtMs: 1_700_000_000_000, creator: 'flush',
  };
}

describe('table format', () => {
  it(`round-trips footers (seed ${seed})`, () => {
    const size = fc.integer({ min: 0, max: 2 ** 40 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 45 }), size, size, size, (dataEnd, a, b, c) => {
        const { footer, fileBytes } = tiledFooter(dataEnd, a, b, c);
        expect(decodeFooter(encodeFooter(footer), 'f', fileBytes)).toEqual(footer);
      }),
      { seed, numRuns: propertyRuns(1000) },
    );
  });

  it('matches the golden footer bytes', () => {
    const { footer } = tiledFooter(100, 9, 50, 20);
    expect(toHex(encodeFooter(footer))).toBe(
      'a900000000000000' + '1400000000000000' + '6400000000000000' + '0900000000000000' +
      '7200000000000000' + '3200000000000000' + '01000000' + toHex(encodeFooter(footer).subarray(52, 56)) +
      '8a50524c5353540a',
    );
    expect(toHex(encodeFooter(footer).subarray(52, 56))).toBe('13b2be59');
    expect([...TABLE_MAGIC]).toEqual([0x8a, 0x50, 0x52, 0x4c, 0x53, 0x53, 0x54, 0x0a]);
  });

  it('rejects bad magic, checksum, version and handles with CorruptionError at the right offset', () => {
    const { footer, fileBytes } = tiledFooter(100, 9, 50, 20);
    const good = encodeFooter(footer);
    const badMagic = good.slice();
    badMagic[63] = 0;
    expect(() => decodeFooter(badMagic, 'f', fileBytes)).toThrow(/magic/);
    const badCrc = good.slice();
    badCrc[3] = 1;
    expect(() => decodeFooter(badCrc, 'f', fileBytes)).toThrow(/checksum/);
    expect(() => decodeFooter(good, 'f', fileBytes + 1)).toThrow(/tile/);
    expect(() => decodeFooter(good, 'f', 10)).toThrow(CorruptionError);
    const v2 = encodeFooter({ ...footer, formatVersion: 2 as TableFormatVersion });
    const error = catchError(() => decodeFooter(v2, 'f', fileBytes));
    expect(error).toBeInstanceOf(CorruptionError);
    expect((error as CorruptionError).offset).toBe(fileBytes - FOOTER_BYTES + 48);
  });

  it(`round-trips properties (seed ${seed})`, () => {
    const n = fc.integer({ min: 0, max: 2 ** 40 });
    fc.assert(
      fc.property(n, n, n, n, fc.string(), fc.uint8Array({ minLength: 0, maxLength: 20 }), (a, b, c, d, creator, key) => {
        const properties: TableProperties = {
          ...sampleProperties(), valuePointerBytes: a, rawKeyBytes: b, rawValueBytes: c, createdAtMs: d,
          creator: creator.replace(/[\ud800-\udfff]/g, ''), smallestKey: encodeInternalKey(key, 9, Kind.VALUE), largestKey: encodeInternalKey(key, 1, Kind.VALUE),
        };
        expect(decodeProperties(encodeProperties(properties), 'f', 0)).toEqual(properties);
      }),
      { seed, numRuns: propertyRuns(1000) },
    );
  });

  it('matches the golden properties bytes', () => {
    expect(toHex(encodeProperties(sampleProperties()))).toBe(
      '010961' + '0000000000000901' + '020a7a7a' + '0000000000000100' + '03010a' + '040102' + '050103' +
      '0603f0a204' + '070101' + '080109' + '090164' + '0a02d00f' + '0b0102' + '0c0680d095ffbc31' + '0d05666c757368',
    );
  });

  it('skips unknown tags, requires known ones, checks consistency', () => {
    const encoded = encodeProperties(sampleProperties());
    const withUnknown = new Uint8Array([...encoded, 0x63, 0x02, 0xaa, 0xbb]);
    expect(decodeProperties(withUnknown, 'f', 0)).toEqual(sampleProperties());
    expect(() => decodeProperties(encoded.subarray(11), 'f', 0)).toThrow(/missing property 1/);
    expect(() => decodeProperties(encodeProperties({ ...sampleProperties(), minSeq: 10 }), 'f', 0)).toThrow(/min seq/);
    expect(() => decodeProperties(encodeProperties({ ...sampleProperties(), entryCount: 0 }), 'f', 0)).toThrow(/counts/);
    expect(() => decodeProperties(new Uint8Array([...encoded, 0x01, 0x00]), 'f', 0)).toThrow(/out of order/);
  });

  it(`decoders throw only CorruptionError on random and mutated bytes (seed ${seed})`, () => {
    const rng = makeRng(seed);
    const properties = encodeProperties(sampleProperties());
    const { footer, fileBytes } = tiledFooter(100, 9, 50, 20);
    const footerBytes = encodeFooter(footer);
    for (let run = 0; run < 3000; run++) {
      const base = run % 2 === 0 ? properties : footerBytes;
      let input = base.slice();
      if (run % 5 === 0) input = new Uint8Array(Math.floor(rng() * 80)).map(() => Math.floor(rng() * 256));
      else input[Math.floor(rng() * input.length)] = Math.floor(rng() * 256);
      if (run % 7 === 0) input = input.subarray(0, Math.floor(rng() * input.length));
      const decode = run % 2 === 0 ? () => decodeProperties(input, 'f', 0) : () => decodeFooter(input, 'f', fileBytes);
      const error = catchError(decode);
      if (error !== undefined) expect(error).toBeInstanceOf(CorruptionError);
    }
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error;
  }
}
