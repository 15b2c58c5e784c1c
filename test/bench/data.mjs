// Deterministic keys, values and orders for the workloads. Everything is derived from a seed,
// so every engine sees the same data in the same order.
//
// Keys of the main data set: key(i) is i in decimal, zero-padded to keyBytes ASCII digits, so
// key order is index order and keys sharing their first keyBytes-2 digits form groups of 100
// (the prefix-scan groups). A missing key is key(i) with its last digit replaced by 'a': it
// sorts between existing keys, so only a filter (not a key-range check) can answer it fast.
// Values are windows of a random slab (incompressible), chosen by index and generation, so a
// read can be checked against the expected bytes without storing them.

import { Buffer } from 'node:buffer';

/** xorshift32; returns a function giving uint32s */
export function prng(seed) {
  let x = (seed >>> 0) || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** A random permutation of 0..n-1 (Fisher-Yates). */
export function permutation(n, seed) {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  const next = prng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = next() % (i + 1);
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}

export class KeySpace {
  /** @param {number} keyBytes */
  constructor(keyBytes) {
    if (keyBytes < 8) throw new Error('--key-bytes must be at least 8');
    this.keyBytes = keyBytes;
  }

  /** Writes key(i) into `out` at `offset`. */
  write(i, out, offset) {
    let v = i;
    for (let p = offset + this.keyBytes - 1; p >= offset; p--) {
      out[p] = 48 + (v % 10);
      v = Math.floor(v / 10);
    }
  }

  key(i) {
    const out = Buffer.allocUnsafe(this.keyBytes);
    this.write(i, out, 0);
    return out;
  }

  /** Fresh buffers for key(indexes[from..to)), views of one new slab. */
  keys(indexes, from, to) {
    const n = to - from;
    const slab = Buffer.allocUnsafe(n * this.keyBytes);
    const out = new Array(n);
    for (let j = 0; j < n; j++) {
      this.write(indexes[from + j], slab, j * this.keyBytes);
      out[j] = slab.subarray(j * this.keyBytes, (j + 1) * this.keyBytes);
    }
    return out;
  }

  missingKeys(indexes, from, to) {
    const out = this.keys(indexes, from, to);
    for (const key of out) key[key.length - 1] = 97; // 'a'
    return out;
  }

  /** the index of a main-data-set key, or -1 */
  indexOf(key) {
    if (key.length !== this.keyBytes) return -1;
    let v = 0;
    for (let p = 0; p < key.length; p++) {
      const d = key[p] - 48;
      if (d < 0 || d > 9) return -1;
      v = v * 10 + d;
    }
    return v;
  }

  /** prefix of group g: key(g*100) without its last two digits */
  groupPrefix(g) {
    return this.key(g * 100).subarray(0, this.keyBytes - 2);
  }
}

export class Values {
  /**
   * @param {number} valueBytes
   * @param {number} seed
   */
  constructor(valueBytes, seed) {
    this.valueBytes = valueBytes;
    const slabBytes = Math.max(1 << 20, valueBytes * 64);
    this.slab = Buffer.allocUnsafe(slabBytes + valueBytes);
    const next = prng(seed);
    for (let i = 0; i + 4 <= this.slab.length; i += 4) this.slab.writeUInt32LE(next(), i);
    this.span = slabBytes;
  }

  offset(i, generation) {
    return (Math.imul(i + 1, (2654435761 + generation * 40503) | 0) >>> 0) % this.span;
  }

  /** value(i, generation): a view of the slab (engines may keep it; the slab never changes) */
  value(i, generation = 0) {
    const o = this.offset(i, generation);
    return this.slab.subarray(o, o + this.valueBytes);
  }

  matches(got, i, generation = 0) {
    if (got === undefined || got.length !== this.valueBytes) return false;
    const o = this.offset(i, generation);
    return Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(this.slab.subarray(o, o + this.valueBytes));
  }
}
