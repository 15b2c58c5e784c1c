// Goal: every check of the backup codec, one malformed input each. backup-format.test.ts flips and
// truncates whole streams, which mostly trips the checksums first; here each chunk, record and
// trailer is rebuilt with VALID checksums around the one wrong field, so the check behind the
// checksum is the one that fires, with its message and stream offset. Also the encoder's argument
// checks and its state machine (header once, records only between header and finish).
import { describe, expect, it } from 'vitest';
import { crc32c, crc32cUpdate, maskCrc } from '../codec/crc32c.js';
import { putFixed32, putFixed64 } from '../codec/fixed.js';
import { putVarint } from '../codec/varint.js';
import { CorruptionError, InvalidArgumentError } from '../errors.js';
import {
  BACKUP_CHUNK_HEADER_BYTES,
  BACKUP_HEADER_BYTES,
  BACKUP_MAX_KEY_BYTES,
  BACKUP_MAX_VALUE_BYTES,
  BACKUP_TRAILER_BYTES,
  BackupEncoder,
  BackupStreamDecoder,
  BackupUnitType,
  MAX_CHUNK_PAYLOAD_BYTES,
  checkBackupHeader,
  decodeBackupChunk,
  encodeBackupChunk,
  encodeBackupHeader,
  type BackupRecord,
  type BackupTrailer,
} from './backup-format.js';

const enc = new TextEncoder();

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
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

function invalidArgument(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return (error as Error).message;
  }
  throw new Error('expected an InvalidArgumentError');
}

/** Raw record bytes, written field by field (so any field can be wrong). */
function rawRecord(fields: { kind?: number; key?: Uint8Array; keyLength?: number; version?: number; userMeta?: number; expiresAt?: number; value?: Uint8Array; valueLength?: number }): Uint8Array {
  const key = fields.key ?? enc.encode('k');
  const value = fields.value ?? new Uint8Array(0);
  const out = new Uint8Array(64 + key.length + value.length);
  let at = 0;
  out[at++] = fields.kind ?? 1;
  at = putVarint(out, at, fields.keyLength ?? key.length);
  out.set(key, at);
  at += key.length;
  at = putVarint(out, at, fields.version ?? 5);
  out[at++] = fields.userMeta ?? 0;
  at = putVarint(out, at, fields.expiresAt ?? 0);
  at = putVarint(out, at, fields.valueLength ?? value.length);
  out.set(value, at);
  return out.subarray(0, at + value.length);
}

/** A whole stream: header, one chunk per payload (with its record count), and a trailer sealed over all of it. */
function stream(chunks: readonly [Uint8Array, number][], trailer: BackupTrailer): Uint8Array {
  const parts = [encodeBackupHeader()];
  let offset = BACKUP_HEADER_BYTES;
  for (const [payload, count] of chunks) {
    const chunk = encodeBackupChunk(payload, count, offset);
    parts.push(chunk);
    offset += chunk.length;
  }
  const body = concat(parts);
  return concat([body, sealedTrailer(body, trailer)]);
}

function sealedTrailer(before: Uint8Array, trailer: BackupTrailer): Uint8Array {
  const out = new Uint8Array(BACKUP_TRAILER_BYTES);
  out[0] = BackupUnitType.TRAILER;
  putFixed64(out, 1, trailer.records);
  putFixed64(out, 9, trailer.chunks);
  putFixed64(out, 17, trailer.since);
  putFixed64(out, 25, trailer.until);
  putFixed32(out, 33, maskCrc(crc32cUpdate(crc32c(before), out, 0, 33)));
  return out;
}

/** Pushes `bytes` in pieces of `piece`, takes every unit, then finishes. */
function decodeAll(bytes: Uint8Array, piece = bytes.length): { trailer: BackupTrailer; records: BackupRecord[] } {
  const decoder = new BackupStreamDecoder();
  const records: BackupRecord[] = [];
  for (let at = 0; at < bytes.length; at += piece) {
    decoder.push(bytes.subarray(at, Math.min(bytes.length, at + piece)));
    for (let unit = decoder.next(); unit !== undefined; unit = decoder.next()) {
      if (unit.type === 'chunk') records.push(...unit.records);
    }
  }
  return { trailer: decoder.finish(), records };
}

