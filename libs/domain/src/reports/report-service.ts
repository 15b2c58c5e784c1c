/**
 * Report entry points the CLI calls. Current reports read projection rows; as-of reports replay
 * each stream up to the cutoff (a global revision and/or a recordedAt instant) and fold — the same
 * report maths either way.
 */
import type { TeamId, UserId } from '../ids.js';
import { summarizeTeam } from '../projections/team-summary.js';
import type { TeamState, UserState } from '../state.js';
import type { Cutoff, EventStore } from '../store/event-store.js';
import { ensureFreshProjections } from '../store/rebuild.js';
import { localDateOf } from './calendar.js';
import { previousWindow, resolveWindow } from './period.js';
import type { PeriodSpec, ReportSettings } from './period.js';
import { subjectFromState, subjectFromStore } from './sources.js';
import { buildTeamReport } from './team-report.js';
import type { TeamReport } from './team-report.js';
import { buildUserReport } from './user-report.js';
import type { ReportSubject, UserReport } from './user-report.js';

export interface ReportRequest {
  readonly period: PeriodSpec;
  readonly settings: ReportSettings;
  /** Replay the log to this cutoff instead of reading projections. */
  readonly asOf?: Cutoff;
}

async function userSubject(store: EventStore, userId: UserId, asOf: Cutoff | undefined): Promise<ReportSubject | null> {
  const stream = { kind: 'user', id: userId } as const;
  if (asOf !== undefined) {
    const state = (await store.loadState(stream, asOf)) as UserState;
    return state.registered ? subjectFromState(state) : null;
  }
  const state = await ensureFreshProjections(store, stream);
  return state.version === 0 ? null : subjectFromStore(store, userId);
}

/** The user's report, or null when the user does not exist (at the cutoff). */
export async function userReport(store: EventStore, userId: UserId, request: ReportRequest): Promise<UserReport | null> {
  const subject = await userSubject(store, userId, request.asOf);
  if (subject === null) return null;
  const window = resolveWindow(request.period, request.settings);
  const today = localDateOf(request.settings.now, request.settings.timeZone);
  return buildUserReport(subject, window, previousWindow(window, request.settings.weekStartsOn), request.settings.weekStartsOn, today);
}

export async function teamReport(store: EventStore, teamId: TeamId, request: ReportRequest): Promise<TeamReport | null> {
  const team = summarizeTeam((await store.loadState({ kind: 'team', id: teamId }, request.asOf)) as TeamState);
  if (!team.exists) return null;
  const members: ReportSubject[] = [];
  for (const member of team.members) {
    const subject = await userSubject(store, member.userId as UserId, request.asOf);
    if (subject !== null) members.push(subject);
  }
  const window = resolveWindow(request.period, request.settings);
  const today = localDateOf(request.settings.now, request.settings.timeZone);
  return buildTeamReport(team, members, window, previousWindow(window, request.settings.weekStartsOn), request.settings.weekStartsOn, today);
}
