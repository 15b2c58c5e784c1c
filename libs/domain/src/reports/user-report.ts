/**
 * User reports: per metric over a window — total, count, average, goal attainment, streaks, trend
 * against the previous window — from daily totals (so O(days), never O(events)). Entries belong
 * to the local date they were recorded on (daily-totals.ts), and a window holds whole days, so
 * "clipping" is exact: an entry counts in a window iff its day is inside it.
 */
import type { GoalState } from '../state.js';
import type { MetricName } from '../ids.js';
import type { LocalDate } from '../time.js';
import { fromMilli } from '../projections/projection.js';
import { longestRun, runsOf } from '../projections/streaks.js';
import type { Run } from '../projections/streaks.js';
import { addDays, datesIn, daysInMonth, startOfWeek } from './calendar.js';
import type { WeekStart } from './calendar.js';
import type { ReportWindow } from './period.js';

export interface DayTotal {
  readonly count: number;
  readonly totalMilli: number;
}

/** One metric's daily totals (whole history, for streaks). */
export interface MetricSeries {
  readonly metric: MetricName;
  readonly unit: string;
  readonly days: ReadonlyMap<LocalDate, DayTotal>;
}

export interface ReportSubject {
  readonly userId: string;
  readonly displayName: string;
  readonly goals: readonly GoalState[];
  readonly series: readonly MetricSeries[];
}

export interface GoalAttainment {
  readonly target: number;
  readonly period: GoalState['period'];
  /** Target prorated over the window's days inside the goal's dates (a week goal gives target/7 a day). */
  readonly expected: number;
  readonly achieved: number;
  /** achieved / expected, in percent, one decimal; null when nothing was expected. */
  readonly percent: number | null;
  /** Whole goal periods inside the window, and how many reached the target. */
  readonly periodsMet: number;
  readonly periodsTotal: number;
}

export interface Trend {
  readonly previousTotal: number;
  readonly change: number;
  readonly percent: number | null;
  readonly direction: 'up' | 'down' | 'flat';
}

export interface MetricReport {
  readonly metric: MetricName;
  readonly unit: string;
  readonly total: number;
  readonly count: number;
  /** Per entry; null without entries. */
  readonly average: number | null;
  readonly activeDays: number;
  readonly days: readonly { readonly date: LocalDate; readonly total: number; readonly count: number }[];
  readonly goal: GoalAttainment | null;
  readonly streak: { readonly current: number; readonly longestInWindow: number };
  readonly trend: Trend;
}

export interface UserReport {
  readonly kind: 'user';
  readonly userId: string;
  readonly displayName: string;
  readonly window: ReportWindow;
  readonly previous: ReportWindow;
  readonly weekStartsOn: WeekStart;
  readonly today: LocalDate;
  readonly metrics: readonly MetricReport[];
}

export const round = (value: number, decimals: number): number => Math.round(value * 10 ** decimals) / 10 ** decimals;

export function sumWindow(days: ReadonlyMap<LocalDate, DayTotal>, window: { from: LocalDate; until: LocalDate }): DayTotal {
  let count = 0;
  let totalMilli = 0;
  for (const [date, day] of days) {
    if (date >= window.from && date < window.until) {
      count += day.count;
      totalMilli += day.totalMilli;
    }
  }
  return { count, totalMilli };
}

export function trendOf(currentMilli: number, previousMilli: number): Trend {
  const change = fromMilli(currentMilli - previousMilli);
  return {
    previousTotal: fromMilli(previousMilli),
    change,
    percent: previousMilli === 0 ? null : round(((currentMilli - previousMilli) / previousMilli) * 100, 1),
    direction: change > 0 ? 'up' : change < 0 ? 'down' : 'flat',
  };
}

