// Goal: the event store on MemoryKvStore appends atomically with an expected version, retries by
// re-deciding on conflicts, is idempotent per command key, orders events globally without a
// counter key, settles unknown commit outcomes, and its projections equal a from-scratch replay.
import { describe, expect, it } from 'vitest';
import { evolveAll } from '../evolve.js';
import { utf8Decode } from '../json.js';
import { CommitOutcomeUnknown } from '../ports/kv-store.js';
import { initialUserState } from '../state.js';
import { addMember, createTeam, record, register, retract, undoUser } from '../testing/commands.test-util.js';
import { user } from '../testing/fixtures.test-util.js';
import { harness } from '../testing/store-harness.test-util.js';
import { AppendConflictError } from './errors.js';
import { eventKey, headKey, summaryKey } from './key-layout.js';
import { allProjectionRows } from './projection-rows.js';
import { projectionSnapshot, rebuildAll } from './rebuild.js';

const alice = { kind: 'user', id: user('alice') } as const;

describe('EventStore append', () => {
  it('appends events, head, idempotency record and projection rows in one commit', async () => {
    const h = await harness();
    const before = h.kv.commitCount;
    const result = await h.run(register('alice'));
    expect(result.status).toBe('accepted');
    expect(h.kv.commitCount - before).toBe(1);
    const keys = [...h.kv.dump().keys()];
    expect(keys).toEqual(expect.arrayContaining([
      eventKey(alice, 1), headKey(alice), 'user:alice', 'dir:user:alice', 'proj:daily-totals:cp:alice',
    ]));
    expect(keys.some((key) => key.startsWith('user:alice:idem:'))).toBe(true);
    expect(utf8Decode(h.kv.dump().get(headKey(alice)) ?? new Uint8Array())).toMatch(/^\{"lastEventId":"[0-9a-f-]{36}","version":1\}$/);
  });

  it('reads back what it appended, with versions and positions', async () => {
    const h = await harness();
    await h.runAll([register('alice'), record('alice', 'running', 5), record('alice', 'running', 3)]);
    const stored = await h.store.readStream(alice);
    expect(stored.map((item) => [item.version, item.event.type])).toEqual([
      [1, 'UserRegistered'], [2, 'ProgressRecorded'], [3, 'ProgressRecorded'],
    ]);
    const revisions = stored.map((item) => item.position.revision);
    expect(revisions[0] !== undefined && revisions[2] !== undefined && revisions[0] < revisions[2]).toBe(true);
  });

  it('refuses an append at a stale expected version and appends nothing', async () => {
    const h = await harness();
    await h.runAll([register('alice'), record('alice', 'running', 5)]);
    const stale = evolveAll(initialUserState(user('alice')), (await h.store.readStream(alice)).slice(0, 1).map((s) => s.event));
    const current = await h.store.loadState(alice);
    const events = (await h.store.readStream(alice)).slice(1).map((s) => ({ ...s.event, eventId: '00000000-0000-4000-8000-0000000000ff' as never }));
    const outcome = await h.store.append({ before: stale, events });
    expect(outcome.ok).toBe(false);
    expect((await h.store.loadState(alice)).version).toBe(current.version);
  });

  it('re-decides after losing a race (the rival append lands between load and commit)', async () => {
    const h = await harness();
    await h.run(register('alice'));
    let raced = false;
    h.kv.beforeCommit = async () => {
      if (raced) return;
      raced = true;
      h.kv.beforeCommit = undefined;
      await h.run(record('alice', 'running', 1)); // rival: takes version 2
    };
    const result = await h.run(record('alice', 'running', 2));
    expect(result.status === 'accepted' && result.attempts).toBe(2);
    const stored = await h.store.readStream(alice);
    expect(stored.map((s) => s.event.type === 'ProgressRecorded' && s.event.data.entryId)).toEqual([false, 'e1', 'e2']);
  });

  it('appends of different users never conflict with each other (no shared key)', async () => {
    const h = await harness();
    await h.runAll([register('alice'), register('bob')]);
    let raced = false;
    h.kv.beforeCommit = async () => {
      if (raced) return;
      raced = true;
      h.kv.beforeCommit = undefined;
      expect((await h.run(record('bob', 'running', 1))).status).toBe('accepted');
    };
    const result = await h.run(record('alice', 'running', 2));
    expect(result.status === 'accepted' && result.attempts).toBe(1);
  });

  it('pauses before each re-decision (jittered backoff), not after the last attempt', async () => {
    const pauses: number[] = [];
    const h = await harness({ retryDelayMs: (attempt) => (pauses.push(attempt), 1) });
    await h.run(register('alice'));
    let rivals = 0;
    h.kv.beforeCommit = async () => {
      if (rivals >= 2) return;
      rivals += 1;
      const hook = h.kv.beforeCommit;
      h.kv.beforeCommit = undefined;
      await h.run(record('alice', 'rival', 1));
      h.kv.beforeCommit = hook;
    };
    const result = await h.run(record('alice', 'running', 2));
    expect(result.status === 'accepted' && result.attempts).toBe(3);
    expect(pauses).toEqual([1, 2]);
  });

  it('gives up with APPEND_CONFLICT after bounded attempts, leaving nothing half-applied', async () => {
    const pauses: number[] = [];
    const h = await harness({ retryDelayMs: (attempt) => (pauses.push(attempt), 0) });
    await h.run(register('alice'));
    let rivals = 0;
    h.kv.beforeCommit = async () => {
      if (rivals >= 5) return;
      rivals += 1;
      const hook = h.kv.beforeCommit;
      h.kv.beforeCommit = undefined;
      await h.run(record('alice', 'rival', 1));
      h.kv.beforeCommit = hook;
    };
    await expect(h.run(record('alice', 'running', 2))).rejects.toBeInstanceOf(AppendConflictError);
    const types = (await h.store.readStream(alice)).map((s) => (s.event.type === 'ProgressRecorded' ? s.event.data.metric : s.event.type));
    expect(types).toEqual(['UserRegistered', 'rival', 'rival', 'rival', 'rival', 'rival']);
    expect(pauses).toEqual([1, 2, 3, 4]);
  });

  it('is idempotent per command: a retried command appends nothing and reports the original', async () => {
    const h = await harness();
    await h.run(register('alice'));
    const command = record('alice', 'running', 5);
    const first = await h.run(command);
    const second = await h.run(command);
    expect(first.status).toBe('accepted');
    expect(second.status).toBe('duplicate');
    if (second.status === 'duplicate' && first.status === 'accepted') {
      expect(second.original.eventIds).toEqual(first.events.map((s) => s.event.eventId));
    }
    expect((await h.store.readStream(alice)).length).toBe(2);
  });

  it('rejects the same idempotency key with different content (IDEMPOTENCY_CONFLICT)', async () => {
    const h = await harness();
    await h.run(register('alice'));
    const key = 'rec-1' as never;
    await h.run({ ...record('alice', 'running', 5), idempotencyKey: key });
    const again = await h.run({ ...record('alice', 'running', 5), idempotencyKey: key });
    expect(again.status).toBe('duplicate');
    const other = await h.run({ ...record('alice', 'running', 6), idempotencyKey: key });
    expect(other.status === 'rejected' && other.rejection.code).toBe('IDEMPOTENCY_CONFLICT');
    expect((await h.store.readStream(alice)).length).toBe(2);
  });

  it('a rejected command changes nothing in the store', async () => {
    const h = await harness();
    await h.run(register('alice'));
    const before = h.kv.dump();
    const result = await h.run(retract('alice', 'e7'));
    expect(result.status === 'rejected' && result.rejection.code).toBe('ENTRY_NOT_FOUND');
    expect(h.kv.dump()).toEqual(before);
  });

  it('settles CommitOutcomeUnknown by reading back the event id (applied)', async () => {
    const h = await harness();
    await h.run(register('alice'));
    h.kv.injectFault('unknown-applied');
    const result = await h.run(record('alice', 'running', 5));
    expect(result.status).toBe('accepted');
    expect((await h.store.readStream(alice)).length).toBe(2);
  });

  it('settles CommitOutcomeUnknown by retrying the same commit when it did not land', async () => {
    const h = await harness();
    await h.run(register('alice'));
    h.kv.injectFault('unknown-lost');
    const result = await h.run(record('alice', 'running', 5));
    expect(result.status).toBe('accepted');
    expect((await h.store.readStream(alice)).length).toBe(2);
  });

  it('reports an outcome that stays unknown instead of guessing', async () => {
    const h = await harness();
    await h.run(register('alice'));
    for (let i = 0; i < 3; i += 1) h.kv.injectFault('unknown-lost');
    await expect(h.run(record('alice', 'running', 5))).rejects.toBeInstanceOf(CommitOutcomeUnknown);
    expect((await h.store.readStream(alice)).length).toBe(1);
  });

  it('checks team membership against registered users', async () => {
    const h = await harness();
    await h.runAll([register('alice'), createTeam('core')]);
    expect((await h.run(addMember('core', 'alice'))).status).toBe('accepted');
    const unknown = await h.run(addMember('core', 'zed'));
    expect(unknown.status === 'rejected' && unknown.rejection.code).toBe('USER_NOT_REGISTERED');
  });
});

