/**
 * Where report inputs come from:
 * - `subjectFromState`: a folded user state (as-of reports replay the log to a cutoff, then use it);
 * - `subjectFromStore`: the user-summary row and daily-totals rows (O(days), no event reads).
 * Both give the same subject for the same log (tested), so reports agree either way.
 */
import { z } from 'zod';
import { GoalPeriodSchema } from '../events.js';
import type { MetricName, UserId } from '../ids.js';
import { parseJsonBytes } from '../json.js';
import { dailyTotalsOf } from '../projections/daily-totals.js';
import { collect } from '../ports/kv-store.js';
import type { GoalState, UserState } from '../state.js';
import type { LocalDate } from '../time.js';
import type { EventStore } from '../store/event-store.js';
import { dailyRowRange, parseDailyRowKey, summaryKey } from '../store/key-layout.js';
import type { DayTotal, MetricSeries, ReportSubject } from './user-report.js';

export function subjectFromState(state: UserState): ReportSubject {
  const byMetric = new Map<MetricName, Map<LocalDate, DayTotal>>();
  for (const total of dailyTotalsOf(state).values()) {
    const days = byMetric.get(total.metric) ?? new Map<LocalDate, DayTotal>();
    days.set(total.date, { count: total.count, totalMilli: total.totalMilli });
    byMetric.set(total.metric, days);
  }
  const series: MetricSeries[] = [...state.metrics].map(([metric, { unit }]) => ({ metric, unit, days: byMetric.get(metric) ?? new Map() }));
  return { userId: state.userId, displayName: state.displayName, goals: [...state.goals.values()], series };
}

const SummarySchema = z.object({
  displayName: z.string(),
  metrics: z.array(z.object({ metric: z.string(), unit: z.string() }).loose()),
  goals: z.array(
    z.object({
      metric: z.string(), target: z.number(), period: GoalPeriodSchema, startDate: z.string().nullable(), endDate: z.string().nullable(),
    }),
  ),
}).loose();

const RowSchema = z.object({ count: z.number().int(), totalMilli: z.number().int() });

/** Reads the user's projection rows; null when the user has no summary row. */
export async function subjectFromStore(store: EventStore, userId: UserId): Promise<ReportSubject | null> {
  const summaryEntry = await store.kv.get(summaryKey({ kind: 'user', id: userId }));
  if (summaryEntry === undefined) return null;
  const parsed = parseJsonBytes(summaryEntry.value);
  const summary = SummarySchema.parse(parsed.ok ? parsed.value : null);
  const byMetric = new Map<string, Map<LocalDate, DayTotal>>();
  for (const entry of await collect(store.kv, dailyRowRange(userId))) {
    const key = parseDailyRowKey(entry.key);
    const row = parseJsonBytes(entry.value);
    if (key === null || !row.ok) continue;
    const days = byMetric.get(key.metric) ?? new Map<LocalDate, DayTotal>();
    days.set(key.date, RowSchema.parse(row.value));
    byMetric.set(key.metric, days);
  }
  return {
    userId,
    displayName: summary.displayName,
    goals: summary.goals as GoalState[],
    series: summary.metrics.map(({ metric, unit }) => ({ metric: metric as MetricName, unit, days: byMetric.get(metric) ?? new Map() })),
  };
}
