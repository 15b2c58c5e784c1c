/**
 * evolve(state, event) -> state: the pure fold of a stream. Never mutates its input: each call
 * copies the maps it changes once (`evolveAll` copies once per batch, so replaying n events costs
 * O(n + state), not O(n * state)). Events are facts: evolve never rejects, it applies; an event
 * that names something unknown (an entry never recorded) is a bug or corruption and asserts.
 *
 * A user state also keeps its daily totals (`days`) up to date, entry by entry, so projection
 * rows never need a pass over every entry. `Folder` applies events one by one onto one private
 * draft (O(1) per event amortised): for long imports, where evolveAll per event would copy the
 * state each time.
 */
import { assert, assertNever, BugError } from './assert.js';
import type { DomainEvent, EventBody } from './events.js';
import type { CommandId, EntryId, MetricName, UserId } from './ids.js';
import { inverseOf } from './inverse.js';
import { OverlayMap } from './overlay-map.js';
import { dayKey, entryDate } from './projections/daily-totals.js';
import { toMilli } from './projections/projection.js';
import { UNDO_HISTORY_LIMIT } from './state.js';
import type { CommandRecord, DailyTotal, DayKey, EntryState, GoalState, StreamState, TeamState, UserState } from './state.js';
import type { LocalDate } from './time.js';
import type { Instant, TimeZone } from './time.js';

type Draft<T> = { -readonly [K in keyof T]: T[K] };
interface UserDraft extends Draft<Omit<UserState, 'entries' | 'metrics' | 'goals' | 'history' | 'days'>> {
  /** persistent: a fork costs O(recent changes), not O(entries) */
  entries: OverlayMap<EntryId, EntryState>;
  metrics: Map<MetricName, { readonly unit: string }>;
  goals: Map<MetricName, GoalState>;
  history: CommandRecord[];
  days: Map<DayKey, DailyTotal>;
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

/** The day rows one event may change: the old and the new (metric, date) of the entry it names. */
export interface TouchedDay {
  readonly metric: MetricName;
  readonly date: LocalDate;
}

/**
 * Applies events one at a time onto a private copy of `state`, made once. `state` is the result
 * so far and the same object keeps changing with every later `apply`: read it, never keep it
 * (take `evolveAll(folder.state, [])`-free copies with `Folder.copy`). `takeTouched` returns and
 * forgets the day rows the events applied since the last call may have changed.
 */
export class Folder<S extends StreamState> {
  private readonly draft: StreamDraft;
  private touched = new Map<DayKey, TouchedDay>();

  constructor(state: S) {
    this.draft = toDraft(state);
  }

  get state(): S {
    return this.draft as unknown as S;
  }

  /** An immutable copy of the state so far, O(state). */
  copy(): S {
    return toDraft(this.draft as StreamState) as unknown as S;
  }

  /** Applies one event. If it throws (a broken invariant), the folder's state is unspecified. */
  apply(event: DomainEvent): void {
    if (this.draft.kind === 'user' && 'entryId' in event.data) {
      const before = this.draft.entries.get(event.data.entryId);
      if (before !== undefined) this.touch(before);
      applyOne(this.draft, event);
      const after = this.draft.entries.get(event.data.entryId);
      if (after !== undefined) this.touch(after);
      return;
    }
    applyOne(this.draft, event);
  }

  takeTouched(): Map<DayKey, TouchedDay> {
    const touched = this.touched;
    this.touched = new Map();
    return touched;
  }

  private touch(entry: EntryState): void {
    const date = entryDate(entry);
    this.touched.set(dayKey(entry.metric, date), { metric: entry.metric, date });
  }
}

function toDraft(state: StreamState): StreamDraft {
  if (state.kind === 'user') {
    return {
      ...state,
      entries: OverlayMap.from(state.entries),
      metrics: new Map(state.metrics),
      goals: new Map(state.goals),
      history: [...state.history],
      days: new Map(state.days),
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
      const entry: EntryState = {
        entryId, metric, amount, unit, note, tags, occurredAt: event.occurredAt, timeZone: event.timeZone,
        recordedAt: event.recordedAt, retracted: false,
      };
      draft.entries.set(entryId, entry);
      countDay(draft, entry, 1);
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
    if (!entry.retracted) countDay(draft, entry, -1);
    draft.entries.set(entry.entryId, { ...entry, retracted: true });
    return;
  }
  if (event.type === 'EntryRestored') {
    if (entry.retracted) countDay(draft, entry, 1);
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
  if (!entry.retracted) {
    countDay(draft, entry, -1);
    countDay(draft, next, 1);
  }
  if (!draft.metrics.has(next.metric)) draft.metrics.set(next.metric, { unit: next.unit });
}

/** Adds (sign 1) or removes (sign -1) one counted entry from its day's total; no zero rows. */
function countDay(draft: UserDraft, entry: EntryState, sign: 1 | -1): void {
  const date = entryDate(entry);
  const key = dayKey(entry.metric, date);
  const previous = draft.days.get(key);
  const count = (previous?.count ?? 0) + sign;
  const totalMilli = (previous?.totalMilli ?? 0) + sign * toMilli(entry.amount);
  assert(count >= 0, `daily total of ${key} below zero`);
  if (count === 0) draft.days.delete(key);
  else draft.days.set(key, { metric: entry.metric, date, count, totalMilli });
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