describe('global order', () => {
  it('orders events of all streams by commit revision, then position in the commit, with no counter key', async () => {
    const h = await harness();
    await h.runAll([
      register('bob'), register('alice'), record('alice', 'running', 1), createTeam('core'), record('bob', 'reading', 2),
      undoUser('alice'),
    ]);
    const all = [];
    for await (const stored of h.store.readAll()) all.push(stored);
    expect(all.map((s) => `${s.stream.id}:${s.event.type}`)).toEqual([
      'bob:UserRegistered', 'alice:UserRegistered', 'alice:ProgressRecorded', 'core:TeamCreated', 'bob:ProgressRecorded',
      'alice:CommandUndone', 'alice:EntryRetracted',
    ]);
    expect([...h.kv.dump().keys()].some((key) => key.startsWith('$all') || key === '$meta:head')).toBe(false);
    const cut = [];
    for await (const stored of h.store.readAll({ revision: all[2]?.position.revision ?? 0n })) cut.push(stored);
    expect(cut).toHaveLength(3);
  });
});

describe('projections and rebuild', () => {
  it('incremental rows equal a from-scratch replay, and rebuild rewrites them byte for byte', async () => {
    const h = await harness();
    await h.runAll([
      register('alice'), record('alice', 'running', 5), record('alice', 'running', 2.5), retract('alice', 'e1'),
      undoUser('alice'), createTeam('core'), addMember('core', 'alice'),
    ]);
    const snapshot = await projectionSnapshot(h.store);
    const replayed = allProjectionRows(await h.store.loadState(alice));
    for (const [key, value] of replayed) expect(utf8Decode(snapshot.get(key) ?? new Uint8Array())).toBe(utf8Decode(value));
    const report = await rebuildAll(h.store);
    expect(report.streams).toBe(2);
    expect(await projectionSnapshot(h.store)).toEqual(snapshot);
  });

  it('rebuild deletes rows that the log no longer implies and recreates missing ones', async () => {
    const h = await harness();
    await h.runAll([register('alice'), record('alice', 'running', 5)]);
    const good = await projectionSnapshot(h.store);
    await h.kv.commit([], [
      { type: 'put', key: 'proj:daily-totals:row:alice:running:1999-01-01', value: new Uint8Array([123, 125]) },
      { type: 'put', key: 'proj:daily-totals:row:ghost:running:2026-01-01', value: new Uint8Array([123, 125]) },
      { type: 'delete', key: summaryKey(alice) },
    ]);
    await rebuildAll(h.store);
    expect(await projectionSnapshot(h.store)).toEqual(good);
  });

  it('rebuilds a stream whose projection checkpoint is stale before deciding', async () => {
    const h = await harness();
    await h.runAll([register('alice'), record('alice', 'running', 5)]);
    await h.kv.commit([], [{ type: 'delete', key: 'proj:daily-totals:cp:alice' }, { type: 'delete', key: 'proj:daily-totals:row:alice:running:2026-03-10' }]);
    await h.run(record('alice', 'running', 1));
    const rows = await projectionSnapshot(h.store);
    expect(utf8Decode(rows.get('proj:daily-totals:row:alice:running:2026-03-10') ?? new Uint8Array())).toBe('{"count":2,"totalMilli":6000}');
  });

  it('rebuild works when a stream needs several commits (tiny op limit)', async () => {
    const h = await harness({ limits: { maxOpsPerCommit: 12 } });
    await h.run(register('alice'));
    for (let day = 1; day <= 9; day += 1) {
      await h.run(record('alice', 'running', day, { occurredAt: `2026-03-0${day}T10:00:00.000Z` as never }));
      await h.run(record('alice', 'reading', day, { unit: 'pages', occurredAt: `2026-03-0${day}T11:00:00.000Z` as never }));
    }
    const snapshot = await projectionSnapshot(h.store);
    const report = await rebuildAll(h.store);
    expect(report.commits).toBeGreaterThan(1);
    expect(await projectionSnapshot(h.store)).toEqual(snapshot);
  });
});
