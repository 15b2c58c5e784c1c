/**
 * Keys and values between abstract-level's private API and the engine.
 *
 * abstract-level hands the private API data in one of three formats (the manifest declares all
 * three, so no transcoding is needed for utf8, buffer or view input): a string ('utf8'), a Buffer
 * ('buffer') or a Uint8Array ('view'). The engine stores bytes and returns fresh Uint8Arrays.
 *
 * Empty keys: abstract-level allows the empty key; the engine rejects it (EMPTY_KEY). The adapter
 * therefore stores keys through an order-preserving escape that leaves almost every key as is:
 *
 *   ''                      -> 00
 *   key starting 00 or 01   -> 01 ++ key
 *   any other key           -> key (unchanged)
 *
 * The map is injective and preserves byte order (00 < 01 00 .. < 01 01 .. < 02 ..), so ranges map
 * to ranges and the engine's ordering is the Level ordering. Keys written through the native API
 * that start with 00 or 01 are not images of this map: see README "Using @progress/lsm as a level
 * replacement".
 */

export type Format = 'utf8' | 'buffer' | 'view';

/** What the private API receives as a key or value: already encoded in `Format`. */
export type Encoded = string | Uint8Array;

const EMPTY = new Uint8Array(0);
const ESCAPED_EMPTY = Uint8Array.of(0x00);
const ESCAPE = 0x01;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

export function toBytes(data: Encoded): Uint8Array {
  if (typeof data === 'string') return encoder.encode(data);
  if (data instanceof Uint8Array) return data;
  throw new TypeError(`expected a string, Buffer or Uint8Array; got ${typeof data}`);
}

export function fromBytes(bytes: Uint8Array, format: Format): Encoded {
  switch (format) {
    case 'utf8':
      return decoder.decode(bytes);
    case 'buffer':
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    case 'view':
      return bytes;
  }
}

/** The engine key that stores the Level key `key`. */
export function toStoreKey(key: Uint8Array): Uint8Array {
  if (key.length === 0) return ESCAPED_EMPTY;
  if ((key[0] as number) > ESCAPE) return key;
  const out = new Uint8Array(key.length + 1);
  out[0] = ESCAPE;
  out.set(key, 1);
  return out;
}

/** The Level key stored under the engine key `stored` (inverse of `toStoreKey`). */
export function fromStoreKey(stored: Uint8Array): Uint8Array {
  if (stored.length === 1 && stored[0] === 0x00) return EMPTY;
  if (stored[0] === ESCAPE) return stored.subarray(1);
  return stored;
}

/** The smallest byte string greater than `key`. */
export function successor(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out.set(key, 0);
  return out;
}

export function compare(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/** Range options as abstract-level passes them (encoded); nullish bounds are ignored. */
export interface RangeOptions {
  gt?: unknown;
  gte?: unknown;
  lt?: unknown;
  lte?: unknown;
}

/** A range of engine keys: `lower` inclusive (undefined: unbounded), `upper` exclusive. */
export interface StoreRange {
  lower: Uint8Array | undefined;
  upper: Uint8Array | undefined;
}

function bound(value: unknown): Uint8Array | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || value instanceof Uint8Array) return toStoreKey(toBytes(value));
  throw new TypeError(`range options must be strings, Buffers or Uint8Arrays after encoding; got ${typeof value}`);
}

/** gte/lte take precedence over gt/lt, as abstract-level specifies. */
export function toStoreRange(options: RangeOptions): StoreRange {
  const gte = bound(options.gte);
  const gt = gte === undefined ? bound(options.gt) : undefined;
  const lte = bound(options.lte);
  const lt = lte === undefined ? bound(options.lt) : undefined;
  return {
    lower: gte ?? (gt === undefined ? undefined : successor(gt)),
    upper: lte === undefined ? lt : successor(lte),
  };
}

export function inRange(range: StoreRange, key: Uint8Array): boolean {
  if (range.lower !== undefined && compare(key, range.lower) < 0) return false;
  if (range.upper !== undefined && compare(key, range.upper) >= 0) return false;
  return true;
}

/** True when no key can fall in the range (the engine would be asked for an inverted range). */
export function isEmptyRange(range: StoreRange): boolean {
  return range.lower !== undefined && range.upper !== undefined && compare(range.lower, range.upper) >= 0;
}
