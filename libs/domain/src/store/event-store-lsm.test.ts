// Goal: the event store's guarantees hold on the real engine (LsmKvStore), not only on the
// in-memory reference: append, expected-version conflict, idempotent retry, global order, a load
// from a snapshot after reopening; and across a power loss at any file-system mutation every
// command is all or nothing — events, head, idempotency record and projection rows together.
// Method: a temp directory on the real file system for the first part; for power loss, the same
// command sequence on MemFs dying after mutation k (k sampled evenly over the whole run, plus the
// two ends), each post-crash state opened in the 'synced' and 'torn' modes and compared with the
// acknowledged commands. SEED picks the offsets of the sampled crash points.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemFs } from '@progress/lsm/testing';
import { afterAll, describe, expect, it } from 'vitest';
import type { Command } from '../commands.js';
import { utf8Decode } from '../json.js';
import { steppingClock } from '../ports/clock.js';
import { sequentialIds } from '../ports/ids.js';
import { record, register, retract, setGoal } from '../testing/commands.test-util.js';
import { at, user } from '../testing/fixtures.test-util.js';
import { CommandHandler } from './command-handler.js';
import { EventStore } from './event-store.js';
import { headKey } from './key-layout.js';
import { LsmKvStore } from './lsm-kv-store.js';
import { allProjectionRows } from './projection-rows.js';
import { projectionSnapshot } from './rebuild.js';

const SEED = process.env['SEED'] === undefined ? Date.now() % 1000 : Number(process.env['SEED']);
const alice = { kind: 'user', id: user('alice') } as const;
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const handlerFor = (store: EventStore, prefix: number): CommandHandler =>
  new CommandHandler(store, { clock: steppingClock(at('2026-03-10T12:00:00.000Z'), 1000), ids: sequentialIds(prefix) });

describe('EventStore on LsmKvStore (temp directory)', () => {
  it('appends, refuses a stale expected version, answers a retried command from its record, orders globally', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'domain-lsm-'));
    dirs.push(dir);
    let kv = await LsmKvStore.open({ dir });
    let store = await EventStore.open(kv, { snapshotInterval: 4 });
    const handler = handlerFor(store, 1);
    const first = register('alice');
    expect((await handler.execute(first)).status).toBe('accepted');
    expect((await handler.execute(register('bob'))).status).toBe('accepted');
    for (let index = 1; index <= 5; index += 1) {
      expect((await handler.execute(record(index % 2 === 0 ? 'bob' : 'alice', 'run', index))).status).toBe('accepted');
    }
    // the same command again: nothing appended, the original answered
    const again = await handler.execute(first);
    expect(again.status).toBe('duplicate');
    // a command decided on a state another writer moved on from is re-decided, not lost
    const stale = (await store.replayState(alice)).state;
    expect((await handlerFor(store, 2).execute(record('alice', 'run', 9))).status).toBe('accepted');
    const redecided = await handler.execute(record('alice', 'run', 10));
    expect(redecided.status === 'accepted' && redecided.events[0]?.version).toBe(stale.version + 2);
    // global order: revisions never go down, and each stream's versions are in order
    const all = [];
    for await (const stored of store.readAll()) all.push(stored);
    expect(all.map((item) => item.position.revision)).toEqual([...all.map((item) => item.position.revision)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(all.filter((item) => item.stream.id === 'alice').map((item) => item.version)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(all).toHaveLength(9);
    // reopen: a cold store loads alice from her snapshot and equals the replay
    await kv.close();
    kv = await LsmKvStore.open({ dir });
    store = await EventStore.open(kv, { cachedStreams: 0 });
    expect(await store.loadState(alice)).toEqual((await store.replayState(alice)).state);
    await kv.close();
  });

  it('an append at a stale expected version commits nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'domain-lsm-'));
    dirs.push(dir);
    const kv = await LsmKvStore.open({ dir });
    const store = await EventStore.open(kv);
    const handler = handlerFor(store, 3);
    await handler.execute(register('alice'));
    const stale = (await store.replayState(alice)).state;
    await handler.execute(record('alice', 'run', 1));
    const rows = await projectionSnapshot(store);
    const written = (await store.readStream(alice))[1];
    expect(written).toBeDefined();
    const loser = await store.append({ before: stale, events: written === undefined ? [] : [written.event] });
    expect(loser).toEqual({ ok: false, reason: 'conflict' });
    expect(await projectionSnapshot(store)).toEqual(rows);
    expect((await store.readStream(alice)).length).toBe(2);
    await kv.close();
  });
});

