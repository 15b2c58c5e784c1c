/**
 * Micro-benchmark of the memtable write path (not a test: no assertions on time). Run from
 * libs/lsm:
 *
 *   npx esbuild src/memtable/skiplist.bench.ts --bundle --platform=node --format=esm \
 *     --outfile=/tmp/skiplist-bench.mjs && node /tmp/skiplist-bench.mjs [entries]
 *
 * Measures: 16-byte key comparison (JS byte loop vs Buffer.compare), skiplist inserts of 16-byte
 * keys in random and ascending order, memtable adds, full forward and reverse scans, and seeks.
 */

import { compareBytes } from '../codec/bytes.js';
import { Kind } from '../keys/internal-key.js';
import { Memtable } from './memtable.js';
import { Skiplist } from './skiplist.js';

const KEY_BYTES = 16;

function makeKeys(count: number, seed: number, ascending: boolean): Uint8Array[] {
  let state = seed >>> 0 || 1;
  const keys: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const key = new Uint8Array(KEY_BYTES);
    key.set([0x75, 0x73, 0x65, 0x72, 0x3a]); // "user:" shared prefix, as real keys have
    if (ascending) {
      new DataView(key.buffer).setUint32(12, i);
    } else {
      for (let j = 5; j < KEY_BYTES; j++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        key[j] = state & 0xff;
      }
    }
    keys.push(key);
  }
  return keys;
}

function timeIt(label: string, operations: number, body: () => number): void {
  const start = performance.now();
  const sink = body();
  const elapsedMs = performance.now() - start;
  const perSecond = (operations / elapsedMs) * 1000;
  const nsPerOp = (elapsedMs * 1e6) / operations;
  console.log(
    `${label.padEnd(44)} ${(perSecond / 1e6).toFixed(2).padStart(7)} M ops/s  ${nsPerOp.toFixed(1).padStart(8)} ns/op  (sink ${sink})`,
  );
}

function benchCompare(keys: Uint8Array[]): void {
  const buffers = keys.map((key) => Buffer.from(key.buffer, key.byteOffset, key.length));
  const rounds = 10_000_000;
  const mask = keys.length - 1;
  for (let pass = 0; pass < 2; pass++) {
    timeIt('compare 16B: JS byte loop (compareBytes)', rounds, () => {
      let sum = 0;
      for (let i = 0; i < rounds; i++) sum += compareBytes(keys[i & mask] as Uint8Array, keys[(i * 7 + 1) & mask] as Uint8Array) > 0 ? 1 : 0;
      return sum;
    });
    timeIt('compare 16B: Buffer.compare', rounds, () => {
      let sum = 0;
      for (let i = 0; i < rounds; i++) sum += Buffer.compare(buffers[i & mask] as Buffer, buffers[(i * 7 + 1) & mask] as Buffer) > 0 ? 1 : 0;
      return sum;
    });
  }
}

function benchInserts(count: number): void {
  const value = new Uint8Array(9); // 1 flag byte + 8-byte payload
  for (const ascending of [false, true]) {
    const keys = makeKeys(count, 42, ascending);
    const order = ascending ? 'ascending' : 'random';
    for (let pass = 0; pass < 2; pass++) {
      const list = new Skiplist({ seed: pass + 1 });
      timeIt(`skiplist.insert ${count} x 16B keys, ${order}`, count, () => {
        for (let i = 0; i < count; i++) list.insert(keys[i] as Uint8Array, i + 1, Kind.VALUE, value);
        return list.size;
      });
    }
    const memtable = new Memtable({ seed: 7 });
    timeIt(`memtable.add ${count} x 16B keys, ${order}`, count, () => {
      for (let i = 0; i < count; i++) memtable.add(keys[i] as Uint8Array, i + 1, Kind.VALUE, value);
      return memtable.entryCount;
    });
    if (!ascending) benchReads(memtable, keys);
  }
}

function benchReads(memtable: Memtable, keys: Uint8Array[]): void {
  const count = keys.length;
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
    for (let i = 0; i < count; i++) if (memtable.get(keys[i] as Uint8Array, Number.MAX_SAFE_INTEGER)) found++;
    return found;
  });
}

const entries = Number(process.argv[2] ?? 1_000_000);
console.log(`node ${process.version}, ${entries} entries`);
benchCompare(makeKeys(1 << 16, 7, false));
benchInserts(entries);
