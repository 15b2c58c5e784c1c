/**
 * `progress log`: record an amount, print what was saved and the goal progress it moved.
 * Everything that can be checked without the store (metric name, number, time, key) is checked
 * before the store is opened; the domain checks the rest and a rejection writes nothing.
 */
import type { RecordProgress, UserId } from '@progress/domain';
import { formatLocal } from '../cli/parse-date.js';
import { formatAmount, formatPercent, gauge } from '../cli/output.js';
import { parseDecimal } from '../cli/parse-number.js';
import { emitJson, idempotencyArg, instantArg, metricArg, prepare, reportSettings } from './common.js';
import type { Env0 } from './common.js';
import { reportFor, userSubject } from './fast-read.js';
import { withSession } from './session.js';
import type { Session } from './session.js';
import type { Context } from '../cli/context.js';

export interface LogInput {
  readonly db: string | undefined;
  readonly metric: string;
  readonly amount: string;
  readonly unit: string | undefined;
  readonly note: string | undefined;
  readonly tags: readonly string[];
  readonly at: string | undefined;
  readonly user: string | undefined;
  readonly idempotencyKey: string | undefined;
  readonly json: boolean;
}

export async function runLog(ctx: Context, input: LogInput): Promise<void> {
  const env = prepare(ctx, input.db);
  const metric = metricArg(input.metric);
  const amount = parseDecimal(input.amount, 'amount');
  const occurredAt = input.at === undefined ? undefined : instantArg(input.at, env.now);
  const key = input.idempotencyKey === undefined ? undefined : idempotencyArg(input.idempotencyKey);
  await withSession(ctx, env.dir, env.settings, async (session) => {
    const { userId, isDefault } = session.user(input.user);
    const command: RecordProgress = {
      kind: 'RecordProgress', commandId: session.newCommandId(), actor: userId, userId, metric, amount,
      ...(input.unit === undefined ? {} : { unit: input.unit }),
      ...(input.note === undefined ? {} : { note: input.note }),
      ...(input.tags.length === 0 ? {} : { tags: input.tags }),
      ...(occurredAt === undefined ? {} : { occurredAt }),
      ...(key === undefined ? {} : { idempotencyKey: key }),
    };
    const outcome = await session.execute(command, isDefault ? { autoRegister: userId } : {});
    if (outcome.status === 'duplicate') {
      if (input.json) emitJson(ctx, { status: 'duplicate', user: userId, idempotencyKey: key ?? null, commandId: outcome.original.commandId });
      else ctx.io.stdout(`already saved under idempotency key ${key ?? '?'}; nothing changed\n`);
      return;
    }
    const stored = outcome.events[0];
    if (stored === undefined || stored.event.type !== 'ProgressRecorded') return;
    const { event } = stored;
    const goal = await goalLine(env, session, userId, event.data.metric);
    if (input.json) {
      emitJson(ctx, {
        status: 'saved', user: userId, entryId: event.data.entryId, metric: event.data.metric, amount: event.data.amount,
        unit: event.data.unit, occurredAt: event.occurredAt, timeZone: event.timeZone, note: event.data.note, tags: event.data.tags,
        goal: goal?.json ?? null,
      });
      return;
    }
    const paint = env.paint;
    const extras = [
      event.data.tags.map((tag) => paint('cyan', `#${tag}`)).join(' '),
      event.data.note === null ? '' : paint('dim', `"${event.data.note}"`),
    ].filter((part) => part !== '');
    ctx.io.stdout(
      `${paint('green', 'saved')} ${paint('bold', event.data.entryId)}: ${event.data.metric} ${formatAmount(event.data.amount)} ${event.data.unit}` +
      ` at ${formatLocal(Date.parse(event.occurredAt), event.timeZone)} (${event.timeZone})${extras.length > 0 ? `  ${extras.join(' ')}` : ''}` +
      `${userId === env.settings.defaultUser ? '' : ` for ${userId}`}\n`,
    );
    if (goal !== null) ctx.io.stdout(`${goal.text}\n`);
  });
}

interface GoalLine {
  readonly text: string;
  readonly json: { period: string; target: number; achieved: number; percent: number | null; unit: string };
}

async function goalLine(env: Env0, session: Session, userId: UserId, metric: string): Promise<GoalLine | null> {
  const subject = await userSubject(session.store, userId);
  const goal = subject?.goals.find((candidate) => candidate.metric === metric);
  if (subject === null || goal === undefined) return null;
  const report = reportFor(subject, { kind: goal.period }, reportSettings(env));
  const line = report.metrics.find((candidate) => candidate.metric === metric);
  if (line === undefined) return null;
  const period = goal.period === 'day' ? 'today' : `this ${goal.period}`;
  const achieved = line.total;
  const percent = Math.round((achieved / goal.target) * 1000) / 10;
  const reached = percent >= 100 ? ` ${env.paint('green', '✓ reached')}` : '';
  const text = `goal ${formatAmount(goal.target)} ${line.unit} per ${goal.period}: ${formatAmount(achieved)}/${formatAmount(goal.target)} ${period} ` +
    `${gauge(percent, 20, env.paint)} ${formatPercent(percent)}${reached}`;
  return { text, json: { period: goal.period, target: goal.target, achieved, percent, unit: line.unit } };
}