/** The commands of the power-loss run: each must be all or nothing. */
const COMMANDS: readonly Command[] = [
  register('alice'), record('alice', 'run', 5), record('alice', 'read', 30, { unit: 'pages' }), setGoal('alice', 'run', 20),
  record('alice', 'run', 2.5), retract('alice', 'e2'), record('alice', 'run', 7), record('alice', 'run', 1),
];
const ENGINE = { memTableBytes: 4 * 1024, baseTableBytes: 8 * 1024, baseLevelBytes: 16 * 1024, l0CompactionTrigger: 2, valueThresholdBytes: 256 };

async function runUntilCrash(fs: MemFs): Promise<number> {
  let acked = 0;
  try {
    const kv = await LsmKvStore.open({ dir: '/db', engine: { ...ENGINE, fs } });
    const handler = handlerFor(await EventStore.open(kv, { snapshotInterval: 3 }), 4);
    for (const command of COMMANDS) {
      expect((await handler.execute(command)).status).toBe('accepted');
      acked += 1;
    }
    await kv.close();
  } catch (error) {
    if (!fs.crashed) throw error;
  }
  return acked;
}

describe(`power loss between and during commands (SEED=${SEED})`, () => {
  it('leaves every command whole or absent: events, head, idempotency records and projections agree', { timeout: 300_000 }, async () => {
    console.log(`event store power loss: SEED=${SEED}`);
    const counter = new MemFs();
    expect(await runUntilCrash(counter)).toBe(COMMANDS.length);
    const total = counter.mutationCount;
    const points = new Set([1, total]);
    for (let index = 0; index < 30; index += 1) points.add(1 + ((SEED + Math.floor((index * total) / 30)) % total));
    let checked = 0;
    for (const k of [...points].sort((a, b) => a - b)) {
      const fs = new MemFs({ crashAfterMutations: k });
      const acked = await runUntilCrash(fs);
      const frozen = fs.crashState();
      if (frozen === undefined) continue;
      for (const mode of ['synced', 'torn'] as const) {
        const clone = frozen.crashClone(mode, SEED + k);
        await clone.unlink('/db/LOCK').catch(() => undefined);
        const kv = await LsmKvStore.open({ dir: '/db', engine: { ...ENGINE, fs: clone } });
        const store = await EventStore.open(kv, { cachedStreams: 0 });
        const context = `crash after mutation ${k}/${total} (${mode}), ${acked} commands acknowledged`;
        const events = await store.readStream(alice);
        const commands = new Set(events.map((item) => item.event.commandId));
        // whole commands only (each command here is one event), at least the acknowledged ones
        expect(commands.size, context).toBeGreaterThanOrEqual(acked);
        expect(commands.size, context).toBeLessThanOrEqual(acked + 1);
        const idem = [];
        for (const command of COMMANDS.slice(0, commands.size)) idem.push(await store.readIdempotencyRecord(alice, command.commandId));
        expect(idem.every((value) => value !== undefined), context).toBe(true);
        expect(await store.readIdempotencyRecord(alice, COMMANDS[commands.size]?.commandId ?? 'none'), context).toBeUndefined();
        const replay = await store.replayState(alice);
        if (replay.state.version > 0) {
          const head = utf8Decode((await kv.get(headKey(alice)))?.value ?? new Uint8Array());
          expect(JSON.parse(head), context).toEqual({ lastEventId: replay.lastEventId, version: replay.state.version });
          const text = (rows: Map<string, Uint8Array>): string[] => [...rows].map(([key, value]) => `${key} ${utf8Decode(value)}`).sort();
          expect(text(await projectionSnapshot(store)), context).toEqual(text(allProjectionRows(replay.state)));
        }
        expect(await store.loadState(alice), context).toEqual(replay.state); // snapshot (if any) + tail
        await kv.close();
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });
});
