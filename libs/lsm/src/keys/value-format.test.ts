// Goal: the stored-value header and the value pointer, byte for byte: each flag alone and
// together, and every malformed input (empty, unknown flag bit, cut varint, missing user meta,
// pointer fields cut short or followed by extra bytes) decodes to undefined, never throws.
import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../codec/bytes.js';
import { ValueFlag, decodeValueHeader, decodeValuePointer, encodeStoredValue, encodeValuePointer } from './value-format.js';

describe('stored value header', () => {
  it('encodes each combination of expiry and user meta with the documented layout', () => {
    expect(toHex(encodeStoredValue(utf8('v'), 0, 0))).toBe('0076');
    expect(toHex(encodeStoredValue(utf8('v'), 300, 0))).toBe('01ac0276');
    expect(toHex(encodeStoredValue(utf8('v'), 0, 7))).toBe('020776');
    expect(toHex(encodeStoredValue(utf8('v'), 300, 0x1ff))).toBe('03ac02ff76'); // user meta is one byte
    expect(toHex(encodeStoredValue(new Uint8Array(0), 0, 0))).toBe('00');
  });

  it('decodes what it encodes', () => {
    for (const [expiresAt, userMeta] of [[0, 0], [1_700_000_000_000, 0], [0, 255], [5, 1]] as const) {
      const stored = encodeStoredValue(utf8('payload'), expiresAt, userMeta);
      const header = decodeValueHeader(stored);
      expect(header, `${expiresAt}/${userMeta}`).toMatchObject({ expiresAt, userMeta });
      expect(stored.subarray(header?.payloadOffset ?? 0)).toEqual(utf8('payload'));
    }
  });

  it('rejects malformed headers', () => {
    expect(decodeValueHeader(new Uint8Array(0))).toBeUndefined();
    expect(decodeValueHeader(fromHex('04'))).toBeUndefined(); // a flag bit from a newer format
    expect(decodeValueHeader(fromHex('80'))).toBeUndefined();
    expect(decodeValueHeader(fromHex('01'))).toBeUndefined(); // expiry flag, no varint
    expect(decodeValueHeader(fromHex('0180'))).toBeUndefined(); // expiry varint cut short
    expect(decodeValueHeader(fromHex('02'))).toBeUndefined(); // user-meta flag, no byte
    expect(decodeValueHeader(fromHex('0305'))).toBeUndefined(); // expiry, then no user meta
    expect(decodeValueHeader(fromHex('0305'.concat('09')))).toEqual({ expiresAt: 5, userMeta: 9, payloadOffset: 3 });
    expect(ValueFlag).toEqual({ EXPIRES: 1, USER_META: 2 });
  });
});

describe('value pointer', () => {
  it('round-trips and must fill the rest of the stored value exactly', () => {
    const pointer = { fileNumber: 12, offset: 1_000_000, length: 300 };
    const encoded = encodeValuePointer(pointer);
    expect(toHex(encoded)).toBe('0cc0843dac02');
    expect(decodeValuePointer(encoded, 0)).toEqual(pointer);
    const stored = encodeStoredValue(encoded, 0, 3);
    expect(decodeValuePointer(stored, decodeValueHeader(stored)?.payloadOffset ?? -1)).toEqual(pointer);
    expect(decodeValuePointer(Uint8Array.from([...encoded, 0]), 0)).toBeUndefined(); // a byte too many
  });

  it('rejects each field cut short', () => {
    expect(decodeValuePointer(new Uint8Array(0), 0)).toBeUndefined(); // no file number
    expect(decodeValuePointer(fromHex('0c'), 0)).toBeUndefined(); // no offset
    expect(decodeValuePointer(fromHex('0cc0843d'), 0)).toBeUndefined(); // no length
    expect(decodeValuePointer(fromHex('0cc0843dac'), 0)).toBeUndefined(); // length cut short
  });
});
