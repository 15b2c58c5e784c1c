// Goal: given/when/then for every command and every rejection code of the pure decider, with no
// storage. Method: previous commands are decided and folded (testing/fixtures), then the command
// under test is decided against that state; afterAll checks every decider rejection code was hit.
import { afterAll, describe, expect, it } from 'vitest';
import type { Command } from './commands.js';
import type { Decision } from './decide.js';
import { REJECTION_CODES } from './rejections.js';
import type { RejectionCode } from './rejections.js';
import {
  addMember, amend, changeZone, clearGoal, createTeam, record, redoTeam, redoUser, register, removeMember, rename, retract,
  setGoal, undoTeam, undoUser,
} from './testing/commands.test-util.js';
import { BugError } from './assert.js';
import { decide } from './decide.js';
import { sequentialIds } from './ports/ids.js';
import { at, bodies, givenWhen, metric, NOW } from './testing/fixtures.test-util.js';
import type { DecideContext } from './decide.js';
import type { Instant } from './time.js';

const seen = new Set<RejectionCode>();

function rejects(given: Command[], when: Command, code: RejectionCode, options: { context?: DecideContext; now?: Instant } = {}): void {
  const { decision } = givenWhen(given, when, options);
  expect(decision.ok ? 'accepted' : decision.rejection.code).toBe(code);
  if (!decision.ok) {
    expect(decision.rejection.message).not.toBe('');
    seen.add(decision.rejection.code);
  }
}

function accepts(given: Command[], when: Command, options: { context?: DecideContext; now?: Instant } = {}): Decision {
  const { decision } = givenWhen(given, when, options);
  if (!decision.ok) throw new Error(`rejected: ${decision.rejection.code}: ${decision.rejection.message}`);
  return decision;
}

afterAll(() => {
  const storeOnly: RejectionCode[] = ['IDEMPOTENCY_CONFLICT'];
  expect(REJECTION_CODES.filter((code) => !seen.has(code) && !storeOnly.includes(code))).toEqual([]);
});

describe('RegisterUser', () => {
  it('registers a new user and stamps the envelope', () => {
    const when = register('alice', { displayName: '  Alice  ' });
    const decision = accepts([], when);
    expect(bodies(decision)).toEqual([{ type: 'UserRegistered', data: { userId: 'alice', displayName: 'Alice' } }]);
    const [event] = decision.ok ? decision.events : [];
    expect(event).toMatchObject({
      schemaVersion: 1, commandId: when.commandId, actor: 'alice', recordedAt: NOW, occurredAt: NOW, timeZone: 'Europe/Berlin',
    });
    expect(event?.eventId).toMatch(/^[0-9a-f-]{36}$/);
  });
  it('rejects a second registration', () => rejects([register('alice')], register('alice'), 'USER_ALREADY_REGISTERED'));
  it('rejects an empty name', () => rejects([], register('alice', { displayName: '   ' }), 'TEXT_EMPTY'));
  it('rejects an over-long name', () => rejects([], register('alice', { displayName: 'x'.repeat(81) }), 'TEXT_TOO_LONG'));
  it('rejects control characters', () => rejects([], register('alice', { displayName: 'Al\u0007ice' }), 'TEXT_CONTROL_CHARACTERS'));
  it('rejects bidi override characters', () => rejects([], register('alice', { displayName: 'a\u202eb' }), 'TEXT_CONTROL_CHARACTERS'));
  it('rejects an unknown time zone', () => rejects([], register('alice', { timeZone: 'Europe/Atlantis' }), 'UNKNOWN_TIME_ZONE'));
});

