// A plain Map in the worker's memory: the ceiling no store can reach (no encoding, no I/O, no
// durability). Keys are latin1 strings. The first scan builds a sorted index of the keys (a list
// of sorted blocks), which later writes keep up to date, so fills pay nothing for it and the
// mixed workload pays an ordered insert per new key. "Reopen" keeps the contents.

import { Buffer } from 'node:buffer';

export const name = 'map';
export const label = 'Map (in-memory ceiling)';

/** @type {Map<string, Map<string, Buffer>>} */
const stores = new Map();

/** @returns {Promise<import('./adapter.mjs').Engine>} */
export async function load() {
  return {
    version: process.versions.node,
    settings: 'a JavaScript Map of latin1 keys; a sorted key index built at the first scan',
    persistent: false,
    async open({ dir }) {
      let map = stores.get(dir);
      if (map === undefined) {
        map = new Map();
        stores.set(dir, map);
      }
      const m = map;
      /** @type {SortedKeys | undefined} */
      let sorted;
      const id = (/** @type {Buffer} */ key) => key.toString('latin1');
      const set = (/** @type {Buffer} */ key, /** @type {Buffer} */ value) => {
        const k = id(key);
        if (sorted !== undefined && !m.has(k)) sorted.insert(k);
        m.set(k, value);
      };
      return {
        async putBatch(entries) {
          for (let i = 0; i < entries.length; i++) set(entries[i][0], entries[i][1]);
        },
        put(key, value) {
          set(key, value);
        },
        getBatch(keys, onValue) {
          for (let i = 0; i < keys.length; i++) onValue(i, m.get(id(keys[i])));
        },
        hasBatch(keys) {
          let found = 0;
          for (let i = 0; i < keys.length; i++) if (m.has(id(keys[i]))) found++;
          return found;
        },
        scan({ start, end, reverse = false, limit = Infinity }, onEntry) {
          if (limit <= 0) return 0;
          sorted ??= new SortedKeys([...m.keys()].sort());
          let n = 0;
          sorted.range(start === undefined ? undefined : id(start), end === undefined ? undefined : id(end), reverse, (k) => {
            onEntry(Buffer.from(k, 'latin1'), /** @type {Buffer} */ (m.get(k)));
            return ++n < limit;
          });
          return n;
        },
        async close() {},
      };
    },
  };
}

/** Sorted strings in blocks of at most 2 x BLOCK, so an insert moves at most one block. */
const BLOCK = 512;

class SortedKeys {
  /** @param {string[]} keys sorted */
  constructor(keys) {
    /** @type {string[][]} */
    this.blocks = [];
    for (let i = 0; i < keys.length; i += BLOCK) this.blocks.push(keys.slice(i, i + BLOCK));
    if (this.blocks.length === 0) this.blocks.push([]);
  }

  /** index of the first block whose last key is >= k (the last block when none) */
  block(/** @type {string} */ k) {
    const { blocks } = this;
    let lo = 0;
    let hi = blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const b = blocks[mid];
      if (b.length === 0 || b[b.length - 1] < k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(/** @type {string} */ k) {
    const bi = this.block(k);
    const b = this.blocks[bi];
    b.splice(lowerBound(b, k), 0, k);
    if (b.length > 2 * BLOCK) this.blocks.splice(bi + 1, 0, b.splice(BLOCK));
  }

  /**
   * Calls visit for each key in [start, end), ascending or descending, until it returns false.
   * @param {string | undefined} start
   * @param {string | undefined} end
   * @param {boolean} reverse
   * @param {(k: string) => boolean} visit
   */
  range(start, end, reverse, visit) {
    const { blocks } = this;
    if (!reverse) {
      let bi = start === undefined ? 0 : this.block(start);
      let i = start === undefined ? 0 : lowerBound(blocks[bi], start);
      for (; bi < blocks.length; bi++, i = 0) {
        const b = blocks[bi];
        for (; i < b.length; i++) {
          if (end !== undefined && b[i] >= end) return;
          if (!visit(b[i])) return;
        }
      }
    } else {
      let bi = end === undefined ? blocks.length - 1 : this.block(end);
      let i = end === undefined ? blocks[bi].length - 1 : lowerBound(blocks[bi], end) - 1;
      for (; bi >= 0; bi--, i = bi >= 0 ? blocks[bi].length - 1 : -1) {
        const b = blocks[bi];
        for (; i >= 0; i--) {
          if (start !== undefined && b[i] < start) return;
          if (!visit(b[i])) return;
        }
      }
    }
  }
}

/** first index in sorted `keys` whose key is >= k */
function lowerBound(/** @type {string[]} */ keys, /** @type {string} */ k) {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
