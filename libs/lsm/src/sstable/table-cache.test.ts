/**
 * Goal: the table cache bounds open files, keeps point reads synchronous, and never closes a
 * reader an iterator or lease still uses. Method: tables in memory files whose close() is
 * observed; scripted open/evict/iterate sequences.
 */

import { describe, expect, it } from 'vitest';
import { BugError } from '../assert.js';
import { utf8 } from '../codec/bytes.js';
import { CorruptionError, IoError } from '../errors.js';
import { Kind } from '../keys/internal-key.js';
import { encodeStoredValue } from '../keys/value-format.js';
import { BlockCache } from './block-cache.js';
import { TableCache } from './table-cache.js';
import { MemReadableFile, buildTable } from './test-files.test-util.js';

async function tableBytes(fileNumber: number): Promise<Uint8Array> {
  const entries = [];
  for (let i = 0; i < 20; i++) {
    entries.push({ key: utf8(`k${i.toString().padStart(3, '0')}`), seq: fileNumber, kind: Kind.VALUE, value: encodeStoredValue(utf8(`v${fileNumber}-${i}`), 0, 0) });
  }
  return (await buildTable(entries)).bytes;
}

async function setup(maxOpenTables: number, sync = true) {
  const images = new Map<number, Uint8Array>();
  for (let n = 1; n <= 6; n++) images.set(n, await tableBytes(n));
  images.set(99, new Uint8Array(100)); // not a table
  const opened: MemReadableFile[] = [];
  const open = (n: number): MemReadableFile => {
    const bytes = images.get(n);
    if (bytes === undefined) throw Object.assign(new Error(`ENOENT ${n}`), { code: 'ENOENT' });
    const file = new MemReadableFile(`/db/${n}.sst`, bytes);
    opened.push(file);
    return file;
  };
  const blockCache = new BlockCache(1 << 20);
  const cache = new TableCache({
    blockCache,
    maxOpenTables,
    openFile: (n) => Promise.resolve().then(() => open(n)),
    ...(sync ? { openFileSync: open } : {}),
  });
  const openFiles = (): number => opened.filter((f) => !f.closed).length;
  return { cache, blockCache, opened, openFiles };
}

const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('TableCache', () => {
  it('serves synchronous point reads and bounds the number of open files', async () => {
    const { cache, openFiles } = await setup(3);
    for (let round = 0; round < 3; round++) {
      for (let n = 1; n <= 6; n++) {
        const found = cache.get(n, utf8('k007'));
        expect(found?.seq).toBe(n);
      }
      await flush();
      expect(cache.openTables).toBe(3);
      expect(openFiles()).toBe(3);
    }
    expect(cache.get(1, utf8('zzz'))).toBeUndefined();
    expect(cache.stats().misses).toBeGreaterThan(0);
    await cache.close();
    expect(openFiles()).toBe(0);
  });

  it('keeps an evicted reader open until its iterators close', async () => {
    const { cache, opened, openFiles } = await setup(1);
    const iterator = cache.newIterator(1);
    iterator.seekToFirst();
    cache.get(2, utf8('k001')); // evicts table 1 from the cache
    await flush();
    expect(cache.isOpen(1)).toBe(false);
    expect(opened[0]?.closed).toBe(false);
    let count = 0;
    for (; iterator.valid(); iterator.next()) count++;
    expect(count).toBe(20);
    iterator.close();
    iterator.close(); // idempotent
    await flush();
    expect(opened[0]?.closed).toBe(true);
    expect(openFiles()).toBe(1);
  });

  it('leases pin readers; evict() drops the reader and its cached blocks', async () => {
    const { cache, blockCache, opened } = await setup(2);
    const lease = await cache.acquire(3);
    expect(lease.reader.get(utf8('k010'))?.seq).toBe(3);
    expect(blockCache.blockCount).toBeGreaterThan(0);
    cache.evict(3);
    expect(blockCache.blockCount).toBe(0);
    await flush();
    expect(opened[0]?.closed).toBe(false);
    lease.release();
    lease.release();
    await flush();
    expect(opened[0]?.closed).toBe(true);
    const syncLease = cache.acquireSync(4);
    expect(syncLease.reader.fileNumber).toBe(4);
    syncLease.release();
  });

  it('without a sync opener, ensureOpen makes synchronous reads possible; a miss is a BugError', async () => {
    const { cache } = await setup(2, false);
    expect(() => cache.get(1, utf8('k001'))).toThrow(BugError);
    await Promise.all([cache.ensureOpen(1), cache.ensureOpen(1)]);
    expect(cache.openTables).toBe(1);
    expect(cache.get(1, utf8('k001'))?.seq).toBe(1);
    expect(cache.reader(1).properties.entryCount).toBe(20);
  });

  it('reports open failures as IoError or CorruptionError and closes the file', async () => {
    const { cache, opened } = await setup(2);
    expect(() => cache.get(42, utf8('a'))).toThrow(IoError);
    await expect(cache.ensureOpen(42)).rejects.toThrow(IoError);
    expect(() => cache.get(99, utf8('a'))).toThrow(CorruptionError);
    await flush();
    expect(opened.every((f) => f.closed)).toBe(true);
    expect(cache.openTables).toBe(0);
  });
});