describe('RenameUser and ChangeTimeZone', () => {
  it('renames', () => {
    expect(bodies(accepts([register('bob')], rename('bob', 'Robert')))).toEqual([
      { type: 'UserRenamed', data: { displayName: 'Robert' } },
    ]);
  });
  it('rejects renaming an unknown user', () => rejects([], rename('bob', 'Robert'), 'USER_NOT_REGISTERED'));
  it('rejects a rename to the same name', () => rejects([register('bob', { displayName: 'Bob' })], rename('bob', 'Bob'), 'NO_CHANGES'));
  it('changes the zone and stamps the new zone on the event', () => {
    const decision = accepts([register('bob')], changeZone('bob', 'Asia/Tokyo'));
    expect(bodies(decision)).toEqual([{ type: 'TimeZoneChanged', data: { timeZone: 'Asia/Tokyo' } }]);
    expect(decision.ok && decision.events[0]?.timeZone).toBe('Asia/Tokyo');
  });
  it('rejects an unknown zone', () => rejects([register('bob')], changeZone('bob', 'Nowhere/Land'), 'UNKNOWN_TIME_ZONE'));
  it('rejects the same zone', () => rejects([register('bob')], changeZone('bob', 'Europe/Berlin'), 'NO_CHANGES'));
});

describe('RecordProgress', () => {
  const alice = [register('alice')];
  it('records an entry with a per-user entry id, normalised tags and the user zone', () => {
    const decision = accepts(alice, record('alice', 'running', 5.25, { note: ' easy ', tags: ['Morning', 'morning', 'z'] }));
    expect(bodies(decision)).toEqual([
      {
        type: 'ProgressRecorded',
        data: { entryId: 'e1', metric: 'running', amount: 5.25, unit: 'km', note: 'easy', tags: ['morning', 'z'] },
      },
    ]);
    expect(decision.ok && decision.events[0]).toMatchObject({ occurredAt: NOW, timeZone: 'Europe/Berlin', schemaVersion: 2 });
  });
  it('numbers entries per user and keeps a backdated occurredAt', () => {
    const backdated = at('2026-03-01T06:00:00.000Z');
    const decision = accepts([...alice, record('alice', 'running', 1)], record('alice', 'running', 2, { occurredAt: backdated }));
    expect(decision.ok && decision.events[0]).toMatchObject({ occurredAt: backdated, recordedAt: NOW, data: { entryId: 'e2' } });
  });
  it('defaults the unit to the metric unit, or count for a new metric', () => {
    const { unit: _known, ...knownWithoutUnit } = record('alice', 'running', 2);
    const known = accepts([...alice, record('alice', 'running', 1)], knownWithoutUnit);
    expect(known.ok && known.events[0]?.data).toMatchObject({ unit: 'km' });
    const { unit: _fresh, ...freshWithoutUnit } = record('alice', 'pushups', 20);
    const decided = accepts(alice, freshWithoutUnit);
    expect(decided.ok && decided.events[0]?.data).toMatchObject({ unit: 'count', note: null, tags: [] });
  });
  it('rejects an unknown user', () => rejects([], record('alice', 'running', 1), 'USER_NOT_REGISTERED'));
  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])('rejects amount %s as not finite', (amount) =>
    rejects(alice, record('alice', 'running', amount), 'AMOUNT_NOT_FINITE'),
  );
  it.each([0, -1, 1_000_000.001, 2e9])('rejects amount %s as out of range', (amount) =>
    rejects(alice, record('alice', 'running', amount), 'AMOUNT_OUT_OF_RANGE'),
  );
  it('rejects more than three decimals', () => rejects(alice, record('alice', 'running', 1.0001), 'AMOUNT_TOO_PRECISE'));
  it('accepts the limits exactly', () => {
    accepts(alice, record('alice', 'running', 1_000_000));
    accepts(alice, record('alice', 'running', 0.001));
  });
  it('rejects a unit different from the metric unit', () =>
    rejects([...alice, record('alice', 'running', 1)], record('alice', 'running', 1, { unit: 'mi' }), 'UNIT_MISMATCH'));
  it('rejects an over-long note', () => rejects(alice, record('alice', 'running', 1, { note: 'n'.repeat(501) }), 'TEXT_TOO_LONG'));
  it('rejects a note with a newline', () =>
    rejects(alice, record('alice', 'running', 1, { note: 'line\nbreak' }), 'TEXT_CONTROL_CHARACTERS'));
  it('rejects an empty unit', () => rejects(alice, record('alice', 'running', 1, { unit: ' ' }), 'TEXT_EMPTY'));
  it('rejects a bad tag', () => rejects(alice, record('alice', 'running', 1, { tags: ['ok', 'not ok'] }), 'INVALID_TAG'));
  it('rejects eleven tags', () =>
    rejects(alice, record('alice', 'running', 1, { tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }), 'TOO_MANY_TAGS'));
  it('rejects an entry more than five minutes in the future', () => {
    rejects(alice, record('alice', 'running', 1, { occurredAt: at('2026-03-10T12:05:01.000Z') }), 'OCCURRED_IN_FUTURE');
    accepts(alice, record('alice', 'running', 1, { occurredAt: at('2026-03-10T12:05:00.000Z') }));
  });
  it('rejects an entry before 2000', () =>
    rejects(alice, record('alice', 'running', 1, { occurredAt: at('1999-12-31T23:59:59.999Z') }), 'OCCURRED_TOO_EARLY'));
});

