/**
 * The stored value of a VALUE or VALUE_POINTER version (in the WAL, memtable and SSTs):
 *
 *   stored_value := flags:uint8  [expires_at:uvarint]  [user_meta:uint8]  payload
 *     flags bit 0 (0x01): expires_at present (epoch milliseconds; absent = never expires)
 *     flags bit 1 (0x02): user_meta present
 *     bits 2..7: zero (a set bit is corruption: written by a newer format)
 *   payload (Kind.VALUE)         := the user's value bytes, to the end
 *   payload (Kind.VALUE_POINTER) := file_number:uvarint  offset:uvarint  length:uvarint
 *                                   (a ValuePointer into NNNNNN.vlog; see vlog/vlog-format.ts)
 *
 * A DELETE version has an empty stored value. Flag bits are written to disk; never reuse them.
 */

import { getVarint, putVarint, varintLength } from '../codec/varint.js';

export const ValueFlag = { EXPIRES: 0x01, USER_META: 0x02 } as const;
const KNOWN_FLAGS = ValueFlag.EXPIRES | ValueFlag.USER_META;

export interface ValuePointer {
  fileNumber: number;
  offset: number;
  length: number;
}

export interface ValueHeader {
  /** epoch ms after which the version reads as absent; 0 = never */
  expiresAt: number;
  /** one byte the caller may attach (Badger's UserMeta); 0 when absent */
  userMeta: number;
  /** offset of the payload inside the stored value */
  payloadOffset: number;
}

export function encodeStoredValue(
  payload: Uint8Array,
  expiresAt: number,
  userMeta: number,
): Uint8Array {
  if (expiresAt === 0 && userMeta === 0) {
    const out = new Uint8Array(payload.length + 1);
    out[0] = 0;
    out.set(payload, 1);
    return out;
  }
  let flags = 0;
  let length = 1 + payload.length;
  if (expiresAt !== 0) {
    flags |= ValueFlag.EXPIRES;
    length += varintLength(expiresAt);
  }
  if (userMeta !== 0) {
    flags |= ValueFlag.USER_META;
    length += 1;
  }
  const out = new Uint8Array(length);
  out[0] = flags;
  let offset = 1;
  if (expiresAt !== 0) offset = putVarint(out, offset, expiresAt);
  if (userMeta !== 0) out[offset++] = userMeta & 0xff;
  out.set(payload, offset);
  return out;
}

/** Parses the header; `undefined` when the bytes are malformed (caller reports corruption). */
export function decodeValueHeader(stored: Uint8Array): ValueHeader | undefined {
  if (stored.length < 1) return undefined;
  const flags = stored[0] as number;
  if ((flags & ~KNOWN_FLAGS) !== 0) return undefined;
  let offset = 1;
  let expiresAt = 0;
  let userMeta = 0;
  if (flags & ValueFlag.EXPIRES) {
    const decoded = getVarint(stored, offset);
    if (decoded === undefined) return undefined;
    expiresAt = decoded.value;
    offset = decoded.next;
  }
  if (flags & ValueFlag.USER_META) {
    if (offset >= stored.length) return undefined;
    userMeta = stored[offset++] as number;
  }
  return { expiresAt, userMeta, payloadOffset: offset };
}

export function encodeValuePointer(pointer: ValuePointer): Uint8Array {
  const out = new Uint8Array(
    varintLength(pointer.fileNumber) + varintLength(pointer.offset) + varintLength(pointer.length),
  );
  let offset = putVarint(out, 0, pointer.fileNumber);
  offset = putVarint(out, offset, pointer.offset);
  putVarint(out, offset, pointer.length);
  return out;
}

/** Decodes a pointer payload that must fill `[start, source.length)` exactly. */
export function decodeValuePointer(source: Uint8Array, start: number): ValuePointer | undefined {
  const file = getVarint(source, start);
  if (file === undefined) return undefined;
  const offset = getVarint(source, file.next);
  if (offset === undefined) return undefined;
  const length = getVarint(source, offset.next);
  if (length === undefined || length.next !== source.length) return undefined;
  return { fileNumber: file.value, offset: offset.value, length: length.value };
}
