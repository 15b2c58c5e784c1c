/** Keys and values accepted at the API: bytes, or strings encoded as UTF-8. */

import { InvalidArgumentError } from '../errors.js';

export type KeyInput = Uint8Array | string;
export type ValueInput = Uint8Array | string;

const encoder = new TextEncoder();

export function toKeyBytes(key: KeyInput): Uint8Array {
  if (typeof key === 'string') return encoder.encode(key);
  if (key instanceof Uint8Array) return key;
  throw new InvalidArgumentError('key must be a Uint8Array or a string');
}

export function toValueBytes(value: ValueInput): Uint8Array {
  if (typeof value === 'string') return encoder.encode(value);
  if (value instanceof Uint8Array) return value;
  throw new InvalidArgumentError('value must be a Uint8Array or a string');
}
