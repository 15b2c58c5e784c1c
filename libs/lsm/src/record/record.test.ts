// Goal: the log framing round-trips any records in any grouping, its bytes never change silently
// (golden files), and the reader draws the line between a torn tail and corruption exactly as
// RELIABILITY.md D5 says. Method: fast-check properties (seeded), exhaustive truncation and byte
// flips over small multi-record files, fuzzing with random and mutated files.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { equalBytes, fromHex, toHex } from '../codec/bytes.js';
import { getFixed16, putFixed32 } from '../codec/fixed.js';
import { crc32c, maskCrc } from '../codec/crc32c.js';
import { CorruptionError, IoError } from '../errors.js';
import { MemFiles } from './mem-files.test-util.js';
import { CHUNK_HEADER_BYTES, LOG_BLOCK_BYTES, LOG_HEADER_BYTES, encodeLogHeader } from './record-format.js';
import type { LogKind } from './record-format.js';
import { readRecords } from './record-reader.js';
import { RecordWriter, encodeRecords } from './record-writer.js';
import { propertyRuns } from '../testing/tier.test-util.js';

const seed = Number(process.env['SEED'] ?? Date.now() % 2 ** 31);

function expectGolden(name: string, text: string): void {
  const url = new URL(`../../testdata/record/${name}`, import.meta.url);
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(url, text);
  expect(text).toBe(readFileSync(url, 'utf8'));
}

function hexLines(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 32) lines.push(toHex(bytes.subarray(i, i + 32)));
  return lines.join('\n') + '\n';
}

/** Deterministic bytes: record i of length n. */
function pattern(i: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let j = 0; j < n; j++) out[j] = (i * 31 + j * 7 + (j >>> 8)) & 0xff;
  return out;
}

function buildLog(records: readonly Uint8Array[], kind: LogKind = 'WAL'): Uint8Array {
  const header = encodeLogHeader(kind);
  const body = encodeRecords(LOG_HEADER_BYTES, records);
  const out = new Uint8Array(header.length + body.length);
  out.set(header, 0);
  out.set(body, header.length);
  return out;
}

/** End offset of each record in a log built by buildLog. */
function recordEnds(records: readonly Uint8Array[]): number[] {
  const ends: number[] = [];
  let position = LOG_HEADER_BYTES;
  for (const record of records) {
    position += encodeRecords(position, [record]).length;
    ends.push(position);
  }
  return ends;
}

/** Offsets of every chunk (and block trailer) of a valid log. */
function chunkStarts(bytes: Uint8Array): number[] {
  const starts: number[] = [];
  let position = LOG_HEADER_BYTES;
  while (position < bytes.length) {
    starts.push(position);
    const blockLeft = LOG_BLOCK_BYTES - (position % LOG_BLOCK_BYTES);
    position += blockLeft < CHUNK_HEADER_BYTES ? blockLeft : CHUNK_HEADER_BYTES + getFixed16(bytes, position + 4);
  }
  return starts;
}

/** Fast equality for lists of byte arrays (vitest's deep equality is slow on big arrays). */
function expectSameRecords(actual: readonly Uint8Array[], expected: readonly Uint8Array[]): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (!equalBytes(actual[i] as Uint8Array, expected[i] as Uint8Array)) expect.fail(`record ${i} differs`);
  }
}

function catchCorruption(run: () => unknown): CorruptionError {
  try {
    run();
  } catch (error) {
    if (error instanceof CorruptionError) return error;
    throw error;
  }
  throw new Error('expected a CorruptionError');
}

