// Goal: an incremental backup carries every deletion made after its `since`, even when a bottom-
// level compaction (flatten, tombstone purge) ran between the delete and the backup — so loading
// full + incremental never resurrects a deleted or expired key — and when it cannot (a deletion
// was already purged), it is refused before writing anything, never silently incomplete.
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { openDb, type Db } from '../db.js';
import { isLsmError } from '../errors.js';
import type { DbOptions } from '../options.js';
import { MemFs } from '../testing/mem-fs.js';
import type { BackupOptions, BackupResult } from './backup.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const key = (i: number): string => `k:${String(i).padStart(5, '0')}`;
const N = 3000;

function options(fs: MemFs, dir: string, clock: { now: number }): DbOptions {
  return {
    fs, dir, memTableBytes: 32 * 1024, baseTableBytes: 16 * 1024, baseLevelBytes: 64 * 1024, valueThresholdBytes: 100,
    blockBytes: 1024, nowMs: () => clock.now,
  };
}

async function dump(db: Db): Promise<string[]> {
  return db.view((txn) => [...txn.iterate()].map((item) => `${hex(item.key)}=${hex(item.value)}`));
}

async function takeBackup(db: Db, backupOptions: BackupOptions = {}): Promise<{ bytes: Uint8Array; result: BackupResult }> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  const result = await db.backup(sink, backupOptions);
  return { bytes: new Uint8Array(Buffer.concat(chunks)), result };
}

/** Tombstones and versions stored in the tables (what flatten left on disk). */
function storedDeletions(db: Db): number {
  return db.engine.versions.current.allFiles().reduce((n, file) => n + file.deletions, 0);
}

async function populate(db: Db): Promise<void> {
  for (let start = 0; start < N; start += 500) {
    await db.update((txn) => {
      for (let i = start; i < start + 500; i++) txn.set(key(i), i % 3 === 0 ? 'v'.repeat(150) + String(i) : `small ${i}`);
    });
  }
}

/** Deletes every 4th key, lets every 10th key expire, then flattens: the bottom level is rewritten. */
async function deleteExpireAndFlatten(db: Db, clock: { now: number }): Promise<void> {
  await db.update((txn) => {
    for (let i = 0; i < N; i += 4) txn.delete(key(i));
  });
  await db.update((txn) => {
    for (let i = 1; i < N; i += 10) txn.setEntry(key(i), 'short-lived', { ttlMs: 1000 });
  });
  clock.now += 5000;
  await db.flatten();
  await db.waitForCompactions();
}

describe('incremental backups and deletions purged by compaction', () => {
  it('full → delete/expire → flatten → incremental: loading the chain does not resurrect a key', async () => {
    const fs = new MemFs();
    const clock = { now: 1_700_000_000_000 };
    const source = await openDb(options(fs, '/src', clock));
    await populate(source);
    await source.flatten();
    const full = await takeBackup(source);
    expect(full.result.records).toBe(N);
    await source.close();

    // The watermark lives in the MANIFEST: it survives a reopen.
    const reopened = await openDb(options(fs, '/src', clock));
    await deleteExpireAndFlatten(reopened, clock);
    // The deletions are newer than the last backup, so the bottom level still holds them.
    expect(storedDeletions(reopened)).toBeGreaterThan(0);
    const incremental = await takeBackup(reopened, { since: full.result.until });
    const expectedDeletes = Math.ceil(N / 4) + [...Array(N).keys()].filter((i) => i % 10 === 1 && i % 4 !== 0).length;
    expect(incremental.result.deletes).toBe(expectedDeletes);

    const target = await openDb(options(fs, '/dst', clock));
    await target.load(Readable.from([full.bytes]));
    await target.load(Readable.from([incremental.bytes]));
    const want = await dump(reopened);
    expect(want.length).toBe(N - expectedDeletes);
    expect(await dump(target)).toEqual(want);

    // Once a newer backup exists, the next flatten reclaims the dead entries.
    const next = await takeBackup(reopened, { since: incremental.result.until });
    expect(next.result.records).toBe(0);
    await reopened.flatten();
    await reopened.waitForCompactions();
    expect(storedDeletions(reopened)).toBe(0);
    expect(await dump(reopened)).toEqual(want);
    await reopened.close();
    await target.close();
  });

  it('refuses an incremental backup that could miss a purged deletion, writing nothing', async () => {
    const fs = new MemFs();
    const clock = { now: 1_700_000_000_000 };
    const source = await openDb(options(fs, '/src', clock));
    await populate(source);
    const full = await takeBackup(source, { retainDeletes: false });
    await deleteExpireAndFlatten(source, clock);
    expect(storedDeletions(source)).toBe(0); // nothing retained them
    const chunks: Uint8Array[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    });
    const error = await source.backup(sink, { since: full.result.until }).catch((e: unknown) => e);
    expect(isLsmError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect(String(error)).toMatch(/take a full backup/);
    expect(chunks).toEqual([]);
    // A full backup still works and is exact.
    const fresh = await takeBackup(source);
    const target = await openDb(options(fs, '/dst', clock));
    await target.load(Readable.from([fresh.bytes]));
    expect(await dump(target)).toEqual(await dump(source));
    expect(source.stats().openSnapshots).toBe(0);
    await source.close();
    await target.close();
  });

  it('an older chain is refused once a newer backup let compaction purge its deletions', async () => {
    const fs = new MemFs();
    const clock = { now: 1_700_000_000_000 };
    const source = await openDb(options(fs, '/src', clock));
    await populate(source);
    const chainA = await takeBackup(source);
    await source.update((txn) => txn.delete(key(5)));
    await takeBackup(source); // chain B moves the watermark past the delete
    await source.flatten();
    await source.waitForCompactions();
    const error = await takeBackup(source, { since: chainA.result.until }).catch((e: unknown) => e);
    expect(isLsmError(error, 'INVALID_ARGUMENT')).toBe(true);
    await source.close();
  });
});
