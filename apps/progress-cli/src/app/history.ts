/**
 * `progress history`: entries with their ids (newest first), filtered by metric, tag and local
 * date; retracted entries only with --retracted. Folds the user's stream (entries are not in a
 * projection), so it costs O(events of that user).
 */
import { localDateOf } from '@progress/domain';
import type { EntryState, UserState } from '@progress/domain';
import type { Context } from '../cli/context.js';
import { formatAmount, table } from '../cli/output.js';
import { formatLocal, parseDay } from '../cli/parse-date.js';
import { UsageError } from '../cli/errors.js';
import { emitJson, metricArg, prepare } from './common.js';
import { withSession } from './session.js';

export interface HistoryInput {
  readonly db: string | undefined;
  readonly user: string | undefined;
  readonly metric: string | undefined;
  readonly tag: string | undefined;
  readonly from: string | undefined;
  readonly to: string | undefined;
  readonly limit: number;
  readonly retracted: boolean;
  readonly json: boolean;
}

export function entryDate(entry: EntryState): string {
  return localDateOf(entry.occurredAt, entry.timeZone);
}

export function selectEntries(state: UserState, filter: { metric?: string; tag?: string; from?: string; to?: string; retracted: boolean; limit: number }): EntryState[] {
  const selected = [...state.entries.values()].filter((entry) => {
    if (entry.retracted && !filter.retracted) return false;
    if (filter.metric !== undefined && entry.metric !== filter.metric) return false;
    if (filter.tag !== undefined && !entry.tags.includes(filter.tag)) return false;
    const date = entryDate(entry);
    if (filter.from !== undefined && date < filter.from) return false;
    if (filter.to !== undefined && date > filter.to) return false;
    return true;
  });
  selected.sort((a, b) => (a.occurredAt === b.occurredAt ? entryNumber(b) - entryNumber(a) : a.occurredAt < b.occurredAt ? 1 : -1));
  return filter.limit === 0 ? selected : selected.slice(0, filter.limit);
}

const entryNumber = (entry: EntryState): number => Number(entry.entryId.slice(1)) || 0;

export async function runHistory(ctx: Context, input: HistoryInput): Promise<void> {
  const env = prepare(ctx, input.db);
  const metric = input.metric === undefined ? undefined : metricArg(input.metric);
  const from = input.from === undefined ? undefined : parseDay(input.from, env.now);
  const to = input.to === undefined ? undefined : parseDay(input.to, env.now);
  if (from !== undefined && to !== undefined && to < from) throw new UsageError(`--to ${to} is before --from ${from}`);
  const tag = input.tag?.trim().toLowerCase();
  await withSession(ctx, env.dir, env.settings, async (session) => {
    const { userId, isDefault } = session.user(input.user);
    const state = isDefault ? await session.userState(userId) : await session.requireUser(userId);
    const entries = selectEntries(state, {
      ...(metric === undefined ? {} : { metric }), ...(tag === undefined ? {} : { tag }),
      ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }),
      retracted: input.retracted, limit: input.limit,
    });
    if (input.json) {
      emitJson(ctx, entries.map((entry) => ({
        entryId: entry.entryId, metric: entry.metric, amount: entry.amount, unit: entry.unit, occurredAt: entry.occurredAt,
        localDate: entryDate(entry), timeZone: entry.timeZone, note: entry.note, tags: entry.tags, recordedAt: entry.recordedAt, retracted: entry.retracted,
      })));
      return;
    }
    if (entries.length === 0) {
      ctx.io.stdout(state.entries.size === 0 ? `no entries yet for ${userId}; try: progress log running 5 km\n` : 'no entries match\n');
      return;
    }
    const paint = env.paint;
    const rows = entries.map((entry) => {
      const cells = [
        entry.entryId, formatLocal(Date.parse(entry.occurredAt), entry.timeZone), entry.metric, formatAmount(entry.amount), entry.unit,
        entry.tags.map((item) => `#${item}`).join(' '), (entry.note ?? '') + (entry.retracted ? ' (retracted)' : ''),
      ];
      return entry.retracted ? cells.map((cell) => paint('dim', cell)) : [paint('bold', cells[0] ?? ''), ...cells.slice(1)];
    });
    const columns = [
      { header: 'id' }, { header: 'when' }, { header: 'metric' }, { header: 'amount', align: 'right' as const }, { header: 'unit' },
      { header: 'tags' }, { header: 'note' },
    ];
    ctx.io.stdout(table(columns, rows, paint));
    const total = [...state.entries.values()].filter((entry) => input.retracted || !entry.retracted).length;
    if (input.limit !== 0 && total > entries.length && metric === undefined && tag === undefined && from === undefined && to === undefined) {
      ctx.io.stderr(`showing the newest ${entries.length} of ${total}; use --limit 0 for all\n`);
    }
  }, { readOnly: 'prefer' });
}
