/**
 * Aggregate state, folded from one stream's events by `evolve` (evolve.ts) and read by `decide`.
 *
 * Invariants:
 * - `version` equals the number of events applied (stream versions start at 1);
 * - an entry's `metric` is always in `metrics`, whose unit is fixed by the first record;
 * - `history` holds the newest `UNDO_HISTORY_LIMIT` commands, oldest first, each with the
 *   compensating event bodies that would undo it (computed when it was applied);
 * - `days` holds, per metric and local date, the count and milli-sum of the counted (not
 *   retracted) entries: exactly what folding `entries` would give (projections/daily-totals.ts
 *   `dailyTotalsFromEntries`), kept by `evolve` so that an append costs O(touched days), not
 *   O(entries). No zero rows.
 */
import { OverlayMap } from './overlay-map.js';
import type { EventBody, GoalPeriod } from './events.js';
import type { CommandId, EntryId, MetricName, TeamId, UserId } from './ids.js';
import type { Instant, LocalDate, TimeZone } from './time.js';

export const UNDO_HISTORY_LIMIT = 100;

export interface EntryState {
  readonly entryId: EntryId;
  readonly metric: MetricName;
  readonly amount: number;
  readonly unit: string;
  readonly note: string | null;
  readonly tags: readonly string[];
  readonly occurredAt: Instant;
  /** Zone the entry was recorded in: its day is the local date there. */
  readonly timeZone: TimeZone;
  readonly recordedAt: Instant;
  readonly retracted: boolean;
}

/** `metric` + NUL + `date`: a map key that sorts by metric, then date. */
export type DayKey = string;

export interface DailyTotal {
  readonly metric: MetricName;
  readonly date: LocalDate;
  readonly count: number;
  readonly totalMilli: number;
}

export interface GoalState {
  readonly metric: MetricName;
  readonly target: number;
  readonly period: GoalPeriod;
  readonly startDate: LocalDate | null;
  readonly endDate: LocalDate | null;
}

export interface CommandRecord {
  readonly commandId: CommandId;
  /** Event bodies that compensate this command, in the order they must be applied. */
  readonly inverse: readonly EventBody[];
  /** False when some event has no compensation (registration, team creation). */
  readonly undoable: boolean;
  /** Set when this command is an undo (or redo): the command it compensated. */
  readonly undoes: CommandId | null;
  readonly undone: boolean;
}

export interface UserState {
  readonly kind: 'user';
  readonly userId: UserId;
  readonly registered: boolean;
  readonly displayName: string;
  readonly timeZone: TimeZone;
  readonly version: number;
  readonly entryCount: number;
  readonly entries: ReadonlyMap<EntryId, EntryState>;
  readonly metrics: ReadonlyMap<MetricName, { readonly unit: string }>;
  readonly goals: ReadonlyMap<MetricName, GoalState>;
  readonly history: readonly CommandRecord[];
  /** Daily totals of counted entries (insertion order, not sorted). */
  readonly days: ReadonlyMap<DayKey, DailyTotal>;
}

export interface TeamState {
  readonly kind: 'team';
  readonly teamId: TeamId;
  readonly exists: boolean;
  readonly name: string;
  readonly timeZone: TimeZone;
  readonly version: number;
  /** Member -> instant (recordedAt) they were added. */
  readonly members: ReadonlyMap<UserId, Instant>;
  readonly history: readonly CommandRecord[];
}

export type StreamState = UserState | TeamState;

export function initialUserState(userId: UserId): UserState {
  return {
    kind: 'user',
    userId,
    registered: false,
    displayName: '',
    timeZone: 'UTC' as TimeZone,
    version: 0,
    entryCount: 0,
    entries: OverlayMap.from(new Map<EntryId, EntryState>()),
    metrics: new Map(),
    goals: new Map(),
    history: [],
    days: new Map(),
  };
}

export function initialTeamState(teamId: TeamId): TeamState {
  return {
    kind: 'team',
    teamId,
    exists: false,
    name: '',
    timeZone: 'UTC' as TimeZone,
    version: 0,
    members: new Map(),
    history: [],
  };
}

/** Entries that count: not retracted. */
export function activeEntries(state: UserState): EntryState[] {
  return [...state.entries.values()].filter((entry) => !entry.retracted);
}
