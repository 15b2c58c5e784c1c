/**
 * Compensation: for an event about to be applied to `before`, the event bodies that undo it.
 * `null` means the event cannot be compensated (its command is not undoable); `[]` means nothing
 * to compensate (the CommandUndone marker: undoing an undo is handled by its compensations).
 */
import { assertNever } from './assert.js';
import type { EntryChanges, EventBody } from './events.js';
import type { EntryState, StreamState } from './state.js';

export function inverseOf(before: StreamState, body: EventBody): EventBody[] | null {
  switch (body.type) {
    case 'UserRegistered':
    case 'TeamCreated':
      return null;
    case 'UserRenamed':
      return before.kind === 'user' ? [{ type: 'UserRenamed', data: { displayName: before.displayName } }] : null;
    case 'TimeZoneChanged':
      return before.kind === 'user' ? [{ type: 'TimeZoneChanged', data: { timeZone: before.timeZone } }] : null;
    case 'ProgressRecorded':
      return [{ type: 'EntryRetracted', data: { entryId: body.data.entryId, reason: null } }];
    case 'EntryAmended': {
      const entry = before.kind === 'user' ? before.entries.get(body.data.entryId) : undefined;
      if (entry === undefined) return null;
      return [{ type: 'EntryAmended', data: { entryId: entry.entryId, changes: previousValues(entry, body.data.changes) } }];
    }
    case 'EntryRetracted':
      return [{ type: 'EntryRestored', data: { entryId: body.data.entryId } }];
    case 'EntryRestored':
      return [{ type: 'EntryRetracted', data: { entryId: body.data.entryId, reason: null } }];
    case 'GoalSet':
    case 'GoalCleared': {
      if (before.kind !== 'user') return null;
      const previous = before.goals.get(body.data.metric);
      if (previous === undefined) return [{ type: 'GoalCleared', data: { metric: body.data.metric } }];
      return [{ type: 'GoalSet', data: { ...previous } }];
    }
    case 'MemberAdded':
      return [{ type: 'MemberRemoved', data: { userId: body.data.userId } }];
    case 'MemberRemoved':
      return [{ type: 'MemberAdded', data: { userId: body.data.userId } }];
    case 'CommandUndone':
      return [];
    default:
      return assertNever(body, 'event body');
  }
}

/** The entry's current values for exactly the fields `changes` touches. */
function previousValues(entry: EntryState, changes: EntryChanges): EntryChanges {
  return {
    ...(changes.metric !== undefined ? { metric: entry.metric } : {}),
    ...(changes.amount !== undefined ? { amount: entry.amount } : {}),
    ...(changes.unit !== undefined ? { unit: entry.unit } : {}),
    ...(changes.note !== undefined ? { note: entry.note } : {}),
    ...(changes.tags !== undefined ? { tags: [...entry.tags] } : {}),
    ...(changes.occurredAt !== undefined ? { occurredAt: entry.occurredAt } : {}),
  };
}
