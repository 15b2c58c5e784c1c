// Goal: the pure codecs round-trip every value in range, reject malformed input without
// throwing, and match published vectors (CRC-32C check value, LevelDB's varint bytes).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareBytes, concatBytes, equalBytes, fromHex, prefixSuccessor, sharedPrefixLength, toHex, utf8 } from './bytes.js';
import { crc32c, crc32cUpdate, maskCrc, unmaskCrc } from './crc32c.js';
import { getFixed16, getFixed32, getFixed64, putFixed16, putFixed32, putFixed64 } from './fixed.js';
import { getVarint, putVarint, varintLength } from './varint.js';
import { propertyRuns } from '../testing/tier.test-util.js';

const seed = Number(process.env['SEED'] ?? Date.now() % 2 ** 31);

describe(`codec (seed ${seed})`, () => {
  it('crc32c matches the published check value and is incremental', () => {
    expect(crc32c(utf8('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa); // RFC 3720 B.4: 32 bytes of zeros
    const data = utf8('hello, incremental world of checksums');
    expect(crc32cUpdate(crc32c(data, 0, 10), data, 10)).toBe(crc32c(data));
  });

  it('mask and unmask are inverse and change the value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (crc) => {
        expect(unmaskCrc(maskCrc(crc))).toBe(crc);
      }),
      { seed, numRuns: propertyRuns(1000) },
    );
    expect(maskCrc(0x12345678)).not.toBe(0x12345678);
  });

  it('varints round-trip up to 2^53 - 1 with the LevelDB byte layout', () => {
    const out = new Uint8Array(8);
    expect(putVarint(out, 0, 300)).toBe(2);
    expect(toHex(out.subarray(0, 2))).toBe('ac02');
    fc.assert(
      fc.property(fc.maxSafeNat(), (value) => {
        const buf = new Uint8Array(varintLength(value));
        expect(putVarint(buf, 0, value)).toBe(buf.length);
        expect(getVarint(buf, 0)).toEqual({ value, next: buf.length });
      }),
      { seed, numRuns: propertyRuns(1000) },
    );
  });

  it('varint decoding reports truncated and over-long input as undefined', () => {
    expect(getVarint(fromHex('ac'), 0)).toBeUndefined();
    expect(getVarint(fromHex('ffffffffffffffff7f'), 0)).toBeUndefined();
    expect(getVarint(new Uint8Array(0), 0)).toBeUndefined();
    expect(getVarint(fromHex('ac02'), 0, 1)).toBeUndefined();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), (bytes) => {
        const decoded = getVarint(bytes, 0);
        if (decoded !== undefined) expect(Number.isSafeInteger(decoded.value)).toBe(true);
      }),
      { seed, numRuns: propertyRuns(2000) },
    );
    expect(() => putVarint(new Uint8Array(8), 0, -1)).toThrow(RangeError);
  });

  it('fixed-width integers round-trip little-endian', () => {
    const buf = new Uint8Array(8);
    putFixed32(buf, 0, 0x01020304);
    expect(toHex(buf.subarray(0, 4))).toBe('04030201');
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffff }), (a, b, c) => {
        const out = new Uint8Array(14);
        putFixed64(out, 0, a);
        putFixed32(out, 8, b);
        putFixed16(out, 12, c);
        expect([getFixed64(out, 0), getFixed32(out, 8), getFixed16(out, 12)]).toEqual([a, b, c]);
      }),
      { seed, numRuns: propertyRuns(1000) },
    );
    expect(getFixed64(fromHex('ffffffffffffffff'), 0)).toBeNaN();
  });

  it('compareBytes is a total order consistent with equality', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 6 }), fc.uint8Array({ maxLength: 6 }), (a, b) => {
        const ab = Math.sign(compareBytes(a, b));
        expect(ab + Math.sign(compareBytes(b, a))).toBe(0);
        expect(ab === 0).toBe(equalBytes(a, b));
        expect(ab).toBe(Math.sign(Buffer.compare(a, b)));
      }),
      { seed, numRuns: propertyRuns(2000) },
    );
  });

  it('prefixSuccessor bounds every extension of the prefix', () => {
    expect(toHex(prefixSuccessor(fromHex('61ff')) ?? new Uint8Array())).toBe('62');
    expect(prefixSuccessor(fromHex('ffff'))).toBeUndefined();
    expect(prefixSuccessor(new Uint8Array())).toBeUndefined();
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 4 }), fc.uint8Array({ maxLength: 4 }), (prefix, tail) => {
        const upper = prefixSuccessor(prefix);
        if (upper === undefined) return;
        expect(compareBytes(concatBytes([prefix, tail]), upper)).toBeLessThan(0);
        expect(compareBytes(prefix, upper)).toBeLessThan(0);
      }),
      { seed, numRuns: propertyRuns(1000) },
    );
    expect(sharedPrefixLength(utf8('user:1'), utf8('user:2'))).toBe(5);
  });
});
