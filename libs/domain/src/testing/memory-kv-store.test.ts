// Goal: MemoryKvStore passes the shared KvStore contract, with default and with etcd-like limits,
// and its fault injection behaves as documented (used by the event store tests).
import { describe, expect, it } from 'vitest';
import { CommitOutcomeUnknown, StoreUnavailable } from '../ports/kv-store.js';
import { kvStoreContract } from './kv-store-contract.js';
import { MemoryKvStore } from './memory-kv-store.js';

kvStoreContract('MemoryKvStore', async () => new MemoryKvStore());
kvStoreContract('MemoryKvStore with etcd limits', async () =>
  new MemoryKvStore({ maxOpsPerCommit: 128, maxCommitBytes: 1_572_864, maxPageEntries: 7 }),
);

describe('MemoryKvStore fault injection', () => {
  const put = { type: 'put', key: 'k', value: new Uint8Array([1]) } as const;
  it('unavailable: throws and applies nothing', async () => {
    const store = new MemoryKvStore();
    store.injectFault('unavailable');
    await expect(store.commit([], [put])).rejects.toBeInstanceOf(StoreUnavailable);
    expect(await store.get('k')).toBeUndefined();
  });
  it('unknown-applied: throws after applying', async () => {
    const store = new MemoryKvStore();
    store.injectFault('unknown-applied');
    await expect(store.commit([], [put])).rejects.toBeInstanceOf(CommitOutcomeUnknown);
    expect(await store.get('k')).toBeDefined();
  });
  it('unknown-lost: throws without applying', async () => {
    const store = new MemoryKvStore();
    store.injectFault('unknown-lost');
    await expect(store.commit([], [put])).rejects.toMatchObject({ code: 'COMMIT_OUTCOME_UNKNOWN' });
    expect(await store.get('k')).toBeUndefined();
  });
  it('refuses use after close', async () => {
    const store = new MemoryKvStore();
    await store.close();
    await expect(store.get('k')).rejects.toMatchObject({ code: 'STORE_CLOSED' });
  });
});