describe(`record framing (seed ${seed})`, () => {
  it('round-trips records of any size in any grouping, one append per group', async () => {
    const sizes = fc.oneof(fc.nat(40), fc.nat(3000), fc.integer({ min: 30_000, max: 80_000 }));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(sizes, { minLength: 1, maxLength: 4 }), { maxLength: 6 }), async (groups) => {
        const fs = new MemFiles();
        const writer = await RecordWriter.create(await fs.openWritable('/x.wal'), 'WAL');
        const all: Uint8Array[] = [];
        for (const group of groups) {
          const records = group.map((n) => pattern(all.length + n, n));
          all.push(...records);
          await writer.addRecords(records);
        }
        const file = fs.get('/x.wal');
        expect(file.appendCalls).toBe(1 + groups.length);
        expect(writer.size).toBe(file.bytes.length);
        const result = readRecords(file.bytes, 'x.wal', 'WAL');
        expectSameRecords(result.records, all);
        expect(result.tornTail).toBe(false);
        expect(result.validEndOffset).toBe(file.bytes.length);
        expect(equalBytes(buildLog(all), file.bytes)).toBe(true); // the layout depends only on offsets
      }),
      { seed, numRuns: propertyRuns(60) },
    );
  });

  it('matches the golden bytes (small WAL and MANIFEST, a record across a block boundary)', () => {
    const small = [new Uint8Array(0), fromHex('68656c6c6f'), pattern(1, 40)];
    expectGolden('wal-small.hex', hexLines(buildLog(small, 'WAL')));
    expectGolden('manifest-small.hex', hexLines(buildLog(small, 'MANIFEST')));
    const big = buildLog([pattern(2, LOG_BLOCK_BYTES - 100), pattern(3, 300), pattern(4, 5)]);
    const around = big.subarray(LOG_BLOCK_BYTES - 128, LOG_BLOCK_BYTES + 48);
    const sha = createHash('sha256').update(big).digest('hex');
    expectGolden('fragmented.txt', `length ${big.length}\nsha256 ${sha}\nbytes ${LOG_BLOCK_BYTES - 128}..${LOG_BLOCK_BYTES + 48}\n${hexLines(around)}`);
  });

  it('pads a block tail shorter than a chunk header and allows a zero-length FIRST chunk', () => {
    for (const left of [0, 1, 6, 7, 8]) {
      const first = pattern(5, LOG_BLOCK_BYTES - LOG_HEADER_BYTES - CHUNK_HEADER_BYTES - left);
      const records = [first, pattern(6, 50), new Uint8Array(0)];
      const bytes = buildLog(records);
      const result = readRecords(bytes, 'x.wal', 'WAL');
      expectSameRecords(result.records, records);
      expect(result.tornTail).toBe(false);
    }
  });

  // A file of 9 records, two of them fragmented across the block boundary.
  const d5Records = [10, 0, 700, LOG_BLOCK_BYTES - 900, 2000, 33, 1, 500, 64].map((n, i) => pattern(i, n));
  const d5File = buildLog(d5Records);
  const d5Ends = recordEnds(d5Records);

  it('truncation at every offset yields a prefix of the records, never an error', () => {
    for (let cut = 0; cut <= d5File.length; cut++) {
      const result = readRecords(d5File.subarray(0, cut), 'x.wal', 'WAL');
      const complete = d5Ends.filter((end) => end <= cut).length;
      expectSameRecords(result.records, d5Records.slice(0, complete));
      const validEnd = complete > 0 ? (d5Ends[complete - 1] as number) : cut >= LOG_HEADER_BYTES ? LOG_HEADER_BYTES : 0;
      expect(result.validEndOffset).toBe(validEnd);
      expect(result.tornTail).toBe(validEnd < cut);
    }
  });

  it('a flipped byte anywhere in the last record is a torn tail', () => {
    const start = d5Ends[d5Ends.length - 2] as number;
    for (let at = start; at < d5File.length; at++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const bytes = d5File.slice();
        bytes[at] = (bytes[at] as number) ^ mask;
        const result = readRecords(bytes, 'x.wal', 'WAL');
        expectSameRecords(result.records, d5Records.slice(0, -1));
        expect(result.validEndOffset).toBe(start);
        expect(result.tornTail).toBe(true);
      }
    }
  });

  it('a flipped byte in a middle record followed by valid records is corruption at that chunk', () => {
    // records 2..4 (record 4 spans the block boundary as FIRST + LAST), then valid records 5..8;
    // every byte near chunk edges, every 61st inside big payloads
    const starts = chunkStarts(d5File);
    expect(starts).toContain(LOG_BLOCK_BYTES);
    const nearEdge = (at: number): boolean => starts.some((start) => Math.abs(at - start) < 64) || (d5Ends[4] as number) - at < 64;
    for (let at = d5Ends[1] as number; at < (d5Ends[4] as number); at += nearEdge(at) ? 1 : 61) {
      const bytes = d5File.slice();
      bytes[at] = (bytes[at] as number) ^ 0x10;
      const error = catchCorruption(() => readRecords(bytes, 'x.wal', 'WAL'));
      expect(error.file).toBe('x.wal');
      expect(error.offset).toBe(Math.max(...starts.filter((start) => start <= at)));
    }
  });

  it('zero-filled tails are end-of-log; zeroes followed by records are corruption', () => {
    for (const zeros of [1, 6, 7, 100, LOG_BLOCK_BYTES + 10]) {
      const bytes = new Uint8Array(d5File.length + zeros);
      bytes.set(d5File, 0);
      const result = readRecords(bytes, 'x.wal', 'WAL');
      expectSameRecords(result.records, d5Records);
      expect(result.validEndOffset).toBe(d5File.length);
      expect(result.tornTail).toBe(true);
    }
    const holed = d5File.slice();
    holed.fill(0, d5Ends[4] as number, d5Ends[5] as number);
    expect(catchCorruption(() => readRecords(holed, 'x.wal', 'WAL')).offset).toBe(d5Ends[4]);
  });

  it('random garbage after the last record is a torn tail', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 5000 }), (garbage) => {
        const bytes = new Uint8Array(d5File.length + garbage.length);
        bytes.set(d5File, 0);
        bytes.set(garbage, d5File.length);
        const result = readRecords(bytes, 'x.wal', 'WAL');
        expectSameRecords(result.records, d5Records);
        expect(result.tornTail).toBe(true);
      }),
      { seed, numRuns: propertyRuns(200) },
    );
  });

  it('appending after an untruncated torn record is detected (leveldb#1287)', () => {
    const records = [pattern(1, 100), pattern(2, LOG_BLOCK_BYTES)];
    const full = buildLog(records);
    const cut = LOG_BLOCK_BYTES; // the fragmented record's FIRST chunk is complete, the rest is lost
    const appended = encodeRecords(cut, [pattern(3, 10)]);
    const bytes = new Uint8Array(cut + appended.length);
    bytes.set(full.subarray(0, cut), 0);
    bytes.set(appended, cut);
    const error = catchCorruption(() => readRecords(bytes, 'x.wal', 'WAL'));
    expect(error.offset).toBe(recordEnds(records)[0]);
    expect(error.reason).toMatch(/partial record/);
  });

  it('an orphan MIDDLE or LAST chunk is corruption', () => {
    const bytes = buildLog([pattern(1, LOG_BLOCK_BYTES)]);
    const tail = bytes.slice(LOG_BLOCK_BYTES);
    const rebuilt = new Uint8Array(LOG_BLOCK_BYTES + tail.length);
    rebuilt.set(encodeLogHeader('WAL'), 0);
    rebuilt.set(tail, LOG_BLOCK_BYTES); // block 0 zero: damage followed by a valid LAST chunk
    expect(catchCorruption(() => readRecords(rebuilt, 'x.wal', 'WAL')).offset).toBe(LOG_HEADER_BYTES);
  });

  it('a chunk image inside a torn payload is not mistaken for valid data', () => {
    const image = buildLog([pattern(1, 30), pattern(2, 30)]).subarray(LOG_HEADER_BYTES);
    const bytes = buildLog([pattern(0, 5), image]);
    for (let cut = bytes.length - image.length; cut < bytes.length; cut += 3) {
      const result = readRecords(bytes.subarray(0, cut), 'x.wal', 'WAL');
      expect(result.records.length).toBe(1);
      expect(result.tornTail).toBe(true);
    }
  });

  it('checks the file header: empty, short, damaged, foreign kind, unsupported version', () => {
    expect(readRecords(new Uint8Array(0), 'x.wal', 'WAL')).toEqual({ records: [], recordOffsets: [], validEndOffset: 0, tornTail: false });
    expect(readRecords(encodeLogHeader('WAL').subarray(0, 9), 'x.wal', 'WAL').tornTail).toBe(true);
    expect(readRecords(encodeLogHeader('WAL'), 'x.wal', 'WAL').validEndOffset).toBe(LOG_HEADER_BYTES);
    expect(catchCorruption(() => readRecords(buildLog([], 'MANIFEST'), 'x.wal', 'WAL')).reason).toMatch(/not a WAL file: a MANIFEST file/);
    const v2 = encodeLogHeader('WAL');
    putFixed32(v2, 8, 2);
    putFixed32(v2, 12, maskCrc(crc32c(v2, 0, 12)));
    expect(catchCorruption(() => readRecords(v2, 'x.wal', 'WAL')).reason).toMatch(/unsupported log format version 2/);
    const damaged = buildLog([pattern(1, 10)]);
    damaged[3] = 0;
    expect(catchCorruption(() => readRecords(damaged, 'x.wal', 'WAL')).offset).toBe(0);
    const headerOnly = encodeLogHeader('WAL');
    headerOnly[3] = 0;
    expect(readRecords(headerOnly, 'x.wal', 'WAL')).toMatchObject({ validEndOffset: 0, tornTail: true });
  });

  it('fuzz: random and mutated files give records or CorruptionError, nothing else', () => {
    const valid = buildLog([pattern(1, 20), pattern(2, LOG_BLOCK_BYTES - 50), pattern(3, 90)]);
    const mutated = fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 })
      .map((flips) => {
        const bytes = valid.slice();
        for (const [at, mask] of flips) bytes[at] = (bytes[at] as number) ^ mask;
        return bytes;
      });
    const random = fc.uint8Array({ maxLength: 2000 }).map((body) => {
      const bytes = new Uint8Array(LOG_HEADER_BYTES + body.length);
      bytes.set(encodeLogHeader('WAL'), 0);
      bytes.set(body, LOG_HEADER_BYTES);
      return bytes;
    });
    fc.assert(
      fc.property(fc.oneof(mutated, random, fc.uint8Array({ maxLength: 64 })), (bytes) => {
        try {
          const result = readRecords(bytes, 'x.wal', 'WAL');
          expect(result.validEndOffset).toBeLessThanOrEqual(bytes.length);
          expect(result.records.length).toBe(result.recordOffsets.length);
        } catch (error) {
          expect(error).toBeInstanceOf(CorruptionError);
        }
      }),
      { seed, numRuns: propertyRuns(2000) },
    );
  });

  it('continues an existing log, and refuses use after a failed append or sync', async () => {
    const fs = new MemFiles();
    const first = await RecordWriter.create(await fs.openWritable('/m'), 'MANIFEST');
    await first.addRecords([pattern(1, 10)]);
    await first.sync();
    const again = await RecordWriter.create(await fs.openWritable('/m'), 'MANIFEST');
    await again.addRecords([pattern(2, 20), pattern(3, 30)]);
    expect(readRecords(fs.get('/m').bytes, 'm', 'MANIFEST').records).toEqual([pattern(1, 10), pattern(2, 20), pattern(3, 30)]);
    await again.addRecords([]);
    expect(fs.get('/m').appendCalls).toBe(3);

    fs.faults.failSync = true;
    await expect(again.sync()).rejects.toMatchObject({ code: 'EIO' });
    fs.faults.failSync = false;
    await expect(again.sync()).rejects.toBeInstanceOf(IoError); // never retried
    expect(fs.get('/m').syncCalls).toBe(2);
    await expect(again.addRecords([pattern(4, 1)])).rejects.toBeInstanceOf(IoError);

    const other = await RecordWriter.create(await fs.openWritable('/w'), 'WAL');
    fs.faults.failAppend = true;
    await expect(other.addRecords([pattern(1, 1)])).rejects.toMatchObject({ code: 'EIO' });
    fs.faults.failAppend = false;
    await expect(other.addRecords([pattern(1, 1)])).rejects.toBeInstanceOf(IoError);
  });
});
