import { describe, expect, it } from 'vitest';
import { openDb, type Db } from '../db.js';
import { CorruptionError, DbClosedError, isLsmError, LockedError } from '../errors.js';
import { joinPath } from '../fs/fs.js';
import { parseFileName } from '../fs/filenames.js';
import type { DbOptions } from '../options.js';
import { FOOTER_BYTES, decodeFooter } from '../sstable/table-format.js';
import { MemFs } from '../testing/mem-fs.js';
import { verifyDirectory, type VerifyProblem, type VerifyReport } from './verify.js';

const DIR = '/db';

function options(fs: MemFs, extra: Partial<DbOptions> = {}): DbOptions {
  return { fs, dir: DIR, memTableBytes: 16 * 1024, baseTableBytes: 8 * 1024, valueThresholdBytes: 200, blockBytes: 512, ...extra };
}

const key = (i: number): string => `key:${String(i).padStart(5, '0')}`;

async function populate(db: Db, from: number, to: number): Promise<void> {
  for (let start = from; start < to; start += 50) {
    await db.update((txn) => {
      for (let i = start; i < Math.min(to, start + 50); i++) txn.set(key(i), i % 3 === 0 ? 'v'.repeat(300) + i : `small ${i}`);
    });
  }
}

/** A closed database with several tables, vlog values and a multi-record MANIFEST. */
async function closedDatabase(): Promise<MemFs> {
  const fs = new MemFs();
  const db = await openDb(options(fs));
  await populate(db, 0, 600);
  await db.flush();
  await populate(db, 300, 900);
  await db.flush();
  await db.close();
  return fs;
}

async function files(fs: MemFs, type: string): Promise<string[]> {
  return (await fs.readdir(DIR)).filter((name) => parseFileName(name)?.type === type);
}

async function flip(fs: MemFs, name: string, offset: number): Promise<void> {
  const path = joinPath(DIR, name);
  const bytes = await fs.readFile(path);
  expect(offset).toBeLessThan(bytes.length);
  bytes[offset] = (bytes[offset] as number) ^ 0x5a;
  const file = await fs.openWritable(path, { truncate: true });
  await file.append(bytes);
  await file.sync();
  await file.close();
}

function found(report: VerifyReport, file: string, test: (p: VerifyProblem) => boolean = () => true): VerifyProblem {
  const problem = report.problems.find((p) => p.file === file && test(p));
  expect(problem, `a problem in ${file}; got ${JSON.stringify(report.problems)}`).toBeDefined();
  expect(report.ok).toBe(false);
  return problem as VerifyProblem;
}

