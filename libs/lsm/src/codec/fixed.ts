/**
 * Fixed-width little-endian integers. fixed64 carries JS numbers up to 2^53 - 1 as two uint32
 * halves (low first), never BigInt on hot paths. Readers assume the caller checked bounds.
 */

export function putFixed32(target: Uint8Array, offset: number, value: number): number {
  target[offset] = value & 0xff;
  target[offset + 1] = (value >>> 8) & 0xff;
  target[offset + 2] = (value >>> 16) & 0xff;
  target[offset + 3] = (value >>> 24) & 0xff;
  return offset + 4;
}

export function getFixed32(source: Uint8Array, offset: number): number {
  return (
    ((source[offset] as number) |
      ((source[offset + 1] as number) << 8) |
      ((source[offset + 2] as number) << 16) |
      ((source[offset + 3] as number) << 24)) >>>
    0
  );
}

export function putFixed64(target: Uint8Array, offset: number, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`fixed64 out of range: ${value}`);
  const low = value % 0x1_0000_0000;
  const high = Math.floor(value / 0x1_0000_0000);
  putFixed32(target, offset, low);
  return putFixed32(target, offset + 4, high);
}

/** Returns the value, or NaN when the high half makes it exceed 2^53 - 1. */
export function getFixed64(source: Uint8Array, offset: number): number {
  const low = getFixed32(source, offset);
  const high = getFixed32(source, offset + 4);
  if (high > 0x1f_ffff) return Number.NaN;
  return high * 0x1_0000_0000 + low;
}

export function putFixed16(target: Uint8Array, offset: number, value: number): number {
  target[offset] = value & 0xff;
  target[offset + 1] = (value >>> 8) & 0xff;
  return offset + 2;
}

export function getFixed16(source: Uint8Array, offset: number): number {
  return (source[offset] as number) | ((source[offset + 1] as number) << 8);
}
