/**
 * What the abstract-level suite does not pin down about LsmLevel: the key escape (order, empty
 * key, interplay with the native API), persistence across reopen, snapshots outliving the engine's
 * transaction timeout, error mapping, option routing, and atomic batches at the engine's limits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { compare, fromStoreKey, successor, toStoreKey, toStoreRange } from './keys.js';
import { LsmLevel } from './index.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lsm-level-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('key escape', () => {
  it('round-trips and preserves byte order', () => {
    const key = fc.uint8Array({ maxLength: 6, max: 3 }); // bytes 0..3: around the escape
    fc.assert(
      fc.property(key, key, (a, b) => {
        expect(fromStoreKey(toStoreKey(a))).toEqual(a);
        expect(Math.sign(compare(toStoreKey(a), toStoreKey(b)))).toBe(Math.sign(compare(a, b)));
        expect(toStoreKey(a).length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves keys that start above 0x01 unchanged', () => {
    expect(toStoreKey(bytes(0x21, 0x00))).toEqual(bytes(0x21, 0x00));
    expect(toStoreKey(bytes())).toEqual(bytes(0x00));
    expect(toStoreKey(bytes(0x00))).toEqual(bytes(0x01, 0x00));
    expect(toStoreKey(bytes(0x01, 0x41))).toEqual(bytes(0x01, 0x01, 0x41));
  });

  it('maps ranges with gte/lte taking precedence', () => {
    const range = toStoreRange({ gt: 'a', gte: 'b', lt: 'z', lte: 'y' });
    expect(range.lower).toEqual(bytes(0x62));
    expect(range.upper).toEqual(successor(bytes(0x79)));
    expect(toStoreRange({ gt: 'a' }).lower).toEqual(bytes(0x61, 0x00));
    expect(toStoreRange({})).toEqual({ lower: undefined, upper: undefined });
  });
});

describe('LsmLevel', () => {
  it('stores the empty key and keys starting with 0x00/0x01 in byte order; other keys verbatim', async () => {
    const db = new LsmLevel<Uint8Array, string>(tempDir(), { keyEncoding: 'view' });
    const keys = [bytes(), bytes(0x00), bytes(0x00, 0x00), bytes(0x01), bytes(0x01, 0xff), bytes(0x02), bytes(0x41)];
    await db.batch([...keys].reverse().map((key, i) => ({ type: 'put' as const, key, value: String(i) })));
    expect(await db.keys().all()).toEqual(keys);
    expect(await db.keys({ reverse: true, lt: bytes(0x01) }).all()).toEqual([bytes(0x00, 0x00), bytes(0x00), bytes()]);
    expect(await db.get(bytes())).toBe(String(keys.length - 1));
    // The native API sees the escaped form for the first five, the key itself for the others.
    const native = await db.store.view((txn) => [...txn.iterate({ keysOnly: true })].map((item) => [...item.key]));
    expect(native).toEqual([[0x00], [0x01, 0x00], [0x01, 0x00, 0x00], [0x01, 0x01], [0x01, 0x01, 0xff], [0x02], [0x41]]);
    await db.close();
  });

  it('keeps data across close and reopen, on disk and in memory', async () => {
    for (const db of [new LsmLevel(tempDir()), new LsmLevel({ inMemory: true })]) {
      await db.put('k', 'v');
      await db.close();
      await db.open();
      expect(await db.get('k')).toBe('v');
      expect(db.supports.permanence).toBe(db.location !== undefined);
      await db.close();
    }
  });

  it('keeps implicit and explicit snapshots readable past the transaction timeout', async () => {
    let now = 1_000_000;
    const db = new LsmLevel({ inMemory: true, txnTimeoutMs: 1000, nowMs: () => now });
    await db.batch([{ type: 'put', key: 'a', value: '1' }, { type: 'put', key: 'b', value: '2' }]);
    const iterator = db.iterator();
    const snapshot = db.snapshot();
    expect(await iterator.next()).toEqual(['a', '1']);
    await db.put('a', 'changed');
    now += 60_000;
    expect(await iterator.next()).toEqual(['b', '2']);
    expect(await db.get('a', { snapshot })).toBe('1');
    expect(await db.get('a')).toBe('changed');
    await iterator.close();
    await snapshot.close();
    await db.close();
  });

  it('maps engine errors to LEVEL_* codes with the engine error as cause', async () => {
    const dir = tempDir();
    const first = new LsmLevel(dir);
    await first.open();
    const second = new LsmLevel(dir);
    const error = await second.open().then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'LEVEL_DATABASE_NOT_OPEN', cause: { code: 'LEVEL_LOCKED', cause: { code: 'LOCKED' } } });
    await expect(first.put('x'.repeat(70_000), 'v')).rejects.toMatchObject({ code: 'LEVEL_INVALID_KEY' });
    await first.close();
  });

  it('routes engine options to the engine and validates them at open', async () => {
    const db = new LsmLevel(tempDir(), { memTableBytes: 1 });
    const error = await db.open().then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'LEVEL_DATABASE_NOT_OPEN', cause: { code: 'INVALID_ARGUMENT' } });
    expect(() => new LsmLevel('')).toThrow(TypeError);
    expect(() => new (LsmLevel as unknown as new (options: object) => LsmLevel)({})).toThrow(/location/);
  });

  it('writes a batch atomically or not at all (TXN_TOO_BIG past maxTxnEntries)', async () => {
    const db = new LsmLevel({ inMemory: true, maxTxnEntries: 3 });
    await db.open();
    await db.batch().put('a', '1').put('b', '2').del('c').write();
    const tooBig = db.batch([1, 2, 3, 4].map((i) => ({ type: 'put' as const, key: `k${i}`, value: 'v' })));
    await expect(tooBig).rejects.toMatchObject({ code: 'TXN_TOO_BIG' });
    expect(await db.keys().all()).toEqual(['a', 'b']);
    await db.close();
  });

  it('clears more keys than one write batch holds, honouring limit and reverse', async () => {
    // clear() deletes in write batches of 10,000 keys, each cut by the engine at maxTxnEntries.
    const db = new LsmLevel({ inMemory: true, maxTxnEntries: 1000 });
    const keys = Array.from({ length: 10_500 }, (_, i) => `k${String(i).padStart(5, '0')}`);
    for (let i = 0; i < keys.length; i += 1000) {
      await db.batch(keys.slice(i, i + 1000).map((key) => ({ type: 'put' as const, key, value: '' })));
    }
    await db.clear({ reverse: true, limit: 10_200 });
    expect(await db.keys().all()).toEqual(keys.slice(0, 300));
    await db.put('k00000', 'back');
    await db.clear({ gte: 'k00010' });
    expect(await db.keys().all()).toEqual(keys.slice(0, 10));
    expect(await db.get('k00000')).toBe('back');
    await db.close();
  });
});
