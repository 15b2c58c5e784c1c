/**
 * A session: the opened store, the command handler, the user's settings and the clock, for the
 * length of one CLI invocation. Commands run their writes through `execute`, which turns domain
 * rejections into exit-1 errors with a next step, and auto-registers the default user.
 *
 * Invariants:
 * - a rejected or interrupted command writes nothing: auto-registration is decided together with
 *   the command and appended in the same commit (CommandHandler `registerFirst`);
 * - the store is closed on every path (`withSession`).
 */
import {
  CommandHandler, parseTeamId, parseUserId, randomIds, systemClock,
} from '@progress/domain';
import type {
  Command, CommandId, ExecuteResult, Instant, TeamId, TeamState, UserId, UserState,
} from '@progress/domain';
import type { Context } from '../cli/context.js';
import { CliError, CloseFailedError, RejectedError, UsageError } from '../cli/errors.js';
import type { Settings } from '../config.js';
import { mark } from '../cli/timing.js';
import { openStore } from './store.js';
import type { OpenedStore, OpenOptions } from './store.js';

export type Accepted = Extract<ExecuteResult, { status: 'accepted' }>;
export type Outcome = Accepted | Extract<ExecuteResult, { status: 'duplicate' }>;

const HINTS: Readonly<Record<string, string>> = {
  USER_NOT_REGISTERED: 'add the user with "progress user add <id>", or check --user',
  ENTRY_NOT_FOUND: 'list entries and their ids with "progress history"',
  ENTRY_RETRACTED: 'see "progress history --retracted"; "progress undo" can restore it',
  UNKNOWN_METRIC: 'log the metric first: progress log <metric> <amount> [unit]',
  UNIT_MISMATCH: 'leave the unit out to use the metric\'s own, or log under a new metric name',
  TEAM_NOT_FOUND: 'create it with "progress team create <id> <name>", or list teams with "progress team list"',
  GOAL_NOT_FOUND: 'list goals with "progress goal list"',
  OCCURRED_IN_FUTURE: 'check --at, and your time zone ("progress config get time-zone")',
  OCCURRED_TOO_EARLY: 'entries start in the year 2000',
  AMOUNT_OUT_OF_RANGE: 'amounts are greater than 0 and at most 1000000',
  AMOUNT_TOO_PRECISE: 'round to at most 3 decimal places',
  NOTHING_TO_UNDO: 'see "progress history" for what was done',
  UNDO_NOT_APPLICABLE: 'a later command changed the same entry; undo that one first',
  IDEMPOTENCY_CONFLICT: 'use a new --idempotency-key for a different entry',
  TEXT_CONTROL_CHARACTERS: 'remove tabs, newlines and other control characters',
};

export function rejectionError(rejection: { code: string; message: string }): RejectedError {
  return new RejectedError(rejection.code, rejection.message, HINTS[rejection.code]);
}

export function parseUserArg(text: string): UserId {
  const parsed = parseUserId(text);
  if (!parsed.ok) throw new UsageError(parsed.message);
  return parsed.value;
}

export function parseTeamArg(text: string): TeamId {
  const parsed = parseTeamId(text);
  if (!parsed.ok) throw new UsageError(parsed.message);
  return parsed.value;
}

export class Session {
  readonly handler: CommandHandler;

  constructor(
    readonly ctx: Context,
    readonly opened: OpenedStore,
    readonly settings: Settings,
  ) {
    this.handler = new CommandHandler(opened.store, { clock: systemClock, ids: randomIds });
  }

  get store(): OpenedStore['store'] {
    return this.opened.store;
  }

  now(): Instant {
    return systemClock.now();
  }

  newCommandId(): CommandId {
    return randomIds.commandId();
  }

  /** The user for this command: --user, else the default user. */
  user(flag: string | undefined): { userId: UserId; isDefault: boolean } {
    const userId = parseUserArg(flag ?? this.settings.defaultUser);
    return { userId, isDefault: userId === this.settings.defaultUser };
  }

  async userState(userId: UserId): Promise<UserState> {
    return (await this.store.loadState({ kind: 'user', id: userId })) as UserState;
  }

