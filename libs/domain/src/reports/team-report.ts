/**
 * Team reports: the members' daily totals summed per (metric, unit) — members measuring one
 * metric in different units are reported on separate lines, never added up. The team counts the
 * members it has at the report's cutoff, over the whole window (DESIGN.md, "Team rollups").
 */
import type { MetricName } from '../ids.js';
import { fromMilli } from '../projections/projection.js';
import type { LocalDate } from '../time.js';
import type { WeekStart } from './calendar.js';
import { datesIn } from './calendar.js';
import type { ReportWindow } from './period.js';
import { goalAttainment, round, streaksIn, sumWindow, trendOf } from './user-report.js';
import type { DayTotal, MetricReport, ReportSubject } from './user-report.js';

export interface TeamMetricReport extends Omit<MetricReport, 'goal'> {
  /** Over members with a goal on this metric: their summed prorated targets and totals. */
  readonly goal: { readonly expected: number; readonly achieved: number; readonly percent: number | null; readonly membersWithGoal: number } | null;
  readonly byMember: readonly { readonly userId: string; readonly total: number; readonly count: number; readonly goalPercent: number | null }[];
}

export interface TeamReport {
  readonly kind: 'team';
  readonly teamId: string;
  readonly name: string;
  readonly window: ReportWindow;
  readonly previous: ReportWindow;
  readonly weekStartsOn: WeekStart;
  readonly today: LocalDate;
  readonly members: readonly { readonly userId: string; readonly displayName: string }[];
  readonly metrics: readonly TeamMetricReport[];
}

interface Line {
  metric: MetricName;
  unit: string;
  days: Map<LocalDate, DayTotal>;
  members: { subject: ReportSubject; days: ReadonlyMap<LocalDate, DayTotal> }[];
}

function linesOf(members: readonly ReportSubject[]): Line[] {
  const lines = new Map<string, Line>();
  for (const subject of members) {
    for (const series of subject.series) {
      const key = `${series.metric}\u0000${series.unit}`;
      const line: Line = lines.get(key) ?? { metric: series.metric, unit: series.unit, days: new Map(), members: [] };
      for (const [date, day] of series.days) {
        const sum = line.days.get(date);
        line.days.set(date, { count: (sum?.count ?? 0) + day.count, totalMilli: (sum?.totalMilli ?? 0) + day.totalMilli });
      }
      line.members.push({ subject, days: series.days });
      lines.set(key, line);
    }
  }
  return [...lines.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, line]) => line);
}

function lineReport(line: Line, window: ReportWindow, previous: ReportWindow, weekStartsOn: WeekStart, today: LocalDate): TeamMetricReport {
  const current = sumWindow(line.days, window);
  const before = sumWindow(line.days, previous);
  let expected = 0;
  let achieved = 0;
  let membersWithGoal = 0;
  const byMember = line.members.map(({ subject, days }) => {
    const sum = sumWindow(days, window);
    const goal = subject.goals.find((candidate) => candidate.metric === line.metric);
    const attainment = goal === undefined ? null : goalAttainment(goal, days, window, weekStartsOn);
    if (attainment !== null) {
      membersWithGoal += 1;
      expected += attainment.expected;
      achieved += attainment.achieved;
    }
    return { userId: subject.userId, total: fromMilli(sum.totalMilli), count: sum.count, goalPercent: attainment?.percent ?? null };
  });
  const days = datesIn(window.from, window.until).map((date) => {
    const day = line.days.get(date);
    return { date, total: fromMilli(day?.totalMilli ?? 0), count: day?.count ?? 0 };
  });
  return {
    metric: line.metric,
    unit: line.unit,
    total: fromMilli(current.totalMilli),
    count: current.count,
    average: current.count === 0 ? null : round(fromMilli(current.totalMilli) / current.count, 3),
    activeDays: days.filter((day) => day.count > 0).length,
    days,
    goal: membersWithGoal === 0 ? null : {
      expected: round(expected, 3), achieved: round(achieved, 3), percent: expected === 0 ? null : round((achieved / expected) * 100, 1), membersWithGoal,
    },
    streak: streaksIn(line.days.keys(), window, today),
    trend: trendOf(current.totalMilli, before.totalMilli),
    byMember,
  };
}

export function buildTeamReport(
  team: { readonly teamId: string; readonly name: string },
  members: readonly ReportSubject[],
  window: ReportWindow,
  previous: ReportWindow,
  weekStartsOn: WeekStart,
  today: LocalDate,
): TeamReport {
  return {
    kind: 'team',
    teamId: team.teamId,
    name: team.name,
    window,
    previous,
    weekStartsOn,
    today,
    members: members.map((member) => ({ userId: member.userId, displayName: member.displayName })),
    metrics: linesOf(members).map((line) => lineReport(line, window, previous, weekStartsOn, today)),
  };
}
