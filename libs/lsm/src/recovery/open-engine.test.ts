// Goal: a short process (open, a few commits, close) does little durable work — close leaves a
// small memtable in its WAL and the next writable open keeps appending to that WAL and to the
// MANIFEST — while every store state the previous open sequence left still opens with its data,
// and the cases that must not be continued (a torn WAL or MANIFEST tail, several WALs, a big
// memtable) take the flushing path. Method: MemFs, whose mutation log shows what each open and
// close wrote; power loss around these paths is covered by power-loss*.test.ts and kill9.test.ts.
import { describe, expect, it } from 'vitest';
import { openDb } from '../index.js';
import type { Db } from '../index.js';
import { CLOSE_KEEP_WAL_BYTES } from '../wal/close-marker.js';
import { MemFs } from '../testing/mem-fs.js';

const DIR = '/db';
const dec = new TextDecoder();

function recorder(): { fs: MemFs; since: () => string[] } {
  const log: string[] = [];
  let mark = 0;
  const fs = new MemFs({ onMutation: (_count, description) => log.push(description) });
  return {
    fs,
    since: () => {
      const out = log.slice(mark);
      mark = log.length;
      return out;
    },
  };
}

async function names(fs: MemFs): Promise<string[]> {
  return (await fs.readdir(DIR)).filter((name) => name !== 'LOCK').sort();
}

async function contents(db: Db): Promise<Record<string, string>> {
  return db.view((txn) => Object.fromEntries([...txn.iterate()].map((item) => [dec.decode(item.key), dec.decode(item.value)])));
}

const count = (log: string[], word: string): number => log.filter((line) => line.includes(word)).length;

