import { describe, expect, it } from 'vitest';
import { CorruptionError, InvalidArgumentError } from '../errors.js';
import { createPrng } from '../testing/seeded-prng.js';
import {
  BACKUP_HEADER_BYTES, BACKUP_TRAILER_BYTES, BackupEncoder, BackupStreamDecoder, encodeBackupHeader, type BackupRecord,
  type BackupTrailer,
} from './backup-format.js';

const enc = new TextEncoder();

function records(n: number, seed = 1): BackupRecord[] {
  const prng = createPrng(seed);
  const out: BackupRecord[] = [];
  for (let i = 0; i < n; i++) {
    const deleted = i % 7 === 3;
    const valueLength = deleted ? 0 : prng.nextInt(200);
    const value = new Uint8Array(valueLength);
    for (let j = 0; j < valueLength; j++) value[j] = prng.nextInt(256);
    out.push({
      key: enc.encode(`key:${String(i).padStart(6, '0')}`),
      value,
      version: 10 + prng.nextInt(1000),
      userMeta: deleted ? 0 : prng.nextInt(256),
      expiresAt: deleted || i % 5 !== 0 ? 0 : 1_700_000_000_000 + i,
      deleted,
    });
  }
  return out;
}

function encode(list: BackupRecord[], options: { since?: number; until?: number; chunkBytes?: number } = {}): Uint8Array {
  const encoder = new BackupEncoder({ since: options.since ?? 0, until: options.until ?? 5000, chunkBytes: options.chunkBytes ?? 512 });
  const parts = [encoder.header()];
  for (const record of list) {
    const chunk = encoder.add(record);
    if (chunk !== undefined) parts.push(chunk);
  }
  parts.push(encoder.finish());
  const total = parts.reduce((n, p) => n + p.length, 0);
  expect(total).toBe(encoder.bytes);
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

interface Decoded {
  records: BackupRecord[];
  trailer: BackupTrailer;
  /** stream offsets where a unit starts (header end, each chunk, the trailer) */
  boundaries: number[];
}

/** Decodes `bytes` pushed in pieces of `piece` bytes. */
function decode(bytes: Uint8Array, piece = bytes.length): Decoded {
  const decoder = new BackupStreamDecoder();
  const out: BackupRecord[] = [];
  const boundaries: number[] = [];
  for (let at = 0; at < bytes.length; at += piece) {
    decoder.push(bytes.subarray(at, Math.min(bytes.length, at + piece)));
    for (let unit = decoder.next(); unit !== undefined; unit = decoder.next()) {
      boundaries.push(unit.offset);
      if (unit.type === 'chunk') out.push(...unit.records.map((r) => ({ ...r, key: Uint8Array.from(r.key), value: Uint8Array.from(r.value) })));
    }
  }
  const trailer = decoder.finish();
  return { records: out, trailer, boundaries };
}

function corruptionOf(run: () => unknown): CorruptionError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CorruptionError);
    const corruption = error as CorruptionError;
    expect(corruption.file).toBe('backup');
    return corruption;
  }
  throw new Error('expected a CorruptionError');
}