  async teamState(teamId: TeamId): Promise<TeamState> {
    return (await this.store.loadState({ kind: 'team', id: teamId })) as TeamState;
  }

  /** Loads a registered user or fails with exit 1 (USER_NOT_REGISTERED). */
  async requireUser(userId: UserId): Promise<UserState> {
    const state = await this.userState(userId);
    if (!state.registered) throw rejectionError({ code: 'USER_NOT_REGISTERED', message: `user ${userId} is not registered` });
    return state;
  }

  async requireTeam(teamId: TeamId): Promise<TeamState> {
    const state = await this.teamState(teamId);
    if (!state.exists) throw rejectionError({ code: 'TEAM_NOT_FOUND', message: `team ${teamId} does not exist` });
    return state;
  }

  /**
   * Executes `command`; a rejection throws RejectedError (exit 1). With `autoRegister` (the
   * command's own user, the default user), an unregistered user is registered in the same commit
   * as the command: a rejected or interrupted command writes neither (regression:
   * test/reliability/cli-kill.rel.test.ts, "log with auto-registration, killed at every mutation").
   */
  async execute(command: Command, options: { autoRegister?: UserId } = {}): Promise<Outcome & { registered?: boolean }> {
    const userId = options.autoRegister;
    const registration: Command | undefined = userId === undefined
      ? undefined
      : { kind: 'RegisterUser', commandId: this.newCommandId(), actor: userId, userId, displayName: userId, timeZone: this.settings.timeZone };
    const result = await this.handler.execute(command, registration === undefined ? {} : { registerFirst: registration });
    if (result.status === 'rejected') throw rejectionError(result.rejection);
    const registered = result.status === 'accepted' && result.registration !== undefined;
    if (registered) this.ctx.io.stderr(`registered user ${String(userId)} (time zone ${this.settings.timeZone}); change it with "progress user rename" or "progress config"\n`);
    return { ...result, registered };
  }
}

/**
 * Runs `fn` on an opened store and closes it on every path.
 *
 * With `readOnly: 'prefer'` an existing embedded store is opened read-only (no lock wait, no
 * writes, no fsync: the fast path of status, report and history). If that open fails, or `fn`
 * fails with anything but the CLI's own usage or rejection errors (it tried to write: stale
 * projection rows are rebuilt on read; or a writer's compaction removed a file under the unlocked
 * reader), the store is reopened writable, under the lock, and `fn` runs again. Such an `fn` must
 * print nothing before its last store access.
 */
export async function withSession<T>(
  ctx: Context, dir: string, settings: Settings, fn: (session: Session) => Promise<T>, options: OpenOptions = {},
): Promise<T> {
  if (options.readOnly !== 'prefer') return runSession(ctx, dir, settings, fn, options);
  let opened: OpenedStore;
  try {
    opened = await openStore(ctx, dir, options);
  } catch (error) {
    if (error instanceof CliError) throw error;
    return runSession(ctx, dir, settings, fn, {}); // e.g. a writer deleted a file mid-open: wait for its lock instead
  }
  if (!opened.readOnly) return finish(opened, ctx, settings, fn);
  let result: T;
  try {
    result = await fn(new Session(ctx, opened, settings));
  } catch (error) {
    await opened.close().catch(() => undefined);
    if (error instanceof CliError) throw error;
    mark('reopening writable');
    return runSession(ctx, dir, settings, fn, {});
  }
  mark('command ran');
  await opened.close();
  mark('store closed');
  return result;
}

async function runSession<T>(ctx: Context, dir: string, settings: Settings, fn: (session: Session) => Promise<T>, options: OpenOptions): Promise<T> {
  return finish(await openStore(ctx, dir, options), ctx, settings, fn);
}

async function finish<T>(opened: OpenedStore, ctx: Context, settings: Settings, fn: (session: Session) => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await fn(new Session(ctx, opened, settings));
  } catch (error) {
    await opened.close().catch(() => undefined); // the command's own error is the one to report
    throw error;
  }
  mark('command ran');
  try {
    await opened.close();
  } catch (error) {
    throw new CloseFailedError(error); // what the command wrote is committed: say so (exit 4)
  }
  mark('store closed');
  return result;
}
