/**
 * Unsigned LEB128 varints (LevelDB/protobuf style): 7 bits per byte, least significant group
 * first, high bit set on every byte but the last. Values are JS numbers up to 2^53 - 1, so an
 * encoding is at most 8 bytes. Decoders check every byte against the end of the buffer and
 * return `undefined` on a truncated or over-long encoding; the caller turns that into a
 * CorruptionError naming its file and offset.
 */

export const VARINT_MAX_BYTES = 8;

/** Bytes needed to encode `value`. */
export function varintLength(value: number): number {
  let length = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    length++;
  }
  return length;
}

/** Writes `value` at `offset`; returns the offset after it. The caller sized `target`. */
export function putVarint(target: Uint8Array, offset: number, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint out of range: ${value}`);
  while (value >= 0x80) {
    target[offset++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  target[offset++] = value;
  return offset;
}

export interface Decoded {
  value: number;
  /** offset of the first byte after the varint */
  next: number;
}

/** Reads a varint at `offset`; `undefined` if truncated before `end` or longer than 8 bytes. */
export function getVarint(source: Uint8Array, offset: number, end = source.length): Decoded | undefined {
  let result = 0;
  let multiplier = 1;
  for (let i = 0; i < VARINT_MAX_BYTES; i++) {
    if (offset >= end) return undefined;
    const byte = source[offset++] as number;
    result += (byte & 0x7f) * multiplier;
    if (byte < 0x80) {
      if (!Number.isSafeInteger(result)) return undefined;
      return { value: result, next: offset };
    }
    multiplier *= 128;
  }
  return undefined;
}