describe('backup format', () => {
  it('round-trips records in any piece size', () => {
    const list = records(300);
    const bytes = encode(list);
    for (const piece of [1, 3, 13, 64, 1000, bytes.length]) {
      const decoded = decode(bytes, piece);
      expect(decoded.records).toEqual(list);
      expect(decoded.trailer).toEqual({ records: 300, chunks: decoded.boundaries.length - 1, since: 0, until: 5000 });
    }
  });

  it('an empty backup is a header and a trailer', () => {
    const bytes = encode([], { since: 7, until: 7 });
    expect(bytes.length).toBe(BACKUP_HEADER_BYTES + BACKUP_TRAILER_BYTES);
    expect(decode(bytes).trailer).toEqual({ records: 0, chunks: 0, since: 7, until: 7 });
  });

  it('golden header bytes', () => {
    expect(Buffer.from(encodeBackupHeader()).toString('hex')).toMatchInlineSnapshot(`"4c534d5f42414b0a01000000a0d73ff4"`);
  });

  it('golden stream: one record (docs/backup.md worked example)', () => {
    const record: BackupRecord = { key: enc.encode('k1'), value: enc.encode('hi'), version: 4, userMeta: 7, expiresAt: 0, deleted: false };
    const hex = Buffer.from(encode([record], { since: 0, until: 5 })).toString('hex');
    expect(hex).toBe(
      '4c534d5f42414b0a' + '01000000' + 'a0d73ff4' +
      '01' + '0a000000' + '01000000' + '8d5d03b6' + '01' + '02' + '6b31' + '04' + '07' + '00' + '02' + '6869' +
      '02' + '0100000000000000' + '0100000000000000' + '0000000000000000' + '0500000000000000' + '2559daba',
    );
    expect(decode(Buffer.from(hex, 'hex')).records).toEqual([record]);
  });

  it('a record larger than the chunk size gets a chunk of its own', () => {
    const big: BackupRecord = { key: enc.encode('big'), value: new Uint8Array(10_000).fill(7), version: 9, userMeta: 1, expiresAt: 0, deleted: false };
    const bytes = encode([{ ...big, key: enc.encode('a') }, big, { ...big, key: enc.encode('c'), value: new Uint8Array(1) }], { chunkBytes: 100 });
    const decoded = decode(bytes, 777);
    expect(decoded.records.map((r) => r.value.length)).toEqual([10_000, 10_000, 1]);
    expect(decoded.trailer.chunks).toBe(3);
  });

  it('rejects truncation at every offset, naming the offset', () => {
    const bytes = encode(records(40), { chunkBytes: 200 });
    for (let cut = 0; cut < bytes.length; cut++) {
      const error = corruptionOf(() => decode(bytes.subarray(0, cut), 50));
      expect(error.offset).toBeLessThanOrEqual(cut);
      expect(error.message).toMatch(/backup/);
    }
  });

  it('rejects every single-byte change anywhere in the stream', () => {
    const bytes = encode(records(30), { chunkBytes: 150 });
    const prng = createPrng(9);
    for (let at = 0; at < bytes.length; at++) {
      const damaged = bytes.slice();
      damaged[at] = (damaged[at] as number) ^ (1 + prng.nextInt(255));
      corruptionOf(() => decode(damaged, 97));
    }
  });

  it('rejects bytes after the trailer, a foreign stream and a reordered chunk', () => {
    const bytes = encode(records(50), { chunkBytes: 100 });
    const extra = new Uint8Array(bytes.length + 1);
    extra.set(bytes);
    expect(corruptionOf(() => decode(extra)).offset).toBe(bytes.length);
    expect(corruptionOf(() => decode(enc.encode('{"not": "a backup"}'))).reason).toMatch(/bad magic/);
    // Swap the first two chunks: each one's checksum binds its offset.
    const { boundaries } = decode(bytes);
    const [a, b, c] = [boundaries[1], boundaries[2], boundaries[3]] as [number, number, number];
    const swapped = new Uint8Array(bytes.length);
    swapped.set(bytes.subarray(0, a));
    swapped.set(bytes.subarray(b, c), a);
    swapped.set(bytes.subarray(a, b), a + (c - b));
    swapped.set(bytes.subarray(c), c);
    expect(corruptionOf(() => decode(swapped)).reason).toMatch(/checksum/);
  });

  it('the encoder refuses unordered keys and versions outside (since, until]', () => {
    const encoder = new BackupEncoder({ since: 10, until: 20 });
    encoder.header();
    const record: BackupRecord = { key: enc.encode('b'), value: new Uint8Array(0), version: 15, userMeta: 0, expiresAt: 0, deleted: false };
    encoder.add(record);
    expect(() => encoder.add({ ...record, key: enc.encode('a') })).toThrow(InvalidArgumentError);
    expect(() => encoder.add({ ...record, key: enc.encode('c'), version: 10 })).toThrow(InvalidArgumentError);
    expect(() => encoder.add({ ...record, key: enc.encode('c'), version: 21 })).toThrow(InvalidArgumentError);
    expect(() => new BackupEncoder({ since: 5, until: 4 })).toThrow(InvalidArgumentError);
  });
});
