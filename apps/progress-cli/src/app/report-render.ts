/**
 * Reports for the terminal (bar charts per day, or per week for long windows) and as CSV.
 * Markdown and HTML come from the domain (renderMarkdownReport / renderHtmlReport).
 */
import type { MetricReport, TeamMetricReport, TeamReport, UserReport } from '@progress/domain';
import { bar, formatAmount, formatPercent, gauge, pad, plural, sparkline } from '../cli/output.js';
import type { Paint } from '../cli/output.js';
import { addDaysLocal, weekdayOf } from './dates.js';

export type AnyReport = UserReport | TeamReport;
type AnyMetric = MetricReport | TeamMetricReport;

const BAR_WIDTH = 32;

function lastDay(report: AnyReport): string {
  return addDaysLocal(report.window.until, -1);
}

export function reportHeading(report: AnyReport, paint: Paint): string {
  const subject = report.kind === 'user'
    ? `${report.displayName}${report.displayName === report.userId ? '' : ` (${report.userId})`}`
    : `team ${report.name}${report.name === report.teamId ? '' : ` (${report.teamId})`}`;
  const span = report.window.days === 1 ? report.window.from : `${report.window.from} – ${lastDay(report)}`;
  const members = report.kind === 'team' ? `\nmembers: ${report.members.map((member) => member.userId).join(', ') || '(none)'}` : '';
  return `${paint('bold', `Progress report: ${subject}`)}\n${span} · ${report.window.timeZone} · week starts ${report.weekStartsOn === 1 ? 'Monday' : 'Sunday'}${members}\n`;
}

function trendText(metric: AnyMetric, paint: Paint): string {
  const { trend } = metric;
  const sign = trend.change > 0 ? '+' : '';
  const text = `${trend.direction === 'up' ? '▲' : trend.direction === 'down' ? '▼' : '='} ${sign}${formatAmount(trend.change)}${trend.percent === null ? '' : ` (${sign}${trend.percent}%)`}`;
  return paint(trend.direction === 'up' ? 'green' : trend.direction === 'down' ? 'red' : 'dim', text);
}

function goalText(metric: AnyMetric, paint: Paint): string | null {
  if (metric.goal === null) return null;
  if ('target' in metric.goal) {
    const goal = metric.goal;
    const periods = goal.periodsTotal === 0 ? '' : ` · ${goal.periodsMet}/${plural(goal.periodsTotal, goal.period)} met`;
    return `goal ${formatAmount(goal.target)} per ${goal.period}: ${formatAmount(goal.achieved)} of ${formatAmount(goal.expected)} expected ${gauge(goal.percent, 16, paint)} ${formatPercent(goal.percent)}${periods}`;
  }
  const goal = metric.goal;
  return `goals of ${plural(goal.membersWithGoal, 'member')}: ${formatAmount(goal.achieved)} of ${formatAmount(goal.expected)} expected ${gauge(goal.percent, 16, paint)} ${formatPercent(goal.percent)}`;
}

/** Daily bars, or weekly sums when the window is longer than 31 days. */
function chart(metric: AnyMetric, paint: Paint): string[] {
  const buckets: { label: string; total: number }[] = [];
  if (metric.days.length <= 31) {
    for (const day of metric.days) buckets.push({ label: `${weekdayOf(day.date)} ${day.date.slice(5)}`, total: day.total });
  } else {
    for (let index = 0; index < metric.days.length; index += 7) {
      const week = metric.days.slice(index, index + 7);
      buckets.push({ label: `wk ${week[0]?.date.slice(5) ?? ''}`, total: week.reduce((sum, day) => sum + day.total, 0) });
    }
  }
  const max = Math.max(0, ...buckets.map((bucket) => bucket.total));
  return buckets.map((bucket) => `  ${paint('dim', pad(bucket.label, 9))} ${pad(paint('cyan', bar(bucket.total, max, BAR_WIDTH)), BAR_WIDTH)} ${bucket.total === 0 ? paint('dim', '·') : formatAmount(bucket.total)}`);
}

function memberLines(metric: TeamMetricReport, paint: Paint): string[] {
  const max = Math.max(0, ...metric.byMember.map((member) => member.total));
  const width = Math.max(...metric.byMember.map((member) => member.userId.length), 4);
  return [
    `  ${paint('bold', 'by member')}`,
    ...[...metric.byMember].sort((a, b) => b.total - a.total).map((member) =>
      `  ${pad(member.userId, width)} ${pad(paint('magenta', bar(member.total, max, BAR_WIDTH)), BAR_WIDTH)} ${formatAmount(member.total)}` +
      `${member.goalPercent === null ? '' : paint('dim', ` (goal ${formatPercent(member.goalPercent)})`)}`),
  ];
}

export function renderReportTable(report: AnyReport, paint: Paint): string {
  const lines = [reportHeading(report, paint)];
  if (report.metrics.length === 0) return `${lines.join('')}\nno progress recorded in this period\n`;
  for (const metric of report.metrics) {
    const summary = [
      `total ${paint('bold', formatAmount(metric.total))}`, plural(metric.count, 'entry', 'entries'),
      metric.average === null ? null : `avg ${formatAmount(metric.average)}`, `${metric.activeDays}/${plural(report.window.days, 'day')} active`,
      `streak ${metric.streak.current} (best ${metric.streak.longestInWindow} in period)`,
    ].filter((part) => part !== null).join(' · ');
    lines.push(`\n${paint('bold', metric.metric)} ${paint('dim', `(${metric.unit})`)}  ${summary}\n`);
    const goal = goalText(metric, paint);
    if (goal !== null) lines.push(`  ${goal}\n`);
    lines.push(`  trend ${trendText(metric, paint)} vs ${report.previous.from} – ${addDaysLocal(report.previous.until, -1)}\n`);
    if ('byMember' in metric) {
      lines.push(`${memberLines(metric, paint).join('\n')}\n`);
      lines.push(`  ${paint('bold', 'by day')}    ${paint('cyan', sparkline(metric.days.map((day) => day.total)))}  ${report.window.from.slice(5)} – ${lastDay(report).slice(5)}\n`);
    } else {
      lines.push(`${chart(metric, paint).join('\n')}\n`);
    }
  }
  return lines.join('');
}

function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) || /^[=+\-@]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const REPORT_CSV_HEADER = [
  'from', 'to', 'metric', 'unit', 'member', 'total', 'count', 'average', 'active_days', 'goal_expected', 'goal_achieved', 'goal_percent',
  'current_streak', 'longest_streak_in_period', 'trend_change', 'trend_percent',
];

/** One row per metric (and per team member, with the team's total in the row with member "*"). */
export function renderReportCsv(report: AnyReport): string {
  const rows: (string | number | null)[][] = [REPORT_CSV_HEADER];
  const to = lastDay(report);
  for (const metric of report.metrics) {
    const goal = metric.goal;
    rows.push([
      report.window.from, to, metric.metric, metric.unit, report.kind === 'user' ? report.userId : '*', metric.total, metric.count, metric.average,
      metric.activeDays, goal?.expected ?? null, goal?.achieved ?? null, goal?.percent ?? null, metric.streak.current, metric.streak.longestInWindow,
      metric.trend.change, metric.trend.percent,
    ]);
    if ('byMember' in metric) {
      for (const member of metric.byMember) {
        rows.push([report.window.from, to, metric.metric, metric.unit, member.userId, member.total, member.count, null, null, null, null, member.goalPercent, null, null, null, null]);
      }
    }
  }
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}
