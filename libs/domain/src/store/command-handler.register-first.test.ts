// Regression, found by the CLI reliability suite (test/reliability/cli-kill.rel.test.ts): `progress
// log` by a new default user appended the auto-registration and the entry in two commits, so a
// kill -9 between them left a registered user without the entry (the command half applied).
// Goal: `registerFirst` puts the registration and the command into one commit, applies it only to
// an empty stream, and a rejection of either appends nothing.
// Method: the in-memory KvStore, counting commits through its beforeCommit hook.
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../ports/clock.js';
import type { Instant } from '../time.js';
import { sequentialIds } from '../ports/ids.js';
import { record, register } from '../testing/commands.test-util.js';
import { MemoryKvStore } from '../testing/memory-kv-store.js';
import { user } from '../testing/fixtures.test-util.js';
import { CommandHandler } from './command-handler.js';
import { EventStore } from './event-store.js';

async function setup(): Promise<{ handler: CommandHandler; store: EventStore; commits: () => number }> {
  const kv = new MemoryKvStore();
  const store = await EventStore.open(kv);
  let commits = 0;
  kv.beforeCommit = () => {
    commits += 1;
  };
  const handler = new CommandHandler(store, { clock: fixedClock('2026-03-01T10:00:00.000Z' as Instant), ids: sequentialIds() });
  return { handler, store, commits: () => commits };
}

describe('CommandHandler registerFirst (auto-registration in the same commit)', () => {
  it('a new user: registration and entry in one commit; the result lists the entry only', async () => {
    const { handler, store, commits } = await setup();
    const result = await handler.execute(record('ann', 'running', 5), { registerFirst: register('ann') });
    expect(result.status).toBe('accepted');
    if (result.status !== 'accepted') return;
    expect(commits()).toBe(1);
    expect(result.events.map((item) => item.event.type)).toEqual(['ProgressRecorded']);
    expect(result.events[0]?.version).toBe(2);
    expect(result.registration?.map((item) => item.event.type)).toEqual(['UserRegistered']);
    const events = await store.readStream({ kind: 'user', id: user('ann') });
    expect(events.map((item) => item.event.type)).toEqual(['UserRegistered', 'ProgressRecorded']);
  });

  it('an existing user: registerFirst is ignored', async () => {
    const { handler, store } = await setup();
    await handler.execute(register('ann'));
    const result = await handler.execute(record('ann', 'running', 5), { registerFirst: register('ann') });
    expect(result.status === 'accepted' && result.registration).toBeUndefined();
    expect((await store.readStream({ kind: 'user', id: user('ann') })).map((item) => item.event.type)).toEqual(['UserRegistered', 'ProgressRecorded']);
  });

  it('a rejected command appends no registration either', async () => {
    const { handler, store, commits } = await setup();
    const result = await handler.execute(record('ann', 'running', -1), { registerFirst: register('ann') });
    expect(result.status).toBe('rejected');
    expect(commits()).toBe(0);
    expect(await store.streamExists({ kind: 'user', id: user('ann') })).toBe(false);
  });
});
