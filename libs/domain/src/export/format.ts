/** Number and label formatting shared by the Markdown and HTML reports (locale-independent). */
import type { TeamReport } from '../reports/team-report.js';
import type { Trend, UserReport } from '../reports/user-report.js';

export type AnyReport = UserReport | TeamReport;

export function formatNumber(value: number | null): string {
  if (value === null) return '–';
  return String(Math.round(value * 1000) / 1000);
}

export function formatPercent(value: number | null): string {
  return value === null ? '–' : `${value}%`;
}

export function formatTrend(trend: Trend): string {
  const arrow = trend.direction === 'up' ? '▲' : trend.direction === 'down' ? '▼' : '=';
  const sign = trend.change > 0 ? '+' : '';
  return `${arrow} ${sign}${formatNumber(trend.change)}${trend.percent === null ? '' : ` (${sign}${trend.percent}%)`}`;
}

export function reportTitle(report: AnyReport): { subject: string; period: string } {
  const subject = report.kind === 'user' ? `${report.displayName} (${report.userId})` : `Team ${report.name} (${report.teamId})`;
  const last = new Date(Date.parse(`${report.window.until}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  const period = report.window.days === 1 ? report.window.from : `${report.window.from} – ${last}`;
  return { subject, period: `${period} (${report.window.timeZone}, week starts ${report.weekStartsOn === 1 ? 'Monday' : 'Sunday'})` };
}
