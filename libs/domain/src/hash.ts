/**
 * FNV-1a, 64-bit, over UTF-8 bytes, as 16 lowercase hex digits. Not cryptographic: used only to
 * fingerprint commands for idempotency and to derive import keys, where a collision costs a
 * spurious IDEMPOTENCY_CONFLICT rejection, never silent data loss.
 */
import { utf8Encode } from './json.js';

const OFFSET_BASIS = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

export function fnv1a64Hex(text: string): string {
  let hash = OFFSET_BASIS;
  for (const byte of utf8Encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * PRIME) & MASK;
  }
  return hash.toString(16).padStart(16, '0');
}
