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
import { dailyTotalsOf } from './daily-totals.js';
import { fromMilli, USER_SUMMARY } from './projection.js';
import { longestRun, runsOf } from './streaks.js';
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
  const daily = [...dailyTotalsOf(state).values()];
  const metrics = [...state.metrics.keys()].sort().map((metric): MetricSummary => {
    const days = daily.filter((row) => row.metric === metric);
    const runs = runsOf(days.map((row) => row.date));
    return {
      metric,
      unit: state.metrics.get(metric)?.unit ?? 'count',
      total: fromMilli(days.reduce((sum, row) => sum + row.totalMilli, 0)),
      count: days.reduce((sum, row) => sum + row.count, 0),
      activeDays: days.length,
      firstDate: days[0]?.date ?? null,
      lastDate: days[days.length - 1]?.date ?? null,
      longestStreak: longestRun(runs),
      latestRun: runs[runs.length - 1] ?? null,
    };
  });
  const overallRuns = runsOf(daily.map((row) => row.date));
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
      activeDays: new Set(daily.map((row) => row.date)).size,
      longestStreak: longestRun(overallRuns),
      latestRun: overallRuns[overallRuns.length - 1] ?? null,
    },
  };
}

export function encodeUserSummary(summary: UserSummary): Uint8Array {
  return encodeJson(summary);
}