/** Streak alive at the window's last day (or today, if earlier; a day in progress does not break it). */
export function streaksIn(dateSource: Iterable<LocalDate>, window: ReportWindow, today: LocalDate): MetricReport['streak'] {
  const dates = [...dateSource];
  const runs = runsOf(dates.filter((date) => date < window.until));
  const lastDay = addDays(window.until, -1);
  const reference = lastDay < today ? lastDay : today;
  const grace = reference === today;
  const run = runs.find((candidate) => candidate.start <= reference && candidate.end >= (grace ? addDays(reference, -1) : reference));
  const current = run === undefined ? 0 : datesIn(run.start, addDays(run.end < reference ? run.end : reference, 1)).length;
  const inside = runsOf(dates.filter((date) => date >= window.from && date < window.until));
  return { current, longestInWindow: (longestRun(inside) as Run | null)?.days ?? 0 };
}

function goalActive(goal: GoalState, date: LocalDate): boolean {
  return (goal.startDate === null || date >= goal.startDate) && (goal.endDate === null || date <= goal.endDate);
}

function periodDays(goal: GoalState, date: LocalDate): number {
  return goal.period === 'day' ? 1 : goal.period === 'week' ? 7 : daysInMonth(date);
}

export function goalAttainment(goal: GoalState, days: ReadonlyMap<LocalDate, DayTotal>, window: ReportWindow, weekStartsOn: WeekStart): GoalAttainment {
  let expected = 0;
  let achievedMilli = 0;
  for (const date of datesIn(window.from, window.until)) {
    if (!goalActive(goal, date)) continue;
    expected += goal.target / periodDays(goal, date);
    achievedMilli += days.get(date)?.totalMilli ?? 0;
  }
  let periodsMet = 0;
  let periodsTotal = 0;
  for (const period of wholePeriods(goal, window, weekStartsOn)) {
    periodsTotal += 1;
    if (fromMilli(sumWindow(days, period).totalMilli) >= goal.target) periodsMet += 1;
  }
  const achieved = fromMilli(achievedMilli);
  return {
    target: goal.target, period: goal.period, expected: round(expected, 3), achieved,
    percent: expected === 0 ? null : round((achieved / expected) * 100, 1), periodsMet, periodsTotal,
  };
}

function wholePeriods(goal: GoalState, window: ReportWindow, weekStartsOn: WeekStart): { from: LocalDate; until: LocalDate }[] {
  const out: { from: LocalDate; until: LocalDate }[] = [];
  let from = goal.period === 'week' ? startOfWeek(window.from, weekStartsOn) : goal.period === 'month' ? (`${window.from.slice(0, 7)}-01` as LocalDate) : window.from;
  while (from < window.until) {
    const until = goal.period === 'day' ? addDays(from, 1) : goal.period === 'week' ? addDays(from, 7) : addDays(from, daysInMonth(from));
    if (from >= window.from && until <= window.until && goalActive(goal, from) && goalActive(goal, addDays(until, -1))) out.push({ from, until });
    from = until;
  }
  return out;
}

export function metricReport(
  series: MetricSeries, goal: GoalState | undefined, window: ReportWindow, previous: ReportWindow, weekStartsOn: WeekStart, today: LocalDate,
): MetricReport {
  const current = sumWindow(series.days, window);
  const before = sumWindow(series.days, previous);
  const days = datesIn(window.from, window.until).map((date) => {
    const day = series.days.get(date);
    return { date, total: fromMilli(day?.totalMilli ?? 0), count: day?.count ?? 0 };
  });
  return {
    metric: series.metric,
    unit: series.unit,
    total: fromMilli(current.totalMilli),
    count: current.count,
    average: current.count === 0 ? null : round(fromMilli(current.totalMilli) / current.count, 3),
    activeDays: days.filter((day) => day.count > 0).length,
    days,
    goal: goal === undefined ? null : goalAttainment(goal, series.days, window, weekStartsOn),
    streak: streaksIn(series.days.keys(), window, today),
    trend: trendOf(current.totalMilli, before.totalMilli),
  };
}

export function buildUserReport(subject: ReportSubject, window: ReportWindow, previous: ReportWindow, weekStartsOn: WeekStart, today: LocalDate): UserReport {
  const metrics = [...subject.series]
    .sort((a, b) => (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0))
    .map((series) => metricReport(series, subject.goals.find((goal) => goal.metric === series.metric), window, previous, weekStartsOn, today));
  return { kind: 'user', userId: subject.userId, displayName: subject.displayName, window, previous, weekStartsOn, today, metrics };
}
