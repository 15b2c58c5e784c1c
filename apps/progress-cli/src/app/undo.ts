/**
 * `progress undo [--dry-run]` and `progress redo [--dry-run]`: compensating events for the newest
 * command of a stream (a user's, or a team's with --team). The dry run decides the same command
 * against the current state and prints what it would append, without writing.
 */
import { decide, evolveAll, initialTeamState, initialUserState, randomIds } from '@progress/domain';
import type { Command, DomainEvent, StreamRef, StreamState, UserState } from '@progress/domain';
import type { Context } from '../cli/context.js';
import { emitJson, prepare } from './common.js';
import { describeBody } from './describe.js';
import { parseTeamArg, rejectionError, withSession } from './session.js';

export interface UndoInput {
  readonly db: string | undefined;
  readonly user: string | undefined;
  readonly team: string | undefined;
  readonly dryRun: boolean;
  readonly json: boolean;
}

function asUser(state: StreamState): UserState | undefined {
  return state.kind === 'user' ? state : undefined;
}

export async function runUndo(ctx: Context, input: UndoInput, redo: boolean): Promise<void> {
  const env = prepare(ctx, input.db);
  const verb = redo ? 'redo' : 'undo';
  await withSession(ctx, env.dir, env.settings, async (session) => {
    const stream: StreamRef = input.team !== undefined
      ? { kind: 'team', id: parseTeamArg(input.team) }
      : { kind: 'user', id: session.user(input.user).userId };
    if (stream.kind === 'team') await session.requireTeam(stream.id);
    else if (input.user !== undefined) await session.requireUser(stream.id);
    const stored = await session.store.readStream(stream);
    const initial = stream.kind === 'user' ? initialUserState(stream.id) : initialTeamState(stream.id);
    const state = evolveAll(initial, stored.map((item) => item.event));
    const actor = stream.kind === 'user' ? stream.id : session.user(input.user).userId;
    const command: Command = { kind: redo ? 'Redo' : 'Undo', commandId: session.newCommandId(), actor, stream };
    const planned = decide(state, command, session.now(), randomIds, {});
    if (!planned.ok) throw rejectionError(planned.rejection);
    const first = planned.events[0];
    const targetId = first?.type === 'CommandUndone' ? first.data.undoneCommandId : undefined;
    const target = stored.filter((item) => item.event.commandId === targetId).map((item) => item.event);
    const original = describeCommand(target, initial, stored.map((item) => item.event));
    const effects = planned.events.slice(1).map((event) => describeBody(event, asUser(state)));
    if (input.dryRun) {
      if (input.json) emitJson(ctx, { dryRun: true, action: verb, target: targetId ?? null, original, effects });
      else ctx.io.stdout(`${verb} would reverse: ${original}\n${effects.map((line) => `  ${line}\n`).join('')}nothing changed (dry run)\n`);
      return;
    }
    await session.execute(command);
    if (input.json) emitJson(ctx, { dryRun: false, action: verb, target: targetId ?? null, original, effects });
    else ctx.io.stdout(`${env.paint('green', redo ? 'redone' : 'undone')}: ${original}\n${effects.map((line) => `  ${line}\n`).join('')}`);
  });
}

/** What a past command did, in words (its events, described against the state before it). */
function describeCommand(events: readonly DomainEvent[], initial: StreamState, all: readonly DomainEvent[]): string {
  if (events.length === 0) return 'the newest command';
  const firstIndex = all.indexOf(events[0] as DomainEvent);
  const before = evolveAll(initial, all.slice(0, Math.max(0, firstIndex)));
  const parts = events.map((event) => describeBody(event, asUser(before), event.occurredAt, event.timeZone));
  return parts.join('; ');
}