async function openError(fs: MemFs): Promise<unknown> {
  try {
    const db = await openDb(options(fs));
    await db.close();
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('verify', () => {
  it('a sound database verifies clean, online (with writers running) and offline', async () => {
    const fs = new MemFs();
    const db = await openDb(options(fs));
    await populate(db, 0, 1500);
    await db.flush();
    await db.waitForCompactions();
    await populate(db, 1000, 1100); // memtable entries and WAL records
    let stop = false;
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        await db.set(key(5000 + (i % 300)), i % 2 === 0 ? 'w'.repeat(250) : 'w');
      }
    })();
    const report = await db.verify();
    stop = true;
    await writer;
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    const c = report.checked;
    expect(c.tables).toBeGreaterThan(1);
    expect(c.blocks).toBeGreaterThan(c.tables * 3);
    expect(c.pointers).toBeGreaterThan(400);
    expect(c.memtableEntries).toBeGreaterThan(0);
    expect(c.vlogFiles).toBeGreaterThan(0);
    expect(c.vlogEntries).toBeGreaterThanOrEqual(500);
    expect(c.walFiles).toBeGreaterThan(0);
    expect(c.manifestEdits).toBeGreaterThan(0);
    await db.close();
    await expect(db.verify()).rejects.toBeInstanceOf(DbClosedError);
    const offline = await verifyDirectory(fs, DIR);
    expect(offline.problems).toEqual([]);
    expect(offline.checked.tables).toBeGreaterThan(1);
  });

  it('finds a flipped byte in an SST data block, naming the file and the block offset', async () => {
    const fs = await closedDatabase();
    const table = (await files(fs, 'table'))[0] as string;
    await flip(fs, table, 40); // inside the first data block (offset 0)
    const db = await openDb(options(fs)); // open reads only footer and properties
    const problem = found(await db.verify(), table);
    expect(problem).toMatchObject({ offset: 0, reason: 'block checksum mismatch' });
    await db.close();
    found(await verifyDirectory(fs, DIR), table, (p) => p.offset === 0);
  });

  it('finds a flipped byte in an SST index block; a flipped footer fails the open and verifyDirectory names it', async () => {
    const fs = await closedDatabase();
    const [first, second] = (await files(fs, 'table')) as [string, string];
    const bytes = await fs.readFile(joinPath(DIR, first));
    const footer = decodeFooter(bytes.subarray(bytes.length - FOOTER_BYTES), first, bytes.length);
    await flip(fs, first, footer.indexHandle.offset + 3);
    const db = await openDb(options(fs));
    expect(found(await db.verify(), first).offset).toBe(footer.indexHandle.offset);
    await db.close();

    const secondBytes = await fs.readFile(joinPath(DIR, second));
    await flip(fs, second, secondBytes.length - 10);
    const error = await openError(fs);
    expect(error).toBeInstanceOf(CorruptionError);
    expect((error as CorruptionError).file).toContain(second);
    const offline = await verifyDirectory(fs, DIR);
    expect(found(offline, second).offset).toBeGreaterThanOrEqual(secondBytes.length - FOOTER_BYTES);
    found(offline, first, (p) => p.offset === footer.indexHandle.offset);
  });

  it('finds a flipped byte in a value-log entry (by pointer and by scan), naming the entry offset', async () => {
    const fs = await closedDatabase();
    const vlog = (await files(fs, 'vlog'))[0] as string;
    await flip(fs, vlog, 16 + 12 + 20); // inside the first entry's key/value bytes
    const db = await openDb(options(fs));
    const report = await db.verify();
    const problem = found(report, vlog);
    expect(problem).toMatchObject({ offset: 16 });
    expect(problem.reason).toMatch(/checksum/);
    expect(report.problems.some((p) => p.file === vlog && /valid entries follow/.test(p.reason))).toBe(true); // the scan
    await db.close();
    found(await verifyDirectory(fs, DIR), vlog, (p) => p.offset === 16);
  });

  it('finds a flipped byte in a WAL record: the open fails with CORRUPTION, verifyDirectory names file and offset', async () => {
    const live = new MemFs();
    const db = await openDb(options(live, { memTableBytes: 1024 * 1024 }));
    for (let i = 0; i < 20; i++) await db.set(key(i), `value ${i}`); // 20 synced WAL records, no flush
    const fs = live.crashClone('synced');
    const again = live.crashClone('synced');
    await db.close();
    await fs.unlink(joinPath(DIR, 'LOCK'));
    const wal = (await files(fs, 'wal')).at(-1) as string;
    await flip(fs, wal, 16 + 10); // inside the first record
    const error = await openError(fs);
    expect(isLsmError(error, 'CORRUPTION')).toBe(true);
    expect((error as CorruptionError).file).toBe(wal);
    const report = await verifyDirectory(fs, DIR);
    expect(found(report, wal)).toMatchObject({ offset: 16 });
    expect(report.checked.walFiles).toBeGreaterThan(0);

    // A flip in the LAST record looks like a torn tail (what a crash leaves): a warning, not a problem.
    await again.unlink(joinPath(DIR, 'LOCK'));
    const walBytes = await again.readFile(joinPath(DIR, wal));
    await flip(again, wal, walBytes.length - 2);
    const torn = await verifyDirectory(again, DIR);
    expect(torn.ok).toBe(true);
    expect(torn.warnings).toEqual([expect.objectContaining({ file: wal, reason: expect.stringMatching(/torn tail/) })]);
  });

  it('finds a flipped byte in the MANIFEST: the open fails with CORRUPTION, verifyDirectory names file and offset', async () => {
    const fs = await closedDatabase();
    const manifest = (await files(fs, 'manifest'))[0] as string;
    await flip(fs, manifest, 16 + 9); // inside the first edit
    const error = await openError(fs);
    expect(isLsmError(error, 'CORRUPTION')).toBe(true);
    expect((error as CorruptionError).file).toBe(manifest);
    expect(found(await verifyDirectory(fs, DIR), manifest)).toMatchObject({ offset: 16 });
  });

  it('reports a bad CURRENT, a missing table and a table whose size disagrees with the MANIFEST', async () => {
    const fs = await closedDatabase();
    const [first, second] = (await files(fs, 'table')) as [string, string];
    await fs.unlink(joinPath(DIR, first));
    const file = await fs.openWritable(joinPath(DIR, second));
    await file.append(new Uint8Array(7));
    await file.close();
    const report = await verifyDirectory(fs, DIR);
    expect(found(report, first).reason).toMatch(/does not exist/);
    expect(found(report, second, (p) => /MANIFEST says/.test(p.reason)).offset).toBe(0);
    const current = await fs.openWritable(joinPath(DIR, 'CURRENT'), { truncate: true });
    await current.append(new TextEncoder().encode('MANIFEST-000001'));
    await current.close();
    expect(found(await verifyDirectory(fs, DIR), 'CURRENT').reason).toMatch(/newline/);
  });

  it('a pointer into a removed vlog file is a problem when a reader can see it, and stale when none can', async () => {
    const fs = new MemFs();
    const db = await openDb(options(fs, { valueThresholdBytes: 100, valueLogFileBytes: 64 * 1024 }));
    await db.set('k', 'a'.repeat(10_000)); // vlog file 1
    await db.flush();
    await db.set('j', 'b'.repeat(70_000)); // does not fit: a new vlog file
    await db.set('k', 'c'.repeat(10_000)); // k's newest version, in the new file
    await db.flush();
    await db.close();
    const vlogs = await files(fs, 'vlog');
    expect(vlogs).toHaveLength(3); // k's first value; j (too big for the first file); k's second value
    const [oldest, ofJ] = vlogs as [string, string];
    // Simulate value-log GC retiring the oldest file: only k's hidden version pointed into it.
    await fs.unlink(joinPath(DIR, oldest));
    const reopened = await openDb(options(fs, { valueThresholdBytes: 100, valueLogFileBytes: 64 * 1024 }));
    const clean = await reopened.verify();
    expect(clean.problems).toEqual([]);
    expect(clean.checked.stalePointers).toBe(1);
    await reopened.close();
    await fs.unlink(joinPath(DIR, ofJ));
    const report = await verifyDirectory(fs, DIR);
    expect(report.problems).toEqual([
      expect.objectContaining({ file: expect.stringMatching(/\.sst$/), reason: expect.stringContaining(`${ofJ}, which does not exist`) }),
    ]);
    expect(report.checked.stalePointers).toBe(1);
  });

  it('stays clean after value-log GC rewrote live values (same seq) and retired their old files', async () => {
    const fs = new MemFs();
    const gcOptions = options(fs, { valueThresholdBytes: 100, valueLogFileBytes: 64 * 1024, autoValueLogGc: false });
    const db = await openDb(gcOptions);
    for (let round = 0; round < 3; round++) {
      await db.update((txn) => {
        for (let i = 0; i < 120 - 30 * round; i++) txn.set(key(i), `${round}`.repeat(1000)); // keys 90.. stay in the first file
      });
    }
    const vlogsBefore = await files(fs, 'vlog');
    await db.flatten(); // compaction drops the overwritten pointers: garbage per vlog file
    const gc = await db.runValueLogGC({ discardRatio: 0.2, maxFiles: 100 });
    expect(gc.filesRewritten.length).toBeGreaterThan(0);
    await db.flush();
    await db.waitForCompactions();
    const online = await db.verify();
    expect(online.problems).toEqual([]);
    await db.close();
    const reopened = await openDb(gcOptions);
    expect((await reopened.verify()).problems).toEqual([]);
    await reopened.close();
    const offline = await verifyDirectory(fs, DIR);
    expect(offline.problems).toEqual([]);
    expect(gc.valuesMoved).toBeGreaterThan(0);
    const vlogsAfter = await files(fs, 'vlog');
    expect(vlogsBefore.filter((name) => !vlogsAfter.includes(name)).length).toBeGreaterThan(0); // retired
    // The table written before GC still points into the retired file, at the same seq as the rewrite.
    expect(online.checked.stalePointers).toBeGreaterThan(0);
    expect(offline.checked.stalePointers).toBeGreaterThan(0);
  });

  it('verifyDirectory takes the LOCK: a database open elsewhere is LOCKED', async () => {
    const fs = new MemFs();
    const db = await openDb(options(fs));
    await expect(verifyDirectory(fs, DIR)).rejects.toBeInstanceOf(LockedError);
    expect((await verifyDirectory(fs, DIR, { lock: false })).ok).toBe(true);
    await db.close();
  });
});
