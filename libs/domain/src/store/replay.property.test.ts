// Goal: for random command sequences over several users and a team, executed through the command
// handler on MemoryKvStore, (1) every stored projection row equals the rows of a from-scratch
// replay of the log, (2) the stored events equal those of a pure decide/evolve run with the same
// clock and ids, (3) rebuildAll() reproduces the projections byte for byte, and (4) the state a
// cold EventStore loads (snapshot + tail; snapshots every 3 events here) equals the full replay,
// whose incrementally kept daily totals equal a fold over its entries.
// Method: fast-check, seeded. The seed is printed; rerun with SEED=<n> to reproduce.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Command } from '../commands.js';
import { commandStream } from '../commands.js';
import { decide } from '../decide.js';
import { evolveAll } from '../evolve.js';
import { utf8Decode } from '../json.js';
import { steppingClock } from '../ports/clock.js';
import { sequentialIds } from '../ports/ids.js';
import type { StreamState } from '../state.js';
import { streamName } from '../streams.js';
import {
  addMember, amend, changeZone, clearGoal, createTeam, record, redoTeam, redoUser, register, removeMember, rename, retract,
  setGoal, undoTeam, undoUser,
} from '../testing/commands.test-util.js';
import { at } from '../testing/fixtures.test-util.js';
import { harness } from '../testing/store-harness.test-util.js';
import { encodeEventRecord } from './stored-event.js';
import { EventStore, initialStateOf } from './event-store.js';
import { dailyTotalsFromEntries } from '../projections/daily-totals.js';
import { allProjectionRows } from './projection-rows.js';
import { projectionSnapshot, rebuildAll } from './rebuild.js';

const SEED = process.env['SEED'] === undefined ? Date.now() % 2_147_483_647 : Number(process.env['SEED']);
const RUNS = Number(process.env['PROPERTY_RUNS'] ?? 40);

const users = ['u1', 'u2', 'u3'];
const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Pacific/Auckland'];
const metrics = ['run', 'read'];
const START = '2026-03-25T12:00:00.000Z';

const userId = fc.constantFrom(...users);
const entry = fc.integer({ min: 1, max: 8 }).map((n) => `e${n}`);
const amount = fc.oneof(fc.integer({ min: 1, max: 50 }), fc.constantFrom(0.5, 1.25, 0, -1, Number.NaN));
// Backdated up to 20 days, in whole minutes, crossing the 29 March DST change in Europe.
const occurredAt = fc.integer({ min: 0, max: 20 * 24 * 60 }).map((minutes) => at(new Date(Date.parse(START) - minutes * 60_000).toISOString()));

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.tuple(userId, fc.constantFrom(...zones)).map(([id, zone]) => register(id, { timeZone: zone })), weight: 2 },
  { arbitrary: fc.tuple(userId, fc.constantFrom(...metrics), amount, occurredAt).map(([id, m, a, t]) => record(id, m, a, { occurredAt: t, unit: m === 'run' ? 'km' : 'pages' })), weight: 8 },
  { arbitrary: fc.tuple(userId, entry, amount, fc.option(occurredAt, { nil: undefined })).map(([id, e, a, t]) => amend(id, e, t === undefined ? { amount: a } : { amount: a, occurredAt: t })), weight: 3 },
  { arbitrary: fc.tuple(userId, entry).map(([id, e]) => retract(id, e)), weight: 2 },
  { arbitrary: fc.tuple(userId, fc.constantFrom(...metrics), fc.integer({ min: 1, max: 100 }), fc.constantFrom('day' as const, 'week' as const, 'month' as const)).map(([id, m, t, p]) => setGoal(id, m, t, { period: p })), weight: 2 },
  { arbitrary: fc.tuple(userId, fc.constantFrom(...metrics)).map(([id, m]) => clearGoal(id, m)), weight: 1 },
  { arbitrary: userId.map((id) => undoUser(id)), weight: 3 },
  { arbitrary: userId.map((id) => redoUser(id)), weight: 2 },
  { arbitrary: fc.tuple(userId, fc.constantFrom('A', 'B')).map(([id, name]) => rename(id, name)), weight: 1 },
  { arbitrary: fc.tuple(userId, fc.constantFrom(...zones)).map(([id, zone]) => changeZone(id, zone)), weight: 1 },
  { arbitrary: fc.constant(null).map(() => createTeam('t1')), weight: 1 },
  { arbitrary: userId.map((id) => addMember('t1', id)), weight: 2 },
  { arbitrary: userId.map((id) => removeMember('t1', id)), weight: 1 },
  { arbitrary: fc.constant(null).map(() => undoTeam('t1')), weight: 1 },
  { arbitrary: fc.constant(null).map(() => redoTeam('t1')), weight: 1 },
);