describe('backup header', () => {
  it('each header check, in order', () => {
    const good = encodeBackupHeader();
    expect(() => checkBackupHeader(good)).not.toThrow();
    expect(corruptionOf(() => checkBackupHeader(good.subarray(0, 15))).message).toContain('truncated backup header');
    const foreign = good.slice();
    foreign[0] = 0x58;
    expect(corruptionOf(() => checkBackupHeader(foreign)).message).toContain('not a backup stream (bad magic)');
    const damaged = good.slice();
    damaged[9] = 1;
    expect(corruptionOf(() => checkBackupHeader(damaged)).message).toContain('backup header checksum mismatch');
    const newer = good.slice();
    putFixed32(newer, 8, 2);
    putFixed32(newer, 12, maskCrc(crc32c(newer, 0, 12)));
    const error = corruptionOf(() => checkBackupHeader(newer));
    expect(error.message).toContain('unsupported backup format version 2');
    expect(error.offset).toBe(8);
  });
});

describe('backup chunks and records', () => {
  it('chunk framing: short, wrong unit type, length mismatch, checksum, no records, too few, bytes left over', () => {
    const record = rawRecord({});
    const good = encodeBackupChunk(record, 1, 100);
    expect(decodeBackupChunk(good, 100)).toHaveLength(1);
    const cases: [Uint8Array, string, number][] = [
      [good.subarray(0, BACKUP_CHUNK_HEADER_BYTES - 1), 'truncated chunk header', 100],
      [Uint8Array.from(good, (b, i) => (i === 0 ? 2 : b)), 'expected a chunk, found unit type 2', 100],
      [good.subarray(0, good.length - 1), 'chunk length does not match its header', 100],
      [Uint8Array.from(good, (b, i) => (i === good.length - 1 ? b ^ 1 : b)), 'chunk checksum mismatch', 100],
      [encodeBackupChunk(record, 0, 100), 'chunk holds no records', 105],
      [encodeBackupChunk(record, 2, 100), 'chunk payload ends after 1 of 2 records', 100 + BACKUP_CHUNK_HEADER_BYTES + record.length],
      [encodeBackupChunk(concat([record, Uint8Array.of(7, 7)]), 1, 100), '2 bytes follow the chunk\'s last record', 100 + BACKUP_CHUNK_HEADER_BYTES + record.length],
    ];
    // The checksum binds the chunk to its offset: the same bytes read at another offset fail.
    expect(corruptionOf(() => decodeBackupChunk(good, 101)).message).toContain('chunk checksum mismatch');
    for (const [chunk, reason, offset] of cases) {
      const error = corruptionOf(() => decodeBackupChunk(chunk, 100));
      expect(error.message, reason).toContain(reason);
      expect(error.offset, reason).toBe(offset);
    }
  });

  it('record fields: each wrong value behind a valid chunk checksum', () => {
    const base = 100 + BACKUP_CHUNK_HEADER_BYTES;
    const key = enc.encode('key');
    const cases: [Uint8Array, string, number][] = [
      [rawRecord({ kind: 2 }), 'unknown record kind 2', base],
      [Uint8Array.of(1, 0x80), 'bad key length', base + 1],
      [rawRecord({ key: new Uint8Array(0) }), 'key length 0 out of range', base + 1],
      [Uint8Array.of(1, 0x81, 0x80, 0x40), `key length ${BACKUP_MAX_KEY_BYTES + 1} out of range`, base + 1],
      [Uint8Array.of(1, 5, 0x61), 'key runs past the chunk', base + 2],
      [Uint8Array.of(1, 3, ...key), 'bad version', base + 5],
      [rawRecord({ key, version: 0 }), 'bad version', base + 5],
      [Uint8Array.of(1, 3, ...key, 5), 'record ends before user meta', base + 6],
      [Uint8Array.of(1, 3, ...key, 5, 0), 'bad expires_at', base + 7],
      [Uint8Array.of(1, 3, ...key, 5, 0, 0), 'bad value length', base + 8],
      [Uint8Array.of(1, 3, ...key, 5, 0, 0, 0x81, 0x80, 0x80, 0x80, 0x04), 'bad value length', base + 8],
      [Uint8Array.of(1, 3, ...key, 5, 0, 0, 4, 1, 2), 'value runs past the chunk', base + 8],
      [rawRecord({ kind: 0, key, userMeta: 1 }), 'tombstone record with a value, user meta or expiry', base],
      [rawRecord({ kind: 0, key, expiresAt: 9 }), 'tombstone record with a value, user meta or expiry', base],
      [rawRecord({ kind: 0, key, value: Uint8Array.of(1) }), 'tombstone record with a value, user meta or expiry', base],
    ];
    expect(BACKUP_MAX_VALUE_BYTES + 1).toBe(0x4000_0001); // the varint above: 81 80 80 80 04
    for (const [payload, reason, offset] of cases) {
      const error = corruptionOf(() => decodeBackupChunk(encodeBackupChunk(payload, 1, 100), 100));
      expect(error.message, reason).toContain(reason);
      expect(error.offset, reason).toBe(offset);
    }
    const tombstone = decodeBackupChunk(encodeBackupChunk(rawRecord({ kind: 0, key, version: 7 }), 1, 0), 0)[0];
    expect(tombstone).toMatchObject({ deleted: true, version: 7, userMeta: 0, expiresAt: 0 });
    expect(tombstone?.value).toHaveLength(0);
  });
});

