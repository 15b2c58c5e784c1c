// Goal: the byte-string helpers on the cases the property tests in codec.test.ts may not pick:
// empty inputs, one input a prefix of the other (either side), and hex with whitespace.
import { describe, expect, it } from 'vitest';
import { compareBytes, concatBytes, equalBytes, fromHex, fromUtf8, prefixSuccessor, sharedPrefixLength, toHex, utf8 } from './bytes.js';

describe('byte strings', () => {
  it('compareBytes: shorter is smaller on a shared prefix, from either side; bytes compare unsigned', () => {
    expect(compareBytes(fromHex('0102'), fromHex('010203'))).toBeLessThan(0);
    expect(compareBytes(fromHex('010203'), fromHex('0102'))).toBeGreaterThan(0);
    expect(compareBytes(new Uint8Array(0), new Uint8Array(0))).toBe(0);
    expect(compareBytes(fromHex('7f'), fromHex('80'))).toBeLessThan(0);
  });

  it('equalBytes: different lengths, a different byte, equal', () => {
    expect(equalBytes(fromHex('01'), fromHex('0100'))).toBe(false);
    expect(equalBytes(fromHex('0102'), fromHex('0103'))).toBe(false);
    expect(equalBytes(fromHex('0102'), fromHex('0102'))).toBe(true);
  });

  it('sharedPrefixLength whichever side is shorter', () => {
    expect(sharedPrefixLength(utf8('ab'), utf8('abcd'))).toBe(2);
    expect(sharedPrefixLength(utf8('abcd'), utf8('ab'))).toBe(2);
    expect(sharedPrefixLength(utf8('abcd'), utf8('abxd'))).toBe(2);
    expect(sharedPrefixLength(new Uint8Array(0), utf8('a'))).toBe(0);
  });

  it('prefixSuccessor increments the last byte that is not 0xff and drops the rest', () => {
    expect(toHex(prefixSuccessor(fromHex('01ffff')) ?? new Uint8Array(0))).toBe('02');
    expect(toHex(prefixSuccessor(fromHex('0a0b')) ?? new Uint8Array(0))).toBe('0a0c');
    const prefix = fromHex('0aff');
    prefixSuccessor(prefix);
    expect(toHex(prefix)).toBe('0aff'); // the input is not modified
  });

  it('concatenation, UTF-8 and hex round trips', () => {
    expect(toHex(concatBytes([fromHex('01'), new Uint8Array(0), fromHex('0203')]))).toBe('010203');
    expect(concatBytes([])).toEqual(new Uint8Array(0));
    expect(fromUtf8(utf8('ünïcode ✓'))).toBe('ünïcode ✓');
    expect(fromUtf8(fromHex('ff'))).toBe('\ufffd'); // not fatal: replacement character
    expect(toHex(fromHex('de ad\nbe ef'))).toBe('deadbeef');
  });
});
