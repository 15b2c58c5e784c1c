/**
 * Events in words, for what `log`, `undo`, `redo` and `history --commands` print:
 * "logged running 5 km (e3) on 2026-03-01 07:30", "retract e3 (running 5 km)".
 */
import type { EntryState, EventBody, UserState } from '@progress/domain';
import { formatLocal } from '../cli/parse-date.js';
import { formatAmount } from '../cli/output.js';

export function entryText(entry: Pick<EntryState, 'metric' | 'amount' | 'unit'>): string {
  return `${entry.metric} ${formatAmount(entry.amount)} ${entry.unit}`;
}

function entryRef(entryId: string, state: UserState | undefined): string {
  const entry = state?.entries.get(entryId as EntryState['entryId']);
  return entry === undefined ? entryId : `${entryId} (${entryText(entry)} on ${formatLocal(Date.parse(entry.occurredAt), entry.timeZone)})`;
}

/** One event body in words; `state` (the stream before or after) names the entries it touches. */
export function describeBody(body: EventBody, state?: UserState, occurredAt?: string, zone?: string): string {
  switch (body.type) {
    case 'ProgressRecorded': {
      const when = occurredAt === undefined ? '' : ` at ${formatLocal(Date.parse(occurredAt), zone ?? 'UTC')}`;
      const note = body.data.note === null ? '' : ` "${body.data.note}"`;
      const tags = body.data.tags.length === 0 ? '' : ` ${body.data.tags.map((tag) => `#${tag}`).join(' ')}`;
      return `log ${entryText(body.data)} as ${body.data.entryId}${when}${note}${tags}`;
    }
    case 'EntryAmended': {
      const changes = Object.entries(body.data.changes).map(([field, value]) => `${field} → ${formatValue(field, value)}`);
      return `amend ${entryRef(body.data.entryId, state)}: ${changes.join(', ')}`;
    }
    case 'EntryRetracted':
      return `retract ${entryRef(body.data.entryId, state)}${body.data.reason === null ? '' : ` ("${body.data.reason}")`}`;
    case 'EntryRestored':
      return `restore ${entryRef(body.data.entryId, state)}`;
    case 'GoalSet': {
      const dates = body.data.startDate === null && body.data.endDate === null ? '' : ` from ${body.data.startDate ?? 'the start'} to ${body.data.endDate ?? 'open end'}`;
      return `set goal ${body.data.metric} ${formatAmount(body.data.target)} per ${body.data.period}${dates}`;
    }
    case 'GoalCleared':
      return `clear goal ${body.data.metric}`;
    case 'UserRegistered':
      return `register user ${body.data.userId} ("${body.data.displayName}")`;
    case 'UserRenamed':
      return `rename to "${body.data.displayName}"`;
    case 'TimeZoneChanged':
      return `change time zone to ${body.data.timeZone}`;
    case 'TeamCreated':
      return `create team ${body.data.teamId} ("${body.data.name}")`;
    case 'MemberAdded':
      return `add member ${body.data.userId}`;
    case 'MemberRemoved':
      return `remove member ${body.data.userId}`;
    case 'CommandUndone':
      return `undo command ${body.data.undoneCommandId}`;
  }
}

function formatValue(field: string, value: unknown): string {
  if (value === null) return '(none)';
  if (field === 'occurredAt' && typeof value === 'string') return formatLocal(Date.parse(value), 'UTC') + ' UTC';
  if (Array.isArray(value)) return value.length === 0 ? '(no tags)' : value.map((tag) => `#${String(tag)}`).join(' ');
  if (typeof value === 'number') return formatAmount(value);
  return typeof value === 'string' ? value : JSON.stringify(value);
}
