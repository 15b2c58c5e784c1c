/**
 * Copies of small byte ranges for the read path, carved from shared slabs (as Node's Buffer
 * pool does): a 100-byte `Uint8Array.prototype.slice` allocates its own off-heap backing store
 * and measured 3-5 times slower than a copy into a slab (DESIGN.md "Performance").
 *
 * Invariants:
 * - The returned array is a fresh copy: nothing else ever writes the bytes it views, and the
 *   engine keeps no reference to it. Its `buffer` may be shared with other returned arrays
 *   (always read through `byteOffset`/`length`, never transfer or detach that buffer).
 * - Ranges longer than SLAB_MAX_COPY_BYTES get an array of their own, so one slab holds at least
 *   SLAB_BYTES / SLAB_MAX_COPY_BYTES copies and a retained small value pins at most SLAB_BYTES.
 * - Copies start on 8-byte boundaries of the slab.
 */

/** Bytes per slab. */
export const SLAB_BYTES = 16 * 1024;
/** Longest range copied into a slab; longer ones are sliced. */
export const SLAB_MAX_COPY_BYTES = 1024;
/** Up to this length a byte loop beats `TypedArray.set` on a fresh subarray. */
const LOOP_COPY_BYTES = 32;

let slab = new Uint8Array(SLAB_BYTES);
let slabUsed = 0;

/** A copy of `source[start, end)` that the caller owns (see the module comment). */
export function copyOut(source: Uint8Array, start = 0, end: number = source.length): Uint8Array {
  const length = end - start;
  if (length <= 0) return new Uint8Array(0);
  if (length > SLAB_MAX_COPY_BYTES) return source.slice(start, end);
  if (slabUsed + length > SLAB_BYTES) {
    slab = new Uint8Array(SLAB_BYTES);
    slabUsed = 0;
  }
  const target = slab;
  const offset = slabUsed;
  slabUsed = (offset + length + 7) & ~7;
  if (length <= LOOP_COPY_BYTES) {
    for (let i = 0; i < length; i++) target[offset + i] = source[start + i] as number;
  } else {
    target.set(source.subarray(start, end), offset);
  }
  return target.subarray(offset, offset + length);
}
