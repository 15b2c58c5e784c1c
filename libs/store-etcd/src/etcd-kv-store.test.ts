// Goal: EtcdKvStore passes the KvStore port's contract suite (the same one the embedded store and
// MemoryKvStore run) on a real 3-member etcd cluster, and the etcd-specific parts hold: namespaces
// isolate stores, a Txn writing one key twice is accepted, watch below the compaction point is
// HistoryCompacted, scans page within the gRPC response limit, and an unreachable cluster is
// StoreUnavailable within a few seconds. Method: one cluster for the file (beforeAll/afterAll);
// every contract test gets a fresh namespace, which is an empty store.
import { HistoryCompacted, LimitExceeded, StoreUnavailable, collect } from '@progress/domain';
import type { Mutation } from '@progress/domain';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kvStoreContract } from '@progress/domain/testing';
import { EtcdKvStore } from './etcd-kv-store.js';
import { freeBasePort, startEtcdCluster } from './testing/etcd-cluster.js';
import type { EtcdCluster } from './testing/etcd-cluster.js';
import { openEtcdStore } from './open.js';

let cluster: EtcdCluster;
let namespaces = 0;
const fresh = (): EtcdKvStore => new EtcdKvStore({ hosts: cluster.endpoints, namespace: `contract-${(namespaces += 1)}/` });

beforeAll(async () => {
  cluster = await startEtcdCluster();
});
afterAll(async () => {
  await cluster?.stop();
});

kvStoreContract('EtcdKvStore on a 3-member cluster', async () => fresh());

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const put = (key: string, value: string): Mutation => ({ type: 'put', key, value: bytes(value) });

describe('EtcdKvStore on etcd', () => {
  it('keeps namespaces apart and works without one', async () => {
    const a = new EtcdKvStore({ hosts: cluster.endpoints, namespace: 'ns-a/' });
    const b = new EtcdKvStore({ hosts: cluster.endpoints, namespace: 'ns-b/' });
    const bare = new EtcdKvStore({ hosts: cluster.endpoints });
    try {
      await a.commit([], [put('k', 'a')]);
      await b.commit([{ key: 'k', op: 'absent' }], [put('k', 'b')]);
      expect(new TextDecoder().decode((await a.get('k'))?.value)).toBe('a');
      expect((await collect(b, { start: '', end: '\u{10ffff}' })).map((entry) => entry.key)).toEqual(['k']);
      expect((await collect(bare, { start: 'ns-', end: 'ns.' })).map((entry) => entry.key)).toEqual(['ns-a/k', 'ns-b/k']);
    } finally {
      await Promise.all([a.close(), b.close(), bare.close()]);
    }
  });

  it('accepts a commit that writes one key twice (the last mutation wins, as the port says)', async () => {
    const store = fresh();
    try {
      const result = await store.commit([], [put('x', '1'), put('y', '1'), { type: 'delete', key: 'x' }, put('y', '2')]);
      expect(result.ok).toBe(true);
      expect(await store.get('x')).toBeUndefined();
      expect(new TextDecoder().decode((await store.get('y'))?.value)).toBe('2');
    } finally {
      await store.close();
    }
  });

  it('refuses a commit over the byte limit before sending it', async () => {
    const store = fresh();
    try {
      const big = new Uint8Array(500_000);
      await expect(store.commit([], [{ type: 'put', key: 'a', value: big }, { type: 'put', key: 'b', value: big }, { type: 'put', key: 'c', value: big }]))
        .rejects.toBeInstanceOf(LimitExceeded);
      // right at the declared limit etcd accepts it: the declared limit leaves room for framing
      const keys = Array.from({ length: 127 }, (_, i) => `key-${String(i).padStart(4, '0')}`);
      const each = Math.floor((store.limits.maxCommitBytes - keys.join('').length) / keys.length);
      const result = await store.commit([], keys.map((key) => ({ type: 'put', key, value: new Uint8Array(each) })));
      expect(result.ok).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('pages a scan of large values under the gRPC response limit', async () => {
    const store = new EtcdKvStore({ hosts: cluster.endpoints, namespace: 'large-values/', maxResponseBytes: 2_500_000 });
    try {
      const value = new Uint8Array(1_000_000).fill(7);
      for (let i = 0; i < 6; i += 1) await store.commit([], [{ type: 'put', key: `big:${String(i).padStart(2, '0')}`, value }]);
      const all = await collect(store, { start: 'big:', end: 'big;' });
      expect(all).toHaveLength(6);
      expect(all.every((entry) => entry.value.length === 1_000_000)).toBe(true);
      expect(store.stats.reads).toBeGreaterThan(6); // pages were refused as too large and asked again smaller
    } finally {
      await store.close();
    }
  });

  it('reports a watch below the compaction point as HistoryCompacted', async () => {
    const store = fresh();
    const admin = new Etcd3({ hosts: cluster.endpoints.map((endpoint) => `http://${endpoint}`) });
    try {
      const first = await store.commit([], [put('c:1', 'a')]);
      const second = await store.commit([], [put('c:1', 'b')]);
      if (!first.ok || !second.ok) throw new Error('commit failed');
      await admin.kv.compact({ revision: second.revision.toString(), physical: true });
      const controller = new AbortController();
      const iterate = async (): Promise<void> => {
        for await (const _ of store.watch({ start: 'c:', end: 'c;' }, { afterRevision: first.revision - 1n, signal: controller.signal })) break;
      };
      await expect(iterate()).rejects.toBeInstanceOf(HistoryCompacted);
      // from the compaction point on, the watch works
      const seen: string[] = [];
      const done = (async () => {
        for await (const batch of store.watch({ start: 'c:', end: 'c;' }, { afterRevision: second.revision, signal: controller.signal })) {
          seen.push(...batch.changes.map((change) => change.key));
          controller.abort();
        }
      })();
      await store.commit([], [put('c:2', 'c')]);
      await done;
      expect(seen).toEqual(['c:2']);
    } finally {
      admin.close();
      await store.close();
    }
  });

  it('ends a watch when the store closes', async () => {
    const store = fresh();
    const revision = await store.currentRevision();
    const done = (async () => {
      let batches = 0;
      for await (const _ of store.watch({ start: 'w:', end: 'w;' }, { afterRevision: revision, signal: new AbortController().signal })) batches += 1;
      return batches;
    })();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await store.close();
    expect(await done).toBe(0);
  });
});

describe('openEtcdStore', () => {
  it('opens a reachable cluster (one live endpoint is enough)', async () => {
    const deadPort = await freeBasePort();
    const store = await openEtcdStore(`etcd://127.0.0.1:${deadPort},${cluster.endpoints[0] ?? ''}/open-test`);
    try {
      await store.commit([], [put('k', 'v')]);
      expect((await store.get('k'))?.key).toBe('k');
    } finally {
      await store.close();
    }
  });

  it('fails fast with StoreUnavailable and a clear message when no member answers', async () => {
    const port = await freeBasePort();
    const started = Date.now();
    const error = await openEtcdStore(`etcd://127.0.0.1:${port},127.0.0.1:${port + 1}`, { connectTimeoutMs: 2000 }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(StoreUnavailable);
    expect((error as StoreUnavailable).code).toBe('STORE_UNAVAILABLE');
    expect((error as Error).message).toContain(`cannot reach the etcd cluster at 127.0.0.1:${port},127.0.0.1:${port + 1}`);
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
