/** `progress amend` and `progress retract`: corrections as new events, never edits in place. */
import type { AmendEntry, AmendEntryChanges, RetractEntry, UserState } from '@progress/domain';
import type { Context } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';
import { parseDecimal } from '../cli/parse-number.js';
import { emitJson, entryArg, instantArg, metricArg, prepare } from './common.js';
import { describeBody } from './describe.js';
import { withSession } from './session.js';

export interface AmendInput {
  readonly db: string | undefined;
  readonly user: string | undefined;
  readonly entryId: string;
  readonly amount: string | undefined;
  readonly metric: string | undefined;
  readonly unit: string | undefined;
  readonly note: string | undefined;
  readonly tags: readonly string[];
  readonly clearTags: boolean;
  readonly at: string | undefined;
  readonly json: boolean;
}

export async function runAmend(ctx: Context, input: AmendInput): Promise<void> {
  const env = prepare(ctx, input.db);
  const entryId = entryArg(input.entryId);
  if (input.tags.length > 0 && input.clearTags) throw new UsageError('give either --tag or --clear-tags, not both');
  const changes: AmendEntryChanges = {
    ...(input.amount === undefined ? {} : { amount: parseDecimal(input.amount, 'amount') }),
    ...(input.metric === undefined ? {} : { metric: metricArg(input.metric) }),
    ...(input.unit === undefined ? {} : { unit: input.unit }),
    ...(input.note === undefined ? {} : { note: input.note.trim() === '' ? null : input.note }),
    ...(input.tags.length > 0 ? { tags: input.tags } : input.clearTags ? { tags: [] } : {}),
    ...(input.at === undefined ? {} : { occurredAt: instantArg(input.at, env.now) }),
  };
  if (Object.keys(changes).length === 0) {
    throw new UsageError('nothing to amend', 'give at least one of --amount, --metric, --unit, --note, --tag, --clear-tags, --at');
  }
  await withSession(ctx, env.dir, env.settings, async (session) => {
    const { userId } = session.user(input.user);
    const before = await session.requireUser(userId);
    const command: AmendEntry = { kind: 'AmendEntry', commandId: session.newCommandId(), actor: userId, userId, entryId, changes };
    const outcome = await session.execute(command);
    const events = outcome.status === 'accepted' ? outcome.events : [];
    if (input.json) {
      emitJson(ctx, { status: 'amended', user: userId, entryId, changes: events[0]?.event.type === 'EntryAmended' ? events[0].event.data.changes : {} });
      return;
    }
    for (const stored of events) ctx.io.stdout(`${env.paint('green', 'done')}: ${describeBody(stored.event, before as UserState)}\n`);
  });
}

export interface RetractInput {
  readonly db: string | undefined;
  readonly user: string | undefined;
  readonly entryId: string;
  readonly reason: string | undefined;
  readonly json: boolean;
}

export async function runRetract(ctx: Context, input: RetractInput): Promise<void> {
  const env = prepare(ctx, input.db);
  const entryId = entryArg(input.entryId);
  await withSession(ctx, env.dir, env.settings, async (session) => {
    const { userId } = session.user(input.user);
    const before = await session.requireUser(userId);
    const command: RetractEntry = {
      kind: 'RetractEntry', commandId: session.newCommandId(), actor: userId, userId, entryId,
      ...(input.reason === undefined ? {} : { reason: input.reason }),
    };
    const outcome = await session.execute(command);
    if (input.json) {
      emitJson(ctx, { status: 'retracted', user: userId, entryId });
      return;
    }
    for (const stored of outcome.status === 'accepted' ? outcome.events : []) {
      ctx.io.stdout(`${env.paint('green', 'done')}: ${describeBody(stored.event, before)} (undo with "progress undo")\n`);
    }
  });
}