describe('backup stream decoder', () => {
  const one = rawRecord({ key: enc.encode('a'), version: 5 });
  const two = rawRecord({ key: enc.encode('b'), version: 6 });

  it('decodes a hand-built stream pushed a byte at a time', () => {
    const bytes = stream([[concat([one, two]), 2]], { records: 2, chunks: 1, since: 4, until: 6 });
    for (const piece of [1, 7, bytes.length]) {
      const { trailer, records } = decodeAll(bytes, piece);
      expect(trailer).toEqual({ records: 2, chunks: 1, since: 4, until: 6 });
      expect(records.map((r) => new TextDecoder().decode(r.key))).toEqual(['a', 'b']);
    }
  });

  it('trailer checks: counts, since after until, versions outside (since, until], the stream checksum', () => {
    const chunk: [Uint8Array, number] = [concat([one, two]), 2];
    const trailerAt = BACKUP_HEADER_BYTES + BACKUP_CHUNK_HEADER_BYTES + one.length + two.length;
    const cases: [BackupTrailer, string, number][] = [
      [{ records: 3, chunks: 1, since: 4, until: 6 }, 'trailer counts 3 records, stream holds 2', trailerAt + 1],
      [{ records: 2, chunks: 2, since: 4, until: 6 }, 'trailer counts 2 chunks, stream holds 1', trailerAt + 9],
      [{ records: 2, chunks: 1, since: 7, until: 6 }, 'since 7 is after until 6', trailerAt + 17],
      [{ records: 2, chunks: 1, since: 5, until: 6 }, 'record versions [5, 6] outside (5, 6]', trailerAt + 17],
      [{ records: 2, chunks: 1, since: 0, until: 5 }, 'record versions [5, 6] outside (0, 5]', trailerAt + 17],
    ];
    for (const [trailer, reason, offset] of cases) {
      const error = corruptionOf(() => decodeAll(stream([chunk], trailer)));
      expect(error.message, reason).toContain(reason);
      expect(error.offset, reason).toBe(offset);
    }
    // An empty backup may name any (since, until] with since <= until.
    expect(decodeAll(stream([], { records: 0, chunks: 0, since: 9, until: 9 })).trailer).toMatchObject({ since: 9, until: 9 });
    const bytes = stream([chunk], { records: 2, chunks: 1, since: 4, until: 6 });
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1;
    expect(corruptionOf(() => decodeAll(bytes)).message).toContain('stream checksum mismatch');
  });

  it('records out of key order, within a chunk and across chunks', () => {
    const within = stream([[concat([two, one]), 2]], { records: 2, chunks: 1, since: 0, until: 9 });
    expect(corruptionOf(() => decodeAll(within))).toMatchObject({ offset: BACKUP_HEADER_BYTES });
    const duplicate = stream([[one, 1], [one, 1]], { records: 2, chunks: 2, since: 0, until: 9 });
    const error = corruptionOf(() => decodeAll(duplicate));
    expect(error.message).toContain('records out of key order');
    expect(error.offset).toBe(BACKUP_HEADER_BYTES + BACKUP_CHUNK_HEADER_BYTES + one.length);
  });

  it('unit framing: unknown unit type, payload length 0 or too large (before it is buffered)', () => {
    const header = encodeBackupHeader();
    const unknown = new BackupStreamDecoder();
    unknown.push(concat([header, Uint8Array.of(9)]));
    expect(corruptionOf(() => unknown.next())).toMatchObject({ offset: 16, message: expect.stringContaining('unknown unit type 9') as unknown });
    for (const length of [0, MAX_CHUNK_PAYLOAD_BYTES + 1]) {
      const chunkHeader = new Uint8Array(BACKUP_CHUNK_HEADER_BYTES);
      chunkHeader[0] = BackupUnitType.CHUNK;
      putFixed32(chunkHeader, 1, length);
      const decoder = new BackupStreamDecoder();
      decoder.push(concat([header, chunkHeader]));
      const error = corruptionOf(() => decoder.next());
      expect(error.message).toContain(`chunk payload length ${length} out of range`);
      expect(error.offset).toBe(17);
    }
  });

  it('waits for whole units, and rejects a foreign stream from its first bytes', () => {
    const bytes = stream([[one, 1]], { records: 1, chunks: 1, since: 0, until: 5 });
    const decoder = new BackupStreamDecoder();
    decoder.push(new Uint8Array(0)); // ignored
    decoder.push(bytes.subarray(0, 3));
    expect(decoder.next()).toBeUndefined(); // header incomplete, magic so far agrees
    decoder.push(bytes.subarray(3, BACKUP_HEADER_BYTES));
    expect(decoder.next()).toBeUndefined(); // header taken; no unit byte yet
    expect(decoder.consumedBytes).toBe(BACKUP_HEADER_BYTES);
    decoder.push(bytes.subarray(BACKUP_HEADER_BYTES, BACKUP_HEADER_BYTES + 5));
    expect(decoder.next()).toBeUndefined(); // chunk header incomplete
    decoder.push(bytes.subarray(BACKUP_HEADER_BYTES + 5, BACKUP_HEADER_BYTES + BACKUP_CHUNK_HEADER_BYTES + 1));
    expect(decoder.next()).toBeUndefined(); // payload incomplete
    decoder.push(bytes.subarray(BACKUP_HEADER_BYTES + BACKUP_CHUNK_HEADER_BYTES + 1, bytes.length - 1));
    expect(decoder.next()).toMatchObject({ type: 'chunk', offset: BACKUP_HEADER_BYTES });
    expect(decoder.next()).toBeUndefined(); // trailer incomplete
    decoder.push(bytes.subarray(bytes.length - 1));
    expect(decoder.next()).toMatchObject({ type: 'trailer', trailer: { records: 1 } });
    expect(decoder.next()).toBeUndefined(); // done
    expect(decoder.finish()).toMatchObject({ records: 1, until: 5 });
    expect(decoder.finish()).toMatchObject({ records: 1 }); // finish is repeatable
    const more = corruptionOf(() => decoder.push(Uint8Array.of(0)));
    expect(more.message).toContain('1 bytes follow the trailer');
    expect(more.offset).toBe(bytes.length);

    const foreign = new BackupStreamDecoder();
    foreign.push(enc.encode('LSM_BAD'));
    expect(corruptionOf(() => foreign.next())).toMatchObject({ offset: 0, message: expect.stringContaining('not a backup stream (bad magic)') as unknown });
  });

  it('bytes after the trailer in the same push are rejected, then and later', () => {
    const bytes = stream([], { records: 0, chunks: 0, since: 0, until: 0 });
    const decoder = new BackupStreamDecoder();
    decoder.push(concat([bytes, Uint8Array.of(1, 2)]));
    const error = corruptionOf(() => decoder.next());
    expect(error.message).toContain('2 bytes follow the trailer');
    expect(error.offset).toBe(bytes.length);
    // The decoder stays failed: asking again, or finishing, reports the same extra bytes.
    expect(corruptionOf(() => decoder.next()).message).toContain('2 bytes follow the trailer');
    expect(corruptionOf(() => decoder.finish()).message).toContain('2 bytes follow the trailer');
  });

  it('finish on a truncated stream says where it ends', () => {
    const bytes = stream([[one, 1]], { records: 1, chunks: 1, since: 0, until: 5 });
    const at = (n: number): CorruptionError => {
      const decoder = new BackupStreamDecoder();
      decoder.push(bytes.subarray(0, n));
      while (decoder.next() !== undefined);
      return corruptionOf(() => decoder.finish());
    };
    expect(at(0)).toMatchObject({ offset: 0, message: expect.stringContaining('empty backup stream') as unknown });
    expect(at(10)).toMatchObject({ offset: 10, message: expect.stringContaining('backup stream ends at offset 10, inside its header') as unknown });
    expect(at(20)).toMatchObject({ offset: 16, message: expect.stringContaining('it ends at offset 20, inside the unit at 16') as unknown });
    const chunkEnd = bytes.length - BACKUP_TRAILER_BYTES;
    expect(at(chunkEnd)).toMatchObject({ offset: chunkEnd, message: expect.stringContaining(`it ends at offset ${chunkEnd} without a trailer`) as unknown });
  });
});

