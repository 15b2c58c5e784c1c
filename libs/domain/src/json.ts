/**
 * Deterministic JSON: object keys sorted by code point, no whitespace, `undefined` members dropped.
 * Projection rows, idempotency fingerprints and exports use it so the same data always gives the
 * same bytes (a rebuild can be compared byte for byte).
 */
import { BugError } from './assert.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export interface CanonicalOptions {
  /** Write NaN/Infinity as strings instead of throwing (fingerprints of raw, unvalidated input). */
  readonly nonFiniteAsString?: boolean;
}

export function canonicalJson(value: unknown, options: CanonicalOptions = {}): string {
  return write(value, options);
}

function write(value: unknown, options: CanonicalOptions): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) {
        if (options.nonFiniteAsString === true) return JSON.stringify(String(value));
        throw new BugError(`canonicalJson: non-finite number ${value}`);
      }
      return JSON.stringify(value);
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'object':
      return Array.isArray(value) ? writeArray(value, options) : writeObject(value as Record<string, unknown>, options);
    default:
      throw new BugError(`canonicalJson: unsupported type ${typeof value}`);
  }
}

function writeArray(items: readonly unknown[], options: CanonicalOptions): string {
  return `[${items.map((item) => (item === undefined ? 'null' : write(item, options))).join(',')}]`;
}

function writeObject(object: Record<string, unknown>, options: CanonicalOptions): string {
  const keys = Object.keys(object)
    .filter((key) => object[key] !== undefined)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((key) => `${JSON.stringify(key)}:${write(object[key], options)}`).join(',')}}`;
}

export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Throws TypeError on invalid UTF-8 (fatal decoder). */
export function utf8Decode(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

export function encodeJson(value: unknown): Uint8Array {
  return utf8Encode(canonicalJson(value));
}

/** Parses JSON; returns `{ ok: false }` instead of throwing on bad bytes or syntax. */
export function parseJsonBytes(bytes: Uint8Array): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(utf8Decode(bytes)) as unknown };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}
