// Goal: the block codecs on their own: handles round-trip and every malformed handle (cut in
// either field, over-long varint, beyond 2^53, trailing bytes) is a CorruptionError at the given
// offset; checkBlock catches a short read, a flipped byte and an unknown compression type;
// restartArrayOffset rejects a short block and impossible restart counts.
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../codec/bytes.js';
import { putFixed32 } from '../codec/fixed.js';
import {
  BLOCK_TRAILER_BYTES,
  BlockCompression,
  blockHandleLength,
  checkBlock,
  decodeBlockHandle,
  encodeBlockHandle,
  entryHeaderLength,
  putBlockTrailer,
  restartArrayOffset,
} from './block-format.js';
import { corruption } from '../testing/corruption.test-util.js';

/** contents ‖ trailer for `contents`, with the given compression byte. */
function sealed(contents: Uint8Array, compression = 0): Uint8Array {
  const raw = new Uint8Array(contents.length + BLOCK_TRAILER_BYTES);
  raw.set(contents, 0);
  putBlockTrailer(raw, 0, contents.length, compression as BlockCompression);
  return raw;
}

describe('block handles', () => {
  it('round-trip, inside a larger buffer too', () => {
    for (const handle of [{ offset: 0, size: 0 }, { offset: 300, size: 4096 }, { offset: Number.MAX_SAFE_INTEGER, size: 2 ** 40 }]) {
      const encoded = encodeBlockHandle(handle);
      expect(encoded.length).toBe(blockHandleLength(handle));
      expect(decodeBlockHandle(encoded, 0, encoded.length, 't.sst', 0)).toEqual(handle);
      const padded = Uint8Array.from([9, 9, ...encoded, 9]);
      expect(decodeBlockHandle(padded, 2, 2 + encoded.length, 't.sst', 0)).toEqual(handle);
    }
    expect(toHex(encodeBlockHandle({ offset: 300, size: 1 }))).toBe('ac0201');
  });

  it('malformed handles are CorruptionErrors naming the field', () => {
    const cases: [string, string][] = [
      ['', 'bad block handle offset'],
      ['80', 'bad block handle offset'], // offset cut short
      ['05', 'bad block handle size'], // no size
      ['0580', 'bad block handle size'], // size cut short
      ['ffffffffffffffff01', 'bad block handle offset'], // more than 8 varint bytes
      ['05ffffffffffffffff01', 'bad block handle size'],
      ['ffffffffffffff7f00', 'block handle out of range'], // 2^56 - 1 > 2^53 - 1
      ['050607', 'trailing bytes after block handle'],
    ];
    for (const [hex, reason] of cases) {
      const bytes = fromHex(hex);
      const error = corruption(() => decodeBlockHandle(bytes, 0, bytes.length, 't.sst', 1234));
      expect(error.message, hex).toContain(reason);
      expect(error).toMatchObject({ file: 't.sst', offset: 1234 });
    }
  });
});

describe('checkBlock', () => {
  const contents = Uint8Array.from([1, 2, 3, 4, 5, 0, 0, 0, 0, 1, 0, 0, 0]);

  it('returns the contents as a view when size, checksum and compression hold', () => {
    const raw = sealed(contents);
    const checked = checkBlock(raw, contents.length, 't.sst', 0);
    expect(checked).toEqual(contents);
    expect(checked.buffer).toBe(raw.buffer);
  });

  it('rejects a short or long read, a flipped byte anywhere, and an unknown compression', () => {
    const raw = sealed(contents);
    expect(corruption(() => checkBlock(raw.subarray(0, raw.length - 1), contents.length, 't.sst', 100)).message).toContain(
      `truncated block: ${raw.length - 1} of ${raw.length} bytes`,
    );
    expect(corruption(() => checkBlock(Uint8Array.from([...raw, 0]), contents.length, 't.sst', 100)).message).toContain('truncated block');
    for (let i = 0; i < raw.length; i++) {
      const flipped = raw.slice();
      flipped[i] = (flipped[i] as number) ^ 0x10;
      const error = corruption(() => checkBlock(flipped, contents.length, 't.sst', 100));
      expect(error.message, `byte ${i}`).toContain('block checksum mismatch');
      expect(error.offset).toBe(100);
    }
    const compressed = sealed(contents, 1); // a valid checksum over an unknown compression byte
    const error = corruption(() => checkBlock(compressed, contents.length, 't.sst', 100));
    expect(error.message).toContain('unknown block compression type 1');
    expect(error.offset).toBe(100 + contents.length);
  });
});

describe('restartArrayOffset', () => {
  it('finds the restart array, and rejects a short block and impossible counts', () => {
    const block = new Uint8Array(12);
    putFixed32(block, 4, 0); // restart 0 at offset 0
    putFixed32(block, 8, 1);
    expect(restartArrayOffset(block, 't.sst', 0)).toBe(4);
    expect(corruption(() => restartArrayOffset(new Uint8Array(3), 't.sst', 50)).message).toContain('block too short: 3 bytes');
    const none = new Uint8Array(4);
    const zero = corruption(() => restartArrayOffset(none, 't.sst', 50));
    expect(zero.message).toContain('bad restart count 0');
    expect(zero.offset).toBe(50);
    const tooMany = block.slice();
    putFixed32(tooMany, 8, 3); // 3 restarts need 12 bytes before the count; only 8 are there
    const error = corruption(() => restartArrayOffset(tooMany, 't.sst', 50));
    expect(error.message).toContain('bad restart count 3');
    expect(error.offset).toBe(58);
  });

  it('entryHeaderLength sums the three varints', () => {
    expect(entryHeaderLength(0, 8, 127)).toBe(3);
    expect(entryHeaderLength(128, 16384, 0)).toBe(2 + 3 + 1);
    expect(BlockCompression.NONE).toBe(0);
  });
});