describe('backup encoder', () => {
  const record = (over: Partial<BackupRecord> = {}): BackupRecord => ({
    key: enc.encode('k'),
    value: enc.encode('v'),
    version: 5,
    userMeta: 0,
    expiresAt: 0,
    deleted: false,
    ...over,
  });

  it('refuses bad options', () => {
    expect(invalidArgument(() => new BackupEncoder({ since: -1, until: 0 }))).toContain('since must be a non-negative integer');
    expect(invalidArgument(() => new BackupEncoder({ since: 0.5, until: 1 }))).toContain('since must be a non-negative integer');
    expect(invalidArgument(() => new BackupEncoder({ since: 5, until: 4 }))).toContain('until must be an integer >= since');
    expect(invalidArgument(() => new BackupEncoder({ since: 0, until: Number.NaN }))).toContain('until must be an integer >= since');
    for (const chunkBytes of [0, 1.5, 64 * 1024 * 1024 + 1]) {
      expect(invalidArgument(() => new BackupEncoder({ since: 0, until: 1, chunkBytes }))).toContain('chunkBytes must be an integer from 1 to 64 MiB');
    }
  });

  it('refuses records it could not encode faithfully', () => {
    const encoder = new BackupEncoder({ since: 0, until: 10 });
    encoder.header();
    const cases: [Partial<BackupRecord>, string][] = [
      [{ key: new Uint8Array(0) }, 'backup record key of 0 bytes is out of range'],
      [{ key: new Uint8Array(BACKUP_MAX_KEY_BYTES + 1) }, `backup record key of ${BACKUP_MAX_KEY_BYTES + 1} bytes is out of range`],
      [{ version: 0 }, 'bad record version 0'],
      [{ version: 1.5 }, 'bad record version 1.5'],
      [{ userMeta: -1 }, 'bad record userMeta -1'],
      [{ userMeta: 256 }, 'bad record userMeta 256'],
      [{ userMeta: 0.5 }, 'bad record userMeta 0.5'],
      [{ expiresAt: -1 }, 'bad record expiresAt -1'],
      [{ expiresAt: 2 ** 60 }, `bad record expiresAt ${2 ** 60}`],
      [{ version: 11 }, 'record version 11 is outside (0, 10]'],
    ];
    for (const [over, reason] of cases) expect(invalidArgument(() => encoder.add(record(over)))).toContain(reason);
    // A value beyond the ceiling, without allocating a gigabyte: only its length is read first.
    const huge = { length: BACKUP_MAX_VALUE_BYTES + 1 } as unknown as Uint8Array;
    expect(invalidArgument(() => encoder.add(record({ value: huge })))).toContain(`backup record value of ${BACKUP_MAX_VALUE_BYTES + 1} bytes is out of range`);
    expect(encoder.recordCount).toBe(0);
    const since = new BackupEncoder({ since: 5, until: 10 });
    since.header();
    expect(invalidArgument(() => since.add(record({ version: 5 })))).toContain('record version 5 is outside (5, 10]');
  });

  it('writes the header once, takes records only between header and finish', () => {
    const encoder = new BackupEncoder({ since: 0, until: 10 });
    expect(invalidArgument(() => encoder.add(record()))).toContain('backup encoder is not accepting records');
    expect(invalidArgument(() => encoder.finish())).toContain('backup encoder is not accepting records');
    encoder.header();
    expect(invalidArgument(() => encoder.header())).toContain('backup header already written');
    encoder.add(record());
    const end = encoder.finish();
    expect(end[0]).toBe(BackupUnitType.CHUNK); // the pending records, then the trailer
    expect(invalidArgument(() => encoder.add(record({ key: enc.encode('z') })))).toContain('backup encoder is not accepting records');
    expect(invalidArgument(() => encoder.finish())).toContain('backup encoder is not accepting records');
  });

  it('a record larger than the chunk buffer grows it, and the buffer shrinks back after the chunk', () => {
    const chunkBytes = 64;
    const encoder = new BackupEncoder({ since: 0, until: 10, chunkBytes });
    const parts = [encoder.header()];
    const big = new Uint8Array(5000).fill(0xab);
    for (const [i, value] of [enc.encode('small'), big, enc.encode('after'), new Uint8Array(100)].entries()) {
      const chunk = encoder.add(record({ key: enc.encode(`k${i}`), value }));
      if (chunk !== undefined) parts.push(chunk);
    }
    parts.push(encoder.finish());
    expect(encoder.chunkCount).toBe(2); // [small, big], [after, 100 bytes]; finish adds only the trailer
    const { records } = decodeAll(concat(parts));
    expect(records.map((r) => r.value.length)).toEqual([5, 5000, 5, 100]);
    expect(records[1]?.value).toEqual(big);
  });
});
