/**
 * decide(state, command, now, ids, context) -> events | rejection. Pure: the clock value and the
 * id generator are injected; nothing is read from the environment. The returned events are fully
 * stamped (eventId, commandId, recordedAt = now, occurredAt, actor, timeZone, schemaVersion).
 */
import { assertNever, BugError } from './assert.js';
import { commandStream } from './commands.js';
import type { Command } from './commands.js';
import { planAddMember, planCreateTeam, planRemoveMember } from './decide-team.js';
import { checkApplicable, planUndo } from './decide-undo.js';
import {
  planAmend, planChangeTimeZone, planClearGoal, planRecord, planRegister, planRename, planRetract, planSetGoal,
} from './decide-user.js';
import { CURRENT_SCHEMA_VERSION } from './events.js';
import type { DomainEvent } from './events.js';
import { evolve } from './evolve.js';
import type { UserId } from './ids.js';
import type { PlanResult, Planned } from './plan.js';
import type { IdGenerator } from './ports/ids.js';
import type { Rejection } from './rejections.js';
import type { StreamState, TeamState, UserState } from './state.js';
import type { Instant } from './time.js';

export type Decision =
  | { readonly ok: true; readonly events: readonly DomainEvent[] }
  | { readonly ok: false; readonly rejection: Rejection };

/** Facts from outside the stream that a decision needs, looked up by the command handler. */
export interface DecideContext {
  readonly isRegisteredUser?: (userId: UserId) => boolean;
}

export function decide(state: StreamState, command: Command, now: Instant, ids: IdGenerator, context: DecideContext = {}): Decision {
  const stream = commandStream(command);
  const stateId = state.kind === 'user' ? state.userId : state.teamId;
  if (stream.kind !== state.kind || stream.id !== stateId) {
    throw new BugError(`command ${command.kind} for ${stream.kind}:${stream.id} decided against ${state.kind}:${stateId}`);
  }
  const plan = planFor(state, command, now, context);
  if (!plan.ok) return plan;
  const events = plan.planned.map((item) => stamp(state, command, item, now, ids));
  if (command.kind === 'Undo' || command.kind === 'Redo') {
    const problem = firstInapplicable(state, events);
    if (problem !== null) return { ok: false, rejection: problem };
  }
  return { ok: true, events };
}

function planFor(state: StreamState, command: Command, now: Instant, context: DecideContext): PlanResult {
  switch (command.kind) {
    case 'RegisterUser':
      return planRegister(state as UserState, command);
    case 'RenameUser':
      return planRename(state as UserState, command);
    case 'ChangeTimeZone':
      return planChangeTimeZone(state as UserState, command);
    case 'RecordProgress':
      return planRecord(state as UserState, command, now);
    case 'AmendEntry':
      return planAmend(state as UserState, command, now);
    case 'RetractEntry':
      return planRetract(state as UserState, command);
    case 'SetGoal':
      return planSetGoal(state as UserState, command);
    case 'ClearGoal':
      return planClearGoal(state as UserState, command);
    case 'CreateTeam':
      return planCreateTeam(state as TeamState, command);
    case 'AddMember':
      return planAddMember(state as TeamState, command, context);
    case 'RemoveMember':
      return planRemoveMember(state as TeamState, command);
    case 'Undo':
      return planUndo(state, false);
    case 'Redo':
      return planUndo(state, true);
    default:
      return assertNever(command, 'command');
  }
}

function stamp(state: StreamState, command: Command, item: Planned, now: Instant, ids: IdGenerator): DomainEvent {
  const event = {
    type: item.body.type,
    schemaVersion: CURRENT_SCHEMA_VERSION[item.body.type],
    eventId: ids.eventId(),
    commandId: command.commandId,
    recordedAt: now,
    occurredAt: item.occurredAt ?? now,
    actor: command.actor,
    timeZone: item.timeZone ?? state.timeZone,
    data: item.body.data,
  };
  return event as DomainEvent;
}

function firstInapplicable(state: StreamState, events: readonly DomainEvent[]): Rejection | null {
  let simulated = state;
  for (const [index, event] of events.entries()) {
    const problem = checkApplicable(simulated, event);
    if (problem !== null) return problem;
    if (index < events.length - 1) simulated = evolve(simulated, event); // the last one's result is not needed
  }
  return null;
}
