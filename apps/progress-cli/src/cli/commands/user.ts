/** `progress user add|list|rename|time-zone`. */
import type { Argv } from 'yargs';
import type { GlobalArgs } from '../command-kit.js';
import { handle, single, track } from '../command-kit.js';
import type { Context } from '../context.js';

type Args = GlobalArgs & Record<string, unknown>;

export function userCommand(ctx: Context) {
  return {
    command: 'user <command>',
    describe: 'add, list and rename users',
    builder: (y: Argv<GlobalArgs>) =>
      track(ctx, 'user <add|list|rename|time-zone>', y)
        .command({
          command: 'add <id>',
          describe: 'register a user',
          builder: (z: Argv<GlobalArgs>) =>
            track(ctx, 'user add <id>', z)
              .positional('id', { type: 'string', demandOption: true, describe: 'letters, digits, ".", "_", "-"' })
              .option('name', { type: 'string', describe: 'display name (default: the id)' })
              .option('time-zone', { type: 'string', describe: 'IANA zone, e.g. Europe/Berlin (default: yours)' })
              .option('json', { type: 'boolean' })
              .example('$0 user add grace --name "Grace Hopper" --time-zone America/New_York', ''),
          handler: handle(ctx, async (args: Args) => {
            const { runUserAdd } = await import('../../app/people.js');
            await runUserAdd(ctx, { db: args.db, id: String(args.id), name: single(args.name), timeZone: single(args['time-zone']), json: args.json === true });
          }),
        })
        .command({
          command: 'list',
          describe: 'all users (* marks you)',
          builder: (z: Argv<GlobalArgs>) => track(ctx, 'user list', z).option('json', { type: 'boolean' }).example('$0 user list', ''),
          handler: handle(ctx, async (args: Args) => {
            const { runUserList } = await import('../../app/people.js');
            await runUserList(ctx, { db: args.db, json: args.json === true });
          }),
        })
        .command({
          command: 'rename <id> <name>',
          describe: 'change a display name',
          builder: (z: Argv<GlobalArgs>) =>
            track(ctx, 'user rename <id> <name>', z)
              .positional('id', { type: 'string', demandOption: true })
              .positional('name', { type: 'string', demandOption: true })
              .option('json', { type: 'boolean' })
              .example('$0 user rename grace "Rear Admiral Hopper"', ''),
          handler: handle(ctx, async (args: Args) => {
            const { runUserRename } = await import('../../app/people.js');
            await runUserRename(ctx, { db: args.db, id: String(args.id), name: String(args.name), json: args.json === true });
          }),
        })
        .command({
          command: 'time-zone <zone>',
          describe: 'change the time zone new entries are dated in',
          builder: (z: Argv<GlobalArgs>) =>
            track(ctx, 'user time-zone <zone>', z)
              .positional('zone', { type: 'string', demandOption: true })
              .option('user', { alias: 'u', type: 'string' })
              .option('json', { type: 'boolean' })
              .example('$0 user time-zone Asia/Tokyo', 'after moving'),
          handler: handle(ctx, async (args: Args) => {
            const { runUserTimeZone } = await import('../../app/people.js');
            await runUserTimeZone(ctx, { db: args.db, zone: String(args.zone), user: single(args.user), json: args.json === true });
          }),
        })
        .demandCommand(1, 'missing command'),
    handler: () => undefined,
  };
}