describe('open and close of a short process', () => {
  it('close keeps a small memtable in its WAL; the next open appends to that WAL and writes no table or MANIFEST', async () => {
    const { fs, since } = recorder();
    let db = await openDb({ dir: DIR, fs });
    await db.set('a', '1');
    await db.close();
    const afterFirst = await names(fs);
    since();
    db = await openDb({ dir: DIR, fs });
    const openLog = since();
    expect(await names(fs)).toEqual(afterFirst); // no new WAL, table or MANIFEST
    expect(afterFirst.filter((name) => name.endsWith('.sst'))).toEqual([]);
    expect(count(openLog, 'append')).toBe(0);
    await db.set('b', '2');
    await db.delete('a');
    await db.close();
    const closeLog = since();
    expect(count(closeLog, 'openWritable')).toBe(0);
    expect(await names(fs)).toEqual(afterFirst);
    db = await openDb({ dir: DIR, fs });
    expect(await contents(db)).toEqual({ b: '2' }); // the delete replayed from the WAL: no resurrection
    await db.close();
  });

  it('opens a store as the previous sequence left it (memtable flushed, an empty newest WAL) and keeps every key', async () => {
    const { fs } = recorder();
    let db = await openDb({ dir: DIR, fs });
    for (let i = 0; i < 20; i += 1) await db.set(`k${i}`, `v${i}`);
    await db.delete('k3');
    await db.flush(); // what the old close did: rotate to an empty WAL and flush to L0
    await db.close();
    const wals = (await names(fs)).filter((name) => name.endsWith('.wal'));
    expect(wals).toHaveLength(1);
    await fs.truncate(`${DIR}/${wals[0] as string}`, 16); // the header only: no clean-close marker
    db = await openDb({ dir: DIR, fs });
    const expected = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, `v${i}`]).filter(([key]) => key !== 'k3'));
    expect(await contents(db)).toEqual(expected);
    await db.set('k3', 'back');
    await db.close();
    db = await openDb({ dir: DIR, fs });
    expect(await contents(db)).toEqual({ ...expected, k3: 'back' });
    await db.close();
  });

  it('a WAL with a torn tail is not appended to: the memtable is flushed and a new WAL started', async () => {
    const { fs, since } = recorder();
    let db = await openDb({ dir: DIR, fs });
    await db.set('a', '1');
    await db.set('b', '2');
    await db.close();
    const wal = (await names(fs)).find((name) => name.endsWith('.wal')) as string;
    const size = (await fs.stat(`${DIR}/${wal}`))?.size ?? 0;
    await fs.truncate(`${DIR}/${wal}`, size - 3); // the last record (the clean-close marker) torn
    since();
    db = await openDb({ dir: DIR, fs });
    const openLog = since();
    expect(await contents(db)).toEqual({ a: '1', b: '2' });
    expect(await names(fs)).not.toContain(wal); // flushed, and the torn WAL deleted
    expect(count(openLog, '.sst')).toBeGreaterThan(0);
    await db.set('c', '3');
    await db.close();
    db = await openDb({ dir: DIR, fs });
    expect(await contents(db)).toEqual({ a: '1', b: '2', c: '3' });
    await db.close();
  });

  it('a WAL without the clean-close marker (a crash, a failed fsync) is never continued or fsynced again', async () => {
    const { fs, since } = recorder();
    const db = await openDb({ dir: DIR, fs });
    await db.set('a', '1');
    await db.set('b', '2');
    const wal = (await names(fs)).find((name) => name.endsWith('.wal')) as string;
    fs.crash(); // the process dies: no close, no marker
    const state = fs.crashState();
    if (state === undefined) throw new Error('no crash state');
    const clone = state.crashClone('process', 1);
    await clone.unlink(`${DIR}/LOCK`);
    const log: string[] = [];
    const watched = clone.crashClone('process', 1, { onMutation: (_count, description) => log.push(description) });
    const reopened = await openDb({ dir: DIR, fs: watched });
    expect(await contents(reopened)).toEqual({ a: '1', b: '2' });
    expect(log.filter((line) => line.includes(wal))).toEqual([`unlink ${DIR}/${wal}`]); // no append or sync of it
    await reopened.close();
    since();
    await db.close().catch(() => undefined);
  });

  it('a MANIFEST with a torn tail is not appended to: a fresh one is written and CURRENT swapped', async () => {
    const { fs } = recorder();
    let db = await openDb({ dir: DIR, fs });
    await db.set('a', '1');
    await db.flush();
    await db.close();
    const manifest = (await names(fs)).find((name) => name.startsWith('MANIFEST-')) as string;
    // a record whose write was cut short: a chunk header promising more bytes than follow
    const file = await fs.openWritable(`${DIR}/${manifest}`);
    await file.append(Uint8Array.from([0x12, 0x34, 0x56, 0x78, 0x40, 0x00, 0x01, 0x07, 0x01]));
    await file.close();
    db = await openDb({ dir: DIR, fs });
    expect(await names(fs)).not.toContain(manifest);
    expect(await contents(db)).toEqual({ a: '1' });
    await db.close();
    db = await openDb({ dir: DIR, fs });
    expect(await contents(db)).toEqual({ a: '1' });
    await db.close();
  });

  it('a MANIFEST above the live one (a CURRENT swap that did not happen) makes the open write a fresh one, so it is removed', async () => {
    const { fs } = recorder();
    let db = await openDb({ dir: DIR, fs });
    await db.set('a', '1');
    await db.close();
    const manifest = (await names(fs)).find((name) => name.startsWith('MANIFEST-')) as string;
    const stray = 'MANIFEST-999999';
    const copy = await fs.openWritable(`${DIR}/${stray}`);
    await copy.append(await fs.readFile(`${DIR}/${manifest}`));
    await copy.close();
    db = await openDb({ dir: DIR, fs });
    const manifests = (await names(fs)).filter((name) => name.startsWith('MANIFEST-'));
    expect(manifests).toHaveLength(1);
    expect(manifests).not.toContain(stray);
    expect(manifests).not.toContain(manifest);
    expect(await contents(db)).toEqual({ a: '1' });
    await db.close();
  });

  it(`close flushes a memtable whose WAL is over ${CLOSE_KEEP_WAL_BYTES} bytes, so an open never replays much`, async () => {
    const { fs } = recorder();
    let db = await openDb({ dir: DIR, fs, valueThresholdBytes: 1 << 20 });
    const value = 'x'.repeat(1000);
    for (let i = 0; i * 1000 <= CLOSE_KEEP_WAL_BYTES; i += 1) await db.set(`k${String(i).padStart(4, '0')}`, value);
    await db.close();
    const files = await names(fs);
    expect(files.some((name) => name.endsWith('.sst'))).toBe(true);
    const wals = files.filter((name) => name.endsWith('.wal'));
    expect(wals).toHaveLength(1);
    expect((await fs.stat(`${DIR}/${wals[0] as string}`))?.size).toBe(16);
    db = await openDb({ dir: DIR, fs, valueThresholdBytes: 1 << 20 });
    expect(Object.keys(await contents(db))).toHaveLength(Math.floor(CLOSE_KEEP_WAL_BYTES / 1000) + 1);
    await db.close();
  });

  it('close counts the vlog values a memtable points at (replay checks each): big ones are flushed', async () => {
    const { fs } = recorder();
    let db = await openDb({ dir: DIR, fs });
    await db.set('small', 'v'.repeat(4000)); // in the vlog, far below the limit
    await db.close();
    expect((await names(fs)).filter((name) => name.endsWith('.sst'))).toEqual([]);
    db = await openDb({ dir: DIR, fs }); // the reused memtable carries its 4000 vlog bytes: with them, over the limit
    await db.set('big', 'w'.repeat(CLOSE_KEEP_WAL_BYTES - 2000));
    await db.close();
    expect((await names(fs)).filter((name) => name.endsWith('.sst'))).toHaveLength(1);
    db = await openDb({ dir: DIR, fs });
    expect(await contents(db)).toEqual({ big: 'w'.repeat(CLOSE_KEEP_WAL_BYTES - 2000), small: 'v'.repeat(4000) });
    await db.close();
  });

  it('two WALs at open (a crash between rotation and flush) take the flushing path', async () => {
    const options = { dir: DIR, memTableBytes: 4096, valueThresholdBytes: 1 << 20 };
    const work = async (fs: MemFs): Promise<void> => {
      const db = await openDb({ ...options, fs });
      for (let i = 0; i < 12; i += 1) await db.set(`k${i}`, 'y'.repeat(500));
      await db.close();
    };
    // the first table created is the flush of a rotated memtable: die right after creating it
    const counter = recorder();
    await work(counter.fs);
    const firstTable = counter.since().findIndex((line) => line.includes('.sst')) + 1;
    expect(firstTable).toBeGreaterThan(0);
    const fs = new MemFs({ crashAfterMutations: firstTable });
    await work(fs).catch(() => undefined);
    const state = fs.crashState();
    if (state === undefined) throw new Error('no crash state');
    const clone = state.crashClone('process', 1);
    await clone.unlink(`${DIR}/LOCK`);
    expect((await names(clone)).filter((name) => name.endsWith('.wal')).length).toBeGreaterThanOrEqual(2);
    const reopened = await openDb({ ...options, fs: clone });
    const data = await contents(reopened);
    expect(Object.keys(data).length).toBeGreaterThan(0);
    await reopened.set('z', 'after');
    await reopened.close();
    const again = await openDb({ ...options, fs: clone });
    expect(await contents(again)).toEqual({ ...data, z: 'after' });
    await again.close();
  });
});
