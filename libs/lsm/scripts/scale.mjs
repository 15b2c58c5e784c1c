#!/usr/bin/env node
// Scale check for @progress/lsm (issue 3): loads N small keys (16-byte keys, 100-byte values)
// and separately M large values (4 KiB), reopens, reads every key back, checks prefix and
// reverse scans, prints the level shape, peak RSS, load rate and open time.
//   node libs/lsm/scripts/scale.mjs [--keys 2000000] [--large 200000] [--dir /tmp/x]
// Runs against the built package (npx nx run @progress/lsm:build).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openDb } from '../dist/index.js';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const keys = flag('keys', 2_000_000);
const large = flag('large', 200_000);
const batch = 1000;
const root = mkdtempSync(join(tmpdir(), 'lsm-scale-'));

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

function key(i) {
  // 16 bytes: a fixed prefix and the index, shuffled so the load order is random
  const shuffled = Number((BigInt(i) * 2654435761n) % BigInt(keys));
  return `k:${String(shuffled).padStart(14, '0')}`;
}
function value(i, size) {
  const out = new Uint8Array(size);
  for (let j = 0; j < size; j++) out[j] = (i * 31 + j) & 0xff;
  return out;
}
function sameValue(got, i, size) {
  if (got === undefined || got.length !== size) return false;
  for (let j = 0; j < size; j += 7) if (got[j] !== ((i * 31 + j) & 0xff)) return false;
  return true;
}
const mib = (b) => `${(b / 1048576).toFixed(1)} MiB`;

async function load(dir, count, size, label) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const t0 = performance.now();
  const db = await openDb({ dir });
  for (let start = 0; start < count; start += batch) {
    const wb = db.newWriteBatch();
    for (let i = start; i < Math.min(count, start + batch); i++) wb.set(label === 'small' ? key(i) : `big:${String(i).padStart(10, '0')}`, value(i, size));
    await wb.flush();
  }
  const loadMs = performance.now() - t0;
  await db.waitForCompactions();
  const settleMs = performance.now() - t0 - loadMs;
  delay.disable();
  const stats = db.stats();
  await db.close();
  console.log(`${label}: loaded ${count} x ${size} B in ${(loadMs / 1000).toFixed(1)} s (${Math.round(count / (loadMs / 1000))}/s), compactions settled in ${(settleMs / 1000).toFixed(1)} s`);
  console.log(`  event-loop delay during load: p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms`);
  console.log(`  levels: ${stats.levels.filter((l) => l.tables > 0).map((l) => `L${l.level} ${l.tables} tables ${mib(l.bytes)}`).join(', ')}; vlog ${stats.vlog.files} files ${mib(stats.vlog.bytes)}; write amplification ${stats.writeAmplification.toFixed(2)}`);
  return stats;
}

async function verify(dir, count, size, label) {
  const t0 = performance.now();
  const db = await openDb({ dir });
  const openMs = performance.now() - t0;
  let bad = 0;
  const t1 = performance.now();
  for (let start = 0; start < count; start += 10_000) {
    await db.view((txn) => {
      for (let i = start; i < Math.min(count, start + 10_000); i++) {
        const k = label === 'small' ? key(i) : `big:${String(i).padStart(10, '0')}`;
        if (!sameValue(txn.tryGet(k), i, size)) bad++;
      }
    });
  }
  const readMs = performance.now() - t1;
  const prefix = label === 'small' ? 'k:0000000000' : 'big:00000001';
  const forward = await db.view((txn) => [...txn.iterate({ prefix, keysOnly: true })].map((it) => new TextDecoder().decode(it.key)));
  const reverse = await db.view((txn) => [...txn.iterate({ prefix, reverse: true, keysOnly: true })].map((it) => new TextDecoder().decode(it.key)));
  const sorted = [...forward].sort();
  const scanOk = forward.length > 0 && forward.join() === sorted.join() && reverse.join() === [...forward].reverse().join();
  let total = 0;
  const t2 = performance.now();
  await db.view((txn) => {
    for (const item of txn.iterate({ keysOnly: label === "large" })) if (item.key.length > 0) total++;
  });
  const scanMs = performance.now() - t2;
  await db.close();
  console.log(`  reopen: open ${openMs.toFixed(0)} ms; ${count} point reads in ${(readMs / 1000).toFixed(1)} s (${Math.round(count / (readMs / 1000))}/s), ${bad} wrong or missing`);
  console.log(`  prefix scan ${prefix}*: ${forward.length} keys, sorted and reverse-equal: ${scanOk}; full scan ${total} keys in ${(scanMs / 1000).toFixed(1)} s`);
  if (bad > 0 || !scanOk || total !== count) process.exitCode = 1;
}

try {
  const small = join(root, 'small');
  const smallStats = await load(small, keys, 100, 'small');
  if (smallStats.levels[0].tables > 8) { console.log('  L0 pile-up!'); process.exitCode = 1; }
  await verify(small, keys, 100, 'small');
  rmSync(small, { recursive: true, force: true });
  const big = join(root, 'large');
  await load(big, large, 4096, 'large');
  await verify(big, large, 4096, 'large');
} finally {
  clearInterval(sampler);
  rmSync(root, { recursive: true, force: true });
  console.log(`peak RSS ${mib(peakRss)} (limit 400 MiB)${peakRss > 400 * 1048576 ? ' OVER' : ''}`);
  if (peakRss > 400 * 1048576) process.exitCode = 1;
}
