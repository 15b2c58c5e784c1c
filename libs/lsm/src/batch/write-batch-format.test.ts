// Goal: the value-length check of decodeWriteBatch, behind a valid commit-marker crc (the
// cross-field checks are in write-batch.test.ts): a value length cut short, and one that runs
// into the commit marker, are corruption naming the batch byte.
import { describe, expect, it } from 'vitest';
import { utf8 } from '../codec/bytes.js';
import { crc32c, maskCrc } from '../codec/crc32c.js';
import { putFixed32 } from '../codec/fixed.js';
import { CorruptionError } from '../errors.js';
import { Kind } from '../keys/internal-key.js';
import { BATCH_HEADER_BYTES, decodeWriteBatch, encodeWriteBatch } from './write-batch-format.js';

function reseal(bytes: Uint8Array): Uint8Array {
  putFixed32(bytes, bytes.length - 4, maskCrc(crc32c(bytes, 0, bytes.length - 4)));
  return bytes;
}

function reasonOf(bytes: Uint8Array): string {
  try {
    decodeWriteBatch(reseal(bytes), '000001.wal', 40);
  } catch (error) {
    expect(error).toBeInstanceOf(CorruptionError);
    expect(error).toMatchObject({ file: '000001.wal', offset: 40 });
    return (error as CorruptionError).reason;
  }
  throw new Error('expected a CorruptionError');
}

describe('write batch value length', () => {
  // Entry layout: kind(13) key_length(14) key(15) value_length(16) value(17, 18)
  const entry = { kind: Kind.VALUE, key: utf8('k'), value: utf8('\x00v') } as const;
  const valueLengthAt = BATCH_HEADER_BYTES + 3;

  it('decodes the entry as written', () => {
    const bytes = encodeWriteBatch(10, [entry]);
    expect(bytes[valueLengthAt]).toBe(2);
    expect(decodeWriteBatch(bytes, 'w', 0).entries[0]).toMatchObject({ kind: Kind.VALUE, seq: 10, value: utf8('\x00v') });
  });

  it('a value length that runs into the commit marker', () => {
    const bytes = encodeWriteBatch(10, [entry]);
    bytes[valueLengthAt] = 3;
    expect(reasonOf(bytes)).toBe(`write batch: bad value length (batch byte ${valueLengthAt})`);
  });

  it('a value length varint cut off by the commit marker', () => {
    const bytes = encodeWriteBatch(10, [{ ...entry, value: new Uint8Array(0) }]);
    bytes[valueLengthAt] = 0x80; // continuation bit with no byte before the marker
    expect(reasonOf(bytes)).toBe(`write batch: bad value length (batch byte ${valueLengthAt})`);
  });
});
