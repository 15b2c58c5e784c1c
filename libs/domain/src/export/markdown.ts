/**
 * Markdown report: a heading, the window, and one table row per metric. All user text (names,
 * metric and unit) is escaped so it renders literally and cannot break the table or inject HTML.
 */
import type { AnyReport } from './format.js';
import { formatNumber, formatPercent, formatTrend, reportTitle } from './format.js';

export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_[\]|~>]/g, (char) => `\\${char}`)
    .replace(/</g, '&lt;')
    .replace(/&(?!lt;)/g, '&amp;');
}

export function renderMarkdownReport(report: AnyReport): string {
  const { subject, period } = reportTitle(report);
  const lines = [`# Progress report: ${escapeMarkdown(subject)}`, '', `Period: ${escapeMarkdown(period)}`, ''];
  if (report.kind === 'team') {
    lines.push(`Members: ${report.members.map((member) => escapeMarkdown(member.displayName)).join(', ') || 'none'}`, '');
  }
  if (report.metrics.length === 0) {
    lines.push('No progress recorded.', '');
    return lines.join('\n');
  }
  lines.push('| Metric | Total | Entries | Average | Goal | Current streak | Longest streak | Trend |', '|---|---:|---:|---:|---:|---:|---:|---|');
  for (const metric of report.metrics) {
    lines.push(
      `| ${escapeMarkdown(metric.metric)} (${escapeMarkdown(metric.unit)}) | ${formatNumber(metric.total)} | ${metric.count} | ${formatNumber(metric.average)} | ${formatPercent(metric.goal?.percent ?? null)} | ${metric.streak.current} | ${metric.streak.longestInWindow} | ${escapeMarkdown(formatTrend(metric.trend))} |`,
    );
  }
  if (report.kind === 'team') {
    for (const metric of report.metrics) {
      lines.push('', `## ${escapeMarkdown(metric.metric)} (${escapeMarkdown(metric.unit)}) by member`, '', '| Member | Total | Entries | Goal |', '|---|---:|---:|---:|');
      for (const member of metric.byMember) {
        lines.push(`| ${escapeMarkdown(member.userId)} | ${formatNumber(member.total)} | ${member.count} | ${formatPercent(member.goalPercent)} |`);
      }
    }
  }
  lines.push('');
  return lines.join('\n');
}