/** Registrations first (most commands need a user), then a long random tail. */
const sequenceArb: fc.Arbitrary<Command[]> = fc
  .tuple(
    fc.array(fc.constantFrom(...zones), { minLength: users.length, maxLength: users.length }),
    fc.array(commandArb, { minLength: 10, maxLength: 80, size: 'max' }),
  )
  .map(([userZones, tail]) => [...users.map((id, index) => register(id, { timeZone: userZones[index] ?? 'UTC' })), createTeam('t1'), ...tail]);

/** The same commands through pure decide/evolve (no store), with the same clock and ids. */
function pureRun(commands: readonly Command[]): Map<string, Uint8Array[]> {
  const clock = steppingClock(at(START), 1000);
  const ids = sequentialIds(9);
  const states = new Map<string, StreamState>();
  const records = new Map<string, Uint8Array[]>();
  for (const command of commands) {
    const stream = commandStream(command);
    const name = streamName(stream);
    const state = states.get(name) ?? initialStateOf(stream);
    const registered = (id: string): boolean => (states.get(`user:${id}`)?.version ?? 0) > 0;
    const decision = decide(state, command, clock.now(), ids, { isRegisteredUser: registered });
    if (!decision.ok) continue;
    states.set(name, evolveAll(state, decision.events));
    records.set(name, [...(records.get(name) ?? []), ...decision.events.map((event, index) => encodeEventRecord(event, index))]);
  }
  return records;
}

describe('property: projections equal a replay; rebuild is byte-identical', () => {
  it(`random command sequences (seed ${SEED}, ${RUNS} runs)`, async () => {
    console.log(`replay property: SEED=${SEED}`);
    await fc.assert(
      fc.asyncProperty(sequenceArb, async (commands) => {
        const h = await harness({ start: START, store: { snapshotInterval: 3 } });
        const cold = await EventStore.open(h.kv, { cachedStreams: 0 });
        for (const command of commands) await h.run(command);
        const expectedRecords = pureRun(commands);
        const stored = await projectionSnapshot(h.store);
        const replayed = new Map<string, Uint8Array>();
        const streams = [...(await h.store.listStreams('user')), ...(await h.store.listStreams('team'))];
        for (const stream of streams) {
          const events = await h.store.readStream(stream);
          const bytes = events.map((item) => encodeEventRecord(item.event, item.position.ord));
          expect(bytes.map(utf8Decode)).toEqual((expectedRecords.get(streamName(stream)) ?? []).map(utf8Decode));
          const state = evolveAll(initialStateOf(stream), events.map((item) => item.event));
          for (const [key, value] of allProjectionRows(state)) replayed.set(key, value);
          expect(await cold.loadState(stream)).toEqual(state);
          if (state.kind === 'user') expect([...state.days].sort()).toEqual([...dailyTotalsFromEntries(state)].sort());
        }
        expect(streams.length).toBe(expectedRecords.size);
        const text = (rows: Map<string, Uint8Array>): string[] => [...rows].map(([key, value]) => `${key} ${utf8Decode(value)}`).sort();
        expect(text(stored)).toEqual(text(replayed));
        await rebuildAll(h.store);
        expect(text(await projectionSnapshot(h.store))).toEqual(text(stored));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
