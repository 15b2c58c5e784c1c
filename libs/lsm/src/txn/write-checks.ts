/** Validation shared by transactions and write batches: keys, values, TTL and user meta. */

import { EmptyKeyError, InvalidArgumentError, KeyTooLargeError, ValueTooLargeError } from '../errors.js';
import { Kind } from '../keys/internal-key.js';
import { toKeyBytes, toValueBytes, type KeyInput, type ValueInput } from './inputs.js';
import type { EntryOptions, PendingWrite, TxnLimits } from './txn.js';

export function checkedKey(key: KeyInput, limits: TxnLimits): Uint8Array {
  const bytes = toKeyBytes(key);
  if (bytes.length === 0) throw new EmptyKeyError();
  if (bytes.length > limits.maxKeyBytes) throw new KeyTooLargeError(bytes.length, limits.maxKeyBytes);
  return bytes;
}

/** A checked VALUE write; `expiresAt` comes from `ttlMs` and the injected clock. */
export function valueWrite(key: KeyInput, value: ValueInput, options: EntryOptions, limits: TxnLimits): PendingWrite {
  const keyBytes = checkedKey(key, limits);
  const valueBytes = toValueBytes(value);
  if (valueBytes.length > limits.maxValueBytes) throw new ValueTooLargeError(valueBytes.length, limits.maxValueBytes);
  const { ttlMs, userMeta = 0 } = options;
  if (ttlMs !== undefined && (!Number.isSafeInteger(ttlMs) || ttlMs <= 0)) {
    throw new InvalidArgumentError('ttlMs must be a positive integer');
  }
  if (!Number.isInteger(userMeta) || userMeta < 0 || userMeta > 255) {
    throw new InvalidArgumentError('userMeta must be an integer from 0 to 255');
  }
  const expiresAt = ttlMs === undefined ? 0 : limits.nowMs() + ttlMs;
  return { key: keyBytes, kind: Kind.VALUE, value: valueBytes, expiresAt, userMeta };
}

export function deleteWrite(key: KeyInput, limits: TxnLimits): PendingWrite {
  return { key: checkedKey(key, limits), kind: Kind.DELETE, value: new Uint8Array(0), expiresAt: 0, userMeta: 0 };
}
