// Goal: verifyTable's checks behind the block checksums. A flipped byte is caught by a block's crc
// (table-fuzz.test.ts); here each block is changed and then RESEALED (its crc recomputed), so only
// the semantic checks can catch it: keys out of order or above their separator, a DELETE with a
// value, a malformed stored value or pointer, properties that disagree with the entries, index
// separators out of order and handles that do not tile the data area.
import { describe, expect, it } from 'vitest';
import { utf8 } from '../codec/bytes.js';
import { Kind } from '../keys/internal-key.js';
import { encodeStoredValue } from '../keys/value-format.js';
import { putBlockTrailer } from './block-format.js';
import { buildTable, openTable, type TestEntry } from './test-files.test-util.js';

interface BlockEntry {
  /** offset of key_delta inside the file */
  keyAt: number;
  keyLength: number;
  valueAt: number;
  valueLength: number;
}

/** Parses the entries of the block whose contents are `bytes[start, start + size)` (lengths < 128). */
function blockEntries(bytes: Uint8Array, start: number, size: number): BlockEntry[] {
  const numRestarts = new DataView(bytes.buffer, bytes.byteOffset + start + size - 4, 4).getUint32(0, true);
  const end = start + size - 4 - numRestarts * 4;
  const entries: BlockEntry[] = [];
  for (let at = start; at < end; ) {
    const [shared, unshared, valueLength] = [bytes[at], bytes[at + 1], bytes[at + 2]] as [number, number, number];
    expect(shared).toBe(0); // restart interval 1: every key is whole
    expect(Math.max(unshared, valueLength)).toBeLessThan(128);
    entries.push({ keyAt: at + 3, keyLength: unshared, valueAt: at + 3 + unshared, valueLength });
    at += 3 + unshared + valueLength;
  }
  return entries;
}

const entries: TestEntry[] = [1, 2, 3].map((i) => ({
  key: utf8(`k${i}`),
  seq: 4 + i,
  kind: Kind.VALUE,
  value: encodeStoredValue(utf8(`v${i}`), 0, 0),
}));

async function table(options: { blockBytes?: number; many?: boolean } = {}): Promise<Uint8Array> {
  const list = options.many === true
    ? Array.from({ length: 40 }, (_, i) => ({ key: utf8(`key${String(i).padStart(2, '0')}`), seq: 100 + i, kind: Kind.VALUE, value: encodeStoredValue(utf8(`value ${i}`), 0, 0) }))
    : entries;
  const { bytes } = await buildTable(list, { blockRestartInterval: 1, ...(options.blockBytes === undefined ? {} : { blockBytes: options.blockBytes }) });
  return bytes;
}

/** Changes the one data block of `bytes` with `change`, reseals it and returns verify()'s reasons. */
function reasonsAfter(bytes: Uint8Array, change: (copy: Uint8Array, list: BlockEntry[]) => void): string[] {
  const reader = openTable(bytes);
  const size = reader.dataEndOffset - 5;
  const copy = bytes.slice();
  change(copy, blockEntries(copy, 0, size));
  putBlockTrailer(copy, 0, size, 0);
  return openTable(copy).verify().map((p) => p.reason);
}

describe('verifyTable behind valid block checksums', () => {
  it('a clean table has no problem, and the parser sees its three entries', async () => {
    const bytes = await table();
    expect(openTable(bytes).verify()).toEqual([]);
    expect(reasonsAfter(bytes, (_, list) => expect(list).toHaveLength(3))).toEqual([]);
  });

  it('a user key moved below its predecessor: keys out of order', async () => {
    const reasons = reasonsAfter(await table(), (copy, list) => {
      copy[(list[1] as BlockEntry).keyAt + 1] = 0x30; // k2 -> k0
    });
    expect(reasons).toContain('keys out of order');
  });

  it('the last key moved above the index separator', async () => {
    const reasons = reasonsAfter(await table(), (copy, list) => {
      copy[(list[2] as BlockEntry).keyAt] = 0xff; // k3 -> \xff3, above any separator of a k... key
    });
    expect(reasons).toContain('key above its index separator');
    expect(reasons).toContain('bloom filter false negative'); // the filter holds k3, not \xff3
  });

  it('a VALUE turned into a DELETE (it has a value) or a VALUE_POINTER (its value is no pointer)', async () => {
    const bytes = await table();
    const kindAt = (e: BlockEntry): number => e.keyAt + e.keyLength - 1;
    expect(reasonsAfter(bytes, (copy, list) => void (copy[kindAt(list[1] as BlockEntry)] = Kind.DELETE))).toContain('DELETE with a value');
    expect(reasonsAfter(bytes, (copy, list) => void (copy[kindAt(list[1] as BlockEntry)] = Kind.VALUE_POINTER))).toContain('bad value pointer');
  });

  it('a stored value with an unknown flag bit', async () => {
    const reasons = reasonsAfter(await table(), (copy, list) => {
      copy[(list[0] as BlockEntry).valueAt] = 0x80;
    });
    expect(reasons).toEqual(['bad stored value header']);
  });

  it('seqs changed without breaking the order: the properties disagree with the data', async () => {
    const bytes = await table();
    const seqLowAt = (e: BlockEntry): number => e.keyAt + e.keyLength - 2;
    expect(reasonsAfter(bytes, (copy, list) => void (copy[seqLowAt(list[1] as BlockEntry)] = 9))).toEqual(['properties disagree with data: seq range']);
    expect(reasonsAfter(bytes, (copy, list) => void (copy[seqLowAt(list[0] as BlockEntry)] = 4))).toEqual([
      'properties disagree with data: seq range',
      'properties disagree with data: smallest key',
    ]);
    expect(reasonsAfter(bytes, (copy, list) => void (copy[seqLowAt(list[2] as BlockEntry)] = 6))).toEqual([
      'properties disagree with data: seq range',
      'properties disagree with data: largest key',
    ]);
  });

  it('index separators out of order, and a data block handle that does not tile', async () => {
    const bytes = await table({ blockBytes: 64, many: true });
    const reader = openTable(bytes);
    expect(reader.verify()).toEqual([]);
    const { offset, size } = reader.footer.indexHandle;
    const index = blockEntries(bytes, offset, size);
    expect(index.length).toBeGreaterThan(3);
    const separators = bytes.slice();
    separators[(index[2] as BlockEntry).keyAt] = 0x00; // the third separator sorts first
    putBlockTrailer(separators, offset, offset + size, 0);
    expect(openTable(separators).verify().map((p) => p.reason)).toContain('index separators out of order');
    const handles = bytes.slice();
    const second = index[1] as BlockEntry;
    expect(handles[second.valueAt]).toBeLessThan(127); // a one-byte offset varint
    handles[second.valueAt] = (handles[second.valueAt] as number) + 1; // the second block one byte later
    putBlockTrailer(handles, offset, offset + size, 0);
    const problems = openTable(handles).verify();
    expect(problems.map((p) => p.reason)).toContain(`data block at ${(bytes[second.valueAt] as number) + 1}, expected ${bytes[second.valueAt] as number}`);
    const last = index[index.length - 1] as BlockEntry;
    const shortLast = bytes.slice();
    shortLast[last.valueAt + last.valueLength - 1] = (shortLast[last.valueAt + last.valueLength - 1] as number) - 1; // the last block's size
    putBlockTrailer(shortLast, offset, offset + size, 0);
    expect(openTable(shortLast).verify().some((p) => /^data blocks end at \d+, filter starts at \d+$/.test(p.reason))).toBe(true);
  });
});
