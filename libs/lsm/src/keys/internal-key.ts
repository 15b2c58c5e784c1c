/**
 * Internal keys: every stored version is (user key, seq, kind). `seq` is the commit timestamp of
 * the transaction that wrote it (MVCC); a snapshot at read timestamp `ts` sees the newest version
 * with seq <= ts. Order: user key ascending, then seq DESCENDING (newest first), then kind
 * descending, as LevelDB.
 *
 * Encoded form (SST keys, see FORMAT.md "Internal key"):
 *
 *   internal_key := user_key  trailer
 *   trailer      := uint64 big-endian of (seq << 8 | kind)   (8 bytes; seq < 2^53)
 *
 * Kinds are written to disk; never change or reuse a value.
 */

import { compareBytes } from '../codec/bytes.js';

export const Kind = {
  /** tombstone: the key is deleted as of seq */
  DELETE: 0,
  /** value stored inline (value-format.ts) */
  VALUE: 1,
  /** value stored in the value log; the inline bytes are a pointer (value-format.ts) */
  VALUE_POINTER: 2,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

export const TRAILER_BYTES = 8;
/** Largest commit timestamp; also "read everything" for internal scans. */
export const MAX_SEQ = Number.MAX_SAFE_INTEGER;

export function isKind(value: number): value is Kind {
  return value === Kind.DELETE || value === Kind.VALUE || value === Kind.VALUE_POINTER;
}

export function encodeInternalKey(userKey: Uint8Array, seq: number, kind: Kind): Uint8Array {
  const out = new Uint8Array(userKey.length + TRAILER_BYTES);
  out.set(userKey, 0);
  writeTrailer(out, userKey.length, seq, kind);
  return out;
}

export function writeTrailer(target: Uint8Array, offset: number, seq: number, kind: Kind): void {
  const high = Math.floor(seq / 0x100_0000); // top 29 bits of seq (seq < 2^53)
  const low = seq % 0x100_0000; // bottom 24 bits
  target[offset] = (high >>> 24) & 0xff;
  target[offset + 1] = (high >>> 16) & 0xff;
  target[offset + 2] = (high >>> 8) & 0xff;
  target[offset + 3] = high & 0xff;
  target[offset + 4] = (low >>> 16) & 0xff;
  target[offset + 5] = (low >>> 8) & 0xff;
  target[offset + 6] = low & 0xff;
  target[offset + 7] = kind;
}

/** Seq from the trailer that starts at `offset`. */
export function readTrailerSeq(source: Uint8Array, offset: number): number {
  const high =
    (((source[offset] as number) << 24) |
      ((source[offset + 1] as number) << 16) |
      ((source[offset + 2] as number) << 8) |
      (source[offset + 3] as number)) >>>
    0;
  const low =
    ((source[offset + 4] as number) << 16) | ((source[offset + 5] as number) << 8) | (source[offset + 6] as number);
  return high * 0x100_0000 + low;
}

export function readTrailerKind(source: Uint8Array, offset: number): number {
  return source[offset + 7] as number;
}

/** Compares (userKey, seq, kind) triples in internal-key order. */
export function compareInternal(
  aKey: Uint8Array,
  aSeq: number,
  aKind: number,
  bKey: Uint8Array,
  bSeq: number,
  bKind: number,
): number {
  const c = compareBytes(aKey, bKey);
  if (c !== 0) return c;
  if (aSeq !== bSeq) return aSeq > bSeq ? -1 : 1;
  return bKind - aKind;
}

/** Compares two encoded internal keys (each at least TRAILER_BYTES long). */
export function compareEncodedInternal(a: Uint8Array, b: Uint8Array): number {
  const aUser = a.subarray(0, a.length - TRAILER_BYTES);
  const bUser = b.subarray(0, b.length - TRAILER_BYTES);
  const c = compareBytes(aUser, bUser);
  if (c !== 0) return c;
  // trailer bytes compared in reverse: larger (seq, kind) sorts first
  for (let i = 0; i < TRAILER_BYTES; i++) {
    const x = a[a.length - TRAILER_BYTES + i] as number;
    const y = b[b.length - TRAILER_BYTES + i] as number;
    if (x !== y) return y - x;
  }
  return 0;
}
