/**
 * Micro-benchmark of the memtable write path (not a test: no assertions on time). Run from
 * libs/lsm:
 *
 *   npx esbuild src/memtable/skiplist.bench.ts --bundle --platform=node --format=esm \
 *     --outfile=/tmp/skiplist-bench.mjs && node /tmp/skiplist-bench.mjs [entries]
 *
 * Measures: 16-byte key comparison (JS byte loop vs Buffer.compare), skiplist inserts of 16-byte
 * keys in random and ascending order, memtable adds, full forward and reverse scans, and point
 * gets. Throughput is per CPU-second of this process (shared cores make wall time noisy).
 * This file is never imported by the engine; it only runs when executed as above.
 */

import { compareBytes } from '../codec/bytes.js';
import { Kind, MAX_SEQ } from '../keys/internal-key.js';
import { Memtable } from './memtable.js';
import { Skiplist } from './skiplist.js';

const KEY_BYTES = 16;

/** `count` 16-byte keys ("user:" + 11 random or counter bytes), packed in one buffer. */
function makeKeys(count: number, seed: number, ascending: boolean): Uint8Array {
  let state = seed >>> 0 || 1;
  const keys = new Uint8Array(count * KEY_BYTES);
  const view = new DataView(keys.buffer);
  for (let i = 0; i < count; i++) {
    const base = i * KEY_BYTES;
    keys.set([0x75, 0x73, 0x65, 0x72, 0x3a], base); // "user:" shared prefix, as real keys have
    if (ascending) {
      view.setUint32(base + 12, i);
    } else {
      for (let j = 5; j < KEY_BYTES; j++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        keys[base + j] = state & 0xff;
      }
    }
  }
  return keys;
}

function keyAt(keys: Uint8Array, index: number): Uint8Array {
  // a view, as a decoded batch gives
  return keys.subarray(index * KEY_BYTES, (index + 1) * KEY_BYTES);
}

/**
 * Prints throughput by CPU time of this process (user + system), which stays meaningful when
 * other processes share the cores, and by wall time.
 */
function timeIt(label: string, operations: number, body: () => number): void {
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  const sink = body();
  const wallMs = performance.now() - wallStart;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const perCpuSecond = (operations / cpuMs) * 1000;
  const perWallSecond = (operations / wallMs) * 1000;
  console.log(
    `${label.padEnd(52)} ${(perCpuSecond / 1e6).toFixed(2).padStart(6)} M ops/cpu-s ` +
      `${((cpuMs * 1e6) / operations).toFixed(0).padStart(6)} ns/op   ` +
      `(wall ${(perWallSecond / 1e6).toFixed(2)} M/s, sink ${sink})`,
  );
}

function benchCompare(packed: Uint8Array): void {
  const count = packed.length / KEY_BYTES;
  const keys = Array.from({ length: count }, (_, i) => keyAt(packed, i));
  const buffers = keys.map((key) => Buffer.from(key.buffer, key.byteOffset, key.length));
  const rounds = 10_000_000;
  const mask = count - 1;
  for (let pass = 0; pass < 2; pass++) {
    timeIt('compare 16B: JS byte loop (compareBytes)', rounds, () => {
      let sum = 0;
      for (let i = 0; i < rounds; i++) {
        const a = keys[i & mask] as Uint8Array;
        const b = keys[(i * 7 + 1) & mask] as Uint8Array;
        sum += compareBytes(a, b) > 0 ? 1 : 0;
      }
      return sum;
    });
    timeIt('compare 16B: Buffer.compare', rounds, () => {
      let sum = 0;
      for (let i = 0; i < rounds; i++) {
        const a = buffers[i & mask] as Buffer;
        const b = buffers[(i * 7 + 1) & mask] as Buffer;
        sum += Buffer.compare(a, b) > 0 ? 1 : 0;
      }
      return sum;
    });
  }
}

function benchInserts(count: number): void {
  const value = new Uint8Array(9); // 1 flag byte + 8-byte payload
  for (const ascending of [false, true]) {
    const keys = makeKeys(count, 42, ascending);
    const order = ascending ? 'ascending' : 'random';
    for (let pass = 0; pass < 3; pass++) {
      const list = new Skiplist({ seed: pass + 1 });
      timeIt(`skiplist.insert ${count} x 16B keys, ${order}`, count, () => {
        for (let i = 0; i < count; i++) list.insert(keyAt(keys, i), i + 1, Kind.VALUE, value);
        return list.size;
      });
    }
    const memtable = new Memtable({ seed: 7, initialBytes: count * 72 });
    timeIt(`memtable.add ${count} x 16B keys, ${order}, presized`, count, () => {
      for (let i = 0; i < count; i++) memtable.add(keyAt(keys, i), i + 1, Kind.VALUE, value);
      return memtable.entryCount;
    });
    if (!ascending) benchReads(memtable, keys);
  }
}

function benchReads(memtable: Memtable, keys: Uint8Array): void {
  const count = keys.length / KEY_BYTES;
  const iterator = memtable.newIterator();
  timeIt('forward scan (next + key)', count, () => {
    let bytes = 0;
    for (iterator.seekToFirst(); iterator.valid(); iterator.next()) bytes += iterator.key().length;
    return bytes;
  });
  timeIt('reverse scan (prev + key)', count, () => {
    let bytes = 0;
    for (iterator.seekToLast(); iterator.valid(); iterator.prev()) bytes += iterator.key().length;
    return bytes;
  });
  timeIt('memtable.get (hit)', count, () => {
    let found = 0;
    for (let i = 0; i < count; i++) if (memtable.get(keyAt(keys, i), MAX_SEQ)) found++;
    return found;
  });
}

const entries = Number(process.argv[2] ?? 1_000_000);
console.log(`node ${process.version}, ${entries} entries`);
benchCompare(makeKeys(1 << 16, 7, false));
benchInserts(entries);