describe('AmendEntry', () => {
  const withEntry = [register('alice'), record('alice', 'running', 5, { note: 'first' }), record('alice', 'reading', 30, { unit: 'pages' })];
  it('keeps only the fields that change', () => {
    const decision = accepts(withEntry, amend('alice', 'e1', { amount: 6, note: 'first', tags: ['x'] }));
    expect(bodies(decision)).toEqual([{ type: 'EntryAmended', data: { entryId: 'e1', changes: { amount: 6, tags: ['x'] } } }]);
  });
  it('moving an entry to a known metric adopts that metric unit', () => {
    const decision = accepts(withEntry, amend('alice', 'e1', { metric: metric('reading') }));
    expect(bodies(decision)).toEqual([
      { type: 'EntryAmended', data: { entryId: 'e1', changes: { metric: 'reading', unit: 'pages' } } },
    ]);
  });
  it('can remove a note with null', () => {
    expect(bodies(accepts(withEntry, amend('alice', 'e1', { note: null })))).toEqual([
      { type: 'EntryAmended', data: { entryId: 'e1', changes: { note: null } } },
    ]);
  });
  it('rejects an unknown entry', () => rejects(withEntry, amend('alice', 'e9', { amount: 1 }), 'ENTRY_NOT_FOUND'));
  it('rejects amending a retracted entry', () =>
    rejects([...withEntry, retract('alice', 'e1')], amend('alice', 'e1', { amount: 1 }), 'ENTRY_RETRACTED'));
  it('rejects an amendment that changes nothing', () => rejects(withEntry, amend('alice', 'e1', { amount: 5 }), 'NO_CHANGES'));
  it('rejects a unit that contradicts the metric', () => rejects(withEntry, amend('alice', 'e1', { unit: 'mi' }), 'UNIT_MISMATCH'));
  it('validates the new amount', () => rejects(withEntry, amend('alice', 'e1', { amount: Number.NaN }), 'AMOUNT_NOT_FINITE'));
  it('validates the new time', () =>
    rejects(withEntry, amend('alice', 'e1', { occurredAt: at('2030-01-01T00:00:00.000Z') }), 'OCCURRED_IN_FUTURE'));
  it('rejects for an unregistered user', () => rejects([], amend('alice', 'e1', { amount: 1 }), 'USER_NOT_REGISTERED'));
});

describe('RetractEntry', () => {
  const withEntry = [register('alice'), record('alice', 'running', 5)];
  it('retracts with a reason', () => {
    expect(bodies(accepts(withEntry, retract('alice', 'e1', 'typo')))).toEqual([
      { type: 'EntryRetracted', data: { entryId: 'e1', reason: 'typo' } },
    ]);
  });
  it('rejects an unknown entry', () => rejects(withEntry, retract('alice', 'e2'), 'ENTRY_NOT_FOUND'));
  it('rejects retracting twice', () => rejects([...withEntry, retract('alice', 'e1')], retract('alice', 'e1'), 'ENTRY_RETRACTED'));
  it('rejects a control character in the reason', () => rejects(withEntry, retract('alice', 'e1', 'a\tb'), 'TEXT_CONTROL_CHARACTERS'));
});

