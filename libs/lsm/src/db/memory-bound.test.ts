// Goal: memory does not grow with the number of tables beyond the bound of DESIGN.md "Memory
// bound": after every table of a store with many tables has been opened and read (point reads in
// each and a full scan), the JavaScript heap plus ArrayBuffer memory grew by at most the block
// cache, `maxOpenTables` open readers and the per-table metadata of the version — not by the
// tables' index and filter blocks, which live only in the block cache.
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { openDb, type Db } from '../db.js';
import type { DbOptions } from '../options.js';
import { MemFs } from '../testing/mem-fs.js';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** Bound constants (DESIGN.md "Memory bound"). */
const PER_OPEN_TABLE_BYTES = 4 * 1024;
/** code compiled and feedback gathered on first use of the read paths, iterator objects */
const SLACK_BYTES = 1536 * 1024;

function used(): number {
  collect();
  collect();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const keyOf = (i: number): string => `key:${String(i).padStart(8, '0')}`;

async function build(fs: MemFs, dir: string, count: number): Promise<void> {
  // One memtable and no level over its target: flatten alone cuts the data into many small tables.
  const db = await openDb({ fs, dir, syncWrites: false, memTableBytes: 16 * 1024 * 1024, baseTableBytes: 8 * 1024, baseLevelBytes: 1 << 30, blockBytes: 1024, numLevels: 2 });
  const value = new Uint8Array(60).fill(0x5a);
  for (let start = 0; start < count; start += 1000) {
    const wb = db.newWriteBatch();
    for (let i = start; i < start + 1000; i++) wb.set(keyOf((i * 7919) % count), value);
    await wb.flush();
  }
  await db.flatten();
  await db.close();
}

async function touchAll(db: Db, count: number): Promise<number> {
  let found = 0;
  await db.view((txn) => {
    for (let i = 0; i < count; i += 37) if (txn.tryGet(keyOf(i)) !== undefined) found++;
    for (const item of txn.iterate({ keysOnly: true })) if (item.key.length > 0) found++;
  });
  return found;
}

describe('memory bound', () => {
  it('touching every table of a many-table store grows memory by at most the block cache and the open readers', async () => {
    const fs = new MemFs();
    const count = 80_000;
    await build(fs, '/db', count);
    const cacheBytes = 256 * 1024;
    const maxOpenTables = 32;
    const options: DbOptions = { fs, dir: '/db', blockCacheBytes: cacheBytes, maxOpenTables, memTableBytes: 32 * 1024, numLevels: 2 };
    const db = await openDb(options);
    const tables = db.stats().levels.reduce((n, l) => n + l.tables, 0);
    expect(tables).toBeGreaterThan(8 * maxOpenTables); // many more tables than readers
    const opened = used();
    expect(await touchAll(db, count)).toBeGreaterThan(count);
    const touched = used();
    for (let round = 0; round < 2; round++) expect(await touchAll(db, count)).toBeGreaterThan(count);
    const again = used();
    const stats = db.stats();
    expect(stats.openTables).toBeLessThanOrEqual(maxOpenTables);
    expect(stats.blockCache.bytes).toBeLessThanOrEqual(cacheBytes);
    // The open already holds the version (per-table metadata, bounded by PER_TABLE_META_BYTES
    // each) and the memtable; what reading every table may add is the cache and the readers.
    const bound = cacheBytes + maxOpenTables * PER_OPEN_TABLE_BYTES + SLACK_BYTES;
    const tableBytes = stats.levels.reduce((n, l) => n + l.bytes, 0);
    console.log(
      `memory bound: ${tables} tables (${(tableBytes / 1048576).toFixed(1)} MiB on disk); touching all of them grew ` +
        `heap + ArrayBuffers by ${((touched - opened) / 1024).toFixed(0)} KiB (bound ${(bound / 1024).toFixed(0)} KiB = cache ` +
        `${cacheBytes / 1024} KiB + ${maxOpenTables} readers x ${PER_OPEN_TABLE_BYTES / 1024} KiB + ${SLACK_BYTES / 1048576} MiB), ` +
        `then ${((again - touched) / 1024).toFixed(0)} KiB over two more passes`,
    );
    expect(touched - opened).toBeLessThanOrEqual(bound);
    // Touching every table twice more adds nothing that stays (no per-table leak).
    expect(again - touched).toBeLessThanOrEqual(256 * 1024);
    expect(tableBytes).toBeGreaterThan(3 * bound); // reading them all would not fit the bound
    await db.close();
  }, 120_000);
});
