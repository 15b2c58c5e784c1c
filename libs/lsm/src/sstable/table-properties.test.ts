// Goal: decodeProperties on fixed inputs for the branches the randomized tests in
// table-format.test.ts reach only by chance: the optional properties (creation time, creator)
// absent, a required one absent, a number that does not fill its property, a record cut short.
// Deterministic, so the 100% branch threshold on *-format.ts does not depend on a seed.
import { describe, expect, it } from 'vitest';
import { utf8 } from '../codec/bytes.js';
import { getVarint } from '../codec/varint.js';
import { CorruptionError } from '../errors.js';
import { Kind, encodeInternalKey } from '../keys/internal-key.js';
import { PropertyTag, decodeProperties, encodeProperties, type TableProperties } from './table-format.js';

const sample: TableProperties = {
  smallestKey: encodeInternalKey(utf8('a'), 9, Kind.VALUE),
  largestKey: encodeInternalKey(utf8('zz'), 1, Kind.DELETE),
  entryCount: 10, deletionCount: 2, valuePointerCount: 3, valuePointerBytes: 70_000, minSeq: 1, maxSeq: 9,
  rawKeyBytes: 100, rawValueBytes: 2000, dataBlockCount: 2, createdAtMs: 1_700_000_000_000, creator: 'flush',
};

/** The encoded properties as [tag, value] records. */
function records(bytes: Uint8Array): [number, Uint8Array][] {
  const out: [number, Uint8Array][] = [];
  for (let at = 0; at < bytes.length; ) {
    const tag = getVarint(bytes, at) as { value: number; next: number };
    const length = getVarint(bytes, tag.next) as { value: number; next: number };
    out.push([tag.value, bytes.subarray(length.next, length.next + length.value)]);
    at = length.next + length.value;
  }
  return out;
}

function encode(list: [number, Uint8Array][]): Uint8Array {
  const parts: number[] = [];
  for (const [tag, value] of list) parts.push(tag, value.length, ...value); // tags and lengths < 128 here
  return Uint8Array.from(parts);
}

function reason(contents: Uint8Array): string {
  try {
    decodeProperties(contents, 't.sst', 500);
  } catch (error) {
    expect(error).toBeInstanceOf(CorruptionError);
    return (error as CorruptionError).reason;
  }
  throw new Error('expected a CorruptionError');
}

describe('table properties on fixed inputs', () => {
  const all = records(encodeProperties(sample));

  it('optional properties may be absent: creation time 0, creator empty', () => {
    expect(all.map(([tag]) => tag)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    const without = all.filter(([tag]) => tag !== PropertyTag.CREATED_AT_MS && tag !== PropertyTag.CREATOR);
    expect(decodeProperties(encode(without), 't.sst', 500)).toEqual({ ...sample, createdAtMs: 0, creator: '' });
  });

  it('a required property absent, a number with bytes left over, a record cut short', () => {
    expect(reason(encode(all.filter(([tag]) => tag !== PropertyTag.ENTRY_COUNT)))).toBe(`missing property ${PropertyTag.ENTRY_COUNT}`);
    const padded = all.map(([tag, value]): [number, Uint8Array] => (tag === PropertyTag.MIN_SEQ ? [tag, Uint8Array.of(...value, 0)] : [tag, value]));
    expect(reason(encode(padded))).toBe(`bad number in property ${PropertyTag.MIN_SEQ}`);
    const bytes = encodeProperties(sample);
    expect(reason(bytes.subarray(0, bytes.length - 1))).toBe('bad property record');
  });
});
