// Goal: a stream is loaded from its snapshot plus the events after it, not replayed from its first
// event on every command; snapshots are a disposable cache (ignored when of another code version
// or no longer matching the log, rewritten by rebuild, skipped when too big for the store), and
// the in-memory state of one EventStore catches up with events appended by another writer.
// Method: commands through the command handler on MemoryKvStore; a KvStore wrapper counts the
// event records each load reads; loaded states are compared with a full replay.
import { describe, expect, it } from 'vitest';
import { encodeJson, parseJsonBytes, utf8Decode } from '../json.js';
import type { Condition, KvEntry, KvStore, Mutation, ScanRequest } from '../ports/kv-store.js';
import { record, register, retract } from '../testing/commands.test-util.js';
import { user } from '../testing/fixtures.test-util.js';
import { harness } from '../testing/store-harness.test-util.js';
import { EventStore } from './event-store.js';
import { snapshotKey } from './key-layout.js';
import { rebuildAll } from './rebuild.js';
import { decodeSnapshot, encodeSnapshot, SNAPSHOT } from './snapshot.js';

const alice = { kind: 'user', id: user('alice') } as const;

/** Counts event records returned by scans (`…:ev:` keys). */
class CountingKv implements KvStore {
  eventsRead = 0;
  constructor(private readonly inner: KvStore) {}
  get limits(): KvStore['limits'] {
    return this.inner.limits;
  }
  get(key: string): Promise<KvEntry | undefined> {
    return this.inner.get(key);
  }
  async scan(request: ScanRequest): Promise<{ entries: readonly KvEntry[]; more: boolean }> {
    const page = await this.inner.scan(request);
    this.eventsRead += page.entries.filter((entry) => entry.key.includes(':ev:')).length;
    return page;
  }
  commit(conditions: readonly Condition[], mutations: readonly Mutation[]): ReturnType<KvStore['commit']> {
    return this.inner.commit(conditions, mutations);
  }
  currentRevision(): ReturnType<KvStore['currentRevision']> {
    return this.inner.currentRevision();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** alice registered, then 11 entries, one retracted: 13 events. */
async function aliceWith13Events(snapshotInterval: number): Promise<Awaited<ReturnType<typeof harness>>> {
  const h = await harness({ store: { snapshotInterval } });
  await h.run(register('alice'));
  for (let index = 1; index <= 11; index += 1) await h.run(record('alice', index % 2 === 0 ? 'run' : 'read', index));
  await h.run(retract('alice', 'e3'));
  return h;
}

async function coldLoad(h: Awaited<ReturnType<typeof harness>>): Promise<{ state: unknown; eventsRead: number; replay: unknown }> {
  const counting = new CountingKv(h.kv);
  const cold = await EventStore.open(counting, { cachedStreams: 0 });
  const state = await cold.loadState(alice);
  const eventsRead = counting.eventsRead;
  const replay = (await cold.replayState(alice)).state;
  return { state, eventsRead, replay };
}

describe('stream snapshots', () => {
  it('a cold load reads the snapshot and only the events after it', async () => {
    const h = await aliceWith13Events(5);
    const snapshot = h.kv.dump().get(snapshotKey(alice));
    expect(snapshot).toBeDefined();
    const decoded = decodeSnapshot(snapshot ?? new Uint8Array(), alice);
    expect(decoded.ok && decoded.header.streamVersion).toBe(10); // written at 5 and at 10
    const { state, eventsRead, replay } = await coldLoad(h);
    expect(eventsRead).toBe(3);
    expect(state).toEqual(replay);
  });

  it('without snapshots a cold load replays the whole stream', async () => {
    const h = await aliceWith13Events(0);
    expect(h.kv.dump().has(snapshotKey(alice))).toBe(false);
    const { state, eventsRead, replay } = await coldLoad(h);
    expect(eventsRead).toBe(13);
    expect(state).toEqual(replay);
  });

  it('ignores a snapshot of another code version, and one whose last event is not in the log', async () => {
    const h = await aliceWith13Events(5);
    const original = h.kv.dump().get(snapshotKey(alice)) ?? new Uint8Array();
    const parsed = parseJsonBytes(original);
    expect(parsed.ok).toBe(true);
    const value = (parsed.ok ? parsed.value : {}) as Record<string, unknown>;
    for (const tampered of [{ ...value, codeVersion: SNAPSHOT.codeVersion + 1 }, { ...value, lastEventId: 'not-the-event' }]) {
      await h.kv.commit([], [{ type: 'put', key: snapshotKey(alice), value: encodeJson(tampered) }]);
      const { state, eventsRead, replay } = await coldLoad(h);
      expect(eventsRead).toBe(13);
      expect(state).toEqual(replay);
    }
  });

  it('rebuild rewrites the snapshot from the log, at the current version', async () => {
    const h = await aliceWith13Events(5);
    await h.kv.commit([], [{ type: 'delete', key: snapshotKey(alice) }]);
    await rebuildAll(h.store);
    const rebuilt = h.kv.dump().get(snapshotKey(alice)) ?? new Uint8Array();
    const replay = await h.store.replayState(alice);
    expect(utf8Decode(rebuilt)).toBe(utf8Decode(encodeSnapshot(replay.state, replay.lastEventId)));
    const { eventsRead } = await coldLoad(h);
    expect(eventsRead).toBe(0);
  });

  it('rebuild deletes the snapshot of a stream shorter than the interval', async () => {
    const h = await aliceWith13Events(5);
    const store = await EventStore.open(h.kv, { snapshotInterval: 50 });
    await rebuildAll(store);
    expect(h.kv.dump().has(snapshotKey(alice))).toBe(false);
  });

  it('skips a snapshot bigger than the store allows; the commands still succeed', async () => {
    const h = await harness({ limits: { maxValueBytes: 2000 }, store: { snapshotInterval: 2 } });
    const results = [await h.run(register('alice'))];
    for (let index = 1; index <= 8; index += 1) results.push(await h.run(record('alice', 'run', index)));
    expect(results.map((result) => result.status)).toEqual(Array(9).fill('accepted'));
    const snapshot = h.kv.dump().get(snapshotKey(alice));
    // snapshots at versions 2 and 4 fit (about 800 and 1500 bytes); from 6 on (about 2200) they do not
    const decoded = decodeSnapshot(snapshot ?? new Uint8Array(), alice);
    expect(decoded.ok && decoded.header.streamVersion).toBe(4);
    const { state, replay } = await coldLoad(h);
    expect(state).toEqual(replay);
  });

  it('a state held in memory catches up with events another writer appended', async () => {
    const h = await aliceWith13Events(0);
    const reader = await EventStore.open(h.kv);
    expect((await reader.loadState(alice)).version).toBe(13);
    await h.run(record('alice', 'run', 42));
    const state = await reader.loadState(alice);
    expect(state.version).toBe(14);
    expect(state).toEqual((await reader.replayState(alice)).state);
  });
});
