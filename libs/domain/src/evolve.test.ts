// Goal: evolve is a pure fold (inputs untouched), and undo/redo driven through decide+evolve gives
// the states a user expects while the log keeps every command (audit trail).
import { describe, expect, it } from 'vitest';
import type { Command } from './commands.js';
import { commandStream } from './commands.js';
import { decide } from './decide.js';
import type { DomainEvent } from './events.js';
import { evolve, evolveAll } from './evolve.js';
import { sequentialIds } from './ports/ids.js';
import { activeEntries, initialUserState } from './state.js';
import type { UserState } from './state.js';
import { amend, record, redoUser, register, retract, undoUser } from './testing/commands.test-util.js';
import { NOW, user } from './testing/fixtures.test-util.js';

function run(commands: Command[]): { state: UserState; log: DomainEvent[] } {
  const ids = sequentialIds(3);
  let state = initialUserState(user('alice'));
  const log: DomainEvent[] = [];
  for (const command of commands) {
    expect(commandStream(command)).toEqual({ kind: 'user', id: 'alice' });
    const decision = decide(state, command, NOW, ids);
    if (!decision.ok) throw new Error(decision.rejection.code);
    state = evolveAll(state, decision.events);
    log.push(...decision.events);
  }
  return { state, log };
}

const amounts = (state: UserState): number[] => activeEntries(state).map((entry) => entry.amount);

describe('evolve', () => {
  it('does not mutate the state it is given', () => {
    const { state, log } = run([register('alice'), record('alice', 'running', 5)]);
    const snapshot = JSON.stringify([...state.entries]);
    const extra = run([register('alice'), record('alice', 'running', 5), retract('alice', 'e1')]).log.at(-1);
    if (extra === undefined) throw new Error('no event');
    const next = evolve(state, extra);
    expect(JSON.stringify([...state.entries])).toBe(snapshot);
    expect(next.entries.get('e1' as never)?.retracted).toBe(true);
    expect(state.version).toBe(log.length);
    expect(next.version).toBe(log.length + 1);
  });

  it('undo, undo again, redo, redo: effects toggle and the log keeps every command', () => {
    const { state, log } = run([
      register('alice'),
      record('alice', 'running', 5),
      amend('alice', 'e1', { amount: 8 }),
      undoUser('alice'), // amount back to 5
      undoUser('alice'), // entry retracted
    ]);
    expect(amounts(state)).toEqual([]);
    const redone = run([
      register('alice'), record('alice', 'running', 5), amend('alice', 'e1', { amount: 8 }),
      undoUser('alice'), undoUser('alice'), redoUser('alice'),
    ]);
    expect(amounts(redone.state)).toEqual([5]);
    const twice = run([
      register('alice'), record('alice', 'running', 5), amend('alice', 'e1', { amount: 8 }),
      undoUser('alice'), undoUser('alice'), redoUser('alice'), redoUser('alice'),
    ]);
    expect(amounts(twice.state)).toEqual([8]);
    expect(new Set(twice.log.map((event) => event.commandId)).size).toBe(7);
    expect(log.filter((event) => event.type === 'CommandUndone')).toHaveLength(2);
  });

  it('undo after redo undoes the redone command again', () => {
    const { state } = run([
      register('alice'), record('alice', 'running', 5), undoUser('alice'), redoUser('alice'), undoUser('alice'),
    ]);
    expect(amounts(state)).toEqual([]);
    expect(state.history.filter((entry) => !entry.undone).map((entry) => entry.undoes === null)).toContain(true);
  });

  it('a redo command is itself undoable (undo of an undo of an undo)', () => {
    const { state } = run([register('alice'), record('alice', 'running', 5), undoUser('alice'), redoUser('alice')]);
    expect(amounts(state)).toEqual([5]);
    const again = run([register('alice'), record('alice', 'running', 5), undoUser('alice'), redoUser('alice'), undoUser('alice'), redoUser('alice')]);
    expect(amounts(again.state)).toEqual([5]);
  });
});
