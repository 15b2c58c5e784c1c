/**
 * The KvStore conformance suite (in the manner of abstract-level's test suite): every
 * implementation of ports/kv-store.ts runs it — MemoryKvStore here; the libs/lsm adapter and an
 * etcd adapter later. Call it from a test file:
 *
 *   kvStoreContract('LsmKvStore', async () => openLsmKvStore(tmpDir()));
 *
 * The factory must return an empty store; the suite closes it after each test.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { collect, LimitExceeded, prefixRange } from '../ports/kv-store.js';
import type { KvStore, Mutation } from '../ports/kv-store.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (value: Uint8Array | undefined): string | undefined => (value === undefined ? undefined : new TextDecoder().decode(value));
const put = (key: string, value: string): Mutation => ({ type: 'put', key, value: bytes(value) });

export function kvStoreContract(name: string, factory: () => Promise<KvStore>): void {
  describe(`KvStore contract: ${name}`, () => {
    let open: KvStore[] = [];
    const fresh = async (): Promise<KvStore> => {
      const store = await factory();
      open.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(open.map((store) => store.close()));
      open = [];
    });
    commitContract(fresh);
    scanContract(fresh);
    limitContract(fresh);

  });
}

type Fresh = () => Promise<KvStore>;

function commitContract(fresh: Fresh): void {
  it('reads nothing from an empty store', async () => {
    const store = await fresh();
    expect(await store.get('a')).toBeUndefined();
    expect((await store.scan({ start: 'a', end: 'z' })).entries).toEqual([]);
  });

  it('gives each commit a strictly greater revision, reported on the entries it wrote', async () => {
    const store = await fresh();
    const before = await store.currentRevision();
    const first = await store.commit([], [put('k1', 'v1')]);
    const second = await store.commit([], [put('k2', 'v2'), put('k1', 'v1b')]);
    if (!first.ok || !second.ok) throw new Error('unconditional commit failed');
    expect(first.revision > before).toBe(true);
    expect(second.revision > first.revision).toBe(true);
    expect(await store.currentRevision()).toBe(second.revision);
    const k1 = await store.get('k1');
    expect(text(k1?.value)).toBe('v1b');
    expect(k1?.modRevision).toBe(second.revision);
    expect((await store.get('k2'))?.modRevision).toBe(second.revision);
  });

  it('deletes', async () => {
    const store = await fresh();
    await store.commit([], [put('a', '1'), put('b', '2')]);
    await store.commit([], [{ type: 'delete', key: 'a' }, { type: 'delete', key: 'never' }]);
    expect(await store.get('a')).toBeUndefined();
    expect((await collect(store, { start: '', end: '\u{10ffff}' })).map((entry) => entry.key)).toEqual(['b']);
  });

  it('applies all mutations or none, according to the conditions', async () => {
    const store = await fresh();
    const created = await store.commit([{ key: 'head', op: 'absent' }], [put('head', '1'), put('ev:1', 'x')]);
    if (!created.ok) throw new Error('absent condition failed on an empty store');
    const again = await store.commit([{ key: 'head', op: 'absent' }], [put('head', '2'), put('ev:2', 'y')]);
    expect(again.ok).toBe(false);
    expect(text((await store.get('head'))?.value)).toBe('1');
    expect(await store.get('ev:2')).toBeUndefined();
    expect(await store.currentRevision()).toBe(created.revision);
    const guarded = await store.commit(
      [
        { key: 'head', op: 'present' },
        { key: 'head', op: 'modRevision', equals: created.revision },
        { key: 'head', op: 'value', equals: bytes('1') },
      ],
      [put('head', '2')],
    );
    expect(guarded.ok).toBe(true);
    const stale = await store.commit([{ key: 'head', op: 'modRevision', equals: created.revision }], [put('head', '3')]);
    expect(stale.ok).toBe(false);
    expect((await store.commit([{ key: 'missing', op: 'value', equals: bytes('') }], [put('z', 'z')])).ok).toBe(false);
    expect((await store.commit([{ key: 'missing', op: 'modRevision', equals: 0n }], [put('z', 'z')])).ok).toBe(true);
    expect((await store.commit([{ key: 'missing', op: 'present' }], [put('y', 'y')])).ok).toBe(false);
  });
}

function scanContract(fresh: Fresh): void {
  it('scans [start, end) in UTF-8 byte order, forward and reverse', async () => {
    const store = await fresh();
    const keys = ['a', 'b', 'b\u0000', 'ba', 'c', 'z', '\u00e9', '\uffef', '\u{1f600}'];
    await store.commit([], keys.map((key) => put(key, key)));
    const forward = await store.scan({ start: 'b', end: 'z' });
    expect(forward.entries.map((entry) => entry.key)).toEqual(['b', 'b\u0000', 'ba', 'c']);
    const all = await collect(store, { start: '', end: '\u{10ffff}' });
    expect(all.map((entry) => entry.key)).toEqual(keys);
    const reverse = await store.scan({ start: 'a', end: 'c', reverse: true });
    expect(reverse.entries.map((entry) => entry.key)).toEqual(['ba', 'b\u0000', 'b', 'a']);
    expect((await store.scan({ start: 'c', end: 'c' })).entries).toEqual([]);
    expect((await store.scan({ start: 'z', end: 'a' })).entries).toEqual([]);
  });

  it('pages with limit and more, forward and reverse', async () => {
    const store = await fresh();
    const keys = Array.from({ length: 25 }, (_, i) => `ev:${String(i).padStart(12, '0')}`);
    await store.commit([], keys.map((key) => put(key, key)));
    const limit = Math.min(10, store.limits.maxPageEntries);
    const page = await store.scan({ start: 'ev:', end: 'ev;', limit });
    expect(page.entries).toHaveLength(limit);
    expect(page.more).toBe(true);
    const last = await store.scan({ start: keys[25 - limit] as string, end: 'ev;', limit });
    expect(last.entries).toHaveLength(limit);
    expect(last.more).toBe(false);
    expect((await collect(store, { start: 'ev:', end: 'ev;' })).map((entry) => entry.key)).toEqual(keys);
    expect((await collect(store, { start: 'ev:', end: 'ev;', reverse: true })).map((entry) => entry.key)).toEqual([...keys].reverse());
  });

  it('keeps user:1: apart from user:10: with the trailing separator', async () => {
    const store = await fresh();
    await store.commit([], [put('user:1', 'p'), put('user:1:ev:1', 'a'), put('user:10:ev:1', 'b'), put('user:1:ev:2', 'c')]);
    const own = await collect(store, prefixRange('user:1:'));
    expect(own.map((entry) => entry.key)).toEqual(['user:1:ev:1', 'user:1:ev:2']);
  });
}

function limitContract(fresh: Fresh): void {
  it('refuses a commit over the operation limit and applies nothing', async () => {
    const store = await fresh();
    const max = store.limits.maxOpsPerCommit;
    if (max > 100_000) return; // a store without a practical op limit has nothing to check here
    const mutations = Array.from({ length: max + 1 }, (_, i) => put(`k${i}`, 'v'));
    await expect(store.commit([], mutations)).rejects.toBeInstanceOf(LimitExceeded);
    expect(await store.get('k0')).toBeUndefined();
  });

  it('refuses an over-long key with LIMIT_EXCEEDED', async () => {
    const store = await fresh();
    const key = 'k'.repeat(store.limits.maxKeyBytes + 1);
    await expect(store.commit([], [put(key, 'v')])).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
  });

  it('never aliases stored bytes', async () => {
    const store = await fresh();
    const value = bytes('abc');
    await store.commit([], [{ type: 'put', key: 'k', value }]);
    value[0] = 0x7a;
    const read = await store.get('k');
    if (read === undefined) throw new Error('missing');
    read.value[1] = 0x7a;
    expect(text((await store.get('k'))?.value)).toBe('abc');
  });

  it('lets exactly one of two racing commits with the same condition win', async () => {
    const store = await fresh();
    const results = await Promise.all(
      ['a', 'b', 'c'].map((who) => store.commit([{ key: 'ev:1', op: 'absent' }], [put('ev:1', who)])),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(1);
  });

  it('feeds committed changes to a watcher in revision order (when watch is supported)', async () => {
    const store = await fresh();
    if (store.watch === undefined) return;
    const start = await store.commit([], [put('w:0', 'old')]);
    if (!start.ok) throw new Error('commit failed');
    const controller = new AbortController();
    const seen: string[] = [];
    const done = (async () => {
      for await (const batch of store.watch?.({ start: 'w:', end: 'w;' }, { afterRevision: start.revision, signal: controller.signal }) ?? []) {
        for (const change of batch.changes) seen.push(`${change.key}=${text(change.value ?? undefined) ?? '(deleted)'}`);
        if (seen.length >= 3) controller.abort();
      }
    })();
    await store.commit([], [put('w:1', 'a'), put('other', 'x')]);
    await store.commit([], [put('w:2', 'b')]);
    await store.commit([], [{ type: 'delete', key: 'w:0' }]);
    await done;
    expect(seen).toEqual(['w:1=a', 'w:2=b', 'w:0=(deleted)']);
  });
}
