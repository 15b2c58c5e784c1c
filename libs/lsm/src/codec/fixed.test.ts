// Goal: fixed-width integers at their bounds: the largest values of each width, the fixed64 split
// at 2^32, the ceiling 2^53 - 1, and what is refused (negative, fractional, above the ceiling).
import { describe, expect, it } from 'vitest';
import { toHex } from './bytes.js';
import { getFixed16, getFixed32, getFixed64, putFixed16, putFixed32, putFixed64 } from './fixed.js';

describe('fixed-width integers at their bounds', () => {
  it('fixed16 and fixed32 hold their largest values and return the next offset', () => {
    const out = new Uint8Array(8);
    expect(putFixed16(out, 1, 0xffff)).toBe(3);
    expect(getFixed16(out, 1)).toBe(0xffff);
    expect(putFixed32(out, 4, 0xffffffff)).toBe(8);
    expect(getFixed32(out, 4)).toBe(0xffffffff); // unsigned, not -1
    expect(toHex(out)).toBe('00ffff00ffffffff');
  });

  it('fixed64 splits at 2^32, reaches 2^53 - 1, and reads a larger high half as NaN', () => {
    const out = new Uint8Array(8);
    expect(putFixed64(out, 0, 2 ** 32)).toBe(8);
    expect(toHex(out)).toBe('0000000001000000');
    expect(getFixed64(out, 0)).toBe(2 ** 32);
    putFixed64(out, 0, Number.MAX_SAFE_INTEGER);
    expect(toHex(out)).toBe('ffffffffffff1f00');
    expect(getFixed64(out, 0)).toBe(Number.MAX_SAFE_INTEGER);
    out[6] = 0x20; // high half 0x200000: 2^53 and above
    expect(getFixed64(out, 0)).toBeNaN();
  });

  it('fixed64 refuses what it cannot carry, and writes nothing then', () => {
    const out = new Uint8Array(8).fill(7);
    for (const bad of [-1, 0.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => putFixed64(out, 0, bad), String(bad)).toThrow(RangeError);
    }
    expect(out.every((b) => b === 7)).toBe(true);
  });
});
