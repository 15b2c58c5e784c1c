/**
 * Whole-table bloom filter over USER keys (docs/sstable.md, "Filter block"), as LevelDB's
 * util/bloom.cc: one 32-bit hash per key, k probes by double hashing (delta = hash rotated by
 * 15 bits). At 10 bits per key, k = 6 and the false-positive rate is about 1%.
 *
 *   filter := bits:byte[n]  num_probes:uint8        (n >= 8; bit i is byte i>>3, bit i&7)
 *
 * num_probes > 30 is reserved for other encodings and reads as "may contain" (never a false
 * negative). An empty or 1-byte filter reads as "may contain" too: a missing filter only costs a
 * block read, never a wrong answer.
 */

import { assert } from '../assert.js';

const HASH_SEED = 0xbc9f1d34;
const HASH_MULTIPLIER = 0xc6a4a793;
const MIN_FILTER_BITS = 64;
const MAX_PROBES = 30;
export const DEFAULT_BLOOM_BITS_PER_KEY = 10;

/** LevelDB's murmur-like 32-bit hash of `data[start, end)`. */
export function bloomHash(data: Uint8Array, start = 0, end = data.length): number {
  const length = end - start;
  let h = (HASH_SEED ^ Math.imul(length, HASH_MULTIPLIER)) >>> 0;
  let i = start;
  const stop4 = end - (length & 3);
  while (i < stop4) {
    const word =
      (data[i] as number) |
      ((data[i + 1] as number) << 8) |
      ((data[i + 2] as number) << 16) |
      ((data[i + 3] as number) << 24);
    h = (h + word) >>> 0;
    h = Math.imul(h, HASH_MULTIPLIER) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
    i += 4;
  }
  const rest = end - i;
  if (rest > 0) {
    if (rest === 3) h = (h + ((data[i + 2] as number) << 16)) >>> 0;
    if (rest >= 2) h = (h + ((data[i + 1] as number) << 8)) >>> 0;
    h = (h + (data[i] as number)) >>> 0;
    h = Math.imul(h, HASH_MULTIPLIER) >>> 0;
    h = (h ^ (h >>> 24)) >>> 0;
  }
  return h;
}

export function probesFor(bitsPerKey: number): number {
  const probes = Math.floor(bitsPerKey * 0.69); // ln 2
  return Math.min(MAX_PROBES, Math.max(1, probes));
}

/** Collects key hashes while a table is written; `finish()` builds the filter bytes. */
export class BloomBuilder {
  private readonly bitsPerKey: number;
  private hashes: Uint32Array = new Uint32Array(1024);
  private count = 0;

  constructor(bitsPerKey: number = DEFAULT_BLOOM_BITS_PER_KEY) {
    assert(Number.isInteger(bitsPerKey) && bitsPerKey >= 1 && bitsPerKey <= 64, 'bloom bits per key must be 1..64');
    this.bitsPerKey = bitsPerKey;
  }

  get keyCount(): number {
    return this.count;
  }

  /** Filter size if finished now. */
  get estimatedBytes(): number {
    return filterBytesFor(this.count, this.bitsPerKey) + 1;
  }

  addKey(key: Uint8Array, start = 0, end = key.length): void {
    if (this.count === this.hashes.length) {
      const grown = new Uint32Array(this.hashes.length * 2);
      grown.set(this.hashes);
      this.hashes = grown;
    }
    this.hashes[this.count++] = bloomHash(key, start, end);
  }

  finish(): Uint8Array {
    const probes = probesFor(this.bitsPerKey);
    const bytes = filterBytesFor(this.count, this.bitsPerKey);
    const bits = bytes * 8;
    const out = new Uint8Array(bytes + 1);
    for (let i = 0; i < this.count; i++) {
      let h = this.hashes[i] as number;
      const delta = ((h >>> 17) | (h << 15)) >>> 0;
      for (let j = 0; j < probes; j++) {
        const bit = h % bits;
        out[bit >>> 3] = (out[bit >>> 3] as number) | (1 << (bit & 7));
        h = (h + delta) >>> 0;
      }
    }
    out[bytes] = probes;
    return out;
  }
}

function filterBytesFor(keyCount: number, bitsPerKey: number): number {
  const bits = Math.max(MIN_FILTER_BITS, keyCount * bitsPerKey);
  return Math.ceil(bits / 8);
}

/** False only when `key[start, end)` was certainly not added to the filter. */
export function bloomMayContain(filter: Uint8Array, key: Uint8Array, start = 0, end = key.length): boolean {
  const length = filter.length;
  if (length < 2) return true;
  const probes = filter[length - 1] as number;
  if (probes > MAX_PROBES || probes === 0) return true;
  const bits = (length - 1) * 8;
  let h = bloomHash(key, start, end);
  const delta = ((h >>> 17) | (h << 15)) >>> 0;
  for (let j = 0; j < probes; j++) {
    const bit = h % bits;
    if (((filter[bit >>> 3] as number) & (1 << (bit & 7))) === 0) return false;
    h = (h + delta) >>> 0;
  }
  return true;
}
