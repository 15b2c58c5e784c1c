/**
 * `progress report` (and `progress export --format md|html`): a user's or a team's report over a
 * period, current (projection rows) or as of an earlier moment (log replay), as a terminal table
 * with bar charts, JSON, CSV, Markdown or self-contained HTML, to stdout or --out.
 */
import { renderHtmlReport, renderMarkdownReport, teamReport, userReport } from '@progress/domain';
import type { Instant, LocalDate, PeriodSpec, ReportSettings, UserId } from '@progress/domain';
import type { Context } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';
import { toJson } from '../cli/output.js';
import { parseDay } from '../cli/parse-date.js';
import { instantArg, prepare, reportSettings } from './common.js';
import type { Env0 } from './common.js';
import { fastTeamReport, fastUserReport } from './fast-read.js';
import { writeOutput } from './output-file.js';
import { renderReportCsv, renderReportTable } from './report-render.js';
import type { AnyReport } from './report-render.js';
import { parseTeamArg, withSession } from './session.js';
import type { Session } from './session.js';

export type ReportFormat = 'table' | 'json' | 'csv' | 'md' | 'html';

export interface ReportInput {
  readonly db: string | undefined;
  readonly user: string | undefined;
  readonly team: string | undefined;
  readonly period: 'day' | 'week' | 'month' | undefined;
  readonly ago: number | undefined;
  readonly from: string | undefined;
  readonly to: string | undefined;
  readonly asOf: string | undefined;
  readonly format: ReportFormat;
  readonly out: string | undefined;
}

export function periodSpec(input: Pick<ReportInput, 'period' | 'ago' | 'from' | 'to'>, env: Env0): PeriodSpec {
  if (input.from !== undefined || input.to !== undefined) {
    if (input.ago !== undefined) throw new UsageError('give either --ago or --from/--to, not both');
    if (input.period !== undefined) throw new UsageError('give either --period or --from/--to, not both');
    const to = parseDay(input.to ?? 'today', env.now);
    if (input.from === undefined) throw new UsageError('--to needs --from', 'e.g. --from 2026-03-01 --to 2026-03-31');
    const from = parseDay(input.from, env.now);
    if (to < from) throw new UsageError(`--to ${to} is before --from ${from}`);
    const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
    if (days > 3660) throw new UsageError(`the range ${from} – ${to} is ${days} days; the limit is 3660`);
    return { kind: 'range', from: from as LocalDate, to: to as LocalDate };
  }
  return { kind: input.period ?? 'week', offset: -(input.ago ?? 0) };
}

async function buildReport(session: Session, input: ReportInput, spec: PeriodSpec, settings: ReportSettings, asOf: Instant | undefined): Promise<AnyReport> {
  if (input.team !== undefined) {
    const teamId = parseTeamArg(input.team);
    const report = asOf === undefined
      ? await fastTeamReport(session.store, teamId, spec, settings)
      : await teamReport(session.store, teamId, { period: spec, settings, asOf: { recordedAt: asOf } });
    if (report === null) {
      await session.requireTeam(teamId);
      throw new UsageError(`team ${teamId} did not exist at ${asOf ?? 'that time'}`);
    }
    return report;
  }
  const { userId, isDefault } = session.user(input.user);
  const report = asOf === undefined
    ? await fastUserReport(session.store, userId, spec, settings)
    : await userReport(session.store, userId, { period: spec, settings, asOf: { recordedAt: asOf } });
  if (report !== null) return report;
  if (!isDefault || asOf !== undefined) await session.requireUser(userId as UserId);
  return emptyReport(userId, spec, settings);
}

async function emptyReport(userId: string, spec: PeriodSpec, settings: ReportSettings): Promise<AnyReport> {
  const { buildUserReport, localDateOf, previousWindow, resolveWindow } = await import('@progress/domain');
  const window = resolveWindow(spec, settings);
  return buildUserReport({ userId, displayName: userId, goals: [], series: [] }, window, previousWindow(window, settings.weekStartsOn), settings.weekStartsOn, localDateOf(settings.now, settings.timeZone));
}

export function renderReport(report: AnyReport, format: ReportFormat, env: Env0): string {
  switch (format) {
    case 'table':
      return renderReportTable(report, env.paint);
    case 'json':
      return toJson(report);
    case 'csv':
      return renderReportCsv(report);
    case 'md':
      return renderMarkdownReport(report);
    case 'html':
      return renderHtmlReport(report);
  }
}

export async function runReport(ctx: Context, input: ReportInput): Promise<void> {
  const env = prepare(ctx, input.db);
  if (input.user !== undefined && input.team !== undefined) throw new UsageError('give either --user or --team, not both');
  const spec = periodSpec(input, env);
  const asOf = input.asOf === undefined ? undefined : instantArg(input.asOf, env.now, '--as-of');
  const settings = reportSettings(env);
  const report = await withSession(ctx, env.dir, env.settings, (session) => buildReport(session, input, spec, settings, asOf), { readOnly: 'prefer' });
  const paintless = input.out !== undefined ? { ...env, paint: Object.assign((_s: string, text: string) => text, { enabled: false }) } : env;
  const text = renderReport(report, input.format, paintless);
  if (input.out === undefined) ctx.io.stdout(text);
  else writeOutput(ctx, input.out, text, `${input.format} report`);
}
