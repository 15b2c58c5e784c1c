/**
 * evolve(state, event) -> state: the pure fold of a stream. Never mutates its input: each call
 * copies the maps it changes once (`evolveAll` copies once per batch, so replaying n events costs
 * O(n + state), not O(n * state)). Events are facts: evolve never rejects, it applies; an event
 * that names something unknown (an entry never recorded) is a bug or corruption and asserts.
 */
import { assert, assertNever, BugError } from './assert.js';
import type { DomainEvent, EventBody } from './events.js';
import type { CommandId, EntryId, MetricName, UserId } from './ids.js';
import { inverseOf } from './inverse.js';
import { UNDO_HISTORY_LIMIT } from './state.js';
import type { CommandRecord, EntryState, GoalState, StreamState, TeamState, UserState } from './state.js';
import type { Instant, TimeZone } from './time.js';

type Draft<T> = { -readonly [K in keyof T]: T[K] };
interface UserDraft extends Draft<Omit<UserState, 'entries' | 'metrics' | 'goals' | 'history'>> {
  entries: Map<EntryId, EntryState>;
  metrics: Map<MetricName, { readonly unit: string }>;
  goals: Map<MetricName, GoalState>;
  history: CommandRecord[];
}
interface TeamDraft extends Draft<Omit<TeamState, 'members' | 'history'>> {
  members: Map<UserId, Instant>;
  history: CommandRecord[];
}
type StreamDraft = UserDraft | TeamDraft;

export function evolve<S extends StreamState>(state: S, event: DomainEvent): S {
  return evolveAll(state, [event]);
}

export function evolveAll<S extends StreamState>(state: S, events: readonly DomainEvent[]): S {
  if (events.length === 0) return state;
  const draft = toDraft(state);
  for (const event of events) applyOne(draft, event);
  return draft as unknown as S;
}

function toDraft(state: StreamState): StreamDraft {
  if (state.kind === 'user') {
    return {
      ...state,
      entries: new Map(state.entries),
      metrics: new Map(state.metrics),
      goals: new Map(state.goals),
      history: [...state.history],
    };
  }
  return { ...state, members: new Map(state.members), history: [...state.history] };
}

function applyOne(draft: StreamDraft, event: DomainEvent): void {
  const inverse = inverseOf(draft as StreamState, event as EventBody);
  recordHistory(draft, event, inverse);
  if (draft.kind === 'user') applyUserEvent(draft, event);
  else applyTeamEvent(draft, event);
  draft.version += 1;
}

function recordHistory(draft: StreamDraft, event: DomainEvent, inverse: EventBody[] | null): void {
  const last = draft.history[draft.history.length - 1];
  const undoes: CommandId | null = event.type === 'CommandUndone' ? event.data.undoneCommandId : null;
  if (last !== undefined && last.commandId === event.commandId) {
    draft.history[draft.history.length - 1] = {
      ...last,
      inverse: [...(inverse ?? []), ...last.inverse],
      undoable: last.undoable && inverse !== null,
      undoes: last.undoes ?? undoes,
    };
  } else {
    draft.history.push({ commandId: event.commandId, inverse: inverse ?? [], undoable: inverse !== null, undoes, undone: false });
    if (draft.history.length > UNDO_HISTORY_LIMIT) draft.history.splice(0, draft.history.length - UNDO_HISTORY_LIMIT);
  }
  if (undoes !== null) markUndone(draft.history, undoes);
}

/** The target becomes undone; if the target was itself an undo, its own target is active again. */
function markUndone(history: CommandRecord[], target: CommandId): void {
  const index = history.findIndex((record) => record.commandId === target);
  if (index < 0) return; // older than the kept history: nothing left to track
  const record = history[index] as CommandRecord;
  history[index] = { ...record, undone: true };
  if (record.undoes === null) return;
  const redoneIndex = history.findIndex((candidate) => candidate.commandId === record.undoes);
  const redone = history[redoneIndex];
  if (redone !== undefined) history[redoneIndex] = { ...redone, undone: false };
}

function applyUserEvent(draft: UserDraft, event: DomainEvent): void {
  switch (event.type) {
    case 'UserRegistered':
      draft.registered = true;
      draft.displayName = event.data.displayName;
      draft.timeZone = event.timeZone;
      return;
    case 'UserRenamed':
      draft.displayName = event.data.displayName;
      return;
    case 'TimeZoneChanged':
      draft.timeZone = event.data.timeZone;
      return;
    case 'ProgressRecorded': {
      const { entryId, metric, amount, unit, note, tags } = event.data;
      assert(!draft.entries.has(entryId), `entry ${entryId} recorded twice`);
      draft.entries.set(entryId, {
        entryId, metric, amount, unit, note, tags, occurredAt: event.occurredAt, timeZone: event.timeZone,
        recordedAt: event.recordedAt, retracted: false,
      });
      if (!draft.metrics.has(metric)) draft.metrics.set(metric, { unit });
      draft.entryCount += 1;
      return;
    }
    case 'EntryAmended':
    case 'EntryRetracted':
    case 'EntryRestored':
      applyEntryChange(draft, event);
      return;
    case 'GoalSet':
      draft.goals.set(event.data.metric, { ...event.data });
      return;
    case 'GoalCleared':
      draft.goals.delete(event.data.metric);
      return;
    case 'CommandUndone':
      return;
    case 'TeamCreated':
    case 'MemberAdded':
    case 'MemberRemoved':
      throw new BugError(`team event ${event.type} in user stream ${draft.userId}`);
    default:
      assertNever(event, 'event');
  }
}

function applyEntryChange(
  draft: UserDraft,
  event: Extract<DomainEvent, { type: 'EntryAmended' | 'EntryRetracted' | 'EntryRestored' }>,
): void {
  const entry = draft.entries.get(event.data.entryId);
  assert(entry !== undefined, `${event.type} names unknown entry ${event.data.entryId}`);
  if (event.type === 'EntryRetracted') {
    draft.entries.set(entry.entryId, { ...entry, retracted: true });
    return;
  }
  if (event.type === 'EntryRestored') {
    draft.entries.set(entry.entryId, { ...entry, retracted: false });
    return;
  }
  const { changes } = event.data;
  const next: EntryState = {
    ...entry,
    ...(changes.metric !== undefined ? { metric: changes.metric } : {}),
    ...(changes.amount !== undefined ? { amount: changes.amount } : {}),
    ...(changes.unit !== undefined ? { unit: changes.unit } : {}),
    ...(changes.note !== undefined ? { note: changes.note } : {}),
    ...(changes.tags !== undefined ? { tags: changes.tags } : {}),
    ...(changes.occurredAt !== undefined ? { occurredAt: changes.occurredAt } : {}),
  };
  draft.entries.set(entry.entryId, next);
  if (!draft.metrics.has(next.metric)) draft.metrics.set(next.metric, { unit: next.unit });
}

function applyTeamEvent(draft: TeamDraft, event: DomainEvent): void {
  switch (event.type) {
    case 'TeamCreated':
      draft.exists = true;
      draft.name = event.data.name;
      draft.timeZone = event.timeZone as TimeZone;
      return;
    case 'MemberAdded':
      draft.members.set(event.data.userId, event.recordedAt);
      return;
    case 'MemberRemoved':
      draft.members.delete(event.data.userId);
      return;
    case 'CommandUndone':
      return;
    default:
      throw new BugError(`event ${event.type} does not belong in team stream ${draft.teamId}`);
  }
}
