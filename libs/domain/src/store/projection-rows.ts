/**
 * The projection rows a stream's state implies, as KV mutations. Used by the append path (only
 * the rows the new events touch, in the same commit as the events) and by rebuild (every row).
 */
import type { DomainEvent } from '../events.js';
import type { TouchedDay } from '../evolve.js';
import { dailyCheckpoint, dailyTotalsOf, encodeCheckpoint, encodeDailyRow, touchedDays } from '../projections/daily-totals.js';
import type { DayKey } from '../projections/daily-totals.js';
import { encodeTeamSummary, summarizeTeam } from '../projections/team-summary.js';
import { encodeUserSummary, summarizeUser } from '../projections/user-summary.js';
import type { Mutation } from '../ports/kv-store.js';
import type { StreamState } from '../state.js';
import { dailyCheckpointKey, dailyRowKey, summaryKey } from './key-layout.js';

export function summaryRow(state: StreamState): { key: string; value: Uint8Array } {
  if (state.kind === 'user') {
    return { key: summaryKey({ kind: 'user', id: state.userId }), value: encodeUserSummary(summarizeUser(state)) };
  }
  return { key: summaryKey({ kind: 'team', id: state.teamId }), value: encodeTeamSummary(summarizeTeam(state)) };
}

/** Rows changed by `events` (applied to `before`, giving `after`): puts, and deletes of emptied days. */
export function incrementalRowMutations(before: StreamState, after: StreamState, events: readonly DomainEvent[]): Mutation[] {
  if (after.kind === 'team' || before.kind === 'team') return touchedRowMutations(after, new Map());
  return touchedRowMutations(after, touchedDays(before, after, events));
}

/**
 * The summary row, the given day rows (put, or delete when the day has no counted entry left) and
 * the daily checkpoint of `after`: O(days) for the summary plus O(touched) rows, never O(entries).
 */
export function touchedRowMutations(after: StreamState, touched: ReadonlyMap<DayKey, TouchedDay>): Mutation[] {
  const summary = summaryRow(after);
  const mutations: Mutation[] = [{ type: 'put', key: summary.key, value: summary.value }];
  if (after.kind === 'team') return mutations;
  const ordered = [...touched].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [key, { metric, date }] of ordered) {
    const total = after.days.get(key);
    const rowKey = dailyRowKey(after.userId, metric, date);
    mutations.push(total === undefined ? { type: 'delete', key: rowKey } : { type: 'put', key: rowKey, value: encodeDailyRow(total) });
  }
  mutations.push({ type: 'put', key: dailyCheckpointKey(after.userId), value: encodeCheckpoint(dailyCheckpoint(after)) });
  return mutations;
}

/** Every projection row of the stream, keyed, in key order (rebuild writes exactly these). */
export function allProjectionRows(state: StreamState): Map<string, Uint8Array> {
  const rows = new Map<string, Uint8Array>();
  const summary = summaryRow(state);
  rows.set(summary.key, summary.value);
  if (state.kind === 'user') {
    for (const total of dailyTotalsOf(state).values()) {
      rows.set(dailyRowKey(state.userId, total.metric, total.date), encodeDailyRow(total));
    }
    rows.set(dailyCheckpointKey(state.userId), encodeCheckpoint(dailyCheckpoint(state)));
  }
  return rows;
}
