/** Command builders for tests: sensible defaults, overridable fields. */
import type {
  AddMember, AmendEntry, AmendEntryChanges, ChangeTimeZone, ClearGoal, CreateTeam, Redo, RecordProgress, RegisterUser,
  RemoveMember, RenameUser, RetractEntry, SetGoal, Undo,
} from '../commands.js';
import type { EntryId } from '../ids.js';
import { meta, metric, team, user } from './fixtures.test-util.js';

export const register = (id = 'alice', extra: Partial<RegisterUser> = {}): RegisterUser => ({
  ...meta(id), kind: 'RegisterUser', userId: user(id), displayName: id.toUpperCase(), timeZone: 'Europe/Berlin', ...extra,
});
export const rename = (id: string, displayName: string): RenameUser => ({
  ...meta(id), kind: 'RenameUser', userId: user(id), displayName,
});
export const changeZone = (id: string, timeZone: string): ChangeTimeZone => ({
  ...meta(id), kind: 'ChangeTimeZone', userId: user(id), timeZone,
});
export const record = (id: string, name: string, amount: number, extra: Partial<RecordProgress> = {}): RecordProgress => ({
  ...meta(id), kind: 'RecordProgress', userId: user(id), metric: metric(name), amount, unit: 'km', ...extra,
});
export const amend = (id: string, entryId: string, changes: AmendEntryChanges): AmendEntry => ({
  ...meta(id), kind: 'AmendEntry', userId: user(id), entryId: entryId as EntryId, changes,
});
export const retract = (id: string, entryId: string, reason?: string): RetractEntry => ({
  ...meta(id), kind: 'RetractEntry', userId: user(id), entryId: entryId as EntryId, ...(reason === undefined ? {} : { reason }),
});
export const setGoal = (id: string, name: string, target: number, extra: Partial<SetGoal> = {}): SetGoal => ({
  ...meta(id), kind: 'SetGoal', userId: user(id), metric: metric(name), target, period: 'week', ...extra,
});
export const clearGoal = (id: string, name: string): ClearGoal => ({
  ...meta(id), kind: 'ClearGoal', userId: user(id), metric: metric(name),
});
export const createTeam = (id: string, name = 'Team', extra: Partial<CreateTeam> = {}): CreateTeam => ({
  ...meta(), kind: 'CreateTeam', teamId: team(id), name, ...extra,
});
export const addMember = (teamId: string, userId: string): AddMember => ({
  ...meta(), kind: 'AddMember', teamId: team(teamId), userId: user(userId),
});
export const removeMember = (teamId: string, userId: string): RemoveMember => ({
  ...meta(), kind: 'RemoveMember', teamId: team(teamId), userId: user(userId),
});
export const undoUser = (id: string): Undo => ({ ...meta(id), kind: 'Undo', stream: { kind: 'user', id: user(id) } });
export const redoUser = (id: string): Redo => ({ ...meta(id), kind: 'Redo', stream: { kind: 'user', id: user(id) } });
export const undoTeam = (id: string): Undo => ({ ...meta(), kind: 'Undo', stream: { kind: 'team', id: team(id) } });
export const redoTeam = (id: string): Redo => ({ ...meta(), kind: 'Redo', stream: { kind: 'team', id: team(id) } });
