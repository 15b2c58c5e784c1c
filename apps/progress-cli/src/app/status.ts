/**
 * `progress status`: per metric, today / this week / this month against goals, the current and
 * best streak, and a sparkline of the last 30 days. Reads projection rows only (fast-read.ts).
 */
import { addDaysLocal } from './dates.js';
import { currentStreak, localDateOf, longestRun, runsOf } from '@progress/domain';
import type { LocalDate, MetricReport, ReportSubject } from '@progress/domain';
import type { Context } from '../cli/context.js';
import { formatAmount, formatPercent, gauge, sparkline, table } from '../cli/output.js';
import { emitJson, prepare, reportSettings } from './common.js';
import type { Env0 } from './common.js';
import { reportFor, userSubject } from './fast-read.js';
import { withSession } from './session.js';

export interface StatusInput {
  readonly db: string | undefined;
  readonly user: string | undefined;
  readonly json: boolean;
}

type PeriodKind = 'day' | 'week' | 'month';

interface PeriodCell {
  readonly total: number;
  readonly count: number;
  readonly target: number | null;
  readonly percent: number | null;
}

export interface MetricStatus {
  readonly metric: string;
  readonly unit: string;
  readonly today: PeriodCell;
  readonly week: PeriodCell;
  readonly month: PeriodCell;
  readonly goal: { readonly target: number; readonly period: PeriodKind } | null;
  readonly streak: { readonly current: number; readonly longest: number };
  readonly last30: readonly number[];
}

export interface StatusData {
  readonly user: string;
  readonly displayName: string;
  readonly timeZone: string;
  readonly today: LocalDate;
  readonly metrics: readonly MetricStatus[];
}

/**
 * The period reports only need the last two months, so they run on a trimmed copy of the series
 * (cost independent of history length); streaks use the full series, one pass per metric.
 */
function recent(subject: ReportSubject, from: LocalDate): ReportSubject {
  return {
    ...subject,
    series: subject.series.map((series) => ({ ...series, days: new Map([...series.days].filter(([date]) => date >= from)) })),
  };
}

export function statusOf(subject: ReportSubject, env: Env0): StatusData {
  const settings = reportSettings(env);
  const today = localDateOf(settings.now, settings.timeZone);
  const trimmed = recent(subject, addDaysLocal(today, -70));
  const reports = {
    day: reportFor(trimmed, { kind: 'day' }, settings),
    week: reportFor(trimmed, { kind: 'week' }, settings),
    month: reportFor(trimmed, { kind: 'month' }, settings),
  };
  const last30 = reportFor(trimmed, { kind: 'range', from: addDaysLocal(today, -29), to: today }, settings);
  const metrics = last30.metrics.map((line): MetricStatus => {
    const goal = subject.goals.find((candidate) => candidate.metric === line.metric);
    const cell = (kind: PeriodKind): PeriodCell => {
      const metric = reports[kind].metrics.find((candidate) => candidate.metric === line.metric) as MetricReport;
      const target = goal !== undefined && goal.period === kind ? goal.target : null;
      return { total: metric.total, count: metric.count, target, percent: target === null ? null : Math.round((metric.total / target) * 1000) / 10 };
    };
    const series = subject.series.find((candidate) => candidate.metric === line.metric);
    const runs = runsOf(series === undefined ? [] : series.days.keys());
    return {
      metric: line.metric, unit: line.unit, today: cell('day'), week: cell('week'), month: cell('month'),
      goal: goal === undefined ? null : { target: goal.target, period: goal.period },
      streak: { current: currentStreak(runs, today), longest: longestRun(runs)?.days ?? 0 },
      last30: line.days.map((day) => day.total),
    };
  });
  return { user: subject.userId, displayName: subject.displayName, timeZone: env.settings.timeZone, today, metrics };
}

export function renderStatus(data: StatusData, env: Env0): string {
  const paint = env.paint;
  const title = `${paint('bold', data.displayName)}${data.displayName === data.user ? '' : ` (${data.user})`} · ${data.today} · ${data.timeZone}`;
  if (data.metrics.length === 0) return `${title}\nnothing logged yet; try: progress log running 5 km\n`;
  const cell = (value: PeriodCell): string => {
    if (value.target === null) return value.count === 0 ? paint('dim', '0') : formatAmount(value.total);
    const done = (value.percent ?? 0) >= 100;
    return `${formatAmount(value.total)}/${formatAmount(value.target)} ${gauge(value.percent, 8, paint)} ${done ? paint('green', '✓') : formatPercent(value.percent)}`;
  };
  const rows = data.metrics.map((metric) => [
    `${metric.metric} ${paint('dim', `(${metric.unit})`)}`,
    cell(metric.today),
    cell(metric.week),
    cell(metric.month),
    metric.streak.current === 0 ? paint('dim', `0 · best ${metric.streak.longest}`) : `${paint('bold', String(metric.streak.current))} · best ${metric.streak.longest}`,
    paint('cyan', sparkline(metric.last30)),
  ]);
  const columns = [
    { header: 'metric' }, { header: 'today', align: 'right' as const }, { header: 'this week', align: 'right' as const },
    { header: 'this month', align: 'right' as const }, { header: 'streak (days)' }, { header: 'last 30 days' },
  ];
  return `${title}\n\n${table(columns, rows, paint)}`;
}

export async function runStatus(ctx: Context, input: StatusInput): Promise<void> {
  const env = prepare(ctx, input.db);
  await withSession(ctx, env.dir, env.settings, async (session) => {
    const { userId, isDefault } = session.user(input.user);
    const subject = await userSubject(session.store, userId);
    if (subject === null) {
      if (!isDefault) await session.requireUser(userId);
      if (input.json) emitJson(ctx, { user: userId, registered: false, metrics: [] });
      else ctx.io.stdout(`nothing logged yet for ${userId}; try: progress log running 5 km\n`);
      return;
    }
    const data = statusOf(subject, env);
    if (input.json) emitJson(ctx, data);
    else ctx.io.stdout(renderStatus(data, env));
  }, { readOnly: 'prefer' });
}


