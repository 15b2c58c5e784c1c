// Goal: decodeFooter rejects a block handle above 2^53 - 1 even when the footer checksum holds
// (table-format.test.ts covers magic, checksum, version and tiling).
import { describe, expect, it } from 'vitest';
import { crc32c, maskCrc } from '../codec/crc32c.js';
import { putFixed32 } from '../codec/fixed.js';
import { CorruptionError } from '../errors.js';
import { CURRENT_TABLE_FORMAT_VERSION, FOOTER_BYTES, decodeFooter, encodeFooter, type Footer } from './table-format.js';

const footer: Footer = {
  filterHandle: { offset: 100, size: 0 },
  propertiesHandle: { offset: 105, size: 20 },
  indexHandle: { offset: 130, size: 10 },
  formatVersion: CURRENT_TABLE_FORMAT_VERSION,
};
const fileBytes = 145 + FOOTER_BYTES;

describe('SST footer handles', () => {
  it('decodes a valid footer', () => {
    expect(decodeFooter(encodeFooter(footer), 't.sst', fileBytes)).toEqual(footer);
  });

  for (const [field, at] of [['index offset', 0], ['filter size', 24], ['properties offset', 32]] as const) {
    it(`a ${field} of 2^53 or more is out of range, at its own offset`, () => {
      const bytes = encodeFooter(footer);
      putFixed32(bytes, at + 4, 0x0020_0000); // high half 2^21: the value is >= 2^53
      putFixed32(bytes, 52, maskCrc(crc32c(bytes, 0, 52)));
      let caught: unknown;
      try {
        decodeFooter(bytes, 't.sst', fileBytes);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(CorruptionError);
      const offset = at - (at % 16); // the handle's offset field
      expect(caught).toMatchObject({ file: 't.sst', offset: fileBytes - FOOTER_BYTES + offset, reason: 'block handle out of range' });
    });
  }
});
