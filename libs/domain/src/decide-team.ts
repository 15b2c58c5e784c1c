/** decide() for team-stream commands. Membership needs to know users exist: see DecideContext. */
import type { AddMember, CreateTeam, RemoveMember } from './commands.js';
import type { DecideContext } from './decide.js';
import type { PlanResult } from './plan.js';
import { reject } from './rejections.js';
import type { TeamState } from './state.js';
import { checkText, checkTimeZone, LIMITS } from './validation.js';

const teamNotFound = (state: TeamState): PlanResult => ({
  ok: false,
  rejection: reject('TEAM_NOT_FOUND', `team ${state.teamId} does not exist`),
});

export function planCreateTeam(state: TeamState, command: CreateTeam): PlanResult {
  if (state.exists) return { ok: false, rejection: reject('TEAM_ALREADY_EXISTS', `team ${state.teamId} already exists`) };
  const name = checkText('team name', command.name, LIMITS.teamNameChars);
  if (!name.ok) return name;
  const zone = checkTimeZone(command.timeZone ?? 'UTC');
  if (!zone.ok) return zone;
  return {
    ok: true,
    planned: [{ body: { type: 'TeamCreated', data: { teamId: state.teamId, name: name.value } }, timeZone: zone.value }],
  };
}

export function planAddMember(state: TeamState, command: AddMember, context: DecideContext): PlanResult {
  if (!state.exists) return teamNotFound(state);
  if (context.isRegisteredUser?.(command.userId) !== true) {
    return { ok: false, rejection: reject('USER_NOT_REGISTERED', `user ${command.userId} is not registered`) };
  }
  if (state.members.has(command.userId)) {
    return { ok: false, rejection: reject('MEMBER_ALREADY_IN_TEAM', `${command.userId} is already in team ${state.teamId}`) };
  }
  return { ok: true, planned: [{ body: { type: 'MemberAdded', data: { userId: command.userId } } }] };
}

export function planRemoveMember(state: TeamState, command: RemoveMember): PlanResult {
  if (!state.exists) return teamNotFound(state);
  if (!state.members.has(command.userId)) {
    return { ok: false, rejection: reject('MEMBER_NOT_IN_TEAM', `${command.userId} is not in team ${state.teamId}`) };
  }
  return { ok: true, planned: [{ body: { type: 'MemberRemoved', data: { userId: command.userId } } }] };
}
