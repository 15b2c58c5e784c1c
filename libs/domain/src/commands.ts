/**
 * Commands: intents from the CLI or an import. Ids are already parsed (branded); free text,
 * amounts and zone names are raw, and `decide` validates them (so every rule has one home and a
 * stable rejection code).
 *
 * Every command carries a `commandId`, stamped on all the events it produces (the undo unit), and
 * optionally an `idempotencyKey` (default: the commandId) under which the store remembers it.
 */
import type { GoalPeriod } from './events.js';
import type { CommandId, EntryId, IdempotencyKey, MetricName, TeamId, UserId } from './ids.js';
import type { StreamRef } from './streams.js';
import type { Instant, LocalDate } from './time.js';
import { assertNever } from './assert.js';

export interface CommandMeta {
  readonly commandId: CommandId;
  readonly actor: UserId;
  readonly idempotencyKey?: IdempotencyKey;
}

export interface RegisterUser extends CommandMeta {
  readonly kind: 'RegisterUser';
  readonly userId: UserId;
  readonly displayName: string;
  readonly timeZone: string;
}
export interface RenameUser extends CommandMeta {
  readonly kind: 'RenameUser';
  readonly userId: UserId;
  readonly displayName: string;
}
export interface ChangeTimeZone extends CommandMeta {
  readonly kind: 'ChangeTimeZone';
  readonly userId: UserId;
  readonly timeZone: string;
}
export interface RecordProgress extends CommandMeta {
  readonly kind: 'RecordProgress';
  readonly userId: UserId;
  readonly metric: MetricName;
  readonly amount: number;
  /** Defaults to the metric's unit, or `count` for a new metric. */
  readonly unit?: string;
  readonly note?: string;
  readonly tags?: readonly string[];
  /** Defaults to now. */
  readonly occurredAt?: Instant;
}
export interface AmendEntryChanges {
  readonly metric?: MetricName;
  readonly amount?: number;
  readonly unit?: string;
  /** `null` removes the note. */
  readonly note?: string | null;
  readonly tags?: readonly string[];
  readonly occurredAt?: Instant;
}
export interface AmendEntry extends CommandMeta {
  readonly kind: 'AmendEntry';
  readonly userId: UserId;
  readonly entryId: EntryId;
  readonly changes: AmendEntryChanges;
}
export interface RetractEntry extends CommandMeta {
  readonly kind: 'RetractEntry';
  readonly userId: UserId;
  readonly entryId: EntryId;
  readonly reason?: string;
}
export interface SetGoal extends CommandMeta {
  readonly kind: 'SetGoal';
  readonly userId: UserId;
  readonly metric: MetricName;
  readonly target: number;
  readonly period: GoalPeriod;
  /** Inclusive local dates in the user's zone. */
  readonly startDate?: LocalDate;
  readonly endDate?: LocalDate;
}
export interface ClearGoal extends CommandMeta {
  readonly kind: 'ClearGoal';
  readonly userId: UserId;
  readonly metric: MetricName;
}
export interface CreateTeam extends CommandMeta {
  readonly kind: 'CreateTeam';
  readonly teamId: TeamId;
  readonly name: string;
  /** The team's zone for its own events; defaults to UTC. */
  readonly timeZone?: string;
}
export interface AddMember extends CommandMeta {
  readonly kind: 'AddMember';
  readonly teamId: TeamId;
  readonly userId: UserId;
}
export interface RemoveMember extends CommandMeta {
  readonly kind: 'RemoveMember';
  readonly teamId: TeamId;
  readonly userId: UserId;
}
/** Compensates the newest command on the stream that is neither undone nor an undo/redo. */
export interface Undo extends CommandMeta {
  readonly kind: 'Undo';
  readonly stream: StreamRef;
}
/** Undoes the newest active undo (whose target is an ordinary command): the target is redone. */
export interface Redo extends CommandMeta {
  readonly kind: 'Redo';
  readonly stream: StreamRef;
}

export type Command =
  | RegisterUser
  | RenameUser
  | ChangeTimeZone
  | RecordProgress
  | AmendEntry
  | RetractEntry
  | SetGoal
  | ClearGoal
  | CreateTeam
  | AddMember
  | RemoveMember
  | Undo
  | Redo;

export type CommandKind = Command['kind'];

/** The stream a command is decided against and appended to. */
export function commandStream(command: Command): StreamRef {
  switch (command.kind) {
    case 'RegisterUser':
    case 'RenameUser':
    case 'ChangeTimeZone':
    case 'RecordProgress':
    case 'AmendEntry':
    case 'RetractEntry':
    case 'SetGoal':
    case 'ClearGoal':
      return { kind: 'user', id: command.userId };
    case 'CreateTeam':
    case 'AddMember':
    case 'RemoveMember':
      return { kind: 'team', id: command.teamId };
    case 'Undo':
    case 'Redo':
      return command.stream;
    default:
      return assertNever(command, 'command');
  }
}
