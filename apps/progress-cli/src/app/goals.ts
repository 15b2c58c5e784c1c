/** `progress goal set|list|clear`. */
import type { ClearGoal, SetGoal } from '@progress/domain';
import type { Context } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';
import { formatAmount, formatPercent, gauge, table } from '../cli/output.js';
import { parseDay } from '../cli/parse-date.js';
import { parseDecimal } from '../cli/parse-number.js';
import { emitJson, metricArg, prepare, reportSettings } from './common.js';
import { reportFor, userSubject } from './fast-read.js';
import { withSession } from './session.js';

export interface GoalSetInput {
  readonly db: string | undefined;
  readonly user: string | undefined;
  readonly metric: string;
  readonly target: string;
  readonly per: 'day' | 'week' | 'month';
  readonly from: string | undefined;
  readonly to: string | undefined;
  readonly json: boolean;
}

export async function runGoalSet(ctx: Context, input: GoalSetInput): Promise<void> {
  const env = prepare(ctx, input.db);
  const metric = metricArg(input.metric);
  const target = parseDecimal(input.target, 'target');
  const startDate = input.from === undefined ? undefined : parseDay(input.from, env.now);
  const endDate = input.to === undefined ? undefined : parseDay(input.to, env.now);
  await withSession(ctx, env.dir, env.settings, async (session) => {
    const { userId, isDefault } = session.user(input.user);
    const command: SetGoal = {
      kind: 'SetGoal', commandId: session.newCommandId(), actor: userId, userId, metric, target, period: input.per,
      ...(startDate === undefined ? {} : { startDate: startDate as SetGoal['startDate'] & string }),
      ...(endDate === undefined ? {} : { endDate: endDate as SetGoal['endDate'] & string }),
    };
    if (!isDefault) await session.requireUser(userId);
    await session.execute(command);
    const dates = startDate === undefined && endDate === undefined ? '' : ` (${startDate ?? '…'} to ${endDate ?? '…'})`;
    if (input.json) emitJson(ctx, { status: 'saved', user: userId, metric, target, period: input.per, startDate: startDate ?? null, endDate: endDate ?? null });
    else ctx.io.stdout(`${env.paint('green', 'goal set')}: ${metric} ${formatAmount(target)} per ${input.per}${dates}\n`);
  });
}

export interface GoalRefInput {
  readonly db: string | undefined;
  readonly user: string | undefined;
  readonly metric: string;
  readonly json: boolean;
}

export async function runGoalClear(ctx: Context, input: GoalRefInput): Promise<void> {
  const env = prepare(ctx, input.db);
  const metric = metricArg(input.metric);
  await withSession(ctx, env.dir, env.settings, async (session) => {
    const { userId } = session.user(input.user);
    await session.requireUser(userId);
    const command: ClearGoal = { kind: 'ClearGoal', commandId: session.newCommandId(), actor: userId, userId, metric };
    await session.execute(command);
    if (input.json) emitJson(ctx, { status: 'cleared', user: userId, metric });
    else ctx.io.stdout(`goal for ${metric} cleared (undo with "progress undo")\n`);
  });
}

export async function runGoalList(ctx: Context, input: { db: string | undefined; user: string | undefined; json: boolean }): Promise<void> {
  const env = prepare(ctx, input.db);
  await withSession(ctx, env.dir, env.settings, async (session) => {
    const { userId, isDefault } = session.user(input.user);
    const subject = await userSubject(session.store, userId);
    if (subject === null && !isDefault) await session.requireUser(userId);
    const goals = subject?.goals ?? [];
    const rows = goals.map((goal) => {
      const report = reportFor(subject as NonNullable<typeof subject>, { kind: goal.period }, reportSettings(env));
      const line = report.metrics.find((metric) => metric.metric === goal.metric);
      const achieved = line?.total ?? 0;
      const percent = Math.round((achieved / goal.target) * 1000) / 10;
      return { goal, unit: line?.unit ?? '', achieved, percent };
    });
    if (input.json) {
      emitJson(ctx, rows.map(({ goal, unit, achieved, percent }) => ({ ...goal, unit, current: { achieved, percent } })));
      return;
    }
    if (rows.length === 0) {
      ctx.io.stdout(`no goals yet; set one with: progress goal set <metric> <target> --per week\n`);
      return;
    }
    const paint = env.paint;
    ctx.io.stdout(table(
      [{ header: 'metric' }, { header: 'target', align: 'right' }, { header: 'per' }, { header: 'dates' }, { header: 'this period', align: 'right' }, { header: '' }],
      rows.map(({ goal, unit, achieved, percent }) => [
        goal.metric, `${formatAmount(goal.target)} ${unit}`, goal.period,
        goal.startDate === null && goal.endDate === null ? '–' : `${goal.startDate ?? '…'} to ${goal.endDate ?? '…'}`,
        `${formatAmount(achieved)}/${formatAmount(goal.target)}`, `${gauge(percent, 12, paint)} ${formatPercent(percent)}`,
      ]),
      paint,
    ));
  });
}

export function checkPer(value: unknown): 'day' | 'week' | 'month' {
  if (value === 'day' || value === 'week' || value === 'month') return value;
  throw new UsageError(`--per must be day, week or month (got ${JSON.stringify(value)})`);
}
