import { describe, expect, it } from 'vitest';
import { SLAB_BYTES, SLAB_MAX_COPY_BYTES, copyOut } from './byte-slab.js';

function pattern(length: number, salt: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + salt) & 0xff;
  return out;
}

describe('copyOut', () => {
  it('copies the range, small and large, and the copies are independent of the source', () => {
    for (const length of [0, 1, 7, 16, 32, 33, 100, SLAB_MAX_COPY_BYTES, SLAB_MAX_COPY_BYTES + 1, 5000]) {
      const source = pattern(length + 10, length);
      const copy = copyOut(source, 5, 5 + length);
      expect(Array.from(copy)).toEqual(Array.from(source.subarray(5, 5 + length)));
      source.fill(0);
      if (length > 0) expect(copy[0]).toBe((5 * 31 + length) & 0xff);
    }
  });

  it('defaults to the whole source', () => {
    const source = pattern(40, 3);
    expect(Array.from(copyOut(source))).toEqual(Array.from(source));
  });

  it('never hands out overlapping ranges, across slab boundaries', () => {
    const copies: Uint8Array[] = [];
    const lengths = [1, 100, 33, 1000, 8, SLAB_MAX_COPY_BYTES];
    let total = 0;
    for (let i = 0; total < SLAB_BYTES * 3; i++) {
      const length = lengths[i % lengths.length] as number;
      total += length;
      copies.push(copyOut(pattern(length, i)));
    }
    // writing one copy must not change any other
    for (const copy of copies) copy.fill(0xaa);
    const seen = new Map<ArrayBufferLike, Array<[number, number]>>();
    for (const copy of copies) {
      const ranges = seen.get(copy.buffer) ?? [];
      for (const [start, end] of ranges) {
        expect(copy.byteOffset >= end || copy.byteOffset + copy.length <= start).toBe(true);
      }
      ranges.push([copy.byteOffset, copy.byteOffset + copy.length]);
      seen.set(copy.buffer, ranges);
      expect(copy.byteOffset % 8).toBe(0);
    }
  });
});
