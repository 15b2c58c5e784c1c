// Goal: the value-log codecs on their own (vlog.test.ts drives them through the reader and the
// writer): every header status and its CorruptionError, each entry check in the order it is made,
// and the scan for the next valid entry after damage.
import { describe, expect, it } from 'vitest';
import { utf8 } from '../codec/bytes.js';
import { crc32cUpdate, maskCrc } from '../codec/crc32c.js';
import { putFixed32 } from '../codec/fixed.js';
import {
  VLOG_ENTRY_HEADER_BYTES,
  VLOG_HEADER_BYTES,
  checkVlogHeader,
  decodeVlogEntry,
  encodeVlogEntry,
  encodeVlogHeader,
  findValidVlogEntry,
  vlogEntryBytes,
  vlogEntryLengthAt,
  vlogEntryProblem,
  vlogHeaderStatus,
} from './vlog-format.js';
import { corruption } from '../testing/corruption.test-util.js';

/** A whole file: the header, then one entry per [key, value] pair. */
function vlogFile(entries: [string, string][]): { bytes: Uint8Array; offsets: number[] } {
  const size = entries.reduce((n, [k, v]) => n + vlogEntryBytes(utf8(k).length, utf8(v).length), VLOG_HEADER_BYTES);
  const bytes = new Uint8Array(size);
  bytes.set(encodeVlogHeader(), 0);
  const offsets: number[] = [];
  let at = VLOG_HEADER_BYTES;
  for (const [key, value] of entries) {
    offsets.push(at);
    at = encodeVlogEntry(bytes, at, at, utf8(key), utf8(value));
  }
  expect(at).toBe(size);
  return { bytes, offsets };
}

/** Recomputes the header crc so only the field under test is wrong. */
function sealHeader(header: Uint8Array): Uint8Array {
  putFixed32(header, 12, maskCrc(crc32cUpdate(0, header, 0, 12)));
  return header;
}

describe('value-log header', () => {
  it('classifies ok, truncated, damaged, foreign and newer headers; checkVlogHeader names each', () => {
    const good = encodeVlogHeader();
    expect(vlogHeaderStatus(good)).toBe('ok');
    expect(() => checkVlogHeader(good, '000001.vlog')).not.toThrow();
    const damaged = good.slice();
    damaged[3] = (damaged[3] as number) ^ 1;
    const foreign = good.slice();
    foreign.set(utf8('NOT_VLG\n'), 0);
    const newer = good.slice();
    putFixed32(newer, 8, 2);
    const cases: [Uint8Array, string, number, string][] = [
      [good.subarray(0, VLOG_HEADER_BYTES - 1), 'truncated', 0, 'truncated value-log header'],
      [new Uint8Array(0), 'truncated', 0, 'truncated value-log header'],
      [damaged, 'damaged', 0, 'value-log header checksum mismatch'],
      [sealHeader(foreign), 'bad-magic', 0, 'not a value-log file (bad magic)'],
      [sealHeader(newer), 'bad-version', 8, 'unsupported value-log version 2'],
    ];
    for (const [bytes, status, offset, reason] of cases) {
      expect(vlogHeaderStatus(bytes), reason).toBe(status);
      const error = corruption(() => checkVlogHeader(bytes, '000001.vlog'));
      expect(error.message, reason).toContain(reason);
      expect(error).toMatchObject({ code: 'CORRUPTION', file: '000001.vlog', offset });
    }
  });
});

describe('value-log entries', () => {
  it('decode what was encoded at that offset, as views', () => {
    const { bytes, offsets } = vlogFile([['a', 'one'], ['key', ''], ['', 'keyless']]);
    const entries = offsets.map((at, i) => {
      const end = offsets[i + 1] ?? bytes.length;
      return decodeVlogEntry(bytes.subarray(at, end), 'f.vlog', at);
    });
    expect(entries.map((e) => [new TextDecoder().decode(e.key), new TextDecoder().decode(e.value)])).toEqual([['a', 'one'], ['key', ''], ['', 'keyless']]);
    expect(entries[0]?.value.buffer).toBe(bytes.buffer);
  });

  it('decodeVlogEntry: too short, lengths that do not fill the pointer, wrong offset, flipped byte', () => {
    const { bytes, offsets } = vlogFile([['key', 'value']]);
    const at = offsets[0] as number;
    const entry = bytes.subarray(at);
    const cases: [Uint8Array, number, string][] = [
      [entry.subarray(0, VLOG_ENTRY_HEADER_BYTES - 1), at, 'truncated value-log entry'],
      [entry.subarray(0, entry.length - 1), at, 'value-log entry lengths do not match the pointer'],
      [Uint8Array.from([...entry, 0]), at, 'value-log entry lengths do not match the pointer'],
      [entry, at + 1, 'value-log entry checksum mismatch'], // the crc binds the entry to its offset
      [Uint8Array.from(entry, (b, i) => (i === entry.length - 1 ? b ^ 0x20 : b)), at, 'value-log entry checksum mismatch'],
    ];
    for (const [input, offset, reason] of cases) {
      const error = corruption(() => decodeVlogEntry(input, 'f.vlog', offset));
      expect(error.message, reason).toContain(reason);
      expect(error).toMatchObject({ file: 'f.vlog', offset });
    }
  });

  it('vlogEntryLengthAt and vlogEntryProblem on a whole file', () => {
    const { bytes, offsets } = vlogFile([['k1', 'v1'], ['k2', 'value two']]);
    const [first, second] = offsets as [number, number];
    expect(vlogEntryLengthAt(bytes, first)).toBe(second - first);
    expect(vlogEntryLengthAt(bytes, bytes.length - VLOG_ENTRY_HEADER_BYTES + 1)).toBeUndefined();
    expect(vlogEntryProblem(bytes, first)).toBeUndefined();
    expect(vlogEntryProblem(bytes, second)).toBeUndefined();
    expect(vlogEntryProblem(bytes, bytes.length - 4)).toBe('truncated entry header');
    expect(vlogEntryProblem(bytes.subarray(0, bytes.length - 1), second)).toBe('entry runs past the end of the file');
    const flipped = bytes.slice();
    flipped[second - 1] = (flipped[second - 1] as number) ^ 1;
    expect(vlogEntryProblem(flipped, first)).toBe('entry checksum mismatch');
  });

  it('findValidVlogEntry finds the next entry after damage, or -1', () => {
    const { bytes, offsets } = vlogFile([['k1', 'v1'], ['k2', 'v2'], ['k3', 'v3']]);
    const [first, second, third] = offsets as [number, number, number];
    expect(findValidVlogEntry(bytes, 0)).toBe(first); // starts after the header
    expect(findValidVlogEntry(bytes, first + 1)).toBe(second);
    const damaged = bytes.slice();
    damaged[second + 2] = (damaged[second + 2] as number) ^ 0xff;
    expect(findValidVlogEntry(damaged, second)).toBe(third);
    expect(findValidVlogEntry(bytes, third + 1)).toBe(-1);
    // A candidate whose lengths run past the end is skipped, not read out of bounds.
    const huge = bytes.slice();
    putFixed32(huge, third + 8, 0x7fffffff);
    expect(findValidVlogEntry(huge, third)).toBe(-1);
    expect(findValidVlogEntry(bytes.subarray(0, VLOG_HEADER_BYTES), 0)).toBe(-1);
  });
});
