// Goal: the domain's event store runs unchanged on etcd. Two writers (separate clients, as two
// CLI processes would be) appending to the same user at once both succeed or re-decide, and no
// event is lost or duplicated (checked by event ids); an unknown commit outcome is settled by
// reading the event back; imports and rebuilds larger than one etcd Txn are chunked within the
// limits, reported as not atomic, resumable after an interruption, and give the same bytes as the
// embedded store. Method: one 3-member cluster for the file, a fresh namespace per test.
import {
  CommandHandler, CommitOutcomeUnknown, EventStore, exportJsonl, importJsonl, instantFromEpochMs, projectionSnapshot,
  randomIds, rebuildAll, sequentialIds, StoreUnavailable, steppingClock, systemClock, unwrap, parseInstant,
} from '@progress/domain';
import type { Command, CommitResult, Condition, ExecuteResult, KvStore, Mutation } from '@progress/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryKvStore } from '@progress/domain/testing';
import { EtcdKvStore } from './etcd-kv-store.js';
import { record, register, userId } from './testing/commands.test-util.js';
import { startEtcdCluster } from './testing/etcd-cluster.js';
import type { EtcdCluster } from './testing/etcd-cluster.js';

let cluster: EtcdCluster;
let namespaces = 0;
const open: KvStore[] = [];
function etcdStore(namespace: string): EtcdKvStore {
  const store = new EtcdKvStore({ hosts: cluster.endpoints, namespace });
  open.push(store);
  return store;
}
const freshNamespace = (): string => `es-${(namespaces += 1)}/`;

beforeAll(async () => {
  cluster = await startEtcdCluster();
});
afterAll(async () => {
  await Promise.all(open.map((store) => store.close()));
  await cluster?.stop();
});

/** Delegates to a store; `onCommit` may replace a commit (fault injection around a real store). */
class Wrapped implements KvStore {
  commits = 0;
  constructor(
    private readonly inner: KvStore,
    private readonly onCommit: (n: number, commit: () => Promise<CommitResult>) => Promise<CommitResult>,
  ) {}
  get limits() { return this.inner.limits; }
  get(key: string) { return this.inner.get(key); }
  scan(request: Parameters<KvStore['scan']>[0]) { return this.inner.scan(request); }
  currentRevision() { return this.inner.currentRevision(); }
  close() { return this.inner.close(); }
  commit(conditions: readonly Condition[], mutations: readonly Mutation[]): Promise<CommitResult> {
    this.commits += 1;
    return this.onCommit(this.commits, () => this.inner.commit(conditions, mutations));
  }
}

function accepted(result: ExecuteResult): Extract<ExecuteResult, { status: 'accepted' }> {
  if (result.status !== 'accepted') throw new Error(`expected accepted, got ${JSON.stringify(result)}`);
  return result;
}

