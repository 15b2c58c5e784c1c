/** `progress user add|list|rename|time-zone` and `progress team create|add|remove|list`. */
import { summarizeTeam } from '@progress/domain';
import type { Command, TeamState, UserId } from '@progress/domain';
import type { Context } from '../cli/context.js';
import { table } from '../cli/output.js';
import { isTimeZone } from '../config.js';
import { UsageError } from '../cli/errors.js';
import { emitJson, prepare } from './common.js';
import { userSummary } from './fast-read.js';
import { parseTeamArg, parseUserArg, withSession } from './session.js';
import type { Session } from './session.js';

interface Base {
  readonly db: string | undefined;
  readonly json: boolean;
}

async function write(ctx: Context, input: Base, build: (session: Session) => Promise<{ command: Command; done: string; json: object }>): Promise<void> {
  const env = prepare(ctx, input.db);
  await withSession(ctx, env.dir, env.settings, async (session) => {
    const { command, done, json } = await build(session);
    await session.execute(command);
    if (input.json) emitJson(ctx, { status: 'ok', ...json });
    else ctx.io.stdout(`${env.paint('green', 'done')}: ${done}\n`);
  });
}

export async function runUserAdd(ctx: Context, input: Base & { id: string; name: string | undefined; timeZone: string | undefined }): Promise<void> {
  const userId = parseUserArg(input.id);
  const env = prepare(ctx, input.db);
  const timeZone = input.timeZone ?? env.settings.timeZone;
  if (input.timeZone !== undefined && !isTimeZone(input.timeZone)) {
    throw new UsageError(`unknown time zone ${JSON.stringify(input.timeZone)}`, 'use an IANA name such as Europe/Berlin');
  }
  await write(ctx, input, async (session) => ({
    command: { kind: 'RegisterUser', commandId: session.newCommandId(), actor: userId, userId, displayName: input.name ?? userId, timeZone },
    done: `user ${userId} added (${input.name ?? userId}, ${timeZone})`,
    json: { user: userId, displayName: input.name ?? userId, timeZone },
  }));
}

export async function runUserRename(ctx: Context, input: Base & { id: string; name: string }): Promise<void> {
  const userId = parseUserArg(input.id);
  await write(ctx, input, async (session) => {
    await session.requireUser(userId);
    return {
      command: { kind: 'RenameUser', commandId: session.newCommandId(), actor: userId, userId, displayName: input.name },
      done: `user ${userId} is now called "${input.name.trim()}"`,
      json: { user: userId, displayName: input.name.trim() },
    };
  });
}

export async function runUserTimeZone(ctx: Context, input: Base & { zone: string; user: string | undefined }): Promise<void> {
  await write(ctx, input, async (session) => {
    const { userId } = session.user(input.user);
    await session.requireUser(userId);
    return {
      command: { kind: 'ChangeTimeZone', commandId: session.newCommandId(), actor: userId, userId, timeZone: input.zone },
      done: `time zone of ${userId} is now ${input.zone}; new entries count on dates there`,
      json: { user: userId, timeZone: input.zone },
    };
  });
}

export async function runUserList(ctx: Context, input: Base): Promise<void> {
  const env = prepare(ctx, input.db);
  await withSession(ctx, env.dir, env.settings, async (session) => {
    const rows = [];
    for (const stream of await session.store.listStreams('user')) {
      const summary = await userSummary(session.store, stream.id as UserId);
      if (summary === null) continue;
      rows.push({
        user: summary.userId, displayName: summary.displayName, timeZone: summary.timeZone, entries: summary.entryCount,
        metrics: summary.metrics.map((metric) => metric.metric), lastDate: summary.metrics.reduce<string | null>((last, metric) => (metric.lastDate !== null && (last === null || metric.lastDate > last) ? metric.lastDate : last), null),
      });
    }
    if (input.json) return emitJson(ctx, rows);
    if (rows.length === 0) return ctx.io.stdout('no users yet; "progress log" registers you, "progress user add <id>" adds others\n');
    ctx.io.stdout(table(
      [{ header: 'user' }, { header: 'name' }, { header: 'time zone' }, { header: 'entries', align: 'right' }, { header: 'last entry' }, { header: 'metrics' }],
      rows.map((row) => [
        row.user === env.settings.defaultUser ? env.paint('bold', `${row.user} *`) : row.user, row.displayName, row.timeZone, String(row.entries),
        row.lastDate ?? '–', row.metrics.join(', '),
      ]),
      env.paint,
    ));
  });
}

export async function runTeamCreate(ctx: Context, input: Base & { id: string; name: string | undefined; user: string | undefined }): Promise<void> {
  const teamId = parseTeamArg(input.id);
  await write(ctx, input, async (session) => ({
    command: {
      kind: 'CreateTeam', commandId: session.newCommandId(), actor: session.user(input.user).userId, teamId, name: input.name ?? teamId,
      timeZone: session.settings.timeZone,
    },
    done: `team ${teamId} created ("${input.name ?? teamId}"); add members with "progress team add ${teamId} <user>"`,
    json: { team: teamId, name: input.name ?? teamId },
  }));
}

export async function runTeamMember(ctx: Context, input: Base & { team: string; member: string; remove: boolean; user: string | undefined }): Promise<void> {
  const teamId = parseTeamArg(input.team);
  const member = parseUserArg(input.member);
  await write(ctx, input, async (session) => ({
    command: {
      kind: input.remove ? 'RemoveMember' : 'AddMember', commandId: session.newCommandId(), actor: session.user(input.user).userId, teamId, userId: member,
    },
    done: input.remove ? `${member} removed from team ${teamId}` : `${member} added to team ${teamId}`,
    json: { team: teamId, user: member, member: !input.remove },
  }));
}

export async function runTeamList(ctx: Context, input: Base & { team: string | undefined }): Promise<void> {
  const env = prepare(ctx, input.db);
  const only = input.team === undefined ? undefined : parseTeamArg(input.team);
  await withSession(ctx, env.dir, env.settings, async (session) => {
    const teams = [];
    if (only !== undefined) await session.requireTeam(only);
    const streams = only === undefined ? await session.store.listStreams('team') : [{ kind: 'team' as const, id: only }];
    for (const stream of streams) {
      const team = summarizeTeam((await session.store.loadState(stream)) as TeamState);
      if (team.exists) teams.push({ team: team.teamId, name: team.name, members: team.members.map((member) => member.userId) });
    }
    if (input.json) return emitJson(ctx, only === undefined ? teams : teams[0]);
    if (teams.length === 0) return ctx.io.stdout('no teams yet; create one with "progress team create <id> <name>"\n');
    ctx.io.stdout(table(
      [{ header: 'team' }, { header: 'name' }, { header: 'members', align: 'right' }, { header: '' }],
      teams.map((team) => [team.team, team.name, String(team.members.length), team.members.join(', ')]),
      env.paint,
    ));
  });
}
