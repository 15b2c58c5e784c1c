/** Commands for the etcd tests and their parsing helpers (valid ids, system-like clock). */
import { parseMetricName, parseTeamId, parseTimeZone, parseUserId, unwrap } from '@progress/domain';
import type { AddMember, CommandId, CreateTeam, Instant, RecordProgress, RegisterUser, TeamId, UserId } from '@progress/domain';

let counter = 0;
const commandId = (): CommandId => `cmd-${process.pid}-${Date.now().toString(36)}-${(counter += 1)}` as CommandId;

export const userId = (id: string): UserId => unwrap(parseUserId(id));
export const teamId = (id: string): TeamId => unwrap(parseTeamId(id));

export const register = (id: string): RegisterUser => ({
  kind: 'RegisterUser', commandId: commandId(), actor: userId(id), userId: userId(id), displayName: id.toUpperCase(),
  timeZone: unwrap(parseTimeZone('Europe/Berlin')),
});

export const record = (id: string, amount: number, occurredAt?: Instant): RecordProgress => ({
  kind: 'RecordProgress', commandId: commandId(), actor: userId(id), userId: userId(id), metric: unwrap(parseMetricName('running')),
  amount, unit: 'km', ...(occurredAt === undefined ? {} : { occurredAt }),
});

export const createTeam = (id: string, actor: string): CreateTeam => ({
  kind: 'CreateTeam', commandId: commandId(), actor: userId(actor), teamId: teamId(id), name: id,
});

export const addMember = (team: string, member: string, actor: string): AddMember => ({
  kind: 'AddMember', commandId: commandId(), actor: userId(actor), teamId: teamId(team), userId: userId(member),
});
