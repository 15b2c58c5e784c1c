/**
 * user-summary: the row at `user:<id>` — profile, totals per metric, goals, streaks, and the
 * stream version it reflects (its checkpoint). Pure: derived from a folded user state, serialised
 * as canonical JSON so a rebuild can be compared byte for byte.
 *
 * Streaks that depend on "today" are not stored: the row keeps each metric's latest run and the
 * reader computes the current streak for its own today (`currentStreak`).
 */
import { encodeJson } from '../json.js';
import type { MetricName } from '../ids.js';
import type { GoalState, UserState } from '../state.js';
import type { LocalDate } from '../time.js';
import { fromMilli, USER_SUMMARY } from './projection.js';
import { longestAndLatest } from './streaks.js';
import type { Run } from './streaks.js';

export interface MetricSummary {
  readonly metric: MetricName;
  readonly unit: string;
  readonly total: number;
  readonly count: number;
  readonly activeDays: number;
  readonly firstDate: LocalDate | null;
  readonly lastDate: LocalDate | null;
  readonly longestStreak: Run | null;
  readonly latestRun: Run | null;
}

export interface UserSummary {
  readonly projection: string;
  readonly codeVersion: number;
  readonly streamVersion: number;
  readonly userId: string;
  readonly registered: boolean;
  readonly displayName: string;
  readonly timeZone: string;
  readonly entryCount: number;
  readonly metrics: readonly MetricSummary[];
  readonly goals: readonly GoalState[];
  /** Across all metrics: a day counts when anything was logged. */
  readonly overall: { readonly activeDays: number; readonly longestStreak: Run | null; readonly latestRun: Run | null };
}

export function summarizeUser(state: UserState): UserSummary {
  // one pass over the day rows (no sort of all of them): per metric its dates and sums
  const byMetric = new Map<MetricName, { dates: LocalDate[]; totalMilli: number; count: number; first: LocalDate | null; last: LocalDate | null }>();
  const allDates = new Set<LocalDate>();
  for (const row of state.days.values()) {
    let group = byMetric.get(row.metric);
    if (group === undefined) {
      group = { dates: [], totalMilli: 0, count: 0, first: null, last: null };
      byMetric.set(row.metric, group);
    }
    group.dates.push(row.date);
    group.totalMilli += row.totalMilli;
    group.count += row.count;
    if (group.first === null || row.date < group.first) group.first = row.date;
    if (group.last === null || row.date > group.last) group.last = row.date;
    allDates.add(row.date);
  }
  const metrics = [...state.metrics.keys()].sort().map((metric): MetricSummary => {
    const group = byMetric.get(metric);
    const runs = longestAndLatest(group?.dates ?? []);
    return {
      metric,
      unit: state.metrics.get(metric)?.unit ?? 'count',
      total: fromMilli(group?.totalMilli ?? 0),
      count: group?.count ?? 0,
      activeDays: group?.dates.length ?? 0,
      firstDate: group?.first ?? null,
      lastDate: group?.last ?? null,
      longestStreak: runs.longest,
      latestRun: runs.latest,
    };
  });
  const overallRuns = longestAndLatest(allDates);
  return {
    projection: USER_SUMMARY.name,
    codeVersion: USER_SUMMARY.codeVersion,
    streamVersion: state.version,
    userId: state.userId,
    registered: state.registered,
    displayName: state.displayName,
    timeZone: state.timeZone,
    entryCount: metrics.reduce((sum, metric) => sum + metric.count, 0),
    metrics,
    goals: [...state.goals.values()].sort((a, b) => (a.metric < b.metric ? -1 : 1)).map((goal) => ({ ...goal })),
    overall: {
      activeDays: allDates.size,
      longestStreak: overallRuns.longest,
      latestRun: overallRuns.latest,
    },
  };
}

export function encodeUserSummary(summary: UserSummary): Uint8Array {
  return encodeJson(summary);
}
