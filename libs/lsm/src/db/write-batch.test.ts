// Goal: the WriteBatch API's own rules: a later write of a key replaces the earlier one in the
// same commit, an entry larger than a transaction may be is refused, the batch is unusable after
// flush or cancel, and a failed commit makes later calls and flush() fail with that error.
import { describe, expect, it } from 'vitest';
import { openDb } from '../db.js';
import { InvalidArgumentError, IoError, TxnTooBigError } from '../errors.js';
import { FaultFs } from '../testing/fault-fs.js';
import { MemFs } from '../testing/mem-fs.js';

describe('WriteBatch', () => {
  it('replaces an earlier write of the same key, refuses an oversized entry, and is done after flush or cancel', async () => {
    const db = await openDb({ fs: new MemFs(), dir: '/db', maxTxnBytes: 1024 });
    const batch = db.newWriteBatch();
    batch.set('a', 'first');
    batch.set('a', 'second');
    batch.delete('b');
    expect(() => batch.set('big', 'x'.repeat(2000))).toThrow(TxnTooBigError);
    const before = db.currentTimestamp();
    await batch.flush();
    expect(db.currentTimestamp() - before).toBe(1);
    expect(new TextDecoder().decode(await db.get('a'))).toBe('second');
    expect(() => batch.set('c', 'late')).toThrow(InvalidArgumentError);
    await expect(batch.flush()).rejects.toThrow(/write batch already flushed or cancelled/);
    const empty = db.newWriteBatch();
    await empty.flush(); // nothing buffered: no commit
    expect(db.currentTimestamp() - before).toBe(1);
    const cancelled = db.newWriteBatch();
    cancelled.set('d', 'never');
    cancelled.cancel();
    expect(() => cancelled.delete('d')).toThrow(/already flushed or cancelled/);
    expect(await db.get('d')).toBeUndefined();
    await db.close();
  });

  it('a failed commit fails the next call and flush() with that error', async () => {
    const fs = new FaultFs(new MemFs());
    const db = await openDb({ fs, dir: '/db', maxTxnEntries: 2 });
    fs.inject({ kinds: ['write'], atOp: 1, persistent: true });
    const batch = db.newWriteBatch();
    batch.set('a', '1');
    batch.set('b', '2');
    batch.set('c', '3'); // cuts the first commit of two entries, which fails on the WAL write
    let failure: unknown;
    for (let i = 0; i < 100 && failure === undefined; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      try {
        batch.set(`k${i}`, 'v');
      } catch (error) {
        failure = error;
      }
    }
    expect(failure).toBeInstanceOf(IoError);
    await expect(batch.flush()).rejects.toBe(failure);
    fs.clearFaults();
    await db.close().catch(() => undefined);
  });

  it('a commit that fails inside flush() rejects the flush', async () => {
    const fs = new FaultFs(new MemFs());
    const db = await openDb({ fs, dir: '/db' });
    const batch = db.newWriteBatch();
    batch.set('a', '1');
    fs.inject({ kinds: ['write'], atOp: 1, persistent: true });
    await expect(batch.flush()).rejects.toBeInstanceOf(IoError);
    fs.clearFaults();
    await db.close().catch(() => undefined);
  });
});
