// Regressions found by the REL tier's I/O-error sweep (recovery/io-errors.rel.test.ts, RELIABILITY
// T6/D7), one small deterministic case each, in the PR tier.
import { describe, expect, it } from 'vitest';
import { openDb } from '../db.js';
import { isLsmError } from '../errors.js';
import { FaultFs } from '../testing/fault-fs.js';
import { MemFs } from '../testing/mem-fs.js';

const options = { dir: '/db', memTableBytes: 4096, valueThresholdBytes: 64 };
const dec = new TextDecoder();

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isLsmError(error)) return error.code;
    return `untyped: ${String(error)}`;
  }
  return 'ok';
}

describe('I/O error regressions', () => {
  it('regression: open rejected with a raw EIO (not IO_ERROR) when its first stat failed', async () => {
    const fs = new FaultFs(new MemFs(), { atOp: 1 });
    expect(await codeOf(openDb({ ...options, fs }))).toBe('IO_ERROR');
  });

  it('regression: open rejected with a raw EIO when a read during recovery failed', async () => {
    const inner = new MemFs();
    const db = await openDb({ ...options, fs: inner });
    await db.set('a', '1');
    await db.close();
    // Fail each read of the open in turn (LOCK, CURRENT, MANIFEST, tables, WAL): typed every time.
    const probe = new FaultFs(inner.crashClone('process'));
    await openDb({ ...options, fs: probe }).then((d) => d.close());
    expect(probe.counts.read).toBeGreaterThan(3);
    for (let n = 1; n <= probe.counts.read; n++) {
      const failing = new FaultFs(inner.crashClone('process'), { kinds: ['read'], atOp: n });
      const outcome = await codeOf(openDb({ ...options, fs: failing }).then((d) => d.close()));
      expect(['ok', 'IO_ERROR'], `read ${n}`).toContain(outcome);
    }
  });

  it('regression: a commit whose WAL write failed rejected with the raw errno error; now IO_ERROR, then READ_ONLY', async () => {
    const fs = new FaultFs(new MemFs());
    const db = await openDb({ ...options, fs });
    await db.set('a', '1');
    fs.inject({ kinds: ['write'], atOp: 1, errno: 'ENOSPC' });
    expect(await codeOf(db.set('b', '2'))).toBe('IO_ERROR');
    expect(await codeOf(db.set('c', '3'))).toBe('READ_ONLY');
    expect(dec.decode((await db.get('a')) ?? new Uint8Array())).toBe('1');
    await db.close().catch(() => undefined);
  });

  it('regression: a failed flush left the store writable (and its failed WAL was written again); now READ_ONLY', async () => {
    const fs = new FaultFs(new MemFs());
    const db = await openDb({ ...options, fs });
    await db.set('a', 'x'.repeat(10));
    fs.inject({ kinds: ['sync'], atOp: 1 });
    expect(await codeOf(db.flush())).toBe('IO_ERROR');
    const syncsAfterFailure = fs.counts.sync;
    expect(await codeOf(db.set('b', '2'))).toBe('READ_ONLY');
    expect(fs.counts.sync).toBe(syncsAfterFailure); // nothing was written or synced again
    expect(dec.decode((await db.get('a')) ?? new Uint8Array())).toBe('x'.repeat(10));
    await db.close().catch(() => undefined);
  });

  it('regression: a failed flatten (compaction) left the store writable; now READ_ONLY', async () => {
    const fs = new FaultFs(new MemFs());
    const db = await openDb({ ...options, fs });
    for (let i = 0; i < 50; i++) await db.set(`k${i}`, `v${i}`);
    await db.flush();
    for (let i = 0; i < 50; i++) await db.set(`k${i}`, `w${i}`);
    await db.flush();
    await db.waitForCompactions();
    fs.inject({ kinds: ['write'], atOp: 1 });
    expect(await codeOf(db.flatten())).toBe('IO_ERROR');
    expect(await codeOf(db.set('b', '2'))).toBe('READ_ONLY');
    expect(dec.decode((await db.get('k7')) ?? new Uint8Array())).toBe('w7');
    await db.close().catch(() => undefined);
  });

  it('regression: a CURRENT naming a missing MANIFEST (one flipped digit) failed open with IO_ERROR; now CORRUPTION', async () => {
    const fs = new MemFs();
    const db = await openDb({ ...options, fs });
    await db.set('a', '1');
    await db.close();
    const current = dec.decode(await fs.readFile('/db/CURRENT'));
    await fs.unlink('/db/CURRENT');
    await fs.createExclusive('/db/CURRENT', new TextEncoder().encode(current.replace(/\d(?=\n)/, (d) => String((Number(d) + 4) % 10))));
    expect(await codeOf(openDb({ ...options, fs }))).toBe('CORRUPTION');
  });
});
