// Goal: the transaction API's contract holds: own writes, iterator lifetime, DISCARDED_TXN,
// READ_ONLY, limits, TXN_TIMEOUT, TTL, userMeta, db.update retries (the isolation anomalies are in
// anomalies.test.ts).
// Method: scripted, deterministic steps on in-memory stores (MemFs); an injected clock drives
// timeouts and TTL.
import { describe, expect, it } from 'vitest';
import { openDb } from '../db.js';
import { MemFs } from '../testing/mem-fs.js';
import { closeStoresAfterEach, entriesOf, keysOf, open, read, seed } from './scripted.test-util.js';
import { codeOf, rejectionCodeOf, text } from './txn-tests.test-util.js';

closeStoresAfterEach();

describe('transaction API contract', () => {
  it('own writes are visible to get and to iterators (forward, reverse, bounds, keysOnly); deletes hide snapshot keys', async () => {
    const db = await open();
    await seed(db, { a: 'A', b: 'B', c: 'C', d: 'D' });
    const txn = db.newTransaction({ update: true });
    txn.set('b', 'B2'); //  overwrite a snapshot key
    txn.delete('c'); //     hide a snapshot key
    txn.set('e', 'E'); //   new key after the snapshot's last
    txn.set('0', 'Z'); //   new key before the snapshot's first
    txn.set('x', 'gone');
    txn.delete('x'); //     a pending write deleted again
    txn.delete('d');
    txn.set('d', 'D3'); //  deleted then set again
    expect(text(txn.get('b'))).toBe('B2');
    expect(txn.tryGet('c')).toBeUndefined();
    expect(codeOf(() => txn.get('c'))).toBe('KEY_NOT_FOUND');
    expect(txn.tryGet('x')).toBeUndefined();
    expect(text(txn.get('d'))).toBe('D3');
    expect(txn.getItem('e')?.version).toBe(0); // pending writes have no commit timestamp yet
    expect(txn.getItem('a')?.version).toBeGreaterThan(0);
    const all: [string, string][] = [['0', 'Z'], ['a', 'A'], ['b', 'B2'], ['d', 'D3'], ['e', 'E']];
    expect(entriesOf(txn, {})).toEqual(all);
    expect(entriesOf(txn, { reverse: true })).toEqual([...all].reverse());
    expect(entriesOf(txn, { start: 'b', end: 'e' })).toEqual([['b', 'B2'], ['d', 'D3']]);
    expect(entriesOf(txn, { start: 'b', end: 'e', reverse: true })).toEqual([['d', 'D3'], ['b', 'B2']]);
    expect([...txn.iterate({ keysOnly: true })].map((item) => [text(item.key), item.value.length])).toEqual(
      all.map(([key]) => [key, 0]),
    );
    const seeker = txn.iterate({});
    seeker.seek('c');
    expect(text(seeker.next().value?.key)).toBe('d'); // c is deleted: the seek lands on d
    seeker.close();
    const reverseSeeker = txn.iterate({ reverse: true });
    reverseSeeker.seek('c');
    expect(text(reverseSeeker.next().value?.key)).toBe('b');
    reverseSeeker.close();
    // other transactions see none of it
    expect(await db.view((view) => entriesOf(view, {}))).toEqual([['a', 'A'], ['b', 'B'], ['c', 'C'], ['d', 'D']]);
    await txn.commit();
    expect(await db.view((view) => entriesOf(view, {}))).toEqual(all);
    expect(await db.view((view) => entriesOf(view, { prefix: 'd' }))).toEqual([['d', 'D3']]);
  });

  it('own writes overlay a snapshot that lives in SSTs and the value log', async () => {
    const db = await open({ memTableBytes: 64 * 1024, valueThresholdBytes: 64 });
    const big = (n: number): string => `big-${n}-`.padEnd(200, '.');
    await db.update((txn) => {
      for (let i = 0; i < 20; i++) txn.set(`k${String(i).padStart(2, '0')}`, i % 2 === 0 ? big(i) : `small-${i}`);
    });
    await db.flush();
    expect(db.stats().levels.reduce((n, level) => n + level.tables, 0)).toBeGreaterThan(0);
    const txn = db.newTransaction({ update: true });
    txn.delete('k00');
    txn.set('k01', big(101));
    txn.set('k05a', 'inserted');
    const entries = entriesOf(txn, { start: 'k00', end: 'k06' });
    expect(entries).toEqual([
      ['k01', big(101)], ['k02', big(2)], ['k03', 'small-3'], ['k04', big(4)], ['k05', 'small-5'], ['k05a', 'inserted'],
    ]);
    expect(entriesOf(txn, { start: 'k00', end: 'k06', reverse: true })).toEqual([...entries].reverse());
    txn.discard();
  });

  it('iterators opened in a transaction are closed when it ends, and counted', async () => {
    const db = await open();
    await seed(db, { a: '1', b: '2', c: '3' });
    const before = db.stats().iteratorsClosedForCaller;
    const txn = db.newTransaction({ update: true });
    const midway = txn.iterate({});
    expect(text(midway.next().value?.key)).toBe('a');
    const unstarted = txn.iterate({ reverse: true });
    for (const _item of txn.iterate({})) break; // closed by the for-of: not counted
    txn.set('d', '4');
    await txn.commit();
    expect(codeOf(() => midway.next())).toBe('DISCARDED_TXN'); // → closed with the transaction
    expect(codeOf(() => unstarted.next())).toBe('DISCARDED_TXN');
    expect(db.stats().iteratorsClosedForCaller - before).toBe(2);

    const view = db.newTransaction({ update: false });
    const open1 = view.iterate({ prefix: 'a' });
    view.discard();
    expect(codeOf(() => open1.next())).toBe('DISCARDED_TXN');
    expect(db.stats().iteratorsClosedForCaller - before).toBe(3);
    expect(db.stats().openSnapshots).toBe(0);
  });

  it('a discarded or committed transaction fails every use with DISCARDED_TXN; discard is idempotent', async () => {
    const db = await open();
    await seed(db, { a: '1' });
    const txn = db.newTransaction({ update: true });
    txn.set('b', '2');
    txn.discard();
    txn.discard(); // idempotent
    txn[Symbol.dispose](); // so is dispose
    expect(txn.isEnded).toBe(true);
    expect(codeOf(() => txn.get('a'))).toBe('DISCARDED_TXN');
    expect(codeOf(() => txn.tryGet('a'))).toBe('DISCARDED_TXN');
    expect(codeOf(() => txn.set('a', 'x'))).toBe('DISCARDED_TXN');
    expect(codeOf(() => txn.delete('a'))).toBe('DISCARDED_TXN');
    expect(codeOf(() => txn.iterate({}))).toBe('DISCARDED_TXN');
    expect(await rejectionCodeOf(txn.commit())).toBe('DISCARDED_TXN');
    expect(await read(db, 'b')).toBeUndefined();

    const committed = db.newTransaction({ update: true });
    committed.set('c', '3');
    await committed.commit();
    expect(codeOf(() => committed.get('c'))).toBe('DISCARDED_TXN');
    expect(await rejectionCodeOf(committed.commit())).toBe('DISCARDED_TXN');
    committed.discard(); // no-op after commit
    expect(await read(db, 'c')).toBe('3');

    const disposed = db.newTransaction({ update: true });
    disposed.set('d', '4');
    await disposed[Symbol.asyncDispose]();
    expect(codeOf(() => disposed.get('d'))).toBe('DISCARDED_TXN');
    expect(await read(db, 'd')).toBeUndefined();
    expect(db.stats().openSnapshots).toBe(0);
  });

  it('writing in a view is READ_ONLY', async () => {
    const db = await open();
    await seed(db, { a: '1' });
    const codes = await db.view((txn) => [
      codeOf(() => txn.set('a', '2')),
      codeOf(() => txn.delete('a')),
      codeOf(() => txn.setEntry('a', '2', { userMeta: 1 })),
    ]);
    expect(codes).toEqual(['READ_ONLY', 'READ_ONLY', 'READ_ONLY']);
    const manual = db.newTransaction();
    expect(manual.update).toBe(false);
    expect(codeOf(() => manual.set('a', '3'))).toBe('READ_ONLY');
    expect(text(manual.get('a'))).toBe('1'); // still readable after the refused write
    manual.discard();
    expect(await read(db, 'a')).toBe('1');
  });

  it('TXN_TOO_BIG: the write that would exceed the entry or byte limit is refused and not kept', async () => {
    const db = await open({ maxTxnEntries: 10, maxTxnBytes: 1024 });
    const txn = db.newTransaction({ update: true });
    for (let i = 0; i < 10; i++) txn.set(`k${i}`, 'v');
    expect(codeOf(() => txn.set('k10', 'v'))).toBe('TXN_TOO_BIG'); // → 11th entry refused
    expect(codeOf(() => txn.delete('k11'))).toBe('TXN_TOO_BIG');
    expect(txn.pendingWrites).toBe(10);
    txn.set('k3', 'overwrite'); // replacing a pending entry adds no entry
    expect(txn.tryGet('k10')).toBeUndefined();
    await txn.commit(); // the transaction stays usable
    expect(await read(db, 'k3')).toBe('overwrite');
    expect(await read(db, 'k10')).toBeUndefined();

    const bytes = db.newTransaction({ update: true });
    bytes.set('a', 'x'.repeat(400));
    bytes.set('b', 'x'.repeat(400));
    expect(codeOf(() => bytes.set('c', 'x'.repeat(400)))).toBe('TXN_TOO_BIG'); // → 1,200+ bytes > 1 KiB
    expect(codeOf(() => bytes.set('a', 'x'.repeat(800)))).toBe('TXN_TOO_BIG'); // growing a pending entry counts
    expect(bytes.pendingWrites).toBe(2);
    expect(text(bytes.get('a'))).toHaveLength(400);
    bytes.set('a', 'small'); // shrinking frees room
    bytes.set('c', 'x'.repeat(400));
    await bytes.commit();
    expect(await read(db, 'c')).toHaveLength(400);

    await expect(
      db.update((t) => {
        for (let i = 0; i < 11; i++) t.set(`u${i}`, 'v');
      }),
    ).rejects.toMatchObject({ code: 'TXN_TOO_BIG' }); // not retried, nothing written
    expect(await read(db, 'u0')).toBeUndefined();
  });

  it('KEY_TOO_LARGE, EMPTY_KEY and VALUE_TOO_LARGE on every operation that takes them', async () => {
    const db = await open({ maxKeyBytes: 16, maxValueBytes: 100 });
    const txn = db.newTransaction({ update: true });
    const longKey = 'k'.repeat(17);
    expect(codeOf(() => txn.set(longKey, 'v'))).toBe('KEY_TOO_LARGE');
    expect(codeOf(() => txn.get(longKey))).toBe('KEY_TOO_LARGE');
    expect(codeOf(() => txn.delete(longKey))).toBe('KEY_TOO_LARGE');
    expect(codeOf(() => txn.set('', 'v'))).toBe('EMPTY_KEY');
    expect(codeOf(() => txn.set(new Uint8Array(0), 'v'))).toBe('EMPTY_KEY');
    expect(codeOf(() => txn.tryGet(''))).toBe('EMPTY_KEY');
    expect(codeOf(() => txn.delete(''))).toBe('EMPTY_KEY');
    expect(codeOf(() => txn.set('k', 'v'.repeat(101)))).toBe('VALUE_TOO_LARGE');
    expect(codeOf(() => txn.setEntry('k', new Uint8Array(101), { ttlMs: 10 }))).toBe('VALUE_TOO_LARGE');
    expect(codeOf(() => txn.setEntry('k', 'v', { ttlMs: 0 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => txn.setEntry('k', 'v', { userMeta: 256 }))).toBe('INVALID_ARGUMENT');
    expect(txn.pendingWrites).toBe(0);
    txn.set('k'.repeat(16), 'v'.repeat(100)); // exactly at the limits: accepted
    await txn.commit();
    expect(await read(db, 'k'.repeat(16))).toBe('v'.repeat(100));
    const batch = db.newWriteBatch();
    expect(codeOf(() => batch.set(longKey, 'v'))).toBe('KEY_TOO_LARGE');
    expect(codeOf(() => batch.set('b', 'v'.repeat(101)))).toBe('VALUE_TOO_LARGE');
  });

  it('TXN_TIMEOUT with an injected clock: the next operation fails, the timeout is counted, the txn is ended', async () => {
    let now = 1_700_000_000_000;
    const db = await open({ nowMs: () => now, txnTimeoutMs: 1000 });
    await seed(db, { a: '1' });
    const txn = db.newTransaction({ update: true });
    txn.set('b', '2');
    now += 1000; // exactly the limit: still fine
    expect(text(txn.get('a'))).toBe('1');
    now += 1;
    expect(codeOf(() => txn.get('a'))).toBe('TXN_TIMEOUT'); // → the first call after the limit
    expect(db.stats().txnTimeouts).toBe(1);
    expect(codeOf(() => txn.get('a'))).toBe('DISCARDED_TXN'); // → then it is discarded
    expect(db.stats().openSnapshots).toBe(0); // and no longer pins a snapshot

    const committing = db.newTransaction({ update: true });
    committing.set('c', '3');
    now += 5000;
    expect(await rejectionCodeOf(committing.commit())).toBe('TXN_TIMEOUT'); // → commit too; nothing written
    expect(db.stats().txnTimeouts).toBe(2);

    const view = db.newTransaction({ update: false });
    const iterator = view.iterate({});
    now += 1001;
    expect(codeOf(() => iterator.next())).toBe('TXN_TIMEOUT'); // → iterators check their transaction
    expect(db.stats().txnTimeouts).toBe(3);

    const patient = db.newTransaction({ update: true, timeoutMs: 10_000 }); // per-transaction override
    now += 5000;
    patient.set('d', '4');
    await patient.commit();

    await db.update(
      (t) => {
        now += 5000;
        t.set('e', '5');
      },
      { timeoutMs: 10_000 },
    );
    await expect(
      db.update((t) => {
        now += 1001;
        t.set('f', '6');
      }),
    ).rejects.toMatchObject({ code: 'TXN_TIMEOUT' }); // not retried
    expect(db.stats().txnTimeouts).toBe(4);
    expect([await read(db, 'b'), await read(db, 'c'), await read(db, 'd'), await read(db, 'e'), await read(db, 'f')]).toEqual([
      undefined, undefined, '4', '5', undefined,
    ]);
  });

  it('TTL: setEntry({ ttlMs }) expires with the injected clock, in the memtable, in SSTs, in the vlog, after reopen', async () => {
    let now = 1_700_000_000_000;
    const fs = new MemFs();
    const options = { fs, dir: '/ttl', nowMs: () => now, memTableBytes: 64 * 1024, valueThresholdBytes: 64 } as const;
    let db = await openDb(options);
    await db.update((txn) => {
      txn.setEntry('short', 'v', { ttlMs: 1000 });
      txn.setEntry('short-big', 'x'.repeat(300), { ttlMs: 1000, userMeta: 9 });
      txn.setEntry('long', 'v', { ttlMs: 60_000 });
      txn.set('forever', 'v');
      const own = txn.getItem('short');
      expect(own?.expiresAt).toBe(now + 1000); // visible to its own transaction, with its expiry
    });
    const live = (): Promise<string[]> => db.view((txn) => keysOf(txn, {}));
    expect(await live()).toEqual(['forever', 'long', 'short', 'short-big']);
    expect((await db.view((txn) => txn.getItem('short-big')))?.userMeta).toBe(9);
    now += 500;
    expect(await db.view((txn) => text(txn.tryGet('short')))).toBe('v');
    now += 600; // 1,100 ms after the write
    expect(await db.view((txn) => txn.tryGet('short'))).toBeUndefined(); // → expired reads as absent
    expect(await db.view((txn) => txn.tryGet('short-big'))).toBeUndefined();
    expect(await live()).toEqual(['forever', 'long']); // → and iterators skip it
    expect(await db.view((txn) => keysOf(txn, { reverse: true }))).toEqual(['long', 'forever']);
    await db.flush(); // now in an SST
    expect(await live()).toEqual(['forever', 'long']);
    await db.close();
    db = await openDb(options);
    expect(await live()).toEqual(['forever', 'long']);
    now += 60_000;
    expect(await live()).toEqual(['forever']);
    // An expired key can be written again
    await db.update((txn) => txn.setEntry('short', 'again', { ttlMs: 10 }));
    expect(text(await db.get('short'))).toBe('again');
    await db.close();
  });

  it('userMeta round-trips through the memtable, SSTs, the vlog and a reopen', async () => {
    const fs = new MemFs();
    const options = { fs, dir: '/meta', memTableBytes: 64 * 1024, valueThresholdBytes: 64 } as const;
    let db = await openDb(options);
    const big = 'b'.repeat(500);
    await db.update((txn) => {
      txn.setEntry('m0', 'small', { userMeta: 0 });
      txn.setEntry('m7', 'small', { userMeta: 7 });
      txn.setEntry('m255', big, { userMeta: 255 });
      expect(txn.getItem('m7')?.userMeta).toBe(7); // own pending write
    });
    const metas = (): Promise<[string, number, number][]> =>
      db.view((txn) => [...txn.iterate({ prefix: 'm' })].map((item) => [text(item.key) as string, item.userMeta, item.value.length]));
    const expected: [string, number, number][] = [['m0', 0, 5], ['m255', 255, 500], ['m7', 7, 5]];
    expect(await metas()).toEqual(expected);
    expect((await db.view((txn) => txn.getItem('m255')))?.userMeta).toBe(255);
    await db.flush();
    expect(await metas()).toEqual(expected);
    await db.close();
    db = await openDb(options);
    expect(await metas()).toEqual(expected);
    expect(text(await db.get('m255'))).toBe(big);
    await db.close();
  });

  it('db.update retries CONFLICT and succeeds; returns the function result', async () => {
    const db = await open({ seed: 7 });
    await seed(db, { k: '0' });
    let attempts = 0;
    const result = await db.update(
      async (txn) => {
        attempts++;
        const value = Number(text(txn.get('k')));
        if (attempts <= 2) await db.set('k', String(value + 100)); // a competing commit after our read
        txn.set('k', String(value + 1));
        return `attempt ${attempts}`;
      },
      { retries: 5 },
    );
    expect(result).toBe('attempt 3'); // → two CONFLICTs, then success on the third attempt
    expect(attempts).toBe(3);
    expect(await read(db, 'k')).toBe('201');
    expect(db.stats().conflicts).toBe(2);
  });

  it('db.update rethrows CONFLICT once `retries` are exhausted, and never retries other errors', async () => {
    const db = await open({ seed: 8 });
    await seed(db, { k: '0' });
    for (const retries of [0, 2]) {
      let attempts = 0;
      const outcome = db.update(
        async (txn) => {
          attempts++;
          const value = Number(text(txn.get('k')));
          await db.set('k', String(value + 1)); // always interfere
          txn.set('k', 'never');
        },
        { retries },
      );
      expect(await rejectionCodeOf(outcome)).toBe('CONFLICT'); // → CONFLICT after 1 + retries attempts
      expect(attempts).toBe(retries + 1);
    }
    expect(await read(db, 'k')).toBe('4');
    let attempts = 0;
    await expect(
      db.update(() => {
        attempts++;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(attempts).toBe(1);
    await expect(db.update(() => undefined, { retries: -1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(db.stats().openSnapshots).toBe(0);
  });
});
