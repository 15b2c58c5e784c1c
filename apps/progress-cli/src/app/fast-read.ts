/**
 * Read paths that cost O(days), not O(events): the user-summary and daily-totals projection rows
 * (libs/domain DESIGN.md section 6), used by status, report and the goal line after `log`.
 *
 * The domain's `userReport` first folds the whole stream to check projection freshness. Here the
 * check reads three small rows instead (stream head, summary checkpoint, daily checkpoint — the
 * key layout of DESIGN.md section 3); only stale rows fall back to the domain's rebuild.
 */
import {
  DAILY_TOTALS, USER_SUMMARY, buildTeamReport, buildUserReport, ensureFreshProjections, localDateOf, previousWindow,
  resolveWindow, subjectFromStore, summarizeTeam,
} from '@progress/domain';
import type {
  EventStore, PeriodSpec, ReportSettings, ReportSubject, TeamId, TeamReport, TeamState, UserId, UserReport, UserSummary,
} from '@progress/domain';

const decoder = new TextDecoder();

function json(bytes: Uint8Array | undefined): Record<string, unknown> | null {
  if (bytes === undefined) return null;
  try {
    const value: unknown = JSON.parse(decoder.decode(bytes));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** True when the user's projection rows reflect the stream's head (and this code's versions). */
async function fresh(store: EventStore, userId: UserId): Promise<boolean | 'missing'> {
  const [head, summary, checkpoint] = await Promise.all([
    store.kv.get(`user:${userId}:head`), store.kv.get(`user:${userId}`), store.kv.get(`proj:daily-totals:cp:${userId}`),
  ]);
  const version = json(head?.value)?.version;
  if (typeof version !== 'number') return 'missing';
  const s = json(summary?.value);
  const c = json(checkpoint?.value);
  return s?.streamVersion === version && s.codeVersion === USER_SUMMARY.codeVersion
    && c?.streamVersion === version && c.codeVersion === DAILY_TOTALS.codeVersion;
}

/** The report subject from projection rows (rebuilding them first if stale); null: no such user. */
export async function userSubject(store: EventStore, userId: UserId): Promise<ReportSubject | null> {
  const state = await fresh(store, userId);
  if (state === 'missing') return null;
  if (!state) await ensureFreshProjections(store, { kind: 'user', id: userId });
  return subjectFromStore(store, userId);
}

/** The user-summary row (profile, per-metric totals and runs, goals), or null. */
export async function userSummary(store: EventStore, userId: UserId): Promise<UserSummary | null> {
  if ((await fresh(store, userId)) === false) await ensureFreshProjections(store, { kind: 'user', id: userId });
  const row = json((await store.kv.get(`user:${userId}`))?.value);
  return row === null ? null : (row as unknown as UserSummary);
}

export function reportFor(subject: ReportSubject, period: PeriodSpec, settings: ReportSettings): UserReport {
  const window = resolveWindow(period, settings);
  const today = localDateOf(settings.now, settings.timeZone);
  return buildUserReport(subject, window, previousWindow(window, settings.weekStartsOn), settings.weekStartsOn, today);
}

export async function fastUserReport(store: EventStore, userId: UserId, period: PeriodSpec, settings: ReportSettings): Promise<UserReport | null> {
  const subject = await userSubject(store, userId);
  return subject === null ? null : reportFor(subject, period, settings);
}

export async function fastTeamReport(store: EventStore, teamId: TeamId, period: PeriodSpec, settings: ReportSettings): Promise<TeamReport | null> {
  const team = summarizeTeam((await store.loadState({ kind: 'team', id: teamId })) as TeamState);
  if (!team.exists) return null;
  const members: ReportSubject[] = [];
  for (const member of team.members) {
    const subject = await userSubject(store, member.userId as UserId);
    if (subject !== null) members.push(subject);
  }
  const window = resolveWindow(period, settings);
  const today = localDateOf(settings.now, settings.timeZone);
  return buildTeamReport(team, members, window, previousWindow(window, settings.weekStartsOn), settings.weekStartsOn, today);
}

