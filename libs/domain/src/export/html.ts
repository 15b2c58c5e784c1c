/**
 * Self-contained HTML report: one file, inline CSS and inline SVG charts (daily totals per metric
 * as bars, goal attainment as horizontal bars), no scripts, no network, no external assets. Every
 * piece of user text is HTML-escaped.
 */
import type { AnyReport } from './format.js';
import { formatNumber, formatPercent, formatTrend, reportTitle } from './format.js';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}
.bar{fill:#4a7bd0}.goal{fill:#3a9d5d}.track{fill:#eee}svg text{font-size:10px;fill:#555}`;

function dailyChart(days: readonly { date: string; total: number }[], label: string): string {
  const width = 600;
  const height = 120;
  const max = Math.max(1, ...days.map((day) => day.total));
  const step = width / Math.max(1, days.length);
  const bars = days
    .map((day, index) => {
      const h = Math.round((day.total / max) * (height - 20));
      return `<rect class="bar" x="${(index * step + 1).toFixed(1)}" y="${height - 15 - h}" width="${Math.max(1, step - 2).toFixed(1)}" height="${h}"><title>${escapeHtml(`${day.date}: ${formatNumber(day.total)}`)}</title></rect>`;
    })
    .join('');
  const first = days[0]?.date ?? '';
  const last = days[days.length - 1]?.date ?? '';
  return `<svg role="img" aria-label="${escapeHtml(label)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">${bars}<text x="0" y="${height - 2}">${escapeHtml(first)}</text><text x="${width}" y="${height - 2}" text-anchor="end">${escapeHtml(last)}</text></svg>`;
}

function goalChart(rows: readonly { label: string; percent: number }[]): string {
  if (rows.length === 0) return '';
  const width = 600;
  const rowHeight = 22;
  const bars = rows
    .map((row, index) => {
      const w = Math.round((Math.min(row.percent, 100) / 100) * 400);
      const y = index * rowHeight;
      return `<text x="0" y="${y + 14}">${escapeHtml(row.label)}</text><rect class="track" x="180" y="${y + 3}" width="400" height="14"/><rect class="goal" x="180" y="${y + 3}" width="${w}" height="14"/><text x="585" y="${y + 14}">${escapeHtml(`${row.percent}%`)}</text>`;
    })
    .join('');
  return `<svg role="img" aria-label="Goal attainment" width="${width + 40}" height="${rows.length * rowHeight}" xmlns="http://www.w3.org/2000/svg">${bars}</svg>`;
}

export function renderHtmlReport(report: AnyReport): string {
  const { subject, period } = reportTitle(report);
  const rows = report.metrics
    .map((metric) => `<tr><td>${escapeHtml(`${metric.metric} (${metric.unit})`)}</td><td>${formatNumber(metric.total)}</td><td>${metric.count}</td><td>${formatNumber(metric.average)}</td><td>${formatPercent(metric.goal?.percent ?? null)}</td><td>${metric.streak.current}</td><td>${metric.streak.longestInWindow}</td><td>${escapeHtml(formatTrend(metric.trend))}</td></tr>`)
    .join('');
  const charts = report.metrics
    .map((metric) => `<h2>${escapeHtml(`${metric.metric} (${metric.unit})`)}</h2>${dailyChart(metric.days, `Daily ${metric.metric}`)}`)
    .join('');
  const goals = report.metrics.flatMap((metric) => (metric.goal?.percent === null || metric.goal === null ? [] : [{ label: `${metric.metric} (${metric.unit})`, percent: metric.goal.percent }]));
  const members = report.kind === 'team' ? `<p>Members: ${report.members.map((member) => escapeHtml(member.displayName)).join(', ')}</p>` : '';
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(`Progress: ${subject}`)}</title><style>${STYLE}</style></head><body>`,
    `<h1>${escapeHtml(`Progress report: ${subject}`)}</h1><p>${escapeHtml(period)}</p>${members}`,
    report.metrics.length === 0
      ? '<p>No progress recorded.</p>'
      : `<table><thead><tr><th>Metric</th><th>Total</th><th>Entries</th><th>Average</th><th>Goal</th><th>Current streak</th><th>Longest streak</th><th>Trend</th></tr></thead><tbody>${rows}</tbody></table>`,
    goals.length === 0 ? '' : `<h2>Goal attainment</h2>${goalChart(goals)}`,
    charts,
    '</body></html>',
    '',
  ].join('\n');
}
