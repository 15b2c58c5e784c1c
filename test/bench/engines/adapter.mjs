// The interface every engine adapter in this folder implements, and helpers they share.
//
// An adapter module exports `name` (the engine's id on the command line), `label`, and
// `async load()`, which imports the engine and resolves to an `Engine`, or throws when the
// engine is not installed or does not load (the harness then reports it as skipped).
//
// Keys and values are Buffers. The harness never reuses a Buffer it has passed to an engine,
// so an engine may keep references to what it is given.

import { readdir, lstat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Buffer } from 'node:buffer';

/**
 * @typedef {object} OpenOptions
 * @property {string} dir   a fresh or existing directory owned by this engine
 * @property {boolean} sync true: every write is durable (fsync) before it resolves;
 *   false: writes survive a process crash but are not fsynced one by one
 */

/**
 * @typedef {object} ScanOptions
 * @property {Buffer} [start]   inclusive lower bound
 * @property {Buffer} [end]     exclusive upper bound
 * @property {boolean} [reverse]
 * @property {number} [limit]   stop after this many entries
 */

/**
 * @typedef {object} Store
 * @property {(entries: Array<[Buffer, Buffer]>) => Promise<void>} putBatch
 *   writes the entries as one batch (one atomic unit where the engine has one)
 * @property {(key: Buffer, value: Buffer) => Promise<void> | void} put
 *   writes one entry as its own operation (durable before it resolves when opened with sync)
 * @property {(keys: Buffer[], onValue: (index: number, value: Buffer | Uint8Array | undefined) => void) => Promise<void> | void} getBatch
 *   point reads with the engine's fastest API (synchronous where it has one); calls onValue for each key in order
 * @property {(keys: Buffer[]) => Promise<number> | number} hasBatch
 *   how many of the keys exist (the readmissing workload expects 0)
 * @property {(options: ScanOptions, onEntry: (key: Uint8Array, value: Uint8Array) => void) => Promise<number> | number} scan
 *   an ordered range scan; calls onEntry per entry and resolves to the number of entries
 * @property {() => Promise<void>} close
 * @property {() => Record<string, unknown>} [stats]  engine-specific counters (optional)
 * @property {() => number | undefined} [writeAmplification]  engine-reported, where it has one
 * @property {() => Promise<void>} [settle]  wait for background work (flush, compaction) to finish
 */

/**
 * @typedef {object} Engine
 * @property {string} version
 * @property {string} settings  the non-default settings used, for the report
 * @property {boolean} persistent  false for the in-memory ceiling
 * @property {(options: OpenOptions) => Promise<Store>} open
 */

export const requireFromHere = createRequire(import.meta.url);

/** The version in the package.json of the installed package `name`. */
export function packageVersion(name) {
  let dir = dirname(requireFromHere.resolve(name));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (pkg.name === name) return String(pkg.version);
    } catch {
      // not here; go up
    }
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}

/** Bytes allocated on disk (st_blocks, so sparse files count what they use) and apparent size, under `dir`. */
export async function diskUsage(dir) {
  let allocated = 0;
  let apparent = 0;
  let files = 0;
  async function walk(path) {
    const st = await lstat(path);
    if (st.isDirectory()) {
      for (const name of await readdir(path)) await walk(join(path, name));
    } else {
      allocated += st.blocks * 512;
      apparent += st.size;
      files++;
    }
  }
  try {
    await walk(dir);
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'ENOENT') throw error;
  }
  return { allocated, apparent, files };
}

/** The smallest key greater than every key starting with `prefix`, or undefined (prefix all 0xff). */
export function prefixEnd(prefix) {
  const out = Buffer.from(prefix);
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] !== 0xff) {
      out[i]++;
      return out.subarray(0, i + 1);
    }
  }
  return undefined;
}
