/**
 * Undo and redo as compensating events. An undo command appends `CommandUndone{target}` followed
 * by the target's compensations (recorded in state.history when the target was applied). Undo
 * and redo are ordinary commands on the log, so the history shows both, and undoing an undo
 * (a redo) re-applies the original effects through the undo's own compensations.
 */
import { assertNever } from './assert.js';
import type { EventBody } from './events.js';
import type { PlanResult } from './plan.js';
import { reject } from './rejections.js';
import type { Rejection } from './rejections.js';
import type { CommandRecord, StreamState } from './state.js';

/** Newest active, undoable, ordinary command (not itself an undo or redo). */
export function undoTarget(history: readonly CommandRecord[]): CommandRecord | undefined {
  return [...history].reverse().find((record) => !record.undone && record.undoes === null && record.undoable);
}

/** Newest active undo whose target is an ordinary command that is still undone. */
export function redoTarget(history: readonly CommandRecord[]): CommandRecord | undefined {
  return [...history].reverse().find((record) => {
    if (record.undone || record.undoes === null) return false;
    const target = history.find((candidate) => candidate.commandId === record.undoes);
    return target !== undefined && target.undoes === null && target.undone;
  });
}

export function planUndo(state: StreamState, redo: boolean): PlanResult {
  const target = redo ? redoTarget(state.history) : undoTarget(state.history);
  if (target === undefined) {
    return redo
      ? { ok: false, rejection: reject('NOTHING_TO_REDO', 'there is no undone command to redo') }
      : { ok: false, rejection: reject('NOTHING_TO_UNDO', 'there is no command left to undo') };
  }
  const bodies: EventBody[] = [{ type: 'CommandUndone', data: { undoneCommandId: target.commandId } }, ...target.inverse];
  return { ok: true, planned: bodies.map((body) => ({ body })) };
}

/** Whether a compensating body still applies to `state` (later commands may have changed things). */
export function checkApplicable(state: StreamState, body: EventBody): Rejection | null {
  const no = (what: string): Rejection => reject('UNDO_NOT_APPLICABLE', `cannot compensate: ${what}`);
  switch (body.type) {
    case 'EntryRetracted':
    case 'EntryAmended':
    case 'EntryRestored': {
      const entry = state.kind === 'user' ? state.entries.get(body.data.entryId) : undefined;
      if (entry === undefined) return no(`entry ${body.data.entryId} is unknown`);
      const wantRetracted = body.type === 'EntryRestored';
      return entry.retracted === wantRetracted ? null : no(`entry ${entry.entryId} has changed since`);
    }
    case 'GoalCleared':
      return state.kind === 'user' && state.goals.has(body.data.metric) ? null : no(`no goal for ${body.data.metric}`);
    case 'MemberAdded':
      return state.kind === 'team' && !state.members.has(body.data.userId) ? null : no(`${body.data.userId} is a member`);
    case 'MemberRemoved':
      return state.kind === 'team' && state.members.has(body.data.userId) ? null : no(`${body.data.userId} is not a member`);
    case 'GoalSet':
    case 'UserRenamed':
    case 'TimeZoneChanged':
    case 'CommandUndone':
    case 'UserRegistered':
    case 'ProgressRecorded':
    case 'TeamCreated':
      return null;
    default:
      return assertNever(body, 'event body');
  }
}
