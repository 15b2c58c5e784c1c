import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from './index.js';

const dec = new TextDecoder();

describe('smoke', () => {
  it('writes, reads, iterates, reopens', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsm-smoke-'));
    try {
      let db = await openDb({ dir, memTableBytes: 64 * 1024, valueThresholdBytes: 64 });
      for (let i = 0; i < 2000; i++) {
        await db.update((txn) => {
          txn.set(`key:${String(i).padStart(5, '0')}`, i % 3 === 0 ? 'x'.repeat(100) + i : `v${i}`);
        });
      }
      await db.update((txn) => txn.delete('key:00005'));
      expect(await db.get('key:00005')).toBeUndefined();
      expect(dec.decode(await db.get('key:00007'))).toBe('v7');
      expect(dec.decode(await db.get('key:00009'))).toBe('x'.repeat(100) + '9');
      const keys = await db.view((txn) => [...txn.iterate({ prefix: 'key:0001', keysOnly: true })].map((i) => dec.decode(i.key)));
      expect(keys.length).toBe(10);
      const rev = await db.view((txn) => [...txn.iterate({ prefix: 'key:', reverse: true })].map((i) => dec.decode(i.key)));
      expect(rev.length).toBe(1999);
      expect(rev[0]).toBe('key:01999');
      console.log(JSON.stringify(db.stats().levels), db.stats().flushes, db.stats().compactions);
      await db.close();
      db = await openDb({ dir, memTableBytes: 64 * 1024, valueThresholdBytes: 64 });
      expect(await db.get('key:00005')).toBeUndefined();
      expect(dec.decode(await db.get('key:01997'))).toBe('v1997');
      expect(dec.decode(await db.get('key:01999'))).toBe('v1999');
      expect(dec.decode(await db.get('key:01995'))).toBe('x'.repeat(100) + '1995');
      const all = await db.view((txn) => [...txn.iterate({})].length);
      expect(all).toBe(1999);
      await db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
