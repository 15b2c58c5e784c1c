/**
 * Allocation-free byte-range helpers for the hot paths. Comparison of encoded internal keys held inside larger buffers (block
 * contents, key scratch buffers). Same order as keys/internal-key.ts `compareEncodedInternal`:
 * user key ascending, then the 8-byte trailer (seq << 8 | kind, big-endian) DESCENDING.
 *
 * Both ranges must be at least TRAILER_BYTES long; callers check that while decoding.
 */

import { TRAILER_BYTES } from '../keys/internal-key.js';

/** Compares `a[aStart, aEnd)` with `b[bStart, bEnd)` as encoded internal keys. */
export function compareInternalRanges(
  a: Uint8Array,
  aStart: number,
  aEnd: number,
  b: Uint8Array,
  bStart: number,
  bEnd: number,
): number {
  const aUserEnd = aEnd - TRAILER_BYTES;
  const bUserEnd = bEnd - TRAILER_BYTES;
  const aUserLength = aUserEnd - aStart;
  const bUserLength = bUserEnd - bStart;
  const common = aUserLength < bUserLength ? aUserLength : bUserLength;
  for (let i = 0; i < common; i++) {
    const x = a[aStart + i] as number;
    const y = b[bStart + i] as number;
    if (x !== y) return x - y;
  }
  if (aUserLength !== bUserLength) return aUserLength - bUserLength;
  for (let i = 0; i < TRAILER_BYTES; i++) {
    const x = a[aUserEnd + i] as number;
    const y = b[bUserEnd + i] as number;
    if (x !== y) return y - x;
  }
  return 0;
}

/** Compares the user-key parts of two encoded internal keys held in ranges. */
export function compareUserRanges(
  a: Uint8Array,
  aStart: number,
  aEnd: number,
  b: Uint8Array,
  bStart: number,
  bEnd: number,
): number {
  const aLength = aEnd - aStart;
  const bLength = bEnd - bStart;
  const common = aLength < bLength ? aLength : bLength;
  for (let i = 0; i < common; i++) {
    const x = a[aStart + i] as number;
    const y = b[bStart + i] as number;
    if (x !== y) return x - y;
  }
  return aLength - bLength;
}

/**
 * Copies `source[sourceStart, sourceEnd)` to `target[targetOffset...]`. Short ranges (keys) are
 * copied by a loop: TypedArray.set on a fresh subarray costs more than the copy itself.
 */
export function copyRange(target: Uint8Array, targetOffset: number, source: Uint8Array, sourceStart: number, sourceEnd: number): void {
  const length = sourceEnd - sourceStart;
  if (length <= 32) {
    for (let i = 0; i < length; i++) target[targetOffset + i] = source[sourceStart + i] as number;
  } else {
    target.set(source.subarray(sourceStart, sourceEnd), targetOffset);
  }
}
