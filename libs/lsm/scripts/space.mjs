#!/usr/bin/env node
// Space reclamation (issue 5): on-disk size after overwrites + value-log GC, and after deletes +
// compaction, against the live data size. Exits 1 when a bound (1.5 x live) is missed.
//   A. --values N (default 200,000) keys x 1 KiB values (in the value log), written, then every
//      key overwritten three times; flatten (compaction drops the old pointers and records the
//      vlog garbage), then value-log GC until no file is over the ratio.
//   B. --keys M (default 2,000,000) keys x 100 B values (in the LSM); delete 90% of them; flatten.
//   node libs/lsm/scripts/space.mjs [--values 200000] [--keys 2000000] [--only A|B]
// On-disk = the sum of every file's size in the database directory (tables, vlog, WAL, MANIFEST);
// live = key bytes + value bytes of the keys that remain. Runs against the built package
// (npx nx run @progress/lsm:build). The same property at small sizes is src/db/space.test.ts.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../dist/index.js';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const values = Number(flag('values', 200_000));
const keys = Number(flag('keys', 2_000_000));
const only = flag('only', undefined);
const BOUND = 1.5;
const root = mkdtempSync(join(tmpdir(), 'lsm-space-'));
const mib = (b) => `${(b / 1048576).toFixed(1)} MiB`;
let failed = false;

function onDisk(dir) {
  const byType = {};
  let total = 0;
  for (const name of readdirSync(dir)) {
    const size = statSync(join(dir, name)).size;
    const type = name.endsWith('.sst') ? 'tables' : name.endsWith('.vlog') ? 'vlog' : name.endsWith('.wal') ? 'wal' : 'other';
    byType[type] = (byType[type] ?? 0) + size;
    total += size;
  }
  return { total, byType };
}
function describeDisk({ total, byType }) {
  return `${mib(total)} (${Object.entries(byType).map(([t, b]) => `${t} ${mib(b)}`).join(', ')})`;
}
function report(label, disk, live) {
  const ratio = disk.total / live;
  const ok = ratio <= BOUND;
  if (!ok) failed = true;
  console.log(`  ${label}: on-disk ${describeDisk(disk)} / live ${mib(live)} = ${ratio.toFixed(2)} x (bound ${BOUND}): ${ok ? 'met' : 'MISSED'}`);
}
async function load(db, count, keyOf, valueOf, round) {
  for (let start = 0; start < count; start += 1000) {
    const wb = db.newWriteBatch();
    for (let i = start; i < Math.min(count, start + 1000); i++) wb.set(keyOf(i), valueOf(i, round));
    await wb.flush();
  }
}

async function overwriteAndGc() {
  const dir = join(root, 'overwrite');
  const keyOf = (i) => `v:${String(i).padStart(14, '0')}`; // 16 bytes
  const valueOf = (i, round) => new Uint8Array(1024).fill((i + round) & 0xff);
  const live = values * (16 + 1024);
  const t0 = performance.now();
  const db = await openDb({ dir, syncWrites: false, autoValueLogGc: false });
  for (let round = 0; round < 4; round++) await load(db, values, keyOf, valueOf, round);
  await db.waitForCompactions();
  console.log(`A. ${values} x 1 KiB written 4 times (3 overwrites) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`  before GC: on-disk ${describeDisk(onDisk(dir))}`);
  await db.flatten();
  let rewritten = 0;
  let moved = 0;
  for (;;) {
    const gc = await db.runValueLogGC({ discardRatio: 0.5, maxFiles: 100 });
    rewritten += gc.filesRewritten.length;
    moved += gc.valuesMoved;
    if (gc.filesRewritten.length === 0) break;
    await db.flush(); // the rewrites reach a table, so the emptied files can be retired
  }
  await db.waitForCompactions();
  const stats = db.stats();
  console.log(`  GC rewrote ${rewritten} vlog files (${moved} values moved); vlog ${stats.vlog.files} files, garbage left ${JSON.stringify(stats.vlog.garbageBytes)}`);
  await db.close();
  report('after flatten + GC', onDisk(dir), live);
  const check = await openDb({ dir, readOnly: true });
  const sample = await check.get(keyOf(values - 1));
  await check.close();
  if (sample === undefined || sample[0] !== ((values - 1 + 3) & 0xff)) {
    console.log('  WRONG VALUE after GC');
    failed = true;
  }
  rmSync(dir, { recursive: true, force: true });
}

async function deleteAndCompact() {
  const dir = join(root, 'delete');
  const keyOf = (i) => `k:${String(i).padStart(14, '0')}`; // 16 bytes
  const value = new Uint8Array(100).fill(0x61);
  const remaining = Math.ceil(keys / 10);
  const live = remaining * (16 + 100);
  const t0 = performance.now();
  const db = await openDb({ dir, syncWrites: false });
  await load(db, keys, keyOf, () => value, 0);
  await db.waitForCompactions();
  console.log(`B. ${keys} x 100 B loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s; on-disk ${describeDisk(onDisk(dir))}`);
  const t1 = performance.now();
  for (let start = 0; start < keys; start += 1000) {
    const wb = db.newWriteBatch();
    for (let i = start; i < Math.min(keys, start + 1000); i++) if (i % 10 !== 0) wb.delete(keyOf(i));
    await wb.flush();
  }
  await db.waitForCompactions();
  console.log(`  deleted 90% in ${((performance.now() - t1) / 1000).toFixed(1)} s; after background compaction: on-disk ${describeDisk(onDisk(dir))}`);
  await db.flatten();
  const stats = db.stats();
  console.log(`  after flatten: levels ${stats.levels.filter((l) => l.tables > 0).map((l) => `L${l.level} ${l.tables} tables ${mib(l.bytes)}`).join(', ')}`);
  let count = 0;
  await db.view((txn) => {
    for (const item of txn.iterate({ keysOnly: true })) if (item.key.length > 0) count++;
  });
  await db.close();
  report('after delete 90% + flatten', onDisk(dir), live);
  if (count !== remaining) {
    console.log(`  WRONG KEY COUNT ${count}, expected ${remaining}`);
    failed = true;
  }
  rmSync(dir, { recursive: true, force: true });
}

try {
  if (only === undefined || only === 'A') await overwriteAndGc();
  if (only === undefined || only === 'B') await deleteAndCompact();
} finally {
  rmSync(root, { recursive: true, force: true });
}
if (failed) process.exitCode = 1;