describe('SetGoal and ClearGoal', () => {
  const withMetric = [register('alice'), record('alice', 'running', 5)];
  it('sets a goal', () => {
    const decision = accepts(withMetric, setGoal('alice', 'running', 20, { period: 'month', startDate: '2026-03-01' as never }));
    expect(bodies(decision)).toEqual([
      { type: 'GoalSet', data: { metric: 'running', target: 20, period: 'month', startDate: '2026-03-01', endDate: null } },
    ]);
  });
  it('rejects a goal on a metric never recorded', () => rejects(withMetric, setGoal('alice', 'swimming', 1), 'UNKNOWN_METRIC'));
  it('rejects a start after the end', () =>
    rejects(withMetric, setGoal('alice', 'running', 1, { startDate: '2026-04-02' as never, endDate: '2026-04-01' as never }), 'GOAL_DATES_INVALID'));
  it('rejects a target out of range', () => rejects(withMetric, setGoal('alice', 'running', 0), 'AMOUNT_OUT_OF_RANGE'));
  it('rejects an identical goal', () =>
    rejects([...withMetric, setGoal('alice', 'running', 20)], setGoal('alice', 'running', 20), 'NO_CHANGES'));
  it('rejects for an unregistered user', () => rejects([], setGoal('alice', 'running', 20), 'USER_NOT_REGISTERED'));
  it('clears a goal', () => {
    expect(bodies(accepts([...withMetric, setGoal('alice', 'running', 20)], clearGoal('alice', 'running')))).toEqual([
      { type: 'GoalCleared', data: { metric: 'running' } },
    ]);
  });
  it('rejects clearing a goal that is not set', () => rejects(withMetric, clearGoal('alice', 'running'), 'GOAL_NOT_FOUND'));
});

describe('teams', () => {
  const known: DecideContext = { isRegisteredUser: (id) => id === 'alice' };
  it('creates a team in UTC by default, or in the given zone', () => {
    const decision = accepts([], createTeam('core', 'Core'));
    expect(bodies(decision)).toEqual([{ type: 'TeamCreated', data: { teamId: 'core', name: 'Core' } }]);
    expect(decision.ok && decision.events[0]?.timeZone).toBe('UTC');
    const zoned = accepts([], createTeam('core', 'Core', { timeZone: 'America/New_York' }));
    expect(zoned.ok && zoned.events[0]?.timeZone).toBe('America/New_York');
  });
  it('rejects a duplicate team', () => rejects([createTeam('core')], createTeam('core'), 'TEAM_ALREADY_EXISTS'));
  it('rejects an empty team name', () => rejects([], createTeam('core', ''), 'TEXT_EMPTY'));
  it('rejects an unknown team zone', () => rejects([], createTeam('core', 'C', { timeZone: 'Moon/Base' }), 'UNKNOWN_TIME_ZONE'));
  it('adds a registered member', () => {
    expect(bodies(accepts([createTeam('core')], addMember('core', 'alice'), { context: known }))).toEqual([
      { type: 'MemberAdded', data: { userId: 'alice' } },
    ]);
  });
  it('rejects adding to an unknown team', () => rejects([], addMember('core', 'alice'), 'TEAM_NOT_FOUND', { context: known }));
  it('rejects adding an unregistered user', () =>
    rejects([createTeam('core')], addMember('core', 'zed'), 'USER_NOT_REGISTERED', { context: known }));
  it('rejects adding without a user lookup', () => rejects([createTeam('core')], addMember('core', 'alice'), 'USER_NOT_REGISTERED', { context: {} }));
  it('rejects a member already in the team', () =>
    rejects([createTeam('core'), addMember('core', 'alice')], addMember('core', 'alice'), 'MEMBER_ALREADY_IN_TEAM', { context: known }));
  it('removes a member', () => {
    expect(bodies(accepts([createTeam('core'), addMember('core', 'alice')], removeMember('core', 'alice')))).toEqual([
      { type: 'MemberRemoved', data: { userId: 'alice' } },
    ]);
  });
  it('rejects removing a non-member', () => rejects([createTeam('core')], removeMember('core', 'alice'), 'MEMBER_NOT_IN_TEAM'));
  it('rejects removing from an unknown team', () => rejects([], removeMember('core', 'alice'), 'TEAM_NOT_FOUND'));
});

