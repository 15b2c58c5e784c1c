/**
 * daily-totals: per user, metric and local date, the count and sum of counted (not retracted)
 * entries. The date is the entry's local date in the zone it was recorded in. Reports read these
 * rows, so a report costs O(days), not O(events).
 *
 * Pure: `dailyTotalsOf(state)` derives every row from a folded user state; `touchedDays` names the
 * rows a batch of events can change (both the old and the new day/metric of an amended entry), so
 * an append rewrites only those.
 */
import { canonicalJson, encodeJson } from '../json.js';
import type { DomainEvent } from '../events.js';
import type { EntryId, MetricName } from '../ids.js';
import { localDateOf } from '../reports/calendar.js';
import type { DailyTotal, DayKey, EntryState, UserState } from '../state.js';
import type { LocalDate } from '../time.js';
import { DAILY_TOTALS, toMilli } from './projection.js';

export type { DailyTotal, DayKey } from '../state.js';

export const dayKey = (metric: MetricName, date: LocalDate): DayKey => `${metric}\u0000${date}`;

export function entryDate(entry: EntryState): LocalDate {
  return localDateOf(entry.occurredAt, entry.timeZone);
}

const byKey = ([a]: [DayKey, DailyTotal], [b]: [DayKey, DailyTotal]): number => (a < b ? -1 : a > b ? 1 : 0);

/** The user's daily totals, sorted by metric then date: O(days log days), read from `state.days`. */
export function dailyTotalsOf(state: UserState): Map<DayKey, DailyTotal> {
  return new Map([...state.days].sort(byKey));
}

/**
 * The same totals folded from the entries themselves, O(entries): the reference `state.days`
 * (maintained incrementally by evolve) is checked against in tests.
 */
export function dailyTotalsFromEntries(state: UserState): Map<DayKey, DailyTotal> {
  const totals = new Map<DayKey, DailyTotal>();
  for (const entry of state.entries.values()) {
    if (entry.retracted) continue;
    const date = entryDate(entry);
    const key = dayKey(entry.metric, date);
    const previous = totals.get(key);
    totals.set(key, {
      metric: entry.metric,
      date,
      count: (previous?.count ?? 0) + 1,
      totalMilli: (previous?.totalMilli ?? 0) + toMilli(entry.amount),
    });
  }
  return new Map([...totals].sort(byKey));
}

function touchedEntries(events: readonly DomainEvent[]): Set<EntryId> {
  const ids = new Set<EntryId>();
  for (const event of events) {
    if ('entryId' in event.data) ids.add(event.data.entryId);
  }
  return ids;
}

/** Day rows that `events` (applied to `before`, giving `after`) may have changed, by DayKey. */
export function touchedDays(
  before: UserState,
  after: UserState,
  events: readonly DomainEvent[],
): Map<DayKey, { readonly metric: MetricName; readonly date: LocalDate }> {
  const days = new Map<DayKey, { readonly metric: MetricName; readonly date: LocalDate }>();
  for (const entryId of touchedEntries(events)) {
    for (const entry of [before.entries.get(entryId), after.entries.get(entryId)]) {
      if (entry === undefined) continue;
      const date = entryDate(entry);
      days.set(dayKey(entry.metric, date), { metric: entry.metric, date });
    }
  }
  return days;
}

export function encodeDailyRow(total: DailyTotal): Uint8Array {
  return encodeJson({ count: total.count, totalMilli: total.totalMilli });
}

export interface DailyCheckpoint {
  readonly projection: string;
  readonly codeVersion: number;
  readonly streamVersion: number;
}

export function dailyCheckpoint(state: UserState): DailyCheckpoint {
  return { projection: DAILY_TOTALS.name, codeVersion: DAILY_TOTALS.codeVersion, streamVersion: state.version };
}

export function encodeCheckpoint(checkpoint: DailyCheckpoint): Uint8Array {
  return encodeJson(checkpoint);
}

export function dailyTotalsJson(totals: ReadonlyMap<DayKey, DailyTotal>): string {
  return canonicalJson([...totals.values()]);
}
