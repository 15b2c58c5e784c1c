import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { ReadableStream, WritableStream } from 'node:stream/web';
import { describe, expect, it } from 'vitest';
import { openDb, type Db } from '../db.js';
import { CorruptionError, DbClosedError, InvalidArgumentError, IoError, ValueTooLargeError } from '../errors.js';
import { MemFs } from '../testing/mem-fs.js';
import { createPrng } from '../testing/seeded-prng.js';
import type { DbOptions } from '../options.js';
import { BackupStreamDecoder, type BackupRecord } from './backup-format.js';
import type { BackupOptions, BackupResult } from './backup.js';

const enc = new TextEncoder();
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

interface Clock {
  now: number;
}

function options(fs: MemFs, dir: string, clock: Clock, extra: Partial<DbOptions> = {}): DbOptions {
  return {
    fs, dir, memTableBytes: 32 * 1024, baseTableBytes: 16 * 1024, baseLevelBytes: 64 * 1024, valueThresholdBytes: 100,
    blockBytes: 1024, nowMs: () => clock.now, ...extra,
  };
}

interface Row {
  key: string;
  value: string;
  userMeta: number;
  expiresAt: number;
}

async function dump(db: Db): Promise<Row[]> {
  return db.view((txn) => [...txn.iterate()].map((item) => ({
    key: hex(item.key), value: hex(item.value), userMeta: item.userMeta, expiresAt: item.expiresAt,
  })));
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
  const bytes = new Uint8Array(Buffer.concat(chunks));
  expect(bytes.length).toBe(result.bytes);
  return { bytes, result };
}

/** A readable that delivers `bytes` in pieces of random sizes. */
function pieces(bytes: Uint8Array, seed = 1): Readable {
  const prng = createPrng(seed);
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const n = 1 + prng.nextInt(3000);
    out.push(bytes.slice(at, at + n));
    at += n;
  }
  return Readable.from(out);
}

function decodeRecords(bytes: Uint8Array): BackupRecord[] {
  const decoder = new BackupStreamDecoder();
  decoder.push(bytes);
  const out: BackupRecord[] = [];
  for (let unit = decoder.next(); unit !== undefined; unit = decoder.next()) if (unit.type === 'chunk') out.push(...unit.records);
  decoder.finish();
  return out;
}

function unitOffsets(bytes: Uint8Array): number[] {
  const decoder = new BackupStreamDecoder();
  decoder.push(bytes);
  const out: number[] = [];
  for (let unit = decoder.next(); unit !== undefined; unit = decoder.next()) out.push(unit.offset);
  return out;
}

const key = (i: number): string => `user:${String(i).padStart(5, '0')}`;

/** Writes a mixed dataset: small and vlog values, user meta, TTLs, deletes, overwrites, several tables. */
async function populate(db: Db, count: number, seed: number): Promise<void> {
  const prng = createPrng(seed);
  for (let start = 0; start < count; start += 100) {
    await db.update((txn) => {
      for (let i = start; i < Math.min(count, start + 100); i++) {
        const large = prng.nextInt(4) === 0;
        const value = new Uint8Array(large ? 150 + prng.nextInt(400) : prng.nextInt(60));
        prng.fill(value);
        const userMeta = prng.nextInt(3) === 0 ? 1 + prng.nextInt(255) : 0;
        const ttl = prng.nextInt(5) === 0 ? { ttlMs: 3_600_000 + prng.nextInt(1000) } : {};
        txn.setEntry(key(i), value, { userMeta, ...ttl });
      }
    });
  }
  await db.update((txn) => {
    for (let i = 0; i < count; i += 13) txn.delete(key(i));
  });
}

