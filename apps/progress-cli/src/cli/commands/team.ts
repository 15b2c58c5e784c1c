/** `progress team create|add|remove|list`. */
import type { Argv } from 'yargs';
import type { GlobalArgs } from '../command-kit.js';
import { handle, single, track } from '../command-kit.js';
import type { Context } from '../context.js';

type Args = GlobalArgs & Record<string, unknown>;

function member(ctx: Context, remove: boolean) {
  const name = remove ? 'remove' : 'add';
  return {
    command: `${name} <team> <member>`,
    describe: remove ? 'remove a member' : 'add a registered user',
    builder: (z: Argv<GlobalArgs>) =>
      track(ctx, `team ${name} <team> <member>`, z)
        .positional('team', { type: 'string', demandOption: true })
        .positional('member', { type: 'string', demandOption: true, describe: 'a user id' })
        .option('user', { alias: 'u', type: 'string', describe: 'who makes the change (default: you)' })
        .option('json', { type: 'boolean' })
        .example(`$0 team ${name} core grace`, ''),
    handler: handle(ctx, async (args: Args) => {
      const { runTeamMember } = await import('../../app/people.js');
      await runTeamMember(ctx, { db: args.db, team: String(args.team), member: String(args.member), remove, user: single(args.user), json: args.json === true });
    }),
  };
}

export function teamCommand(ctx: Context) {
  return {
    command: 'team <command>',
    describe: 'create teams and manage members (see "progress report --team")',
    builder: (y: Argv<GlobalArgs>) =>
      track(ctx, 'team <create|add|remove|list>', y)
        .command({
          command: 'create <id> [name]',
          describe: 'create a team',
          builder: (z: Argv<GlobalArgs>) =>
            track(ctx, 'team create <id> [name]', z)
              .positional('id', { type: 'string', demandOption: true })
              .positional('name', { type: 'string', describe: 'display name (default: the id)' })
              .option('user', { alias: 'u', type: 'string', describe: 'who creates it (default: you)' })
              .option('json', { type: 'boolean' })
              .example('$0 team create core "Core team"', ''),
          handler: handle(ctx, async (args: Args) => {
            const { runTeamCreate } = await import('../../app/people.js');
            await runTeamCreate(ctx, { db: args.db, id: String(args.id), name: single(args.name), user: single(args.user), json: args.json === true });
          }),
        })
        .command(member(ctx, false))
        .command(member(ctx, true))
        .command({
          command: 'list [team]',
          describe: 'all teams, or the members of one',
          builder: (z: Argv<GlobalArgs>) =>
            track(ctx, 'team list [team]', z).positional('team', { type: 'string' }).option('json', { type: 'boolean' }).example('$0 team list', ''),
          handler: handle(ctx, async (args: Args) => {
            const { runTeamList } = await import('../../app/people.js');
            await runTeamList(ctx, { db: args.db, team: single(args.team), json: args.json === true });
          }),
        })
        .demandCommand(1, 'missing command'),
    handler: () => undefined,
  };
}
