/** Turns one CSV row into a RecordProgress (syntax only; domain rules are checked by decide). */
import type { CommandId, UserId } from '../ids.js';
import { parseMetricName, parseUserId } from '../ids.js';
import type { RecordProgress } from '../commands.js';
import type { CsvRecord } from '../export/csv.js';
import { parseInstant } from '../time.js';

const REQUIRED = ['user_id', 'metric', 'amount', 'occurred_at'] as const;
const DECIMAL = /^\d+(\.\d+)?$/;

export type RowResult = { readonly ok: true; readonly command: RecordProgress } | { readonly ok: false; readonly message: string };

export function csvRowToCommand(header: readonly string[], row: CsvRecord, actor: UserId): RowResult {
  const missing = REQUIRED.filter((name) => !header.includes(name));
  if (missing.length > 0) return { ok: false, message: `header lacks ${missing.join(', ')}` };
  if (row.fields.length !== header.length) {
    return { ok: false, message: `${row.fields.length} fields; the header has ${header.length}` };
  }
  const field = (name: string): string | undefined => {
    const index = header.indexOf(name);
    return index < 0 ? undefined : row.fields[index];
  };
  const userId = parseUserId(field('user_id') ?? '');
  if (!userId.ok) return { ok: false, message: userId.message };
  const metric = parseMetricName(field('metric') ?? '');
  if (!metric.ok) return { ok: false, message: metric.message };
  const amountText = (field('amount') ?? '').trim();
  if (!DECIMAL.test(amountText)) return { ok: false, message: `amount ${JSON.stringify(amountText)} is not a decimal number` };
  const occurredAt = parseInstant(field('occurred_at') ?? '');
  if (!occurredAt.ok) return { ok: false, message: occurredAt.message };
  const unit = field('unit');
  const note = field('note');
  const tags = field('tags');
  const command: RecordProgress = {
    kind: 'RecordProgress',
    commandId: 'pending' as CommandId,
    actor,
    userId: userId.value,
    metric: metric.value,
    amount: Number(amountText),
    occurredAt: occurredAt.value,
    ...(unit !== undefined && unit !== '' ? { unit } : {}),
    ...(note !== undefined && note !== '' ? { note } : {}),
    ...(tags !== undefined && tags.trim() !== '' ? { tags: tags.trim().split(/\s+/) } : {}),
  };
  return { ok: true, command };
}