describe('EventStore on etcd', () => {
  it('two writers race on one user, round after round: both commands succeed (one re-decides), no event lost or doubled', async () => {
    const namespace = freshNamespace();
    const [a, b] = await Promise.all([EventStore.open(etcdStore(namespace)), EventStore.open(etcdStore(namespace))]);
    const handlerA = new CommandHandler(a, { clock: systemClock, ids: randomIds });
    const handlerB = new CommandHandler(b, { clock: systemClock, ids: randomIds });
    accepted(await handlerA.execute(register('ann')));
    const rounds = 30;
    const results: Extract<ExecuteResult, { status: 'accepted' }>[] = [];
    for (let round = 0; round < rounds; round += 1) {
      const pair = await Promise.all([handlerA.execute(record('ann', round + 1)), handlerB.execute(record('ann', round + 1))]);
      results.push(...pair.map(accepted));
    }
    const ackedIds = results.flatMap((result) => result.events.map((stored) => stored.event.eventId));
    const stream = await a.readStream({ kind: 'user', id: userId('ann') });
    const storedIds = stream.map((stored) => stored.event.eventId);
    expect(stream).toHaveLength(1 + 2 * rounds);
    expect(new Set(storedIds).size).toBe(storedIds.length);
    expect([...ackedIds].sort()).toEqual(storedIds.slice(1).sort());
    // a re-decided command got a fresh entry id: e1..e60, each once
    const entryIds = stream.slice(1).map((stored) => (stored.event.data as { entryId: string }).entryId);
    expect(new Set(entryIds).size).toBe(2 * rounds);
    const redecided = results.filter((result) => result.attempts > 1).length;
    expect(redecided).toBeGreaterThan(0);
    console.info(`two writers, ${rounds} rounds: ${redecided} of ${results.length} commands re-decided after a conflict`);
    // global order = commit revision: strictly increasing along the stream
    for (let i = 1; i < stream.length; i += 1) {
      expect((stream[i]?.position.revision ?? 0n) > (stream[i - 1]?.position.revision ?? 0n)).toBe(true);
    }
  });

  it('sustained contention on one user: every acknowledged command is there once, every refused one is absent', async () => {
    const namespace = freshNamespace();
    const [a, b] = await Promise.all([EventStore.open(etcdStore(namespace)), EventStore.open(etcdStore(namespace))]);
    const handlers = [a, b].map((store) => new CommandHandler(store, { clock: systemClock, ids: randomIds, maxAttempts: 20 }));
    accepted(await (handlers[0] as CommandHandler).execute(register('cat')));
    const perWriter = 25;
    const acked: string[] = [];
    const refused: string[] = [];
    await Promise.all(handlers.map(async (handler) => {
      for (let i = 0; i < perWriter; i += 1) {
        const command = record('cat', i + 1);
        try {
          acked.push(...accepted(await handler.execute(command)).events.map((stored) => stored.event.eventId));
        } catch (error) {
          // AppendConflictError: "busy, nothing applied" (exit 3); see the report on projectionsFresh
          if ((error as { code?: string }).code !== 'APPEND_CONFLICT') throw error;
          refused.push(command.commandId);
        }
      }
    }));
    const stream = await a.readStream({ kind: 'user', id: userId('cat') });
    const storedIds = stream.slice(1).map((stored) => stored.event.eventId);
    expect(new Set(storedIds).size).toBe(storedIds.length);
    expect([...storedIds].sort()).toEqual([...acked].sort());
    expect(stream.filter((stored) => refused.includes(stored.event.commandId))).toEqual([]);
    expect(acked.length + refused.length).toBe(2 * perWriter);
    console.info(`sustained contention: ${acked.length} acknowledged, ${refused.length} refused as busy`);
  });

  it('settles an unknown outcome by reading the event back (applied, or not applied and resent)', async () => {
    const kv = etcdStore(freshNamespace());
    let mode: 'lost-reply' | 'not-applied' | 'normal' = 'normal';
    const wrapped = new Wrapped(kv, async (_n, commit) => {
      if (mode === 'lost-reply') {
        mode = 'normal';
        await commit(); // applied, but the reply "never arrived"
        throw new CommitOutcomeUnknown('injected: reply lost');
      }
      if (mode === 'not-applied') {
        mode = 'normal';
        throw new CommitOutcomeUnknown('injected: request lost');
      }
      return commit();
    });
    const store = await EventStore.open(wrapped);
    const handler = new CommandHandler(store, { clock: systemClock, ids: randomIds });
    accepted(await handler.execute(register('bo')));
    mode = 'lost-reply';
    const first = accepted(await handler.execute(record('bo', 1)));
    mode = 'not-applied';
    const second = accepted(await handler.execute(record('bo', 2)));
    const stream = await store.readStream({ kind: 'user', id: userId('bo') });
    expect(stream.map((stored) => stored.event.eventId)).toEqual([
      stream[0]?.event.eventId, first.events[0]?.event.eventId, second.events[0]?.event.eventId,
    ]);
    expect(first.revision).toBe(stream[1]?.position.revision);
  });

  it('imports a file larger than one Txn in chunks: not atomic, resumable, same bytes as the source', async () => {
    // the source: 3 users, 450 entries over 150 days, on the in-memory reference store
    const source = await EventStore.open(new MemoryKvStore());
    const handler = new CommandHandler(source, { clock: steppingClock(unwrap(parseInstant('2026-03-10T12:00:00.000Z')), 1000), ids: sequentialIds(5) });
    const commands: Command[] = ['cy', 'di', 'ed'].map((id) => register(id));
    for (let day = 0; day < 150; day += 1) {
      const at = instantFromEpochMs(Date.parse('2025-09-01T08:00:00.000Z') + day * 86_400_000);
      for (const id of ['cy', 'di', 'ed']) commands.push(record(id, (day % 10) + 1, at));
    }
    for (const command of commands) accepted(await handler.execute(command));
    const text = await exportJsonl(source);
    const events = text.trim().split('\n').length;

    // interrupted: the 3rd commit fails as unavailable (nothing applied), the import stops
    const namespace = freshNamespace();
    const failing = new Wrapped(etcdStore(namespace), async (n, commit) => {
      if (n === 4) throw new StoreUnavailable('injected: cluster unreachable'); // 1st commit is the format marker
      return commit();
    });
    await expect(importJsonl(await EventStore.open(failing), text)).rejects.toBeInstanceOf(StoreUnavailable);
    const target = await EventStore.open(etcdStore(namespace));
    const partial = (await exportJsonl(target)).split('\n').length - 1;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(events);

    // re-running completes it; the prefix already there is skipped by event id
    const resumed = await importJsonl(target, text);
    expect(resumed.imported + resumed.skipped).toBe(events);
    expect(resumed.skipped).toBe(partial);
    expect(resumed.atomic).toBe(false);
    expect(resumed.commits).toBeGreaterThan(1);
    expect(await exportJsonl(target)).toBe(text);
    expect(await projectionSnapshot(target)).toEqual(await projectionSnapshot(source));

    // and once more: nothing to do
    const again = await importJsonl(target, text);
    expect(again).toMatchObject({ imported: 0, skipped: events });

    // a rebuild of 150-day streams needs several Txns too, and reproduces the same rows
    const before = await projectionSnapshot(target);
    const rebuilt = await rebuildAll(target);
    expect(rebuilt.commits).toBeGreaterThan(3);
    expect(await projectionSnapshot(target)).toEqual(before);
  });
});