describe('Undo and Redo', () => {
  const base = [register('alice'), record('alice', 'running', 5)];
  it('undo of a record appends CommandUndone and a retraction', () => {
    const { decision, state } = givenWhen(base, undoUser('alice'));
    const recordCommand = state.history[1]?.commandId;
    expect(bodies(decision)).toEqual([
      { type: 'CommandUndone', data: { undoneCommandId: recordCommand } },
      { type: 'EntryRetracted', data: { entryId: 'e1', reason: null } },
    ]);
  });
  it('undo of an amendment restores the previous values', () => {
    expect(bodies(givenWhen([...base, amend('alice', 'e1', { amount: 7, note: 'x' })], undoUser('alice')).decision).slice(1)).toEqual([
      { type: 'EntryAmended', data: { entryId: 'e1', changes: { amount: 5, note: null } } },
    ]);
  });
  it('undo of a goal change restores the previous goal; of a first goal clears it', () => {
    const first = givenWhen([...base, setGoal('alice', 'running', 10)], undoUser('alice')).decision;
    expect(bodies(first).slice(1)).toEqual([{ type: 'GoalCleared', data: { metric: 'running' } }]);
    const second = givenWhen([...base, setGoal('alice', 'running', 10), setGoal('alice', 'running', 30, { period: 'day' })], undoUser('alice'));
    expect(bodies(second.decision).slice(1)).toEqual([
      { type: 'GoalSet', data: { metric: 'running', target: 10, period: 'week', startDate: null, endDate: null } },
    ]);
  });
  it('undo skips undone commands and earlier undos, walking back', () => {
    const { decision, state } = givenWhen([...base, record('alice', 'running', 6), undoUser('alice')], undoUser('alice'));
    expect(bodies(decision)).toEqual([
      { type: 'CommandUndone', data: { undoneCommandId: state.history[1]?.commandId } },
      { type: 'EntryRetracted', data: { entryId: 'e1', reason: null } },
    ]);
  });
  it('redo undoes the newest undo, re-applying its target', () => {
    const { decision, state } = givenWhen([...base, undoUser('alice')], redoUser('alice'));
    expect(bodies(decision)).toEqual([
      { type: 'CommandUndone', data: { undoneCommandId: state.history[2]?.commandId } },
      { type: 'EntryRestored', data: { entryId: 'e1' } },
    ]);
  });
  it('undo of a rename and a zone change restores the previous values', () => {
    const renamed = givenWhen([register('alice', { displayName: 'A' }), rename('alice', 'B')], undoUser('alice'));
    expect(bodies(renamed.decision).slice(1)).toEqual([{ type: 'UserRenamed', data: { displayName: 'A' } }]);
    const moved = givenWhen([register('alice'), changeZone('alice', 'Asia/Tokyo')], undoUser('alice'));
    expect(bodies(moved.decision).slice(1)).toEqual([{ type: 'TimeZoneChanged', data: { timeZone: 'Europe/Berlin' } }]);
  });
  it('team membership is undoable on the team stream', () => {
    expect(bodies(givenWhen([createTeam('core'), addMember('core', 'alice')], undoTeam('core')).decision).slice(1)).toEqual([
      { type: 'MemberRemoved', data: { userId: 'alice' } },
    ]);
    rejects([createTeam('core')], undoTeam('core'), 'NOTHING_TO_UNDO');
    rejects([createTeam('core'), addMember('core', 'alice')], redoTeam('core'), 'NOTHING_TO_REDO');
  });
  it('rejects undo when only the registration is left', () => rejects([register('alice')], undoUser('alice'), 'NOTHING_TO_UNDO'));
  it('rejects undo on an unknown stream', () => rejects([], undoUser('alice'), 'NOTHING_TO_UNDO'));
  it('rejects redo when nothing was undone', () => rejects(base, redoUser('alice'), 'NOTHING_TO_REDO'));
  it('rejects a redo that no longer applies', () =>
    rejects(
      [...base, retract('alice', 'e1'), undoUser('alice'), retract('alice', 'e1', 'again')],
      redoUser('alice'),
      'UNDO_NOT_APPLICABLE',
    ));
});

describe('decide refuses to mix streams', () => {
  it('throws a BugError when the state belongs to another stream', () => {
    const { state } = givenWhen([register('alice')], rename('alice', 'x'));
    expect(() => decide(state, register('bob'), NOW, sequentialIds())).toThrow(BugError);
  });
});