describe('backup and load', () => {
  it('full backup → load into an empty directory → identical scan (values, userMeta, expiresAt)', async () => {
    const fs = new MemFs();
    const clock = { now: 1_700_000_000_000 };
    const source = await openDb(options(fs, '/src', clock));
    await populate(source, 3000, 1);
    await source.flush();
    await source.waitForCompactions();
    await populate(source, 1500, 2); // overwrites, some in the memtable
    const expected = await dump(source);
    expect(expected.length).toBeGreaterThan(2500);
    expect(expected.some((r) => r.userMeta !== 0) && expected.some((r) => r.expiresAt !== 0)).toBe(true);
    const { bytes, result } = await takeBackup(source, { chunkBytes: 4096 });
    expect(result).toMatchObject({ since: 0, until: source.currentTimestamp(), records: expected.length, deletes: 0 });
    await source.close();

    const target = await openDb(options(fs, '/dst', clock));
    const loaded = await target.load(pieces(bytes));
    expect(loaded).toMatchObject({ records: expected.length, values: expected.length, deletes: 0, since: 0, until: result.until });
    expect(await dump(target)).toEqual(expected);
    await target.close();
    const reopened = await openDb(options(fs, '/dst', clock));
    expect(await dump(reopened)).toEqual(expected);
    expect((await reopened.verify()).ok).toBe(true);
    await reopened.close();
  });

  it('incremental backup carries exactly the keys whose newest version is newer than since, deletions included', async () => {
    const fs = new MemFs();
    const clock = { now: 1_700_000_000_000 };
    const source = await openDb(options(fs, '/src', clock));
    await populate(source, 2000, 3);
    await source.flush();
    await source.waitForCompactions();
    const full = await takeBackup(source, { chunkBytes: 2048 });
    const u1 = full.result.until;

    // Changes after u1: overwrites, deletes (of live and of absent keys), new keys, a value that
    // expires before the next backup, and a key written and then deleted again.
    const changed = new Map<string, 'value' | 'delete'>();
    await source.update((txn) => {
      for (let i = 0; i < 2000; i += 7) {
        txn.set(key(i), `new ${i}`);
        changed.set(key(i), 'value');
      }
    });
    await source.flush(); // some changes in a table, the rest in the memtable
    await source.update((txn) => {
      for (let i = 3; i < 2000; i += 11) {
        txn.delete(key(i));
        changed.set(key(i), 'delete');
      }
      txn.delete('never:existed');
      changed.set('never:existed', 'delete');
      for (let i = 2000; i < 2100; i++) {
        txn.setEntry(key(i), `fresh ${i}`, { userMeta: 9 });
        changed.set(key(i), 'value');
      }
      txn.setEntry('short:lived', 'x', { ttlMs: 500 });
      changed.set('short:lived', 'delete'); // expired by backup time → a DELETE record
      txn.set('flip', 'on');
    });
    await source.update((txn) => txn.delete('flip'));
    changed.set('flip', 'delete');
    clock.now += 1000;

    const incremental = await takeBackup(source, { since: u1, chunkBytes: 2048 });
    expect(incremental.result.since).toBe(u1);
    expect(incremental.result.until).toBe(source.currentTimestamp());
    const records = decodeRecords(incremental.bytes);
    const carried = new Map(records.map((r) => [new TextDecoder().decode(r.key), r.deleted ? 'delete' : 'value']));
    expect(new Map([...carried].sort())).toEqual(new Map([...changed].sort()));
    expect(records.every((r) => r.version > u1 && r.version <= incremental.result.until)).toBe(true);
    expect(incremental.result.deletes).toBe([...changed.values()].filter((v) => v === 'delete').length);

    // Full, then incremental, reproduces the source.
    const target = await openDb(options(fs, '/dst', clock));
    await target.load(pieces(full.bytes, 5));
    const loaded = await target.load(pieces(incremental.bytes, 6));
    expect(loaded.deletes).toBe(incremental.result.deletes);
    expect(await dump(target)).toEqual(await dump(source));

    // Nothing changed: an empty incremental with the same until.
    const empty = await takeBackup(source, { since: incremental.result.until });
    expect(empty.result).toMatchObject({ records: 0, until: incremental.result.until });
    expect((await target.load(Readable.from([empty.bytes]))).records).toBe(0);
    await source.close();
    await target.close();
  });

  it('a backup taken while writers commit is one consistent snapshot', async () => {
    const fs = new MemFs();
    const clock = { now: 1_700_000_000_000 };
    const source = await openDb(options(fs, '/src', clock));
    for (let i = 0; i < 200; i++) {
      await source.update((txn) => {
        txn.set(`a:${String(i).padStart(4, '0')}`, '0');
        txn.set(`b:${String(i).padStart(4, '0')}`, '0');
      });
    }
    let stop = false;
    let round = 0;
    const writer = (async () => {
      while (!stop) {
        await new Promise((resolve) => setImmediate(resolve)); // MemFs resolves in microtasks: let timers run
        round++;
        const i = round % 200;
        await source.update((txn) => {
          txn.set(`a:${String(i).padStart(4, '0')}`, String(round));
          txn.set(`b:${String(i).padStart(4, '0')}`, String(round));
        });
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const chunks: Buffer[] = [];
    const slowSink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        setImmediate(callback); // let the writers run between chunks
      },
    });
    const roundsBefore = round;
    const result = await source.backup(slowSink, { chunkBytes: 64 });
    const bytes = new Uint8Array(Buffer.concat(chunks));
    expect(round - roundsBefore).toBeGreaterThan(10); // commits landed while the backup ran
    stop = true;
    await writer;
    expect(result.records).toBe(400);
    const target = await openDb(options(fs, '/dst', clock));
    await target.load(Readable.from([bytes]));
    const rows = await dump(target);
    for (let i = 0; i < 200; i++) expect(rows[i]?.value).toBe(rows[200 + i]?.value);
    expect(source.stats().openSnapshots).toBe(0);
    await source.close();
    await target.close();
  });

  it('truncated and corrupted backups are rejected with CORRUPTION and load nothing', async () => {
    const fs = new MemFs();
    const clock = { now: 1_700_000_000_000 };
    const source = await openDb(options(fs, '/src', clock));
    await populate(source, 300, 4);
    const { bytes, result } = await takeBackup(source, { chunkBytes: 512 });
    await source.close();
    const boundaries = unitOffsets(bytes);
    expect(boundaries.length).toBeGreaterThan(10);

    const target = await openDb(options(fs, '/dst', clock));
    const prng = createPrng(11);
    const cuts = new Set<number>([0, 1, 15, 16, bytes.length - 1]);
    for (const boundary of boundaries) for (const d of [-1, 0, 1]) cuts.add(boundary + d);
    for (let i = 0; i < 40; i++) cuts.add(prng.nextInt(bytes.length));
    let attempt = 0;
    const expectRejected = async (damaged: Uint8Array): Promise<void> => {
      attempt++;
      const spoolMemoryBytes = attempt % 2 === 0 ? 0 : 1 << 20; // half of them spool to a temp file
      const error = await target.load(pieces(damaged, attempt), { spoolMemoryBytes }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CorruptionError);
      expect((error as CorruptionError).message).toMatch(/^corruption in backup at offset \d+: /);
      expect(target.currentTimestamp()).toBe(0); // not one commit
      expect((await fs.readdir('/dst')).filter((n) => n.endsWith('.dbtmp'))).toEqual([]);
    };
    for (const cut of [...cuts].filter((c) => c >= 0 && c < bytes.length)) await expectRejected(bytes.subarray(0, cut));
    for (let i = 0; i < 150; i++) {
      const damaged = bytes.slice();
      const at = i < 16 ? i : prng.nextInt(bytes.length);
      damaged[at] = (damaged[at] as number) ^ (1 << prng.nextInt(8));
      await expectRejected(damaged);
    }
    const extra = new Uint8Array(bytes.length + 3);
    extra.set(bytes);
    await expectRejected(extra);
    expect(await dump(target)).toEqual([]);
    // The intact stream still loads, through the temp-file spool.
    expect((await target.load(pieces(bytes, 99), { spoolMemoryBytes: 0 })).records).toBe(result.records);
    expect((await dump(target)).length).toBe(result.records);
    await target.close();
  });

  it('works with files (Node streams) and with web streams', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'lsm-backup-'));
    try {
      const fs = new MemFs();
      const clock = { now: 1_700_000_000_000 };
      const source = await openDb(options(fs, '/src', clock));
      await populate(source, 800, 7);
      const expected = await dump(source);
      const file = join(tmp, 'backup.lsmbak');
      const out = createWriteStream(file);
      const result = await source.backup(out);
      out.end();
      await finished(out);
      const webChunks: Uint8Array[] = [];
      await source.backup(new WritableStream<Uint8Array>({ write: (chunk) => void webChunks.push(chunk.slice()) }));
      await source.close();

      const fromFile = await openDb(options(fs, '/file', clock));
      expect((await fromFile.load(createReadStream(file))).records).toBe(result.records);
      expect(await dump(fromFile)).toEqual(expected);
      await fromFile.close();

      const fromWeb = await openDb(options(fs, '/web', clock));
      let index = 0;
      const readable = new ReadableStream<Uint8Array>({
        pull(controller) {
          const chunk = webChunks[index++];
          if (chunk === undefined) controller.close();
          else controller.enqueue(chunk);
        },
      });
      expect((await fromWeb.load(readable)).records).toBe(result.records);
      expect(await dump(fromWeb)).toEqual(expected);
      await fromWeb.close();
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('load checks the target limits before applying anything', async () => {
    const fs = new MemFs();
    const clock = { now: 1_700_000_000_000 };
    const source = await openDb(options(fs, '/src', clock));
    await source.update((txn) => {
      for (let i = 0; i < 50; i++) txn.set(key(i), 'small');
      txn.set('zzz:last', new Uint8Array(500));
    });
    const { bytes } = await takeBackup(source, { chunkBytes: 128 });
    await source.close();
    const target = await openDb(options(fs, '/dst', clock, { maxValueBytes: 200 }));
    await expect(target.load(Readable.from([bytes]))).rejects.toBeInstanceOf(ValueTooLargeError);
    expect(await dump(target)).toEqual([]);
    await expect(target.load(Readable.from(['a string']))).rejects.toBeInstanceOf(InvalidArgumentError);
    await target.close();
  });

  it('reports bad arguments, a failing target and a closed database; always releases its snapshot', async () => {
    const fs = new MemFs();
    const clock = { now: 1_700_000_000_000 };
    const db = await openDb(options(fs, '/src', clock));
    await populate(db, 500, 8);
    const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    await expect(db.backup(sink, { since: -1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(db.backup(sink, { since: db.currentTimestamp() + 1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    let writes = 0;
    const failing = new Writable({
      write(_chunk, _encoding, callback) {
        writes++;
        callback(writes > 2 ? new Error('disk full') : null);
      },
    });
    await expect(db.backup(failing, { chunkBytes: 256 })).rejects.toBeInstanceOf(IoError);
    expect(db.stats().openSnapshots).toBe(0);
    await db.close();
    await expect(db.backup(sink)).rejects.toBeInstanceOf(DbClosedError);
    await expect(db.load(Readable.from([]))).rejects.toBeInstanceOf(DbClosedError);
  });

  it('a value stored in the value log is carried by value', async () => {
    const fs = new MemFs();
    const clock = { now: 1_700_000_000_000 };
    const source = await openDb(options(fs, '/src', clock, { valueThresholdBytes: 1 }));
    const big = new Uint8Array(5000).fill(42);
    await source.update((txn) => txn.setEntry('k', big, { userMeta: 3 }));
    const records = decodeRecords((await takeBackup(source)).bytes);
    expect(records).toHaveLength(1);
    expect(records[0]?.value).toEqual(big);
    expect(records[0]?.userMeta).toBe(3);
    expect(enc.encode('k')).toEqual(Uint8Array.from(records[0]?.key ?? []));
    await source.close();
  });
});
